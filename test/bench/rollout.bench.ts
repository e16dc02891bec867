/**
 * Rollouts end to end in the embedded runtime, through the real SDK clients against the
 * simulated Lambda fleet. (1) A 48-step linear rollout through `roll-out-service` at a strong
 * time scale: the state transitions (what Step Functions Standard bills), history events and
 * Lambda invocations it costs, read from its execution history — beside the aws-samples polling
 * alias shifter's design (`polling-alias-shifter.asl.json`) run for the same 48 steps in the same
 * runtime. (2) Alarm-to-rollback latency in real time (time scale 1): from the moment a
 * rollout's first step is seen to its `ServiceRolloutRolledBack` fact — beside a 60 s polling
 * gate, whose latency is derived, not waited for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import { publishedService } from '../e2e/rollout-setup';
import { percentile, report } from './report';

/** 100/48 % a step: 47 shifts below 100 %, then the final step to 100 %. */
const LINEAR_STEPS = 48;
const INTERVAL_SECONDS = 60;
/** A 60 s interval lasts 1 ms. */
const SCALED = 60_000;
const ROLLBACK_RUNS = 20;
/** Step Functions Standard: an execution's history holds at most this many events. */
const HISTORY_LIMIT = 25_000;
/** The polling shifter reads its alarms once per interval, here 60 s. */
const POLLING_INTERVAL_MS = INTERVAL_SECONDS * 1000;
/** The polling shifter's states that stand in for its Lambda tasks. */
const POLLING_LAMBDA_STAND_INS = new Set(['UpdateAliasWeight', 'CheckAlarms', 'FinalizeAlias', 'RollBack']);
const POLLING_SHIFTER = 'polling-alias-shifter';

const root = mkdtempSync(join(tmpdir(), 'baton-bench-rollout-'));
const workflows = [
  ...workflowsIn(productWorkflowDirectory),
  { id: POLLING_SHIFTER, file: join(import.meta.dirname, 'polling-alias-shifter.asl.json') },
];
let runtime: EmbeddedRuntime | undefined = await startEmbeddedRuntime({
  port: 0,
  dataDirectory: join(root, 'scaled'),
  timeScale: SCALED,
  workflows,
});
// The handlers' clients keep the endpoint they were given, so the real-time runtime reuses the port.
const config = {
  endpoint: runtime.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
};
const current = (): EmbeddedRuntime => {
  if (!runtime) throw new Error('no runtime is running');
  return runtime;
};
const eventBridge = new EventBridgeClient(config);
const sfn = new SFNClient(config);
const lambda = new LambdaClient(config);

/** Facts (source `baton`) awaited by detail type and rollout id. */
const factWaiters = new Map<string, (detail: Record<string, unknown>) => void>();
const factKey = (detailType: string, rolloutId: string, step?: number) =>
  `${detailType}|${rolloutId}|${step ?? ''}`;
const stepsCompleted = new Map<string, number>();
const listenForFacts = (target: EmbeddedRuntime) =>
  target.bus.subscribe((event: BusEvent) => {
    if (event.source !== 'baton') return;
    const detail = event.detail as Record<string, unknown>;
    const rolloutId = String(detail.rolloutId);
    const detailType = event['detail-type'];
    if (detailType === 'ServiceRolloutStepCompleted')
      stepsCompleted.set(rolloutId, (stepsCompleted.get(rolloutId) ?? 0) + 1);
    for (const key of [factKey(detailType, rolloutId), factKey(detailType, rolloutId, Number(detail.step))]) {
      factWaiters.get(key)?.(detail);
      factWaiters.delete(key);
    }
  });
const nextFact = (detailType: string, rolloutId: string, step?: number, timeoutMs = 30_000) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    const key = factKey(detailType, rolloutId, step);
    const timer = setTimeout(() => {
      factWaiters.delete(key);
      reject(new Error(`no ${detailType} for ${rolloutId} within ${timeoutMs} ms`));
    }, timeoutMs);
    factWaiters.set(key, (detail) => {
      clearTimeout(timer);
      resolve(detail);
    });
  });

const service = (name: string) => publishedService(lambda, name);

async function expectAlias(name: string, version: string): Promise<void> {
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  if (alias.FunctionVersion !== version || Object.keys(weights).length > 0) {
    throw new Error(
      `alias live of ${name} is on ${alias.FunctionVersion} with routing ${JSON.stringify(weights)}, not on ${version}`,
    );
  }
}

