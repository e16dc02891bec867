/**
 * The Powertools Tracer (X-Ray) every module of a handler's process shares, loaded by the first
 * invocation that traces. It takes the service name from `POWERTOOLS_SERVICE_NAME`
 * (`baton-<stage>`), so a stage's traces are its own.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { loadOnce } from '../cold-start/load-once';

/**
 * The Tracer, loaded by the first invocation that traces: the X-Ray SDK under it is the heaviest
 * module a handler has (most of a cold start's module init when it was loaded at module level),
 * and nothing needs it before the handler runs. None outside Lambda (no `AWS_EXECUTION_ENV`) and
 * where `POWERTOOLS_TRACE_ENABLED=false`, as the embedded runtime sets it: the Tracer would trace
 * nothing there (its own rule), so it is not loaded at all.
 */
export const activeTracer: () => Promise<Tracer | undefined> = loadOnce(async () =>
  process.env.AWS_EXECUTION_ENV && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
    : undefined,
);
