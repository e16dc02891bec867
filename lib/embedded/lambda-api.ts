/**
 * The Lambda control plane (REST-JSON, API version 2015-03-31) over the simulated fleet: the
 * method and path name the operation, answers and errors have Lambda's shapes, so that
 * `@aws-sdk/client-lambda` maps them to its named exceptions. Throttling (`throttleNext`, the
 * throttle rate) answers 429 before a call touches the fleet.
 */
import { createHash } from 'node:crypto';
import { AwsError, memberTooLong } from './aws-error';
import type { Reply, RestJsonService, RestRequest } from './aws-json-server';
import type { CallerOrigin } from './function-credentials';
import {
  type FunctionAlias,
  type FunctionVersion,
  functionArn,
  invalidParameter,
  type LambdaFleet,
  type LambdaOperation,
  parseFunctionReference,
} from './lambda-fleet';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 10_000;
/** Seconds a throttled caller is told to wait; SDK retries honour it. */
const RETRY_AFTER_SECONDS = '1';
/**
 * Lambda's limits on what the fleet keeps (API reference: CreateFunction, PublishVersion,
 * CreateAlias): a Runtime is one of a short enum and a Role an IAM ARN, at most 2 048 characters.
 */
const MAX_DESCRIPTION_LENGTH = 256;
const MAX_HANDLER_LENGTH = 128;
const MAX_RUNTIME_LENGTH = 32;
const MAX_ROLE_LENGTH = 2_048;
/** Every Lambda REST path begins with the API version it belongs to. */
const LAMBDA_PATH = /^\/\d{4}-\d{2}-\d{2}\//;

interface Call {
  readonly path: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly origin: CallerOrigin;
}

type Route = {
  readonly operation: LambdaOperation;
  /** Method and path template, as Lambda's API model writes them. */
  readonly http: string;
} & (
  | { readonly status: number; readonly run: (call: Call) => unknown }
  /** An operation that shapes its whole reply (status, headers). */
  | { readonly reply: (call: Call) => Promise<Reply> }
);

/** Functions that run for real when invoked: Baton's own handlers (and test fixtures), in their environments. */
export interface HostedFunctions {
  hosts(functionName: string): boolean;
  invoke(functionName: string, payload: unknown): Promise<unknown>;
}

/**
 * `Invoke` (RequestResponse): a hosted function runs in its execution environment; a simulated one
 * answers `null`, as a function with nothing to say would. A function error — the handler's, or
 * its environment's (`Sandbox.Timedout`, `Runtime.OutOfMemory`, `Runtime.ExitError`) — answers 200
 * with `X-Amz-Function-Error: Unhandled` and Lambda's `{errorType, errorMessage}`, as Lambda does.
 * Hosted functions are Baton's own: only Baton invokes them (its traffic-hook step may), as only
 * Baton's roles may publish under source `baton` — a caller from outside would otherwise hand
 * them a forged fact (a `ResourceAllocated` to `follow-resources`) the bus refuses.
 */
async function invoke(fleet: LambdaFleet, hosted: HostedFunctions, call: Call): Promise<Reply> {
  const reference = pathParameter(call.path, 'FunctionName');
  const functionName = parseFunctionReference(reference).name;
  const headers = { 'X-Amz-Executed-Version': '$LATEST' };
  if (!hosted.hosts(functionName)) {
    fleet.version(reference, call.query.get('Qualifier') ?? undefined);
    return { status: 200, body: null, headers };
  }
  if (call.origin !== 'baton') {
    throw new AwsError(
      'AccessDeniedException',
      `The caller is not authorized to perform lambda:InvokeFunction on ${functionArn(functionName)}: only Baton invokes its own functions`,
      403,
    );
  }
  try {
    return { status: 200, body: await hosted.invoke(functionName, call.body), headers };
  } catch (error) {
    const failure = error as Error;
    return {
      status: 200,
      body: { errorType: failure.name, errorMessage: failure.message },
      headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' },
    };
  }
}

