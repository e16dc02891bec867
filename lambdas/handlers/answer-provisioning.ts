/**
 * Rule `ResourceProvisionCompleted` → resumes the `allocate-resources` execution waiting on the
 * task token: `ok` sends the attributes on, otherwise the wait fails with `ProvisioningFailed`.
 * An answer for a task that has already ended (timed out, answered) is logged and dropped.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { wirePublisher } from '../adapters/runtime-wiring';
import { ResourceProvisionCompleted } from '../core/events/allocation-events';
import { logger } from '../middleware/baton-handler';
import { busEventHandler } from '../middleware/bus-event-handler';

const { publisher } = wirePublisher();
const sfn = new SFNClient({});
const ENDED_TASK_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

export const handler = busEventHandler({
  accepts: ResourceProvisionCompleted,
  publisher,
  handle: async ({ taskToken, ok, attributes }) => {
    try {
      if (ok) {
        await sfn.send(
          new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ attributes: attributes ?? {} }) }),
        );
      } else {
        await sfn.send(
          new SendTaskFailureCommand({
            taskToken,
            error: 'ProvisioningFailed',
            cause: 'the provisioner reported failure',
          }),
        );
      }
    } catch (error) {
      if (!ENDED_TASK_ERRORS.has((error as Error).name)) throw error;
      logger.warn('provisioning answer for a task that has ended', { errorName: (error as Error).name });
    }
    return [];
  },
});
