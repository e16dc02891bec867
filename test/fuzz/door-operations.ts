/**
 * Every operation the embedded runtime serves, with how it is called on the wire and a seed
 * request that works: EventBridge and Step Functions (JSON protocol), DynamoDB (the API dynalite
 * implements) and Lambda's control plane (REST-JSON). Seeds name things that exist — the
 * executions, task tokens and functions the run has seen so far — so that mutations reach the
 * code behind validation. Writes to DynamoDB go to the harness's own table, never to the ledger:
 * a caller allowed to write the ledger can corrupt it in AWS too, and the audit must judge Baton.
 */
import { events } from '../../lambdas/core/events/catalog';
import { LEDGER_TABLE_NAME, LOCAL_STAGE, localArn } from '../../lib/embedded/local-aws';
import { functions } from '../../lib/topology/functions';
import { batonName } from '../../lib/topology/resource-names';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';

/** What the run knows of the runtime so far, for seeds to name. */
export interface DoorContext {
  readonly executionArns: readonly string[];
  readonly taskTokens: readonly string[];
  readonly functionNames: readonly string[];
}

export type Service = 'events' | 'states' | 'dynamodb' | 'lambda' | 'console';

export interface SeedRequest {
  readonly body: unknown;
  /** REST operations: the values of the path's `{parameters}`, in order. */
  readonly pathParameters?: readonly string[];
  readonly query?: Readonly<Record<string, string>>;
}

export interface DoorOperation {
  readonly service: Service;
  readonly name: string;
  readonly http:
    | { readonly kind: 'json'; readonly target: string; readonly contentType: string }
    | { readonly kind: 'rest'; readonly method: string; readonly path: string };
  readonly seed: (context: DoorContext, ref: number) => SeedRequest;
}

/** The table the harness creates, and the only one its DynamoDB writes touch. */
export const FUZZ_TABLE = 'fuzz-scratch';
/** The Lambda function (and alias, hook) the catalog's rollout example names; the harness creates them. */
export const ROLLOUT_FUNCTION = 'checkout';
export const ROLLOUT_HOOK_FUNCTION = 'checkout-smoke-test';
export const ROLLOUT_ALIAS = 'live';
/** The catalog's rollout example goes from version 41 to 42. */
export const ROLLOUT_VERSIONS = 42;

export const workflowIds = workflowsIn(productWorkflowDirectory).map((workflow) => workflow.id);

export function stateMachineArn(workflowId: string): string {
  return localArn('states', `stateMachine:${batonName(LOCAL_STAGE, workflowId)}`);
}

export function pick<T>(items: readonly T[], ref: number): T | undefined {
  return items.length === 0 ? undefined : items[ref % items.length];
}

const anyWorkflowArn = (ref: number) => stateMachineArn(pick(workflowIds, ref) ?? 'none');
const knownExecution = (context: DoorContext, ref: number) =>
  pick(context.executionArns, ref) ??
  localArn('states', `execution:${batonName(LOCAL_STAGE, 'allocate-resources')}:none`);
const knownToken = (context: DoorContext, ref: number) => pick(context.taskTokens, ref) ?? 'A'.repeat(64);
const hostedFunctionNames = functions.map((definition) => batonName(LOCAL_STAGE, definition.id));
const knownFunction = (context: DoorContext, ref: number) =>
  pick([...context.functionNames, ...hostedFunctionNames], ref) ?? ROLLOUT_FUNCTION;

/** An event as EventBridge delivers it (TestEventPattern's `Event`, an invocation's payload). */
export const exampleEvent = {
  id: '1',
  account: '123456789012',
  source: 'acme.inventory',
  time: '2026-11-28T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  'detail-type': events.ResourcePoolChanged.detailType,
  detail: events.ResourcePoolChanged.example,
};

const json10 = { kind: 'json', contentType: 'application/x-amz-json-1.0' } as const;
const json11 = { kind: 'json', contentType: 'application/x-amz-json-1.1' } as const;
const rest = (method: string, path: string) => ({ kind: 'rest', method, path }) as const;
const ledgerKey = { pk: { S: 'POOL' }, sk: { S: 'eu-west-1-compute-a' } };
const scratchItem = (ref: number) => ({ pk: { S: `item-${ref}` }, sk: { S: 'x' }, n: { N: String(ref) } });

const eventBridge: DoorOperation[] = [
  {
    service: 'events',
    name: 'PutEvents',
    http: { ...json11, target: 'AWSEvents.PutEvents' },
    seed: () => ({
      body: {
        Entries: [
          {
            Source: 'fuzz.door',
            DetailType: events.ResourcePoolChanged.detailType,
            Detail: JSON.stringify(events.ResourcePoolChanged.example),
          },
        ],
      },
    }),
  },
  {
    service: 'events',
    name: 'TestEventPattern',
    http: { ...json11, target: 'AWSEvents.TestEventPattern' },
    seed: () => ({
      body: {
        EventPattern: JSON.stringify({ detail: { capacity: { vcpu: [{ numeric: ['>=', 64] }] } } }),
        Event: JSON.stringify(exampleEvent),
      },
    }),
  },
];

