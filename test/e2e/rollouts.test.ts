/**
 * `roll-out-service` in the embedded runtime, through the real SDK clients against the simulated
 * Lambda fleet, with `--time-scale 600` so that a 60 s bake lasts 100 ms: every strategy to
 * success, an alarm's rollback with its evidence, pause/resume, promote, abort, one rollout per
 * alias, drift, throttling, hooks and invalid input — and the alias lock free after each.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateFunctionCommand,
  GetAliasCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { type DescribeExecutionCommandOutput, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { alarmFired, lambdaOf, publishedService, rolloutFacts, rolloutRequest } from './rollout-setup';

const TIME_SCALE = 600;
let t: TestRuntime;
let lambda: LambdaClient;
const facts: BusEvent[] = [];

beforeAll(async () => {
  t = await startTestRuntime({ timeScale: TIME_SCALE });
  lambda = lambdaOf(t);
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

const output = (description: DescribeExecutionCommandOutput) => JSON.parse(description.output ?? 'null');
const factsOf = (detailType: string, rolloutId: string) => rolloutFacts(facts, detailType, rolloutId);
const service = (name: string) => publishedService(lambda, name);
const aliasOf = (name: string) => lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
const start = (input: object) => t.start('roll-out-service', input);
const request = rolloutRequest;

async function control(rolloutId: string, action: string): Promise<void> {
  await t.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'ops.console',
          DetailType: 'ServiceRolloutControl',
          Detail: JSON.stringify({ rolloutId, action }),
        },
      ],
    }),
  );
}

/** Waits until the rollout has taken `step` steps. */
const reachedStep = (rolloutId: string, step: number) =>
  eventually(() => factsOf('ServiceRolloutStepCompleted', rolloutId).find((f) => f.step === step), 20_000);

async function expectLockFree(functionName: string): Promise<void> {
  expect(await t.ledgerItem(ledgerKeys.aliasLock(functionName, 'live'))).toBeUndefined();
}

async function expectAlias(functionName: string, version: string): Promise<void> {
  const alias = await aliasOf(functionName);
  expect(alias.FunctionVersion).toBe(version);
  expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
}

describe('roll-out-service to success', () => {
  it.each([
    ['canary', { type: 'canary', percent: 10, bakeSeconds: 60 }, [0.1, 1]],
    ['linear', { type: 'linear', stepPercent: 25, intervalSeconds: 30 }, [0.25, 0.5, 0.75, 1]],
    [
      'steps',
      {
        type: 'steps',
        steps: [
          { percent: 5, bakeSeconds: 30 },
          { percent: 50, bakeSeconds: 30 },
        ],
      },
      [0.05, 0.5, 1],
    ],
    ['allAtOnce', { type: 'allAtOnce' }, [1]],
    ['shorthand', 'canary:20:30', [0.2, 1]],
  ])(
    '%s: shifts step by step, ends on the target with no routing, frees the lock',
    async (name, strategy, weights) => {
      const functionName = `ok-${name}`;
      await service(functionName);
      const result = output(await t.run('roll-out-service', request(`${name}-1`, functionName, strategy)));
      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        fromVersion: '1',
        toVersion: '2',
        steps: { taken: weights.length, of: weights.length, weight: 1 },
      });
      expect(factsOf('ServiceRolloutStepCompleted', `${name}-1`).map((f) => f.weight)).toEqual(weights);
      expect(factsOf('ServiceRolloutSucceeded', `${name}-1`)).toHaveLength(1);
      await expectAlias(functionName, '2');
      await expectLockFree(functionName);
    },
  );
});