export function lambdaApi(fleet: LambdaFleet, hosted: HostedFunctions): RestJsonService {
  const routes: Route[] = [
    {
      operation: 'CreateFunction',
      http: 'POST /2015-03-31/functions',
      status: 201,
      run: ({ body }) => {
        const fn = fleet.createFunction(requiredString(body, 'FunctionName'), {
          description: optionalString(body, 'Description', MAX_DESCRIPTION_LENGTH),
          runtime: optionalString(body, 'Runtime', MAX_RUNTIME_LENGTH),
          role: optionalString(body, 'Role', MAX_ROLE_LENGTH),
          handler: optionalString(body, 'Handler', MAX_HANDLER_LENGTH),
          memorySize: optionalInteger(body, 'MemorySize'),
          timeout: optionalInteger(body, 'Timeout'),
          ...codeFingerprint(body.Code),
        });
        return functionConfiguration(fn, functionArn(fn.functionName));
      },
    },
    {
      operation: 'GetFunction',
      http: 'GET /2015-03-31/functions/{FunctionName}',
      status: 200,
      run: ({ path, query }) => {
        const reference = pathParameter(path, 'FunctionName');
        const qualifier = query.get('Qualifier') ?? parseFunctionReference(reference).qualifier;
        const fn = fleet.version(reference, qualifier);
        return {
          Configuration: functionConfiguration(fn, functionArn(fn.functionName, qualifier)),
          // No code is stored: the location is a reserved name that never resolves.
          Code: {
            RepositoryType: 'S3',
            Location: `https://baton-local.invalid/lambda-code/${fn.functionName}/${encodeURIComponent(fn.version)}`,
          },
          ...(fn.reservedConcurrency === undefined
            ? {}
            : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
        };
      },
    },
    {
      operation: 'PublishVersion',
      http: 'POST /2015-03-31/functions/{FunctionName}/versions',
      status: 201,
      run: ({ path, body }) => {
        const fn = fleet.publishVersion(pathParameter(path, 'FunctionName'), {
          description: optionalString(body, 'Description', MAX_DESCRIPTION_LENGTH),
          revisionId: optionalString(body, 'RevisionId'),
          codeSha256: optionalString(body, 'CodeSha256'),
        });
        return functionConfiguration(fn, functionArn(fn.functionName, fn.version));
      },
    },
    {
      operation: 'ListVersionsByFunction',
      http: 'GET /2015-03-31/functions/{FunctionName}/versions',
      status: 200,
      run: ({ path, query }) => {
        const versions = fleet.versions(pathParameter(path, 'FunctionName'));
        return page(
          versions,
          query,
          'Versions',
          (fn) => fn.version,
          (fn) => functionConfiguration(fn, functionArn(fn.functionName, fn.version)),
        );
      },
    },
    {
      operation: 'CreateAlias',
      http: 'POST /2015-03-31/functions/{FunctionName}/aliases',
      status: 201,
      run: ({ path, body }) =>
        aliasConfiguration(
          fleet.createAlias(pathParameter(path, 'FunctionName'), requiredString(body, 'Name'), {
            functionVersion: requiredString(body, 'FunctionVersion'),
            description: optionalString(body, 'Description', MAX_DESCRIPTION_LENGTH),
            additionalVersionWeights: routingWeights(body.RoutingConfig),
          }),
        ),
    },
    {
      operation: 'ListAliases',
      http: 'GET /2015-03-31/functions/{FunctionName}/aliases',
      status: 200,
      run: ({ path, query }) => {
        const aliases = fleet.aliases(
          pathParameter(path, 'FunctionName'),
          query.get('FunctionVersion') ?? undefined,
        );
        return page(aliases, query, 'Aliases', (alias) => alias.name, aliasConfiguration);
      },
    },
    {
      operation: 'GetAlias',
      http: 'GET /2015-03-31/functions/{FunctionName}/aliases/{Name}',
      status: 200,
      run: ({ path }) =>
        aliasConfiguration(fleet.alias(pathParameter(path, 'FunctionName'), pathParameter(path, 'Name'))),
    },
    {
      operation: 'UpdateAlias',
      http: 'PUT /2015-03-31/functions/{FunctionName}/aliases/{Name}',
      status: 200,
      run: ({ path, body }) =>
        aliasConfiguration(
          fleet.updateAlias(pathParameter(path, 'FunctionName'), pathParameter(path, 'Name'), {
            functionVersion: optionalString(body, 'FunctionVersion'),
            description: optionalString(body, 'Description', MAX_DESCRIPTION_LENGTH),
            additionalVersionWeights: routingWeights(body.RoutingConfig),
            revisionId: optionalString(body, 'RevisionId'),
          }),
        ),
    },
    {
      operation: 'Invoke',
      http: 'POST /2015-03-31/functions/{FunctionName}/invocations',
      reply: (call) => invoke(fleet, hosted, call),
    },
    {
      operation: 'PutFunctionConcurrency',
      http: 'PUT /2017-10-31/functions/{FunctionName}/concurrency',
      status: 200,
      run: ({ path, body }) => {
        const reserved = optionalInteger(body, 'ReservedConcurrentExecutions');
        if (reserved === undefined) throw invalidParameter('ReservedConcurrentExecutions is required');
        return {
          ReservedConcurrentExecutions: fleet.putReservedConcurrency(
            pathParameter(path, 'FunctionName'),
            reserved,
          ),
        };
      },
    },
  ];

  return {
    contentType: 'application/json',
    owns: (path) => LAMBDA_PATH.test(path),
    call: (request: RestRequest): Reply | Promise<Reply> => {
      for (const route of routes) {
        const path = matchRoute(route.http, request);
        if (!path) continue;
        if (fleet.takeThrottle(route.operation))
          throw new AwsError('TooManyRequestsException', 'Rate exceeded', 429);
        const call = { path, query: request.query, body: request.body, origin: request.origin };
        return 'reply' in route ? route.reply(call) : { status: route.status, body: route.run(call) };
      }
      throw new AwsError(
        'UnknownOperationException',
        `${request.method} ${request.path} is not a Lambda operation this runtime serves`,
        404,
      );
    },
    errorReply: (error): Reply => {
      const throttled = error.code === 'TooManyRequestsException';
      return {
        status: error.statusCode,
        body: {
          Type: error.statusCode >= 500 ? 'Service' : 'User',
          // Lambda's model reads this one error's message from `Message`, every other's from `message`.
          [error.code === 'ResourceNotFoundException' ? 'Message' : 'message']: error.message,
          ...(throttled ? { Reason: 'CallerRateLimitExceeded' } : {}),
        },
        ...(throttled ? { headers: { 'Retry-After': RETRY_AFTER_SECONDS } } : {}),
      };
    },
  };
}

/** The path parameters if the request is this route's, else undefined. */
function matchRoute(http: string, request: RestRequest): Record<string, string> | undefined {
  const [method, template = ''] = http.split(' ');
  if (method !== request.method) return undefined;
  const expected = template.split('/');
  const actual = request.path.split('/');
  if (expected.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    const parameter = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (parameter === undefined) {
      if (segment !== value) return undefined;
    } else {
      if (value === '') return undefined;
      parameters[parameter] = decodePathSegment(value);
    }
  }
  return parameters;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidParameter(`${segment} is not a valid URI path segment`);
  }
}

