/**
 * Runs Baton's Lambda handlers in-process: the very modules CDK bundles, imported from their
 * `entry`, called with a JSON copy of the payload and a Lambda-like context, held to their
 * timeout. Errors come back as Lambda reports them: `errorType` is the error's name.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionDefinition } from '../topology/functions';
import { repositoryRoot } from '../topology/repository-root';
import { batonName } from '../topology/resource-names';
import { AwsError } from './aws-error';
import { LOCAL_STAGE, localArn } from './local-aws';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A failed invocation, as the Lambda service reports it (`FunctionError` + error payload). */
export class FunctionInvocationError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}

export interface LocalFunction {
  readonly definition: FunctionDefinition;
  readonly functionName: string;
  readonly functionArn: string;
}

export function localFunctionName(functionId: string): string {
  return batonName(LOCAL_STAGE, functionId);
}

export class LambdaHost {
  private readonly byName = new Map<string, LocalFunction>();
  private readonly handlers = new Map<string, Promise<Handler>>();
  private invocationCount = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(definitions: readonly FunctionDefinition[]) {
    for (const definition of definitions) {
      const functionName = localFunctionName(definition.id);
      this.byName.set(functionName, {
        definition,
        functionName,
        functionArn: localArn('lambda', `function:${functionName}`),
      });
    }
  }

  get functions(): LocalFunction[] {
    return [...this.byName.values()];
  }

  /** Total invocations since start (for benchmarks). */
  get invocations(): number {
    return this.invocationCount;
  }

  /** Starts importing every handler, so their cold starts overlap the first requests instead of adding up. */
  async warm(): Promise<void> {
    await Promise.all(this.functions.map((fn) => this.handlerOf(fn)));
  }

  /** Accepts what Lambda accepts: a name, a full or partial ARN, each with or without a qualifier. */
  resolve(nameOrArn: string): LocalFunction {
    const afterFunction = nameOrArn.includes(':function:') ? nameOrArn.split(':function:')[1] : nameOrArn;
    const name = afterFunction?.split(':')[0] ?? '';
    const fn = this.byName.get(name);
    if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    return fn;
  }

  /** Resolves when every invocation started so far has finished (shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const invocation = this.run(nameOrArn, payload);
    this.inFlight.add(invocation);
    void invocation.then(
      () => this.inFlight.delete(invocation),
      () => this.inFlight.delete(invocation),
    );
    return invocation;
  }

  private async run(nameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = this.resolve(nameOrArn);
    const handler = await this.handlerOf(fn);
    this.invocationCount += 1;
    const timeoutMs = fn.definition.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FunctionInvocationError(
              'Sandbox.Timedout',
              `Task timed out after ${fn.definition.timeoutSeconds}.00 seconds`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([handler(jsonCopy(payload), context), timeout]);
      return jsonCopy(result ?? null);
    } catch (error) {
      if (error instanceof FunctionInvocationError) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      throw new FunctionInvocationError(failure.name || 'Error', failure.message);
    } finally {
      clearTimeout(timer);
    }
  }

  private handlerOf(fn: LocalFunction): Promise<Handler> {
    let handler = this.handlers.get(fn.functionName);
    if (!handler) {
      handler = import(pathToFileURL(join(repositoryRoot, fn.definition.entry)).href).then((module) => {
        if (typeof module.handler !== 'function') {
          throw new Error(`${fn.definition.entry} does not export a handler function`);
        }
        return module.handler as Handler;
      });
      this.handlers.set(fn.functionName, handler);
    }
    return handler;
  }
}

/** Lambda passes JSON, never shared objects: a handler cannot mutate its caller's data. */
function jsonCopy(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function lambdaContext(fn: LocalFunction, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: String(fn.definition.memoryMiB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: 'embedded',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
