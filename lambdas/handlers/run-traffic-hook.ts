/**
 * Task of `roll-out-service`: runs its pre-traffic hook (before any traffic moves) or its
 * post-traffic hook (once all traffic is on the target), as CodeDeploy's BeforeAllowTraffic and
 * AfterAllowTraffic do. A hook that fails rolls the rollout back.
 */
import * as z from 'zod/mini';
import { wireTrafficHooks } from '../adapters/runtime-wiring';
import { HookFailed } from '../core/rollouts/errors';
import { rolloutState } from '../core/rollouts/rollout-schemas';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { hooks } = wireTrafficHooks();

export const handler = workflowTaskHandler({
  input: z.object({ hook: z.enum(['preTraffic', 'postTraffic']), state: rolloutState }),
  handle: async ({ hook, state }) => {
    const functionName = state.hooks?.[hook];
    if (!functionName) throw new HookFailed(`the rollout has no ${hook} hook`);
    const { rolloutId, alias, fromVersion, toVersion, weight } = state;
    await hooks.run(functionName, {
      hook,
      rolloutId,
      functionName: state.functionName,
      alias,
      fromVersion,
      toVersion,
      weight,
    });
    return { hook, ok: true };
  },
});
