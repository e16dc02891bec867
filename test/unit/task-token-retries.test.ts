/**
 * A task that hands a task token out on the bus retries only a failure that says nothing went out:
 * a retry hands out a new token, so retrying one that may have gone through
 * (`EventBridge.InternalException`) would ask a provisioner or an agent twice, the first answer
 * then landing on a dead token. (A gate's token goes to Baton's own function, which keeps the
 * latest: those are not handed out.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';

interface State {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly Branches?: readonly { readonly States: Record<string, State> }[];
  readonly ItemProcessor?: { readonly States: Record<string, State> };
  readonly Iterator?: { readonly States: Record<string, State> };
}

/** Every state of a definition, nested ones (Parallel branches, Map processors) included. */
function statesOf(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.Branches ?? []).flatMap((branch) => statesOf(branch.States)),
    ...statesOf((state.ItemProcessor ?? state.Iterator)?.States ?? {}),
  ]);
}

const directory = join(repositoryRoot, 'state-machines');
const tokenTasks = readdirSync(directory)
  .filter((file) => file.endsWith('.asl.json'))
  .flatMap((file) =>
    statesOf(JSON.parse(readFileSync(join(directory, file), 'utf8')).States)
      .filter(([, state]) => state.Resource === 'arn:aws:states:::events:putEvents.waitForTaskToken')
      .map(([name, state]) => [`${file} ${name}`, state] as const),
  );

describe('tasks that hand a task token out on the bus', () => {
  it('exist (the provisioning and the move requests)', () => {
    expect(tokenTasks.map(([name]) => name).sort()).toEqual([
      'allocate-resources.asl.json Provision',
      'rebalance-workloads.asl.json RequestMove',
    ]);
  });

  it.each(tokenTasks)('%s retries only an entry EventBridge refused', (_, state) => {
    const retried = (state.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
    expect(retried.filter((error) => error !== 'EventBridge.FailedEntry')).toEqual([]);
  });
});
