/**
 * Hosts Baton's Lambda functions as Lambda hosts them, apart from the runtime's own event loop:
 * each function runs the bundle CDK would deploy (`function-bundles.ts`) in execution environments
 * of its own — processes, one invocation at a time (`function-pool.ts`) — with its own
 * `process.env` (the variables its schema declares, the runtime's endpoint, Baton's function
 * credentials, Lambda's `AWS_LAMBDA_*`), its heap held to its memory size and its invocations to
 * its timeout (`function-sandbox.ts`). Whatever a handler does — loop, exhaust its memory, exit,
 * outlive its timeout — fails its own invocation, and the runtime keeps serving.
 */

import { declaredEnvironment } from '../topology/function-environment';
import type { FunctionDefinition } from '../topology/functions';
import { batonName } from '../topology/resource-names';
import { AwsError } from './aws-error';
import { EnvironmentBudget } from './environment-budget';
import { bundleFunctions, type FunctionBundles } from './function-bundles';
import type { FunctionCredentials } from './function-credentials';
import type { FunctionOutput } from './function-output';
import { FunctionPool, type PoolLimits, PoolRetired } from './function-pool';
import { FunctionSandbox } from './function-sandbox';
import { functionArn } from './lambda-fleet/function-arns';
import { LOCAL_REGION, LOCAL_STAGE } from './local-aws';

export interface LocalFunction {
  readonly definition: FunctionDefinition;
  readonly functionName: string;
  readonly functionArn: string;
}

/** Where the functions' SDK clients find the runtime, and as whom they call it. */
export interface FunctionEndpoint {
  readonly url: string;
  /** Where the functions' DynamoDB calls go: the store's own door (`AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly storeUrl: string;
  readonly credentials: FunctionCredentials;
  /** `POWERTOOLS_LOG_LEVEL` of every function. */
  readonly logLevel: string;
}

export interface EnvironmentLimits extends PoolLimits {
  /** Execution environments across every function at once. */
  readonly maxTotalEnvironments: number;
}

/**
 * Up to 4 environments a function. Each is a process (≈ 58 MB resident, ≈ 17 MB of it its own)
 * whose code warms up on its own, so more of them cost memory and CPU; fewer hold too few
 * invocations in flight (measured, 20 allocations in flight: ≈ 18 allocations/s with 1 a
 * function, ≈ 23 with 2, ≈ 30 with 4, no better with 8). Idle for 90 s, an environment ends:
 * longer than the one-minute schedules, so that their functions stay warm, short enough that a
 * burst's memory is returned within a minute and a half. At most 32 across all functions, where
 * 4 × 26 functions could otherwise run (≈ 1.8 GB of their own beside the runtime): every function
 * keeps one warm, with room to spare. Fewer make a workload that touches every function start
 * environments over and over (1 000 fuzz cases: 69 s with 16, 43 s with 32, 32 s uncapped);
 * uncapped, the allocation bench (20 in flight) peaked at 15. A function that invokes another
 * (the traffic-hook step, 4 at most) can never hold every place while it waits.
 */
export const DEFAULT_ENVIRONMENT_LIMITS: EnvironmentLimits = {
  maxEnvironments: 4,
  idleMs: 90_000,
  maxTotalEnvironments: 32,
};

export function localFunctionName(functionId: string): string {
  return batonName(LOCAL_STAGE, functionId);
}

export function localFunctionArn(functionId: string): string {
  return functionArn(localFunctionName(functionId));
}

interface HostedFunction extends LocalFunction {
  /** Its schema's variables, from those the runtime offers. */
  readonly declared: Readonly<Record<string, string>>;
}

export class LambdaHost {
  private readonly byName = new Map<string, HostedFunction>();
  private readonly pools = new Map<string, FunctionPool>();
  private readonly limits: EnvironmentLimits;
  private readonly budget: EnvironmentBudget;
  private readonly inFlight = new Set<Promise<unknown>>();
  private bundles: FunctionBundles | undefined;
  private endpoint: FunctionEndpoint | undefined;
  private output: FunctionOutput | undefined;
  private closed = false;

  /**
   * `offered`: the variables the runtime offers its functions (`TABLE_NAME`…); a function whose
   * schema asks for another is refused here, as `cdk synth` refuses it.
   */
  constructor(
    definitions: readonly FunctionDefinition[],
    offered: Record<string, string>,
    limits: Partial<EnvironmentLimits> = {},
  ) {
    this.limits = { ...DEFAULT_ENVIRONMENT_LIMITS, ...limits };
    this.budget = new EnvironmentBudget(this.limits.maxTotalEnvironments);
    for (const definition of definitions) {
      const functionName = localFunctionName(definition.id);
      this.byName.set(functionName, {
        definition,
        functionName,
        functionArn: localFunctionArn(definition.id),
        declared: declaredEnvironment(definition, offered),
      });
    }
  }

