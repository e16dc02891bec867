/**
 * The three families of generated cases and how each becomes bytes at the front door:
 * (a) raw requests for every served operation, malformed and hostile; (b) PutEvents of every
 * detail-type in the catalog with mutated details; (c) StartExecution of every workflow with
 * mutated inputs, seeded from the workflow's documented example and the catalog's examples.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type EventName, events } from '../../lambdas/core/events/catalog';
import { isConsoleRequest } from '../../lib/console/console-server';
import { routes } from '../../lib/topology/routes';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import type { DoorRequest } from './door-client';
import {
  type DoorContext,
  type DoorOperation,
  doorOperations,
  pick,
  type Service,
  stateMachineArn,
  workflowIds,
} from './door-operations';
import {
  type HostileValue,
  hostileSlot,
  hostileValue,
  type Mutation,
  malformedJsonText,
  mutatedJson,
  mutations,
  rarelyHostile,
  spliceJson,
} from './hostile-json';

export interface RequestCase {
  readonly family: 'request';
  readonly operation: string;
  readonly ref: number;
  readonly body:
    | { readonly kind: 'seed' }
    | { readonly kind: 'mutated'; readonly mutations: readonly Mutation[] }
    | { readonly kind: 'malformed'; readonly text: HostileValue };
  /** Replaces the first path parameter of a REST operation. */
  readonly pathParameter?: string;
  readonly query?: readonly [string, string];
  readonly method?: string;
  /** `null` leaves the header out. */
  readonly contentType?: string | null;
  readonly target?: string;
  readonly path?: string;
  readonly header?: readonly [string, string];
  readonly abortAfterBytes?: number;
}

/** Bytes no HTTP client sends: Node's own parser refuses them before any code of Baton runs. */
export interface MalformedHttpCase {
  readonly family: 'request';
  readonly operation: 'malformed-http';
  readonly bytes: string;
}

export interface EventEntryCase {
  readonly event: EventName;
  /** `own`: the source its origin allows; `other`: a caller's source; `baton`: Baton's, forged. */
  readonly source: 'own' | 'other' | 'baton' | HostileValue;
  readonly detailType: HostileValue | undefined;
  readonly mutations: readonly Mutation[];
  /** Suffixes the ids of the seed, so that requests are new or repeat earlier ones. */
  readonly fresh: number;
  /** Answers a task token the run has seen, when the seed carries one. */
  readonly tokenRef: number;
}

export interface EventCase {
  readonly family: 'event';
  readonly entries: readonly EventEntryCase[];
}

export interface WorkflowCase {
  readonly family: 'workflow';
  readonly workflowId: string;
  readonly seed: number;
  readonly mutations: readonly Mutation[];
  readonly fresh: number;
  readonly name: HostileValue | undefined;
}

export type FuzzCase = RequestCase | MalformedHttpCase | EventCase | WorkflowCase;
export type Family = FuzzCase['family'];

/** The service whose error shape an answer must have (`http`: refused before any service). */
export type AnsweringService = Service | 'http';

const operationByName = new Map(doorOperations.map((operation) => [operation.name, operation]));

// ---------------------------------------------------------------------------------------------
// (a) raw requests
// ---------------------------------------------------------------------------------------------

const PATH_SEGMENTS = [
  '',
  '%',
  '%zz',
  '..',
  '%2F',
  '$LATEST',
  'checkout:live',
  'checkout:999',
  'arn:aws:lambda:us-east-1:000000000000:function:checkout',
  'arn:aws:lambda:eu-west-1:123456789012:function:checkout',
  encodeURIComponent('😀'),
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(171),
  'a'.repeat(2_000),
  'a'.repeat(17_000),
];

const MALFORMED_HTTP = [
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n',
  'FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n',
  '\u0000\u0001\u0002 garbage\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSEvents.PutEvents\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
];

