/**
 * How rollouts end, under failures: an ended rollout's record is never overwritten by a later
 * ending (a retried step, a recovery) and its fact tells what the alias really did; refusals are
 * announced (`ServiceRolloutRejected`), but not a duplicate delivery's; a control that cannot be
 * left (an ending is pending) is refused, not announced as done.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRolloutLedger } from '../../lambdas/adapters/dynamodb-rollout-ledger';
import { LambdaAliasTraffic } from '../../lambdas/adapters/lambda-alias-traffic';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { TaskAnswers } from '../../lambdas/adapters/task-answers';
import { abandonStart, type RolloutRequest, startRollout } from '../../lambdas/core/rollouts/start-rollout';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { publishedService, rolloutFacts, rolloutRequest } from './rollout-setup';

const TIME_SCALE = 600;
let t: TestRuntime;
let lambda: LambdaClient;
let ledgerClient: DynamoDBDocumentClient;
const facts: BusEvent[] = [];

beforeAll(async () => {
  t = await startTestRuntime({ timeScale: TIME_SCALE });
  const local = {
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  lambda = new LambdaClient(local);
  ledgerClient = DynamoDBDocumentClient.from(new DynamoDBClient(local), {
    marshallOptions: { removeUndefinedValues: true },
  });
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  lambda.destroy();
  ledgerClient.destroy();
  await t.stop();
});

const output = (description: DescribeExecutionCommandOutput) => JSON.parse(description.output ?? 'null');
const factsOf = (detailType: string, rolloutId: string) => rolloutFacts(facts, detailType, rolloutId);
const service = (name: string) => publishedService(lambda, name);
const request = rolloutRequest;
const start = (input: object) => t.start('roll-out-service', input);

async function emit(source: string, detailType: string, detail: object): Promise<void> {
  await t.eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
}

const alarm = (alarmName: string) =>
  emit('aws.cloudwatch', 'CloudWatch Alarm State Change', {
    alarmName,
    state: { value: 'ALARM', reason: 'errors' },
  });

/**
 * Holds the rollout in its next shift — no gate open — while `during` runs: the alias's update is
 * throttled (each throttle answered with Retry-After 1 s) and `during` starts once the shift is in it.
 */
async function duringNextShift(rolloutId: string, during: () => Promise<void>): Promise<void> {
  const before = t.runtime.lambdaThrottle.throttledCalls;
  t.runtime.lambdaThrottle.throttleNext(3, 'UpdateAlias');
  await emit('ops.console', 'ServiceRolloutControl', { rolloutId, action: 'promote' });
  await eventually(() => (t.runtime.lambdaThrottle.throttledCalls > before ? true : undefined), 20_000);
  await during();
}

describe('an ended rollout keeps its ending', () => {
  it('succeed took an alarm and rolled back; its fact failed to go out; the retry announces the rollback, never a success', async () => {
    await service('kept');
    const arn = await start(request('kept-1', 'kept', 'canary:10:600000', { alarms: ['kept-errors'] }));
    await eventually(() => factsOf('ServiceRolloutStepCompleted', 'kept-1')[0], 20_000);
    // The rollback's fact fails on its first four tries: the publisher gives up, the step is retried.
    let refused = 0;
    const stop = t.runtime.bus.injectFault((entry) =>
      entry.DetailType === 'ServiceRolloutRolledBack' && refused++ < 4 ? 'entry' : undefined,
    );
    try {
      // The alarm comes while the last shift runs: no gate is open, Succeed finds it waiting.
      await duringNextShift('kept-1', () => alarm('kept-errors'));
      const result = output(await t.finished(arn));
      expect(result).toMatchObject({ status: 'ROLLED_BACK', reason: 'AlarmFired' });
    } finally {
      stop();
    }
    expect(refused).toBeGreaterThanOrEqual(4);
    expect(factsOf('ServiceRolloutSucceeded', 'kept-1')).toEqual([]);
    expect(factsOf('ServiceRolloutRolledBack', 'kept-1')).toHaveLength(1);
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'kept', Name: 'live' }));
    expect(alias.FunctionVersion).toBe('1');
    expect(await t.ledgerItem(ledgerKeys.rollout('kept-1'))).toMatchObject({
      status: 'ROLLED_BACK',
      reason: 'AlarmFired',
      endingAnnounced: true,
    });
  });
});

describe('controls', () => {
  it('refuses a pause while an abort waits to be taken, and never announces it', async () => {
    await service('ending');
    const arn = await start(request('ending-1', 'ending', 'canary:10:600000'));
    await eventually(() => factsOf('ServiceRolloutStepCompleted', 'ending-1')[0], 20_000);
    const pauses: string[] = [];
    await duringNextShift('ending-1', async () => {
      // Promote is being carried out; an abort then a pause arrive before any gate opens.
      await emit('ops.console', 'ServiceRolloutControl', { rolloutId: 'ending-1', action: 'abort' });
      await eventually(async () =>
        (await t.ledgerItem(ledgerKeys.rollout('ending-1')))?.signal ? true : undefined,
      );
      const { Entries = [] } = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'ops.console',
              DetailType: 'ServiceRolloutControl',
              Detail: JSON.stringify({ rolloutId: 'ending-1', action: 'pause' }),
            },
          ],
        }),
      );
      pauses.push(Entries[0]?.EventId ?? '');
    });
    const rejection = await eventually(() =>
      facts.find(
        (f) =>
          f['detail-type'] === 'RequestRejected' && (f.detail as { eventId: string }).eventId === pauses[0],
      ),
    );
    expect(JSON.stringify(rejection.detail)).toContain(
      'is ending (abort received first); pause cannot apply',
    );
    expect(output(await t.finished(arn))).toMatchObject({ status: 'ABORTED' });
    expect(factsOf('ServiceRolloutPaused', 'ending-1')).toEqual([]);
  });
});

