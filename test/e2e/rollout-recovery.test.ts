/**
 * Recovery racing a rollout's own tasks. A stopped execution lets the task in flight finish, so a
 * recovery (`recover`, as the status-change route and the reconciler run it) may run alongside
 * the Succeed or Shift task that was on its way: whoever comes second must not leave the alias and
 * the record telling different stories. And a rollout that never held its alias (it waited for a
 * superseded one to let go) is ended as not started, never by putting back an alias it did not
 * move. The rollouts' steps are run here by their own code against the embedded runtime's ledger
 * and Lambda fleet (no execution drives them), so each race is played in one exact order.
 */
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRolloutLedger } from '../../lambdas/adapters/dynamodb-rollout-ledger';
import { LambdaAliasTraffic } from '../../lambdas/adapters/lambda-alias-traffic';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { TaskAnswers } from '../../lambdas/adapters/task-answers';
import { RolloutEnded, RolloutLockHeld } from '../../lambdas/core/rollouts/errors';
import { type EndedRollout, recover, succeed } from '../../lambdas/core/rollouts/finish-rollout';
import type { RolloutState } from '../../lambdas/core/rollouts/rollout';
import { shiftTraffic } from '../../lambdas/core/rollouts/shift-traffic';
import { type RolloutRequest, startRollout } from '../../lambdas/core/rollouts/start-rollout';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';
import { publishedService, rolloutRequest } from './rollout-setup';

let t: TestRuntime;
let lambda: LambdaClient;
let ledger: DynamoDbRolloutLedger;
let traffic: LambdaAliasTraffic;

beforeAll(async () => {
  // No reconciler in the background: it would recover these rollouts (their executions do not
  // exist) in an order of its own, not the one each test plays.
  t = await startTestRuntime({ schedules: [] });
  lambda = new LambdaClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  ledger = new DynamoDbRolloutLedger(t.ledger, LEDGER_TABLE_NAME);
  traffic = new LambdaAliasTraffic(lambda);
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

const executionOf = (rolloutId: string) =>
  `arn:aws:states:us-east-1:000000000000:execution:baton-local-roll-out-service:${rolloutId}`;

/** Starts a rollout of `functionName` (version 1 → 2) and takes `shifts` steps, as its tasks would. */
async function rolloutShifted(
  rolloutId: string,
  functionName: string,
  strategy: string,
  shifts: number,
): Promise<RolloutState> {
  await publishedService(lambda, functionName);
  const request = rolloutRequest(rolloutId, functionName, strategy) as RolloutRequest;
  const started = await startRollout(
    ledger,
    traffic,
    new TaskAnswers(t.sfn),
    request,
    executionOf(rolloutId),
    new Date(),
  );
  if (started.status !== 'RUNNING') throw new Error(`rollout ${rolloutId} did not start: ${started.reason}`);
  let state = started.state;
  for (let step = 0; step < shifts; step++)
    state = (await shiftTraffic(ledger, traffic, state, new Date())).state;
  return state;
}

async function aliasOf(functionName: string) {
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }));
  return { version: alias.FunctionVersion, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} };
}

/** The alias traffic, with `first` run once just before (or after) the first call of `method`. */
function racing(
  method: 'route' | 'alias',
  when: 'before' | 'after',
  first: () => Promise<unknown>,
): LambdaAliasTraffic {
  const raced = Object.create(traffic) as LambdaAliasTraffic;
  let ran = false;
  const call = (traffic[method] as (...args: unknown[]) => Promise<unknown>).bind(traffic);
  Object.assign(raced, {
    [method]: async (...args: unknown[]) => {
      const runFirst = async () => {
        if (ran) return;
        ran = true;
        await first();
      };
      if (when === 'before') await runFirst();
      const result = await call(...args);
      if (when === 'after') await runFirst();
      return result;
    },
  });
  return raced;
}

describe('a stop while Succeed runs', () => {
  it('the recovery puts the alias back; the success arriving then ends the rollout as rolled back, never SUCCEEDED', async () => {
    const state = await rolloutShifted('late-success', 'late-success', 'allAtOnce', 1);
    expect(state.done).toBe(true);
    let succeeded: EndedRollout | undefined;
    // The Succeed task in flight ends the rollout right after the recovery routed the alias back.
    const traffic = racing('route', 'after', async () => {
      succeeded = await succeed(ledger, new LambdaAliasTraffic(lambda), state, new Date());
    });
    const recovered = await recover(
      ledger,
      traffic,
      'late-success',
      executionOf('late-success'),
      'ABORTED',
      new Date(),
    );
    for (const ended of [recovered, succeeded]) {
      expect(ended?.outcome).toMatchObject({ status: 'ROLLED_BACK', reason: 'ExecutionAborted' });
      expect(ended?.facts.map((fact) => fact.detailType)).toEqual(['ServiceRolloutRolledBack']);
    }
    expect(await aliasOf('late-success')).toEqual({ version: '1', weights: {} });
    expect(await t.ledgerItem(ledgerKeys.aliasLock('late-success', 'live'))).toBeUndefined();
  });

  it('Succeed took an alarm and rolls back as a recovery does too: both end as the first rollback began, its evidence kept', async () => {
    const state = await rolloutShifted('alarmed-last', 'alarmed-last', 'allAtOnce', 1);
    const evidence = { alarmName: 'alarmed-last-errors', stateReason: 'errors' };
    expect(
      (await ledger.leaveSignal('alarmed-last', { signalId: 'alarm-1', kind: 'alarm', evidence })).left,
    ).toBe(true);
    let recovered: EndedRollout | undefined;
    // The recovery runs, whole, right after the Succeed task routed the alias back.
    const traffic = racing('route', 'after', async () => {
      recovered = await recover(
        ledger,
        new LambdaAliasTraffic(lambda),
        'alarmed-last',
        executionOf('alarmed-last'),
        'ABORTED',
        new Date(),
      );
    });
    const succeeded = await succeed(ledger, traffic, state, new Date());
    for (const ended of [succeeded, recovered]) {
      expect(ended?.outcome).toMatchObject({ status: 'ROLLED_BACK', reason: 'AlarmFired', evidence });
    }
    expect(await aliasOf('alarmed-last')).toEqual({ version: '1', weights: {} });
  });

  it('a success recorded first stands: the recovery leaves the alias on the target', async () => {
    const state = await rolloutShifted('early-success', 'early-success', 'allAtOnce', 1);
    expect((await succeed(ledger, traffic, state, new Date())).outcome.status).toBe('SUCCEEDED');
    const recovered = await recover(
      ledger,
      traffic,
      'early-success',
      executionOf('early-success'),
      'ABORTED',
      new Date(),
    );
    expect(recovered?.outcome.status).toBe('SUCCEEDED');
    expect(await aliasOf('early-success')).toEqual({ version: '2', weights: {} });
  });
});