/** One way a request departs from its operation's own shape. */
const requestOverride: fc.Arbitrary<Partial<RequestCase>> = fc.oneof(
  fc.constantFrom(...PATH_SEGMENTS).map((pathParameter) => ({ pathParameter })),
  fc
    .tuple(
      fc.constantFrom('Qualifier', 'MaxItems', 'Marker', 'FunctionVersion', 'a'),
      fc.constantFrom('', '0', '-1', '1e9', '99999999999', '$LATEST', '%', 'x'.repeat(2_000), 'live'),
    )
    .map((query) => ({ query })),
  fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST').map((method) => ({ method })),
  fc
    .constantFrom<string | null>(
      null,
      '',
      'text/plain',
      'application/json',
      'application/x-amz-json-1.0',
      'application/x-amz-json-1.1',
      'multipart/form-data; boundary=x',
    )
    .map((contentType) => ({ contentType })),
  fc
    .constantFrom(
      '',
      '.',
      'AWSEvents.DeleteRule',
      'AWSStepFunctions.CreateStateMachine',
      'AWSEvents.toString',
      'AWSEvents.__proto__',
      'AWSEvents.PutEvents.Extra',
      'DynamoDB_20120810.TransactWriteItems',
      'DynamoDB_20120810.ExecuteStatement',
      'Nope.Nothing',
      `AWSEvents.${'x'.repeat(5_000)}`,
    )
    .map((target) => ({ target })),
  fc
    .constantFrom('/x', '/?a=%zz', '/%', '//', `/${'p'.repeat(17_000)}`, '/2015-03-31/functions/')
    .map((path) => ({ path })),
  fc
    .constantFrom<[string, string]>(
      ['host', 'evil.example'],
      ['origin', 'http://evil.example'],
      [
        'authorization',
        'AWS4-HMAC-SHA256 Credential=BATONFN00000000000000000000/20260101/us-east-1/x/aws4_request',
      ],
      ['authorization', 'garbage'],
      ['x-fuzz', 'x'.repeat(20_000)],
      ['x-amz-date', 'not a date'],
    )
    .map((header) => ({ header })),
  fc.nat(64).map((abortAfterBytes) => ({ abortAfterBytes })),
);

const requestCase: fc.Arbitrary<RequestCase> = fc
  .record({
    operation: fc.constantFrom(...doorOperations.map((operation) => operation.name)),
    ref: fc.nat(1_000),
    body: fc.oneof(
      { arbitrary: fc.constant({ kind: 'seed' as const }), weight: 1 },
      {
        arbitrary: mutations.map((changes) => ({ kind: 'mutated' as const, mutations: changes })),
        weight: 5,
      },
      { arbitrary: malformedJsonText.map((text) => ({ kind: 'malformed' as const, text })), weight: 1 },
    ),
    // Most requests keep their operation's shape, so that their bodies reach the operation.
    overrides: fc.array(requestOverride, { maxLength: 2 }),
  })
  .map(({ overrides, ...request }) =>
    Object.assign({ family: 'request' as const, ...request }, ...overrides),
  );

const malformedHttpCase: fc.Arbitrary<MalformedHttpCase> = fc
  .constantFrom(...MALFORMED_HTTP)
  .map((bytes) => ({ family: 'request' as const, operation: 'malformed-http' as const, bytes }));

/** Event patterns that stress the matcher: long dotted keys, `$or` expansions, deep or wide patterns. */
const hostilePattern: fc.Arbitrary<HostileValue> = fc.oneof(
  fc.constantFrom(10, 500, 2_000, 3_000).map((segments) => ({
    label: `pattern key of ${segments} segments`,
    json: JSON.stringify(JSON.stringify({ detail: { [Array(segments).fill('a').join('.')]: ['x'] } })),
  })),
  fc.constantFrom(2, 10, 16, 17, 30).map((pairs) => ({
    label: `pattern of ${pairs} $or pairs`,
    json: JSON.stringify(
      JSON.stringify({
        detail: Object.fromEntries(
          Array.from({ length: pairs }, (_, index) => [`f${index}`, { $or: [{ a: [1] }, { b: [2] }] }]),
        ),
      }),
    ),
  })),
  fc.constantFrom(100, 800, 5_000).map((depth) => ({
    label: `pattern ${depth} deep`,
    json: JSON.stringify(`${'{"a":'.repeat(depth)}["x"]${'}'.repeat(depth)}`),
  })),
  fc.constantFrom(1_000, 50_000).map((count) => ({
    label: `pattern of ${count} values`,
    json: JSON.stringify(
      JSON.stringify({ source: Array.from({ length: count }, (_, index) => `s${index}`) }),
    ),
  })),
  fc.constantFrom(10, 1_000).map((stars) => ({
    label: `wildcard of ${stars} stars`,
    json: JSON.stringify(JSON.stringify({ source: [{ wildcard: 'a*'.repeat(stars) }] })),
  })),
);

