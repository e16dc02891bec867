/**
 * The Lambda control plane (REST-JSON, API version 2015-03-31) over the simulated fleet: the
 * method and path name the operation, answers and errors have Lambda's shapes, so that
 * `@aws-sdk/client-lambda` maps them to its named exceptions. Throttling (`throttleNext`, the
 * throttle rate) answers 429 before a call touches the fleet. The fleet refuses in its own terms;
 * here, at the edge, each refusal becomes Lambda's exception (`wire-errors.ts`).
 */
import { AwsError } from '../aws-error';
import type { Reply, RestJsonService, RestRequest } from '../aws-json-server';
import type { CallerOrigin } from '../function-credentials';
import { functionArn, parseFunctionReference } from '../lambda-fleet/function-arns';
import type { LambdaFleet } from '../lambda-fleet/lambda-fleet';
import type { LambdaOperation, LambdaThrottle } from '../lambda-fleet/throttling';
import {
  codeFingerprint,
  optionalInteger,
  optionalString,
  requiredString,
  routingWeights,
} from './request-members';
import { inLambdaTerms, invalidParameter, lambdaErrorReply, throttled } from './wire-errors';
import { aliasConfiguration, functionConfiguration, page } from './wire-shapes';

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

export function lambdaApi(
  fleet: LambdaFleet,
  throttle: LambdaThrottle,
  hosted: HostedFunctions,
): RestJsonService {
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
    call: async (request: RestRequest): Promise<Reply> => {
      for (const route of routes) {
        const path = matchRoute(route.http, request);
        if (!path) continue;
        if (throttle.takeThrottle(route.operation)) throw throttled();
        const call = { path, query: request.query, body: request.body, origin: request.origin };
        try {
          return 'reply' in route ? await route.reply(call) : { status: route.status, body: route.run(call) };
        } catch (error) {
          throw inLambdaTerms(error);
        }
      }
      throw new AwsError(
        'UnknownOperationException',
        `${request.method} ${request.path} is not a Lambda operation this runtime serves`,
        404,
      );
    },
    errorReply: lambdaErrorReply,
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
