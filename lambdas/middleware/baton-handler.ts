/**
 * The one middleware bundle every Baton handler is built from: the handler traced as its own X-Ray
 * subsegment, Lambda context in the logs, one structured line per failure with its error name (and,
 * for a fault, the error with its stack and the chain of causes).
 * Handlers stay thin: parse → call the domain → map the result.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadOnce } from '../cold-start/load-once';
import { InvalidRequest } from '../core/errors';
import { logger } from '../observability/logger';
import { activeTracer } from '../observability/tracer';

export function batonHandler<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
): middy.MiddyfiedHandler<Event, Result, Error, Context> {
  return middy<Event, Result, Error, Context>(handler)
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        const error = request.error;
        const details = { errorName: error?.name, errorMessage: error?.message };
        // A refused request is the caller's to fix, not a fault of Baton's.
        if (error instanceof InvalidRequest) logger.warn('request refused', details);
        // The error itself too: Powertools prints its stack and its `cause` chain, which an
        // operator needs and the name and message (what Lambda reports) leave out.
        else logger.error('handler failed', { ...details, error });
      },
    });
}

type Middleware = middy.MiddlewareObj<unknown, unknown, Error, Context>;

/**
 * Powertools' `captureLambdaHandler`, built once the Tracer is loaded (see `activeTracer`); where
 * tracing is off, nothing.
 */
function traceHandler(): Middleware {
  const middleware = loadOnce(async () => {
    const tracer = await activeTracer();
    if (!tracer) return undefined;
    const { captureLambdaHandler } = await import('@aws-lambda-powertools/tracer/middleware');
    // Results can be large (a rebalance plan) and name tenants: traces keep timings and errors only.
    return captureLambdaHandler(tracer, { captureResponse: false });
  });
  return {
    before: async (request) => (await middleware())?.before?.(request),
    after: async (request) => (await middleware())?.after?.(request),
    onError: async (request) => (await middleware())?.onError?.(request),
  };
}