describe('gates', () => {
  it('rolls back the moment a watched alarm goes to ALARM during step 2, with the evidence', async () => {
    await service('alarmed');
    const arn = await start(
      request(
        'alarmed-1',
        'alarmed',
        {
          type: 'steps',
          steps: [
            { percent: 10, bakeSeconds: 30 },
            { percent: 50, bakeSeconds: 60_000 },
          ],
        },
        {
          alarms: ['alarmed-errors'],
        },
      ),
    );
    await reachedStep('alarmed-1', 2);
    expect((await aliasOf('alarmed')).RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.5 });
    await t.eventBridge.send(new PutEventsCommand({ Entries: [alarmFired('alarmed-errors')] }));
    const result = output(await t.finished(arn));
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      reason: 'AlarmFired',
      steps: { taken: 2, weight: 0.5 },
    });
    const [rolledBack] = factsOf('ServiceRolloutRolledBack', 'alarmed-1');
    expect(rolledBack?.evidence).toMatchObject({
      alarmName: 'alarmed-errors',
      stateReason: 'Threshold Crossed: 5 errors',
      stepReached: 2,
    });
    await expectAlias('alarmed', '1');
    await expectLockFree('alarmed');
  });

  it('ignores alarms it does not watch and alarms going back to OK', async () => {
    await service('calm');
    const arn = await start(request('calm-1', 'calm', 'canary:10:600', { alarms: ['calm-errors'] }));
    await reachedStep('calm-1', 1);
    await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.cloudwatch',
            DetailType: 'CloudWatch Alarm State Change',
            Detail: JSON.stringify({ alarmName: 'other', state: { value: 'ALARM' } }),
          },
          {
            Source: 'aws.cloudwatch',
            DetailType: 'CloudWatch Alarm State Change',
            Detail: JSON.stringify({ alarmName: 'calm-errors', state: { value: 'OK' } }),
          },
        ],
      }),
    );
    expect(output(await t.finished(arn)).status).toBe('SUCCEEDED');
  });

  it('pauses at the current weights until resumed, then goes on', async () => {
    await service('paused');
    const arn = await start(request('paused-1', 'paused', 'steps:10@600,50@600'));
    await reachedStep('paused-1', 1);
    await control('paused-1', 'pause');
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.rollout('paused-1')))?.status === 'PAUSED' ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Past the bake, still at step 1: the pause holds the weights.
    expect(factsOf('ServiceRolloutStepCompleted', 'paused-1')).toHaveLength(1);
    expect((await aliasOf('paused')).RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
    expect(factsOf('ServiceRolloutPaused', 'paused-1')).toHaveLength(1);
    await control('paused-1', 'resume');
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.rollout('paused-1')))?.status === 'RUNNING' ? true : undefined,
    );
    // Running again: it can be paused again, and promoted from the pause.
    await control('paused-1', 'pause');
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.rollout('paused-1')))?.status === 'PAUSED' ? true : undefined,
    );
    await control('paused-1', 'promote');
    expect(output(await t.finished(arn))).toMatchObject({ status: 'SUCCEEDED', steps: { taken: 3 } });
    await expectAlias('paused', '2');
    await expectLockFree('paused');
  });

  it('promotes straight to 100 %', async () => {
    await service('promoted');
    const arn = await start(request('promoted-1', 'promoted', 'linear:10:60000'));
    await reachedStep('promoted-1', 1);
    await control('promoted-1', 'promote');
    expect(output(await t.finished(arn))).toMatchObject({ status: 'SUCCEEDED', steps: { weight: 1 } });
    expect(factsOf('ServiceRolloutStepCompleted', 'promoted-1').map((f) => f.weight)).toEqual([0.1, 1]);
    await expectAlias('promoted', '2');
    await expectLockFree('promoted');
  });

  it('aborts: the alias goes back to where it was', async () => {
    await service('aborted');
    const arn = await start(request('aborted-1', 'aborted', 'canary:30:60000'));
    await reachedStep('aborted-1', 1);
    await control('aborted-1', 'abort');
    expect(output(await t.finished(arn))).toMatchObject({ status: 'ABORTED', reason: 'RolloutAborted' });
    await expectAlias('aborted', '1');
    await expectLockFree('aborted');
  });

  it('refuses controls that cannot apply, with RequestRejected', async () => {
    await control('no-such-rollout', 'pause');
    await eventually(() =>
      facts.find(
        (event) =>
          event['detail-type'] === 'RequestRejected' &&
          JSON.stringify(event.detail).includes('no-such-rollout'),
      ),
    );
    await control('canary-1', 'resume');
    await eventually(() =>
      facts.find(
        (event) =>
          event['detail-type'] === 'RequestRejected' &&
          JSON.stringify(event.detail).includes('canary-1 has ended'),
      ),
    );
  });
});

