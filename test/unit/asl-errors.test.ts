/**
 * The error names in Baton's workflows and their retries, checked against their declarations: every
 * `ErrorEquals` in `state-machines/` names an error of the registries (`lib/topology/workflow-errors.ts`),
 * every `Retry` follows one of the named policies (`lib/topology/retry-policies.ts`), and each
 * registered class reports the name it is registered under.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALLOCATION_ERRORS } from '../../lambdas/core/allocation/errors';
import { SHARED_ERRORS } from '../../lambdas/core/errors';
import { ROLLOUT_ERRORS } from '../../lambdas/core/rollouts/errors';
import { WORKLOAD_ERRORS } from '../../lambdas/core/workloads/errors';
import { type AslStates, allStates } from '../../lib/topology/asl-definition';
import { RETRY_POLICIES, type RetryPolicy } from '../../lib/topology/retry-policies';
import { FUNCTION_ERRORS, WORKFLOW_ERROR_NAMES } from '../../lib/topology/workflow-errors';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';

type Retrier = Record<string, unknown> & { ErrorEquals: string[] };
type Catcher = Record<string, unknown> & { ErrorEquals: string[] };

const workflows = workflowsIn(productWorkflowDirectory).map(({ id, file }) => ({
  id,
  definition: JSON.parse(readFileSync(file, 'utf8')) as AslStates,
}));

/** Each Retry and Catch of a definition, named by its state. */
function* clauses(definition: AslStates): Generator<{ where: string; retrier?: Retrier; catcher?: Catcher }> {
  for (const [name, state] of allStates(definition)) {
    for (const [index, retrier] of ((state.Retry ?? []) as Retrier[]).entries()) {
      yield { where: `${name} Retry[${index}]`, retrier };
    }
    for (const [index, catcher] of ((state.Catch ?? []) as Catcher[]).entries()) {
      yield { where: `${name} Catch[${index}]`, catcher };
    }
  }
}

/** The `ErrorEquals` entries no registry declares. */
function unknownErrorNames(definition: AslStates): string[] {
  return [...clauses(definition)].flatMap(({ where, retrier, catcher }) =>
    ((retrier ?? catcher)?.ErrorEquals ?? [])
      .filter((name) => !WORKFLOW_ERROR_NAMES.has(name))
      .map((name) => `${where}: ${name}`),
  );
}

/** The policy a Retry follows: the same timing, and only errors the policy lists. */
function policyOf(retrier: Retrier): string | undefined {
  const { ErrorEquals, ...timing } = retrier;
  return Object.entries(RETRY_POLICIES as Record<string, RetryPolicy>).find(
    ([, { errors, ...policyTiming }]) =>
      JSON.stringify(Object.entries(timing).sort()) === JSON.stringify(Object.entries(policyTiming).sort()) &&
      ErrorEquals.length > 0 &&
      ErrorEquals.every((name) => (errors as readonly string[]).includes(name)),
  )?.[0];
}

function retriesWithoutPolicy(definition: AslStates): string[] {
  return [...clauses(definition)].flatMap(({ where, retrier }) =>
    retrier && !policyOf(retrier) ? [`${where}: ${JSON.stringify(retrier)}`] : [],
  );
}

/** A copy of a definition with every occurrence of one error name replaced. */
function renamed(definition: AslStates, from: string, to: string): AslStates {
  return JSON.parse(JSON.stringify(definition).replaceAll(`"${from}"`, `"${to}"`)) as AslStates;
}

function workflow(id: string): AslStates {
  const found = workflows.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no workflow ${id}`);
  return found.definition;
}

describe('the error registries', () => {
  it('register each error class under the name its errors report (what Lambda gives as errorType)', () => {
    for (const registry of [SHARED_ERRORS, ALLOCATION_ERRORS, WORKLOAD_ERRORS, ROLLOUT_ERRORS]) {
      for (const [name, ErrorClass] of Object.entries(registry)) {
        // Arguments every registered constructor takes: a message (or a key), then lists.
        expect((Reflect.construct(ErrorClass, ['probe', [], []]) as Error).name, name).toBe(name);
      }
    }
  });

  it('register no name twice', () => {
    const names = [SHARED_ERRORS, ALLOCATION_ERRORS, WORKLOAD_ERRORS, ROLLOUT_ERRORS].flatMap(Object.keys);
    expect(names.length).toBe(Object.keys(FUNCTION_ERRORS).length);
  });
});

describe('the error names of every workflow', () => {
  it.each(workflows.map(({ id }) => id))('%s names only registered errors', (id) => {
    expect(unknownErrorNames(workflow(id))).toEqual([]);
  });

  it('are refused when misspelt, in a Retry or in a Catch', () => {
    const rollout = workflow('roll-out-service');
    expect(unknownErrorNames(renamed(rollout, 'RolloutLockHeld', 'RolloutLockHold'))).toEqual([
      'Start Retry[1]: RolloutLockHold',
    ]);
    expect(unknownErrorNames(renamed(rollout, 'AliasTakenOver', 'AliasTakeOver'))).toEqual([
      'Shift Catch[0]: AliasTakeOver',
    ]);
    expect(unknownErrorNames(renamed(rollout, 'States.Timeout', 'States.TimeOut'))).toEqual([
      'Bake Catch[0]: States.TimeOut',
    ]);
  });
});

describe('the retries of every workflow', () => {
  it.each(workflows.map(({ id }) => id))('%s retries only by a named policy', (id) => {
    expect(retriesWithoutPolicy(workflow(id))).toEqual([]);
  });

  it('use every policy declared', () => {
    const used = new Set(
      workflows.flatMap(({ definition }) =>
        [...clauses(definition)].flatMap(({ retrier }) => (retrier ? [policyOf(retrier)] : [])),
      ),
    );
    expect([...used].sort()).toEqual(Object.keys(RETRY_POLICIES).sort());
  });

  it('are refused when their timing or their errors stray from every policy', () => {
    const release = workflow('release-resources');
    const longer = JSON.parse(
      JSON.stringify(release).replace('"MaxAttempts":3', '"MaxAttempts":4'),
    ) as AslStates;
    expect(retriesWithoutPolicy(longer)).toEqual([expect.stringMatching(/^Release Retry\[0\]: /)]);
    // A lock held is no transient failure: it waits on another rollout, longer.
    expect(retriesWithoutPolicy(renamed(release, 'ReleaseInterrupted', 'RolloutLockHeld'))).toEqual([
      expect.stringMatching(/^Release Retry\[0\]: /),
    ]);
  });
});
