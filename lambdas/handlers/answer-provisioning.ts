/**
 * Rule `ResourceProvisionCompleted` → resumes the `allocate-resources` execution waiting on the
 * task token: `ok` sends the attributes on, otherwise the wait fails with `ProvisioningFailed`.
 */
import { wireTaskAnswers } from '../adapters/runtime-wiring';
import { ResourceProvisionCompleted } from '../core/events/allocation-events';
import { busEventHandler } from '../middleware/bus-event-handler';

const { publisher, answers } = wireTaskAnswers();

export const handler = busEventHandler({
  accepts: [ResourceProvisionCompleted],
  publisher,
  handle: async ({ taskToken, ok, attributes }) => {
    await answers.answer(
      taskToken,
      ok
        ? { ok, output: { attributes: attributes ?? {} } }
        : { ok, error: 'ProvisioningFailed', cause: 'the provisioner reported failure' },
    );
    return [];
  },
});