describe('one rollout per alias', () => {
  it('rejects a second rollout of the alias, and with supersede rolls the first back and takes over', async () => {
    await service('contested');
    const first = await start(request('contested-1', 'contested', 'canary:10:60000'));
    await reachedStep('contested-1', 1);
    const second = output(await t.run('roll-out-service', request('contested-2', 'contested', 'allAtOnce')));
    expect(second).toMatchObject({ status: 'REJECTED', reason: 'RolloutInProgress' });
    expect(second.explanation).toContain('contested-1');

    const third = await start(request('contested-3', 'contested', 'allAtOnce', { onConflict: 'supersede' }));
    expect(output(await t.finished(first))).toMatchObject({ status: 'ROLLED_BACK', reason: 'Superseded' });
    expect(output(await t.finished(third))).toMatchObject({ status: 'SUCCEEDED', fromVersion: '1' });
    await expectAlias('contested', '2');
    await expectLockFree('contested');
  });

  it('answers a duplicate delivery of the same rollout with DuplicateRollout and changes nothing', async () => {
    await service('twice');
    const input = request('twice-1', 'twice', 'allAtOnce');
    const [a, b] = await Promise.all([t.run('roll-out-service', input), t.run('roll-out-service', input)]);
    const statuses = [output(a), output(b)].map((result) => result.status).sort();
    expect(statuses).toEqual(['REJECTED', 'SUCCEEDED']);
    expect([output(a), output(b)].find((result) => result.status === 'REJECTED')?.reason).toBe(
      'DuplicateRollout',
    );
    expect(factsOf('ServiceRolloutStarted', 'twice-1')).toHaveLength(1);
    await expectLockFree('twice');
  });
});

describe('the alias under pressure', () => {
  it('pauses on drift (a change made outside the rollout) and says so; resuming adopts the alias and goes on', async () => {
    await service('drifted');
    const arn = await start(request('drifted-1', 'drifted', 'steps:10@1200,50@30'));
    await reachedStep('drifted-1', 1);
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'drifted',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
      }),
    );
    const paused = await eventually(() => factsOf('ServiceRolloutPaused', 'drifted-1')[0], 20_000);
    expect(paused).toMatchObject({ reason: 'AliasDrift' });
    expect(String(paused.explanation)).toContain('changed outside the rollout');
    expect((await t.ledgerItem(ledgerKeys.rollout('drifted-1')))?.status).toBe('PAUSED');
    expect((await aliasOf('drifted')).RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.3 });
    await control('drifted-1', 'resume');
    expect(output(await t.finished(arn))).toMatchObject({ status: 'SUCCEEDED' });
    await expectAlias('drifted', '2');
    await expectLockFree('drifted');
  });

  it('leaves an alias that someone else routed elsewhere as it is, and says so', async () => {
    await service('hotfixed');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'hotfixed' }));
    const arn = await start(request('hotfixed-1', 'hotfixed', 'steps:10@1200,50@30'));
    await reachedStep('hotfixed-1', 1);
    // An operator's hotfix: all traffic to version 3, outside the rollout.
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'hotfixed',
        Name: 'live',
        FunctionVersion: '3',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    await eventually(() => factsOf('ServiceRolloutPaused', 'hotfixed-1')[0], 20_000);
    await control('hotfixed-1', 'abort');
    expect(await t.finished(arn)).toMatchObject({ status: 'FAILED', error: 'RolloutFailed' });
    const [failed] = factsOf('ServiceRolloutFailed', 'hotfixed-1');
    expect(failed).toMatchObject({ reason: 'AliasTakenOver' });
    await expectAlias('hotfixed', '3');
    await expectLockFree('hotfixed');
  });

  it('puts the alias back when the rollout execution is stopped from the console', async () => {
    await service('stopped');
    const arn = await start(request('stopped-1', 'stopped', 'canary:25:60000'));
    await reachedStep('stopped-1', 1);
    await t.sfn.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Operator', cause: 'stopped by hand' }),
    );
    const rolledBack = await eventually(() => factsOf('ServiceRolloutRolledBack', 'stopped-1')[0], 20_000);
    expect(rolledBack).toMatchObject({ reason: 'ExecutionAborted', evidence: { stepReached: 1 } });
    await expectAlias('stopped', '1');
    await expectLockFree('stopped');
    expect((await t.ledgerItem(ledgerKeys.rollout('stopped-1')))?.status).toBe('ROLLED_BACK');
  });

  it('retries a throttled control plane to success', async () => {
    await service('throttled');
    const before = t.runtime.lambdaThrottle.throttledCalls;
    t.runtime.lambdaThrottle.throttleNext(2, 'UpdateAlias');
    const result = output(
      await t.run('roll-out-service', request('throttled-1', 'throttled', 'canary:10:30')),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(t.runtime.lambdaThrottle.throttledCalls - before).toBe(2);
    await expectAlias('throttled', '2');
    await expectLockFree('throttled');
  });
});