describe('refusals are announced', () => {
  it('RolloutInProgress, with what to do', async () => {
    await service('busy');
    const first = await start(request('busy-1', 'busy', 'canary:10:600000'));
    await eventually(() => factsOf('ServiceRolloutStepCompleted', 'busy-1')[0], 20_000);
    expect(output(await t.run('roll-out-service', request('busy-2', 'busy', 'allAtOnce')))).toMatchObject({
      status: 'REJECTED',
      reason: 'RolloutInProgress',
    });
    const [rejected] = await eventually(() => {
      const found = factsOf('ServiceRolloutRejected', 'busy-2');
      return found.length > 0 ? found : undefined;
    });
    expect(rejected).toMatchObject({
      reason: 'RolloutInProgress',
      explanation: expect.stringContaining('busy-1'),
    });
    await emit('ops.console', 'ServiceRolloutControl', { rolloutId: 'busy-1', action: 'abort' });
    await t.finished(first);
  });

  it('AliasSplit', async () => {
    await service('split');
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'split',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
      }),
    );
    expect(output(await t.run('roll-out-service', request('split-1', 'split', 'allAtOnce')))).toMatchObject({
      reason: 'AliasSplit',
    });
    expect(factsOf('ServiceRolloutRejected', 'split-1')).toMatchObject([{ reason: 'AliasSplit' }]);
  });

  it('InvalidRequest from the domain (no such alias), which records nothing', async () => {
    const description = await t.run('roll-out-service', request('nowhere-1', 'nowhere', 'allAtOnce'));
    expect(description).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    await eventually(() => factsOf('ServiceRolloutRejected', 'nowhere-1')[0]);
    expect(factsOf('ServiceRolloutRejected', 'nowhere-1')).toMatchObject([
      { reason: 'InvalidRequest', explanation: expect.stringContaining('has no alias live') },
    ]);
    expect(await t.ledgerItem(ledgerKeys.rollout('nowhere-1'))).toBeUndefined();
  });

  it('but not a duplicate delivery: the first rollout runs on, and nothing says it was refused', async () => {
    await service('dup');
    const input = request('dup-1', 'dup', 'canary:10:600000');
    const first = await start(input);
    await eventually(() => factsOf('ServiceRolloutStepCompleted', 'dup-1')[0], 20_000);
    expect(output(await t.run('roll-out-service', input))).toMatchObject({ reason: 'DuplicateRollout' });
    expect(factsOf('ServiceRolloutRejected', 'dup-1')).toEqual([]);
    await emit('ops.console', 'ServiceRolloutControl', { rolloutId: 'dup-1', action: 'promote' });
    expect(output(await t.finished(first))).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('a start abandoned for good', () => {
  const failure = { Error: 'Lambda.TooManyRequestsException', Cause: 'throttled' };
  const allAtOnce = (rolloutId: string, functionName: string): RolloutRequest =>
    request(rolloutId, functionName, 'allAtOnce') as RolloutRequest;

  it('records the rollout REJECTED when nothing was recorded, so a later delivery cannot start it', async () => {
    const ledger = new DynamoDbRolloutLedger(ledgerClient, LEDGER_TABLE_NAME);
    const abandoned = await abandonStart(
      ledger,
      allAtOnce('abandoned-1', 'abandoned'),
      'execution-a',
      failure,
      new Date(),
    );
    expect(abandoned?.facts).toMatchObject([
      {
        detailType: 'ServiceRolloutRejected',
        detail: { rolloutId: 'abandoned-1', reason: 'Lambda.TooManyRequestsException' },
      },
    ]);
    expect(await ledger.rollout('abandoned-1')).toMatchObject({
      status: 'REJECTED',
      executionId: 'execution-a',
    });
    await service('abandoned');
    const later = await startRollout(
      ledger,
      new LambdaAliasTraffic(lambda),
      new TaskAnswers(t.sfn),
      allAtOnce('abandoned-1', 'abandoned'),
      'execution-b',
      new Date(),
    );
    expect(later).toMatchObject({ status: 'REJECTED', reason: 'DuplicateRollout', facts: [] });
  });

  it("leaves another execution's rollout alone", async () => {
    const ledger = new DynamoDbRolloutLedger(ledgerClient, LEDGER_TABLE_NAME);
    await abandonStart(ledger, allAtOnce('owned-1', 'owned'), 'execution-a', failure, new Date());
    expect(
      await abandonStart(ledger, allAtOnce('owned-1', 'owned'), 'execution-b', failure, new Date()),
    ).toBeUndefined();
  });
});
