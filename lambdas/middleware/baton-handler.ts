/**
 * The one middleware bundle every Baton handler is built from: Lambda context in the logs,
 * one structured line per failure with its error name. Handlers stay thin: parse → call the
 * domain → map the result.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidRequest } from '../core/errors';

/** Shared by all handlers in a process; level from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: 'baton' });

export function batonHandler<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
): middy.MiddyfiedHandler<Event, Result, Error, Context> {
  return middy<Event, Result, Error, Context>(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        const error = request.error;
        const details = { errorName: error?.name, errorMessage: error?.message };
        // A refused request is the caller's to fix, not a fault of Baton's.
        if (error instanceof InvalidRequest) logger.warn('request refused', details);
        else logger.error('handler failed', details);
      },
    });
}