const testEventPatternCase: fc.Arbitrary<RequestCase> = fc
  .record({ pattern: hostilePattern, ref: fc.nat(1_000) })
  .map(({ pattern, ref }) => ({
    family: 'request' as const,
    operation: 'TestEventPattern',
    ref,
    body: {
      kind: 'mutated' as const,
      mutations: [{ kind: 'replace' as const, at: 0, key: '', value: pattern }],
    },
  }));

// ---------------------------------------------------------------------------------------------
// (b) events of the catalog
// ---------------------------------------------------------------------------------------------

const eventNames = Object.keys(events) as EventName[];

const eventEntry: fc.Arbitrary<EventEntryCase> = fc.record(
  {
    event: fc.constantFrom(...eventNames),
    source: fc.oneof(
      { arbitrary: fc.constant('own' as const), weight: 8 },
      { arbitrary: fc.constant('other' as const), weight: 1 },
      { arbitrary: fc.constant('baton' as const), weight: 1 },
      { arbitrary: hostileValue, weight: 1 },
    ),
    detailType: rarelyHostile,
    mutations,
    fresh: fc.nat(20),
    tokenRef: fc.nat(1_000),
  },
  { requiredKeys: ['event', 'source', 'detailType', 'mutations', 'fresh', 'tokenRef'] },
);

const eventCase: fc.Arbitrary<EventCase> = fc
  .array(eventEntry, { minLength: 1, maxLength: 3 })
  .map((entries) => ({ family: 'event' as const, entries }));

// ---------------------------------------------------------------------------------------------
// (c) workflow inputs
// ---------------------------------------------------------------------------------------------