describe('traffic hooks', () => {
  it('rolls back before any traffic moves when the pre-traffic hook fails', async () => {
    await service('hooked');
    // The fixture function fails on a payload it does not know: a failing hook.
    const result = output(
      await t.run(
        'roll-out-service',
        request('hooked-1', 'hooked', 'allAtOnce', { hooks: { preTraffic: 'baton-local-fixture' } }),
      ),
    );
    expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: 'HookFailed', steps: { taken: 0 } });
    expect(factsOf('ServiceRolloutStepCompleted', 'hooked-1')).toHaveLength(0);
    await expectAlias('hooked', '1');
    await expectLockFree('hooked');
  });

  it('succeeds when the post-traffic hook does', async () => {
    await service('smoked');
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'smoke-test',
        Role: 'arn:aws:iam::000000000000:role/r',
        Code: {},
      }),
    );
    const result = output(
      await t.run(
        'roll-out-service',
        request('smoked-1', 'smoked', 'canary:10:30', { hooks: { postTraffic: 'smoke-test' } }),
      ),
    );
    expect(result.status).toBe('SUCCEEDED');
    await expectAlias('smoked', '2');
  });
});

describe('invalid input', () => {
  it.each([
    ['an unknown function', { functionName: 'nowhere' }, /nowhere has no alias live/],
    ['an unknown alias', { alias: 'canary' }, /has no alias canary/],
    ['an unpublished version', { targetVersion: '9' }, /no published version 9/],
    ['$LATEST', { targetVersion: '$LATEST' }, /targetVersion/],
    ['a percent of 0', { strategy: { type: 'canary', percent: 0, bakeSeconds: 1 } }, /strategy/],
    ['a percent of 100', { strategy: 'canary:100:30' }, /above 0 and below 100/],
    ['steps that do not increase', { strategy: 'steps:50@10,20@10' }, /steps must increase/],
    ['an unknown strategy', { strategy: 'blue-green' }, /strategy/],
    ['the version the alias has', { targetVersion: '1' }, /already sends all traffic to version 1/],
  ])('refuses %s with InvalidRequest', async (_, change, cause) => {
    await service(`bad-${_.replaceAll(/[^a-z0-9]/g, '')}`).catch(() => undefined);
    const functionName = `bad-${_.replaceAll(/[^a-z0-9]/g, '')}`;
    const description = await t.run('roll-out-service', {
      ...request(`bad-${functionName}`, functionName, 'allAtOnce'),
      ...change,
    });
    expect(description).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(description.cause).toMatch(cause);
    await expectLockFree(functionName);
  });
});