type SeedBody = (context: DoorContext, ref: number) => unknown;

const stepFunctions: DoorOperation[] = (
  [
    ['ListStateMachines', () => ({ maxResults: 2 })],
    ['DescribeStateMachine', (_context, ref) => ({ stateMachineArn: anyWorkflowArn(ref) })],
    [
      'StartExecution',
      (_context, ref) => ({
        stateMachineArn: stateMachineArn('release-resources'),
        input: JSON.stringify({ allocationId: `alloc-fuzz-${ref}` }),
      }),
    ],
    ['DescribeExecution', (context, ref) => ({ executionArn: knownExecution(context, ref) })],
    ['ListExecutions', (_context, ref) => ({ stateMachineArn: anyWorkflowArn(ref), maxResults: 10 })],
    [
      'GetExecutionHistory',
      (context, ref) => ({ executionArn: knownExecution(context, ref), maxResults: 20 }),
    ],
    [
      'StopExecution',
      (context, ref) => ({
        executionArn: knownExecution(context, ref),
        error: 'Fuzz',
        cause: 'stopped by the fuzz harness',
      }),
    ],
    ['SendTaskSuccess', (context, ref) => ({ taskToken: knownToken(context, ref), output: '{"ok":true}' })],
    [
      'SendTaskFailure',
      (context, ref) => ({
        taskToken: knownToken(context, ref),
        error: 'Fuzz',
        cause: 'failed by the fuzz harness',
      }),
    ],
    ['SendTaskHeartbeat', (context, ref) => ({ taskToken: knownToken(context, ref) })],
  ] as [string, SeedBody][]
).map(([name, body]) => ({
  service: 'states',
  name,
  http: { ...json10, target: `AWSStepFunctions.${name}` },
  seed: (context, ref) => ({ body: body(context, ref) }),
}));

const dynamoDb: DoorOperation[] = (
  [
    ['GetItem', () => ({ TableName: LEDGER_TABLE_NAME, Key: ledgerKey, ConsistentRead: true })],
    [
      'Query',
      () => ({
        TableName: LEDGER_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ledgerKey.pk },
        Limit: 5,
      }),
    ],
    [
      'Scan',
      () => ({ TableName: LEDGER_TABLE_NAME, Limit: 5, FilterExpression: 'attribute_exists(entity)' }),
    ],
    ['DescribeTable', () => ({ TableName: LEDGER_TABLE_NAME })],
    ['DescribeTimeToLive', () => ({ TableName: LEDGER_TABLE_NAME })],
    ['ListTables', () => ({ Limit: 10 })],
    ['BatchGetItem', () => ({ RequestItems: { [LEDGER_TABLE_NAME]: { Keys: [ledgerKey] } } })],
    ['PutItem', (ref) => ({ TableName: FUZZ_TABLE, Item: scratchItem(ref) })],
    [
      'UpdateItem',
      (ref) => ({
        TableName: FUZZ_TABLE,
        Key: { pk: { S: `item-${ref}` }, sk: { S: 'x' } },
        UpdateExpression: 'SET n = :n',
        ConditionExpression: 'attribute_not_exists(gone)',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      }),
    ],
    ['DeleteItem', (ref) => ({ TableName: FUZZ_TABLE, Key: { pk: { S: `item-${ref}` }, sk: { S: 'x' } } })],
    [
      'BatchWriteItem',
      (ref) => ({ RequestItems: { [FUZZ_TABLE]: [{ PutRequest: { Item: scratchItem(ref) } }] } }),
    ],
    [
      'CreateTable',
      (ref) => ({
        TableName: `fuzz-created-${ref}`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    ],
    ['DeleteTable', (ref) => ({ TableName: `fuzz-created-${ref}` })],
    ['UpdateTable', () => ({ TableName: FUZZ_TABLE, BillingMode: 'PAY_PER_REQUEST' })],
    ['ListTagsOfResource', () => ({ ResourceArn: localArn('dynamodb', `table/${FUZZ_TABLE}`) })],
    [
      'TagResource',
      () => ({ ResourceArn: localArn('dynamodb', `table/${FUZZ_TABLE}`), Tags: [{ Key: 'k', Value: 'v' }] }),
    ],
    ['UntagResource', () => ({ ResourceArn: localArn('dynamodb', `table/${FUZZ_TABLE}`), TagKeys: ['k'] })],
  ] as [string, (ref: number) => unknown][]
).map(([name, body]) => ({
  service: 'dynamodb',
  name,
  http: { ...json10, target: `DynamoDB_20120810.${name}` },
  seed: (_context, ref) => ({ body: body(ref) }),
}));

const lambda: DoorOperation[] = [
  {
    service: 'lambda',
    name: 'CreateFunction',
    http: rest('POST', '/2015-03-31/functions'),
    seed: (_context, ref) => ({
      body: {
        FunctionName: `fuzz-fn-${ref}`,
        Runtime: 'nodejs24.x',
        Role: 'arn:aws:iam::000000000000:role/fuzz',
        Handler: 'index.handler',
        Code: { ZipFile: Buffer.from('fuzz').toString('base64') },
        Description: 'made by the fuzz harness',
        MemorySize: 128,
        Timeout: 3,
      },
    }),
  },
  {
    service: 'lambda',
    name: 'GetFunction',
    http: rest('GET', '/2015-03-31/functions/{FunctionName}'),
    seed: (context, ref) => ({ body: {}, pathParameters: [knownFunction(context, ref)] }),
  },
  {
    service: 'lambda',
    name: 'PublishVersion',
    http: rest('POST', '/2015-03-31/functions/{FunctionName}/versions'),
    seed: (context, ref) => ({
      body: { Description: 'fuzz' },
      pathParameters: [knownFunction(context, ref)],
    }),
  },
  {
    service: 'lambda',
    name: 'ListVersionsByFunction',
    http: rest('GET', '/2015-03-31/functions/{FunctionName}/versions'),
    seed: (context, ref) => ({
      body: {},
      pathParameters: [knownFunction(context, ref)],
      query: { MaxItems: '5' },
    }),
  },
  {
    service: 'lambda',
    name: 'CreateAlias',
    http: rest('POST', '/2015-03-31/functions/{FunctionName}/aliases'),
    seed: (context, ref) => ({
      body: { Name: `fuzz-${ref}`, FunctionVersion: '1', Description: 'fuzz' },
      pathParameters: [knownFunction(context, ref)],
    }),
  },
  {
    service: 'lambda',
    name: 'ListAliases',
    http: rest('GET', '/2015-03-31/functions/{FunctionName}/aliases'),
    seed: (context, ref) => ({ body: {}, pathParameters: [knownFunction(context, ref)] }),
  },
  {
    service: 'lambda',
    name: 'GetAlias',
    http: rest('GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'),
    seed: () => ({ body: {}, pathParameters: [ROLLOUT_FUNCTION, ROLLOUT_ALIAS] }),
  },
  {
    service: 'lambda',
    name: 'UpdateAlias',
    http: rest('PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}'),
    seed: (context, ref) => ({
      body: { FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } },
      pathParameters: [knownFunction(context, ref), `fuzz-${ref}`],
    }),
  },
  {
    service: 'lambda',
    name: 'PutFunctionConcurrency',
    http: rest('PUT', '/2017-10-31/functions/{FunctionName}/concurrency'),
    seed: (context, ref) => ({
      body: { ReservedConcurrentExecutions: ref % 10 },
      pathParameters: [knownFunction(context, ref)],
    }),
  },
  {
    service: 'lambda',
    name: 'Invoke',
    http: rest('POST', '/2015-03-31/functions/{FunctionName}/invocations'),
    seed: (context, ref) => ({ body: exampleEvent, pathParameters: [knownFunction(context, ref)] }),
  },
];

