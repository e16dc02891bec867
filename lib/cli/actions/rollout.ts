/** What `baton rollout` does, loaded when it runs (options and help: `../commands/rollout.ts`). */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { ledgerKeys } from '../../../lambdas/adapters/ledger-keys';
import type { RolloutRecord } from '../../../lambdas/core/rollouts/rollout';
import { type Connection, type ConnectionOptions, connect } from '../connection';
import { print, printLine } from '../output';

const CONTROLS = ['pause', 'resume', 'promote', 'abort'] as const;
const POLL_INTERVAL_MS = 200;

export async function rollOut(
  target: string,
  rolloutId: string | undefined,
  options: StartOptions,
  command: Command,
) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = connect(global);
  if (target === 'status' || (CONTROLS as readonly string[]).includes(target)) {
    if (!rolloutId) command.error(`baton rollout ${target} needs a rolloutId`);
    if (target === 'status') await showStatus(connection, global, rolloutId);
    else await sendControl(connection, global, rolloutId, target);
    return;
  }
  if (!options.to) command.error('baton rollout <function> needs --to <version>');
  await startAndWatch(connection, global, target, options);
}

interface StartOptions {
  alias: string;
  to: string;
  strategy: string;
  alarm: string[];
  id?: string;
  supersede?: boolean;
  preTraffic?: string;
  postTraffic?: string;
}

async function startAndWatch(
  connection: Connection,
  global: { json?: boolean },
  functionName: string,
  options: StartOptions,
) {
  const rolloutId = options.id ?? `${functionName}-${options.to}-${Date.now().toString(36)}`;
  const request = {
    rolloutId,
    functionName,
    alias: options.alias,
    targetVersion: options.to,
    strategy: options.strategy,
    ...(options.alarm.length > 0 ? { alarms: options.alarm } : {}),
    ...(options.preTraffic || options.postTraffic
      ? { hooks: { preTraffic: options.preTraffic, postTraffic: options.postTraffic } }
      : {}),
    ...(options.supersede ? { onConflict: 'supersede' } : {}),
  };
  const { executionArn } = await connection.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: await connection.stateMachineArn('roll-out-service'),
      input: JSON.stringify(request),
    }),
  );
  printLine(global, { rolloutId, executionArn }, `rollout ${rolloutId} started (${executionArn})`);
  let shown = '';
  for (;;) {
    const record = await rolloutRecord(connection, rolloutId);
    const line = record ? progress(record) : '';
    if (line && line !== shown) {
      printLine(global, record, line);
      shown = line;
    }
    const execution = await connection.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      const output = execution.output ? JSON.parse(execution.output) : undefined;
      if (execution.status !== 'SUCCEEDED' || output?.status !== 'SUCCEEDED') process.exitCode = 1;
      print(
        global,
        { status: execution.status, output, error: execution.error, cause: execution.cause },
        output
          ? `${output.status}${output.reason ? ` (${output.reason})` : ''}${output.explanation ? `: ${output.explanation}` : ''}`
          : `${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function showStatus(connection: Connection, global: { json?: boolean }, rolloutId: string) {
  const record = await rolloutRecord(connection, rolloutId);
  if (!record) {
    process.exitCode = 1;
    print(global, { error: 'UnknownRollout', rolloutId }, `no rollout ${rolloutId}`);
    return;
  }
  print(global, record, progress(record));
}

async function sendControl(
  connection: Connection,
  global: { json?: boolean },
  rolloutId: string,
  action: string,
) {
  const response = await connection.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: connection.busName,
          Source: 'baton.cli',
          DetailType: 'ServiceRolloutControl',
          Detail: JSON.stringify({ rolloutId, action }),
        },
      ],
    }),
  );
  const entry = response.Entries?.[0];
  if (entry?.ErrorCode) process.exitCode = 1;
  print(
    global,
    { rolloutId, action, eventId: entry?.EventId, error: entry?.ErrorCode },
    entry?.ErrorCode
      ? `${entry.ErrorCode}: ${entry.ErrorMessage}`
      : `${action} sent to rollout ${rolloutId} (a refusal comes back as RequestRejected: baton events --type RequestRejected)`,
  );
}

async function rolloutRecord(connection: Connection, rolloutId: string): Promise<RolloutRecord | undefined> {
  const { Item } = await connection.ledger.send(
    new GetCommand({
      TableName: connection.ledgerTableName(),
      Key: ledgerKeys.rollout(rolloutId),
      ConsistentRead: true,
    }),
  );
  return Item as RolloutRecord | undefined;
}

/** `checkout live 41→42 RUNNING step 1/2: 42 at 10 % (41 at 90 %), baking 300 s`, or where a rollback left it. */
function progress(record: RolloutRecord): string {
  const percent = Math.round(record.weight * 1000) / 10;
  const prefix = `${record.functionName} ${record.alias} ${record.fromVersion}→${record.toVersion} ${record.status}`;
  if (record.status === 'ROLLED_BACK' || record.status === 'ABORTED') {
    return `${prefix}: back on ${record.fromVersion} (it reached step ${record.step}/${record.steps.length}, ${record.toVersion} at ${percent} %) [${record.reason}]`;
  }
  const weights =
    record.weight >= 1
      ? `${record.toVersion} at 100 %`
      : `${record.toVersion} at ${percent} % (${record.fromVersion} at ${Math.round((100 - percent) * 10) / 10} %)`;
  const gate =
    record.gate?.kind === 'bake'
      ? `, baking ${record.bakeSeconds} s (an alarm or a control ends it early)`
      : record.gate?.kind === 'pause'
        ? ', paused: resume, promote or abort'
        : '';
  return `${prefix} step ${record.step}/${record.steps.length}: ${weights}${gate}${record.reason ? ` [${record.reason}]` : ''}`;
}
