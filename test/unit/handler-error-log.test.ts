/**
 * What a failed invocation logs: the Powertools Logger's line keeps the error's name and message
 * (what Lambda reports as `errorType`/`errorMessage`) and prints the error itself, so that the
 * cause a domain error wraps (the store's failure under `ReleaseInterrupted`) reaches the logs with
 * its stack. The handler runs in a process of its own with Lambda's environment, as in Lambda.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { runWithOutputs } from './lambda-like-process';

const failingHandler = `
  import { batonHandler } from ${JSON.stringify(join(repositoryRoot, 'lambdas/middleware/baton-handler.ts'))};
  import { ReleaseInterrupted } from ${JSON.stringify(join(repositoryRoot, 'lambdas/core/allocation/errors.ts'))};
  const context = { functionName: 'baton-test-release', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 };
  const handler = batonHandler(async () => {
    const storeFailure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4010'), { name: 'StoreUnavailable' });
    const lowest = Object.assign(new Error('socket hang up'), { name: 'SocketError' });
    storeFailure.cause = lowest;
    throw new ReleaseInterrupted('the release of allocation a-1 was interrupted (release it again to finish it): connect ECONNREFUSED 127.0.0.1:4010', { cause: storeFailure });
  });
  try {
    await handler({}, context);
  } catch (error) {
    console.log(JSON.stringify({ reported: { errorType: error.name, errorMessage: error.message } }));
  }
`;

describe('a failed invocation in the logs', () => {
  it('prints the error with its cause chain, and reports the same name and message as before', async () => {
    const { stdout, stderr } = await runWithOutputs(failingHandler, {
      AWS_LAMBDA_FUNCTION_NAME: 'baton-test-release',
      POWERTOOLS_SERVICE_NAME: 'baton-test',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    const lines = `${stdout}${stderr}`
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const message =
      'the release of allocation a-1 was interrupted (release it again to finish it): connect ECONNREFUSED 127.0.0.1:4010';

    expect(lines).toContainEqual({ reported: { errorType: 'ReleaseInterrupted', errorMessage: message } });
    const failures = lines.filter((line) => line.message === 'handler failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'ERROR',
      errorName: 'ReleaseInterrupted',
      errorMessage: message,
      error: {
        name: 'ReleaseInterrupted',
        message,
        stack: expect.stringContaining('ReleaseInterrupted'),
        cause: {
          name: 'StoreUnavailable',
          message: 'connect ECONNREFUSED 127.0.0.1:4010',
          stack: expect.any(String),
          cause: { name: 'SocketError', message: 'socket hang up' },
        },
      },
    });
  });
});