describe('a shift on its way when its rollout was recovered', () => {
  /** A rollout at 10 % that found drift: resuming adopts the alias as it is (no revision to compare). */
  async function resumedAfterDrift(rolloutId: string): Promise<RolloutState> {
    const state = await rolloutShifted(rolloutId, rolloutId, 'canary:10:3600', 1);
    const drifted = { ...state, revisionId: undefined, drift: true };
    expect(await ledger.saveRollout(drifted, 'PAUSED', new Date(), 'AliasDrift')).toBe(true);
    return drifted;
  }

  it('routes nothing once the rollout has ended', async () => {
    const resumed = await resumedAfterDrift('resumed-late');
    const recovered = await recover(
      ledger,
      traffic,
      'resumed-late',
      executionOf('resumed-late'),
      'ABORTED',
      new Date(),
    );
    expect(recovered?.outcome.status).toBe('ROLLED_BACK');
    await expect(shiftTraffic(ledger, traffic, resumed, new Date())).rejects.toThrow(RolloutEnded);
    expect(await aliasOf('resumed-late')).toEqual({ version: '1', weights: {} });
  });

  it('puts the alias back when the rollout ended as it routed', async () => {
    const resumed = await resumedAfterDrift('resumed-racing');
    // The recovery runs, whole, while the shift reads the alias it adopts.
    const traffic = racing('alias', 'before', () =>
      recover(
        ledger,
        new LambdaAliasTraffic(lambda),
        'resumed-racing',
        executionOf('resumed-racing'),
        'ABORTED',
        new Date(),
      ),
    );
    await expect(shiftTraffic(ledger, traffic, resumed, new Date())).rejects.toThrow(RolloutEnded);
    expect(await t.ledgerItem(ledgerKeys.rollout('resumed-racing'))).toMatchObject({ status: 'ROLLED_BACK' });
    expect(await aliasOf('resumed-racing')).toEqual({ version: '1', weights: {} });
  });
});

describe('a superseding rollout that never held the alias', () => {
  it('is ended as not started when its execution ends: the alias it never moved is left as the holder has it', async () => {
    await rolloutShifted('holder', 'contested', 'canary:10:3600', 1);
    const superseding = rolloutRequest('waiter', 'contested', 'allAtOnce', {
      onConflict: 'supersede',
    }) as RolloutRequest;
    const answers = new TaskAnswers(t.sfn);
    const start = () =>
      startRollout(ledger, traffic, answers, superseding, executionOf('waiter'), new Date());
    await expect(start()).rejects.toThrow(RolloutLockHeld);
    expect(await t.ledgerItem(ledgerKeys.rollout('waiter'))).toMatchObject({ status: 'RUNNING' });

    // Its execution is stopped while it waits for the holder to let go.
    const recovered = await recover(ledger, traffic, 'waiter', executionOf('waiter'), 'ABORTED', new Date());
    expect(recovered?.outcome).toMatchObject({
      status: 'REJECTED',
      reason: 'ExecutionAborted',
      explanation: expect.stringContaining('before it held alias live'),
    });
    expect(recovered?.facts.map((fact) => fact.detailType)).toEqual(['ServiceRolloutRejected']);
    expect(await aliasOf('contested')).toEqual({ version: '1', weights: { '2': 0.1 } });
    expect(await t.ledgerItem(ledgerKeys.aliasLock('contested', 'live'))).toMatchObject({
      rolloutId: 'holder',
    });

    // The holder lets go; the waiter's start, still on its way, takes the lock, finds its ending and lets go too.
    expect(
      (await recover(ledger, traffic, 'holder', executionOf('holder'), 'ABORTED', new Date()))?.outcome
        .status,
    ).toBe('ROLLED_BACK');
    expect(await start()).toMatchObject({ status: 'REJECTED', reason: 'ExecutionAborted' });
    expect(await t.ledgerItem(ledgerKeys.aliasLock('contested', 'live'))).toBeUndefined();
    expect(await aliasOf('contested')).toEqual({ version: '1', weights: {} });
  });
});
