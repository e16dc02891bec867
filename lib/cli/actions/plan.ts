/** What `baton plan` does, loaded when it runs (options and help: `../commands/plan.ts`). */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { watchExecution } from '../execution-watch';
import { print } from '../output';

export async function planRebalance(options: PlanOptions, command: Command) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = connect(global);
  const request = {
    ...(options.tenant ? { scope: { tenantId: options.tenant } } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.maxMoves ? { maxMoves: options.maxMoves } : {}),
    ...(options.budget ? { disruptionBudget: options.budget } : {}),
    dryRun: !options.apply,
  };
  const { executionArn } = await connection.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: await connection.stateMachineArn('rebalance-workloads'),
      input: JSON.stringify(request),
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  const result = await watchExecution(connection.sfn, executionArn, () => {});
  if (result.status !== 'SUCCEEDED') {
    process.exitCode = 1;
    print(
      global,
      { executionArn, status: result.status, error: result.error, cause: result.cause },
      `${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`,
    );
    return;
  }
  const report = JSON.parse(result.output ?? '{}') as {
    status: string;
    moves: ReportedMove[];
    metrics: Record<string, number>;
    explanation: string;
  };
  print(
    global,
    { executionArn, ...report },
    [
      `${report.status} (${executionArn})`,
      report.explanation,
      `metrics: ${Object.entries(report.metrics)
        .map(([name, value]) => `${name} ${Number(value.toFixed(3))}`)
        .join(', ')}`,
      `moves (${report.moves.length})`,
      ...report.moves.map(
        (move) =>
          `  ${move.workloadId.padEnd(20)} ${move.from} → ${move.to}  ${move.reason}${
            move.outcome ? `  [${move.outcome}${move.why ? `: ${move.why}` : ''}]` : ''
          }`,
      ),
    ].join('\n'),
  );
}

interface PlanOptions {
  strategy?: string;
  maxMoves?: number;
  budget?: number;
  tenant?: string;
  apply?: boolean;
}

interface ReportedMove {
  workloadId: string;
  from: string;
  to: string;
  reason: string;
  outcome?: string;
  why?: string;
}
