/**
 * The Powertools Logger every module of a handler's process shares (middleware, adapters,
 * handlers), created once at module level as Powertools recommends. Level from
 * `POWERTOOLS_LOG_LEVEL`.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'baton' });