/** The example in an ASL file's Comment (`Input…: {…}`), when it is JSON. */
export function documentedExample(comment: string | undefined): unknown {
  const start = comment?.indexOf('{', comment.indexOf('Input')) ?? -1;
  if (!comment || start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let index = start; index < comment.length; index++) {
    const character = comment[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{') depth++;
    else if (character === '}' && --depth === 0) {
      try {
        return JSON.parse(comment.slice(start, index + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Variants of the examples that take a workflow down its other paths: a provisioning that waits
 * for its callback, a rebalance that moves, rollouts by other strategies or superseding.
 */
const VARIANTS: Readonly<Record<string, readonly unknown[]>> = {
  'allocate-resources': [
    { ...events.ResourceAllocationRequested.example, provisioner: 'callback' },
    { ...events.ResourceAllocationRequested.example, strategy: 'spread', leaseSeconds: 60 },
  ],
  'rebalance-workloads': [{ strategy: 'binpack', maxMoves: 5, disruptionBudget: 2, dryRun: false }],
  'roll-out-service': [
    {
      ...events.ServiceRolloutRequested.example,
      strategy: { type: 'linear', stepPercent: 50, intervalSeconds: 1 },
    },
    { ...events.ServiceRolloutRequested.example, strategy: 'allAtOnce', onConflict: 'supersede', hooks: {} },
  ],
};

/** Every workflow's seeds: its documented example, the examples of the events routed to it, variants. */
export const workflowSeeds: ReadonlyMap<string, readonly unknown[]> = new Map(
  workflowsIn(productWorkflowDirectory).map((workflow) => {
    const comment = (JSON.parse(readFileSync(workflow.file, 'utf8')) as { Comment?: string }).Comment;
    const routed = routes
      .filter((route) => route.target.kind === 'workflow' && route.target.workflowId === workflow.id)
      .flatMap((route) => route.events.map((name) => events[name].example as unknown));
    const documented = documentedExample(comment);
    return [
      workflow.id,
      [...(documented === undefined ? [] : [documented]), ...routed, ...(VARIANTS[workflow.id] ?? [])],
    ];
  }),
);

const workflowCase: fc.Arbitrary<WorkflowCase> = fc.record(
  {
    family: fc.constant('workflow' as const),
    workflowId: fc.constantFrom(...workflowIds),
    seed: fc.nat(10),
    mutations,
    fresh: fc.nat(20),
    name: rarelyHostile,
  },
  { requiredKeys: ['family', 'workflowId', 'seed', 'mutations', 'fresh', 'name'] },
);

/** Any case, the families weighted so that each gets a fair share of a run. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { arbitrary: requestCase, weight: 8 },
  { arbitrary: testEventPatternCase, weight: 1 },
  { arbitrary: malformedHttpCase, weight: 1 },
  { arbitrary: eventCase, weight: 5 },
  { arbitrary: workflowCase, weight: 5 },
);

// ---------------------------------------------------------------------------------------------
// From a case to bytes
// ---------------------------------------------------------------------------------------------

/** Ids that make a request new; other fields (tenants, pools) stay, so requests meet each other. */
const FRESH_FIELDS = new Set(['requestId', 'rolloutId', 'workloadId', 'allocationId']);

function withFreshIds(value: unknown, fresh: number): unknown {
  if (fresh === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => withFreshIds(item, fresh));
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      FRESH_FIELDS.has(key) && typeof member === 'string'
        ? `${member}-${fresh}`
        : withFreshIds(member, fresh),
    ]),
  );
}

const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=FUZZ/20260101/us-east-1/service/aws4_request, SignedHeaders=host, Signature=fuzz',
  'x-amz-date': '20260101T000000Z',
};

function jsonCall(target: string, contentType: string, body: string): DoorRequest {
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': contentType, 'x-amz-target': target, ...SIGNED },
    body,
  };
}

export interface BuiltRequest {
  readonly request: DoorRequest;
  readonly service: AnsweringService;
  /** The detail or input a case sent, to tell which case started an execution. */
  readonly payloads: readonly string[];
}

export function buildRequest(fuzz: FuzzCase, context: DoorContext): BuiltRequest {
  switch (fuzz.family) {
    case 'request':
      return fuzz.operation === 'malformed-http'
        ? { request: { bytes: (fuzz as MalformedHttpCase).bytes }, service: 'http', payloads: [] }
        : buildOperationRequest(fuzz as RequestCase, context);
    case 'event':
      return buildPutEvents(fuzz, context);
    case 'workflow':
      return buildStartExecution(fuzz);
  }
}

function buildOperationRequest(fuzz: RequestCase, context: DoorContext): BuiltRequest {
  const operation = operationByName.get(fuzz.operation) as DoorOperation;
  const seed = operation.seed(context, fuzz.ref);
  const body =
    fuzz.body.kind === 'seed'
      ? JSON.stringify(seed.body)
      : fuzz.body.kind === 'mutated'
        ? mutatedJson(seed.body, fuzz.body.mutations)
        : fuzz.body.text.json;
  const http = operation.http;
  const headers: Record<string, string> = {};
  let method: string;
  let path: string;
  if (http.kind === 'json') {
    method = 'POST';
    path = '/';
    Object.assign(headers, SIGNED, {
      'content-type': http.contentType,
      'x-amz-target': fuzz.target ?? http.target,
    });
  } else {
    method = http.method;
    const parameters = [...(seed.pathParameters ?? [])];
    const encoded = parameters.map((parameter) => encodeURIComponent(parameter));
    if (fuzz.pathParameter !== undefined && encoded.length > 0) encoded[0] = fuzz.pathParameter;
    let index = 0;
    path = http.path.replace(/\{\w+\}/g, () => encoded[index++] ?? '');
    const query = new URLSearchParams(seed.query);
    if (fuzz.query) query.set(fuzz.query[0], fuzz.query[1]);
    if (query.size > 0) path += `?${query}`;
    headers['content-type'] = 'application/json';
  }
  if (fuzz.method !== undefined) method = fuzz.method;
  if (fuzz.path !== undefined) path = fuzz.path;
  if (fuzz.contentType === null) delete headers['content-type'];
  else if (fuzz.contentType !== undefined) headers['content-type'] = fuzz.contentType;
  if (fuzz.header) headers[fuzz.header[0]] = fuzz.header[1];
  const sendsBody = method !== 'GET' && method !== 'HEAD';
  return {
    request: {
      method,
      path,
      headers,
      body: sendsBody ? body : '',
      ...(fuzz.abortAfterBytes !== undefined && sendsBody ? { abortAfterBytes: fuzz.abortAfterBytes } : {}),
    },
    service:
      headers['x-amz-target'] === undefined && isConsoleRequest(path.split('?')[0] ?? '', method)
        ? 'console'
        : http.kind === 'json'
          ? fuzz.target === undefined
            ? operation.service
            : serviceOfTarget(fuzz.target)
          : 'lambda',
    payloads: [],
  };
}

function serviceOfTarget(target: string): AnsweringService {
  const prefix = target.split('.')[0];
  if (prefix === 'DynamoDB_20120810') return 'dynamodb';
  if (prefix === 'AWSStepFunctions') return 'states';
  return 'events';
}

function sourceOf(entry: EventEntryCase, slot: (value: HostileValue) => string): string {
  const definition = events[entry.event];
  if (typeof entry.source === 'object') return slot(entry.source);
  if (entry.source === 'baton') return 'baton';
  if (entry.source === 'other' || definition.origin === 'request') return 'fuzz.caller';
  return definition.origin === 'aws' ? (definition.awsSource ?? 'aws.unknown') : 'baton';
}

function buildPutEvents(fuzz: EventCase, context: DoorContext): BuiltRequest {
  const hostiles: HostileValue[] = [];
  const slot = (value: HostileValue) => {
    hostiles.push(value);
    return hostileSlot(hostiles.length - 1);
  };
  const details: string[] = [];
  const entries = fuzz.entries.map((entry) => {
    const definition = events[entry.event];
    const example = withFreshIds(definition.example, entry.fresh) as Record<string, unknown>;
    const token = pick(context.taskTokens, entry.tokenRef);
    const seed = 'taskToken' in example && token ? { ...example, taskToken: token } : example;
    const detail = mutatedJson(seed, entry.mutations);
    details.push(detail);
    return {
      Source: sourceOf(entry, slot),
      DetailType: entry.detailType ? slot(entry.detailType) : definition.detailType,
      Detail: detail,
    };
  });
  return {
    request: jsonCall(
      'AWSEvents.PutEvents',
      'application/x-amz-json-1.1',
      spliceJson({ Entries: entries }, hostiles),
    ),
    service: 'events',
    payloads: details,
  };
}

function buildStartExecution(fuzz: WorkflowCase): BuiltRequest {
  const seeds = workflowSeeds.get(fuzz.workflowId) ?? [];
  const seed = withFreshIds(pick(seeds, fuzz.seed) ?? {}, fuzz.fresh);
  const input = mutatedJson(seed, fuzz.mutations);
  const document = {
    stateMachineArn: stateMachineArn(fuzz.workflowId),
    input,
    ...(fuzz.name ? { name: hostileSlot(0) } : {}),
  };
  return {
    request: jsonCall(
      'AWSStepFunctions.StartExecution',
      'application/x-amz-json-1.0',
      spliceJson(document, fuzz.name ? [fuzz.name] : []),
    ),
    service: 'states',
    payloads: [input],
  };
}

/** A case for a report: long strings cut, hostile values by their labels. */
export function describeCase(fuzz: FuzzCase): string {
  return JSON.stringify(fuzz, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && 'label' in value && 'json' in value)
      return `<${(value as HostileValue).label}>`;
    if (typeof value === 'string' && value.length > 120)
      return `${value.slice(0, 60)}…(${value.length} chars)`;
    return value;
  });
}