function pathParameter(path: Readonly<Record<string, string>>, name: string): string {
  const value = path[name];
  if (value === undefined) throw new Error(`route has no {${name}}`);
  return value;
}

function functionConfiguration(fn: FunctionVersion, arn: string): Record<string, unknown> {
  return {
    FunctionName: fn.functionName,
    FunctionArn: arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.codeSha256,
    Version: fn.version,
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

function aliasConfiguration(alias: FunctionAlias): Record<string, unknown> {
  const weights = alias.additionalVersionWeights;
  return {
    AliasArn: functionArn(alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
    RevisionId: alias.revisionId,
  };
}

/** One page of a list; the marker names the last item returned, so a growing list pages right. */
function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  key: string,
  idOf: (item: T) => string,
  render: (item: T) => unknown,
): Record<string, unknown> {
  const maxItemsText = query.get('MaxItems');
  const maxItems = maxItemsText === null ? DEFAULT_PAGE_SIZE : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_PAGE_SIZE)
    throw invalidParameter(`MaxItems ${maxItemsText} must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  let start = 0;
  const marker = query.get('Marker');
  if (marker !== null) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    const index = items.findIndex((item) => idOf(item) === after);
    if (index < 0) throw invalidParameter(`Marker ${marker} is not from this list`);
    start = index + 1;
  }
  const pageItems = items.slice(start, start + maxItems);
  const last = pageItems.at(-1);
  const more = start + maxItems < items.length && last !== undefined;
  return {
    [key]: pageItems.map(render),
    ...(more ? { NextMarker: Buffer.from(idOf(last)).toString('base64url') } : {}),
  };
}

/** `RoutingConfig` as the fleet takes it: undefined when left out, `{}` (no routing) when empty. */
function routingWeights(routingConfig: unknown): Record<string, number> | undefined {
  if (routingConfig === undefined || routingConfig === null) return undefined;
  if (!isObject(routingConfig)) throw invalidParameter('RoutingConfig must be an object');
  const weights = routingConfig.AdditionalVersionWeights ?? {};
  if (!isObject(weights))
    throw invalidParameter('RoutingConfig.AdditionalVersionWeights must map a version to its weight');
  for (const [version, weight] of Object.entries(weights)) {
    if (typeof weight !== 'number')
      throw invalidParameter(`The weight of version ${version} must be a number from 0.0 to 1.0`);
  }
  return weights as Record<string, number>;
}

/**
 * What the fleet keeps of `Code` (no code runs here): the SHA-256 and size of a zip, or of the
 * location of code in S3 or ECR.
 */
function codeFingerprint(code: unknown): { codeSha256?: string; codeSize?: number } {
  if (code === undefined || code === null) return {};
  if (!isObject(code)) throw invalidParameter('Code must be an object');
  const zip = optionalString(code, 'ZipFile');
  const location = [code.S3Bucket, code.S3Key, code.S3ObjectVersion, code.ImageUri];
  if (!zip && location.every((part) => part === undefined)) return {};
  const bytes = zip
    ? Buffer.from(zip, 'base64')
    : Buffer.from(
        JSON.stringify(
          [code.S3Bucket, code.S3Key, code.S3ObjectVersion, code.ImageUri].map((part) => part ?? ''),
        ),
      );
  return {
    codeSha256: createHash('sha256').update(bytes).digest('base64'),
    codeSize: zip ? bytes.length : 0,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw invalidParameter(`${field} is required`);
  return value;
}

/** A string member, held to its length in Lambda's API model when it has one. */
function optionalString(
  body: Record<string, unknown>,
  field: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string`);
  // Lambda names members in lower camel case in its validation messages.
  if (value.length > maxLength)
    throw memberTooLong(`${field.charAt(0).toLowerCase()}${field.slice(1)}`, maxLength);
  return value;
}

function optionalInteger(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidParameter(`${field} must be a whole number`);
  return value;
}