  get functions(): LocalFunction[] {
    return [...this.byName.values()];
  }

  /** Bundles every function, in one build: a handler that cannot be bundled stops the start. */
  async bundle(): Promise<void> {
    this.bundles = await bundleFunctions(this.functions.map((fn) => fn.definition));
  }

  /** Where the functions' environments find the runtime, once it listens, and where their output goes. */
  serve(endpoint: FunctionEndpoint, output: FunctionOutput): void {
    this.endpoint = endpoint;
    this.output = output;
  }

  /**
   * The store serves the functions elsewhere now: environments started from now on are given the
   * new door; every one that knows the old door is ended, busy or not, since whoever holds that
   * port now is not the store.
   */
  async moveStore(storeUrl: string): Promise<void> {
    if (!this.endpoint) return;
    this.endpoint = { ...this.endpoint, storeUrl };
    const retired = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(retired.map((pool) => pool.retire()));
  }

  /** Accepts what Lambda accepts: a name, a full or partial ARN, each with or without a qualifier. */
  resolve(nameOrArn: string): LocalFunction {
    return this.hosted(nameOrArn);
  }

  /** The execution environments a function has now (every function's, without one): busy, free or starting. */
  environments(nameOrArn?: string): number {
    if (nameOrArn === undefined) return this.budget.size;
    return this.pools.get(this.resolve(nameOrArn).functionName)?.size ?? 0;
  }

  invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const invocation = this.run(nameOrArn, payload);
    this.inFlight.add(invocation);
    const settled = () => this.inFlight.delete(invocation);
    invocation.then(settled, settled);
    return invocation;
  }

  /** Resolves when every invocation started so far has finished (shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Ends every execution environment and deletes the bundles. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    await this.bundles?.remove();
  }

  private async run(nameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = this.hosted(nameOrArn);
    for (;;) {
      try {
        return await this.pool(fn).invoke(payload);
      } catch (error) {
        // It waited in a pool retired meanwhile: it runs in the new one.
        if (!(error instanceof PoolRetired)) throw error;
      }
    }
  }

  private pool(fn: HostedFunction): FunctionPool {
    const { endpoint, bundles, output } = this;
    if (this.closed) throw new Error('the embedded runtime is closing');
    if (!endpoint || !bundles || !output) throw new Error('the functions are not served yet');
    let pool = this.pools.get(fn.functionName);
    if (!pool) {
      const spec = {
        functionArn: fn.functionArn,
        moduleUrl: bundles.moduleUrl(fn.definition.id),
        environment: functionEnvironment(fn, endpoint),
        memoryMiB: fn.definition.memoryMiB,
        timeoutSeconds: fn.definition.timeoutSeconds,
        output,
      };
      pool = new FunctionPool((onEnded) => new FunctionSandbox(spec, onEnded), this.limits, this.budget);
      this.pools.set(fn.functionName, pool);
    }
    return pool;
  }

  private hosted(nameOrArn: string): HostedFunction {
    const afterFunction = nameOrArn.includes(':function:') ? nameOrArn.split(':function:')[1] : nameOrArn;
    const name = afterFunction?.split(':')[0] ?? '';
    const fn = this.byName.get(name);
    if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    return fn;
  }
}

/**
 * A function's whole `process.env`, as Lambda sets it: its declared variables, Lambda's own, and
 * the runtime's endpoint with throwaway credentials, so that its SDK clients can never reach a
 * real account — and so that the runtime knows their calls for Baton's.
 */
function functionEnvironment(fn: HostedFunction, endpoint: FunctionEndpoint): Record<string, string> {
  return {
    ...fn.declared,
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint.storeUrl,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.definition.memoryMiB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'embedded',
    POWERTOOLS_LOG_LEVEL: endpoint.logLevel,
    POWERTOOLS_SERVICE_NAME: batonName(LOCAL_STAGE),
    // There is no X-Ray daemon here. The Tracer already disables itself without Lambda's
    // `AWS_EXECUTION_ENV` (which the runtime does not set); said outright, so that it stays off
    // should that variable ever be set, instead of sending segments over UDP to nobody.
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}