async function start(workflowId: string, input: object): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: current().engine.workflowArn(workflowId),
      input: JSON.stringify(input),
    }),
  );
  if (!executionArn) throw new Error(`${workflowId} did not start`);
  return executionArn;
}

async function finished(executionArn: string, timeoutMs = 60_000): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (description.status !== 'RUNNING') return description;
    if (Date.now() > deadline) throw new Error(`${executionArn} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts a workflow and waits for it to succeed; its wall time (ms) and full history. */
async function runToSuccess(workflowId: string, input: object) {
  const started = performance.now();
  const executionArn = await start(workflowId, input);
  const description = await finished(executionArn);
  const wallMs = performance.now() - started;
  if (description.status !== 'SUCCEEDED')
    throw new Error(`${workflowId} ended ${description.status}: ${description.error} ${description.cause}`);
  return { wallMs, output: JSON.parse(description.output ?? 'null'), events: await history(executionArn) };
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const statesEntered = (events: HistoryEvent[]) => events.filter((e) => e.type?.endsWith('StateEntered'));
const lambdaInvocations = (events: HistoryEvent[]) =>
  events.filter(
    (e) =>
      e.type === 'LambdaFunctionScheduled' ||
      (e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda'),
  ).length;

const linearRequest = (rolloutId: string, functionName: string) => ({
  rolloutId,
  functionName,
  alias: 'live',
  targetVersion: '2',
  strategy: { type: 'linear', stepPercent: 100 / LINEAR_STEPS, intervalSeconds: INTERVAL_SECONDS },
});
const pollingInput = {
  functionName: 'polling',
  alias: 'live',
  targetVersion: '2',
  shifts: LINEAR_STEPS - 1,
  stepPpm: Math.floor(1e6 / LINEAR_STEPS),
  intervalSeconds: INTERVAL_SECONDS,
  step: 0,
  weightPpm: 0,
};

try {
  let unsubscribe = listenForFacts(runtime);

  // 1. A 48-step linear rollout, after a warm-up rollout that loads every handler.
  await service('warm-linear');
  await runToSuccess('roll-out-service', {
    ...linearRequest('warm-linear-1', 'warm-linear'),
    strategy: 'linear:25:60',
  });
  await runToSuccess(POLLING_SHIFTER, { ...pollingInput, shifts: 3 });

  await service('linear48');
  const linear = await runToSuccess('roll-out-service', linearRequest('linear48-1', 'linear48'));
  if (linear.output?.status !== 'SUCCEEDED') throw new Error(`linear48 ended ${linear.output?.status}`);
  await expectAlias('linear48', '2');
  const linearSteps = stepsCompleted.get('linear48-1') ?? 0;
  if (linearSteps !== LINEAR_STEPS)
    throw new Error(`linear48 took ${linearSteps} steps, not ${LINEAR_STEPS}`);
  const linearTransitions = statesEntered(linear.events).length;
  report('rollout.linear48.steps', linearSteps, 'ServiceRolloutStepCompleted');
  report('rollout.linear48.transitions', linearTransitions, 'states entered');
  report('rollout.linear48.transitions_per_step', linearTransitions / linearSteps, 'states entered/step');
  report('rollout.linear48.history_events', linear.events.length, 'events');
  report('rollout.history_limit', HISTORY_LIMIT, 'events');
  report('rollout.linear48.lambda_invocations', lambdaInvocations(linear.events), 'invocations');
  report('rollout.linear48.wall_time', linear.wallMs, `ms (${INTERVAL_SECONDS} s intervals at 1/${SCALED})`);

  // Baseline: the polling shifter's design for the same 48 steps.
  const polling = await runToSuccess(POLLING_SHIFTER, pollingInput);
  const pollingEntered = statesEntered(polling.events);
  const enteredNamed = (names: ReadonlySet<string>) =>
    pollingEntered.filter((e) => names.has(e.stateEnteredEventDetails?.name ?? '')).length;
  const pollingSteps = enteredNamed(new Set(['UpdateAliasWeight', 'FinalizeAlias']));
  if (pollingSteps !== LINEAR_STEPS) throw new Error(`polling shifter took ${pollingSteps} steps`);
  report('baseline.polling_shifter.linear48.steps', pollingSteps, 'alias updates');
  report('baseline.polling_shifter.linear48.transitions', pollingEntered.length, 'states entered');
  report(
    'baseline.polling_shifter.linear48.transitions_per_step',
    pollingEntered.length / pollingSteps,
    'states entered/step',
  );
  report('baseline.polling_shifter.linear48.history_events', polling.events.length, 'events');
  report(
    'baseline.polling_shifter.linear48.lambda_invocations_modelled',
    enteredNamed(POLLING_LAMBDA_STAND_INS),
    'Pass states standing in for Lambda tasks',
  );
  // Its Pass stand-ins log no task events; a Lambda task adds TaskScheduled, TaskStarted, TaskSucceeded.
  report(
    'baseline.polling_shifter.linear48.history_events_with_lambda_tasks_derived',
    polling.events.length + 3 * enteredNamed(POLLING_LAMBDA_STAND_INS),
    'events (derived)',
  );
  report(
    'baseline.polling_shifter.linear48.wall_time',
    polling.wallMs,
    `ms (${INTERVAL_SECONDS} s intervals at 1/${SCALED})`,
  );

  // 2. Alarm to rollback in real time: the same port, time scale 1, a fresh data directory.
  const port = runtime.port;
  unsubscribe();
  const scaled = runtime;
  runtime = undefined;
  await scaled.close();
  runtime = await startEmbeddedRuntime({
    port,
    dataDirectory: join(root, 'real-time'),
    timeScale: 1,
    workflows,
  });
  unsubscribe = listenForFacts(runtime);

  const rollBackOnAlarm = async (name: string): Promise<number> => {
    await service(name);
    const rolloutId = `${name}-1`;
    const firstStep = nextFact('ServiceRolloutStepCompleted', rolloutId, 1);
    const rolledBack = nextFact('ServiceRolloutRolledBack', rolloutId);
    const executionArn = await start('roll-out-service', {
      rolloutId,
      functionName: name,
      alias: 'live',
      targetVersion: '2',
      strategy: 'canary:10:600000',
      alarms: [`${name}-errors`],
    });
    await firstStep;
    const alarmed = performance.now();
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.cloudwatch',
            DetailType: 'CloudWatch Alarm State Change',
            Detail: JSON.stringify({
              alarmName: `${name}-errors`,
              state: { value: 'ALARM', reason: 'Threshold Crossed: bench' },
              previousState: { value: 'OK' },
            }),
          },
        ],
      }),
    );
    const evidence = (await rolledBack).evidence as Record<string, unknown> | undefined;
    const latency = performance.now() - alarmed;
    if (evidence?.alarmName !== `${name}-errors`)
      throw new Error(`${rolloutId}: rolled back without the alarm`);
    await expectAlias(name, '1');
    const outcome = JSON.parse((await finished(executionArn)).output ?? 'null');
    if (outcome?.status !== 'ROLLED_BACK') throw new Error(`${rolloutId} ended ${outcome?.status}`);
    return latency;
  };
  await rollBackOnAlarm('warm-alarmed');
  const latencies: number[] = [];
  for (let i = 0; i < ROLLBACK_RUNS; i++) latencies.push(await rollBackOnAlarm(`alarmed-${i}`));
  report('rollout.alarm_to_rollback.runs', latencies.length, 'rollouts');
  report('rollout.alarm_to_rollback.p50', percentile(latencies, 50), 'ms');
  report('rollout.alarm_to_rollback.p99', percentile(latencies, 99), 'ms');
  report('rollout.alarm_to_rollback.max', Math.max(...latencies), 'ms');
  report(
    'baseline.polling_gate_60s.alarm_to_rollback.mean_derived',
    POLLING_INTERVAL_MS / 2,
    'ms (derived: alarm uniform within a 60 s poll)',
  );
  report(
    'baseline.polling_gate_60s.alarm_to_rollback.worst_derived',
    POLLING_INTERVAL_MS,
    'ms (derived: alarm just after a 60 s poll)',
  );
  unsubscribe();
} finally {
  eventBridge.destroy();
  sfn.destroy();
  lambda.destroy();
  await runtime?.close();
  rmSync(root, { recursive: true, force: true });
}