/**
 * The web console's page and JSON: reads with hostile queries (a pattern, filters), and actions,
 * which without the page's token are refused before their body is read.
 */
const webConsole: DoorOperation[] = [
  ...['session', 'overview', 'capacity', 'workloads', 'rollouts'].map(
    (read): DoorOperation => ({
      service: 'console',
      name: `Console.${read}`,
      http: rest('GET', `/console/api/${read}`),
      seed: () => ({ body: {} }),
    }),
  ),
  {
    service: 'console',
    name: 'Console.page',
    http: rest('GET', '/'),
    seed: () => ({ body: {} }),
  },
  {
    service: 'console',
    name: 'Console.executions',
    http: rest('GET', '/console/api/executions'),
    seed: (_context, ref) => ({
      body: {},
      query: { workflow: pick(workflowIds, ref) ?? '', status: 'FAILED', limit: String(1 + (ref % 50)) },
    }),
  },
  {
    service: 'console',
    name: 'Console.execution',
    http: rest('GET', '/console/api/executions/{executionArn}'),
    seed: (context, ref) => ({ body: {}, pathParameters: [knownExecution(context, ref)] }),
  },
  {
    service: 'console',
    name: 'Console.events',
    http: rest('GET', '/console/api/events'),
    seed: (_context, ref) => ({
      body: {},
      query: {
        pattern: JSON.stringify({
          'detail-type': [{ prefix: 'Resource' }],
          detail: { poolId: [{ exists: true }] },
        }),
        limit: String(1 + (ref % 100)),
      },
    }),
  },
  {
    service: 'console',
    name: 'Console.rebalancePlan',
    http: rest('POST', '/console/api/rebalance/plan'),
    seed: () => ({ body: { strategy: 'spread', maxMoves: 5 } }),
  },
  {
    service: 'console',
    name: 'Console.rolloutControl',
    http: rest('POST', '/console/api/rollouts/{rolloutId}/pause'),
    seed: () => ({ body: {}, pathParameters: ['checkout-42'] }),
  },
];

export const doorOperations: readonly DoorOperation[] = [
  ...eventBridge,
  ...stepFunctions,
  ...dynamoDb,
  ...lambda,
  ...webConsole,
];
