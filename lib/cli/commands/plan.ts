/**
 * `baton plan`: a rebalance plan with its explanation, as the `rebalance-workloads` workflow
 * makes it — a dry run by default, applied wave by wave with `--apply`.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { watchExecution } from '../execution-watch';
import { positiveInteger } from '../option-parsers';
import { print } from '../output';

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

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('plan a workload rebalance and explain it (a dry run unless --apply)')
    .option(
      '--strategy <spread|binpack>',
      'lower the peak utilisation (spread) or free resources (binpack)',
      strategy,
    )
    .option('--max-moves <n>', 'the most moves the plan may make (default 50)', positiveInteger)
    .option('--budget <n>', 'the disruption budget: moves in flight at once (default 10)', positiveInteger)
    .option('--tenant <id>', "only this tenant's workloads")
    .option('--apply', 'apply the plan: move the workloads, wave by wave')
    .action(async (options: PlanOptions, command: Command) => {
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
    });
}

function strategy(value: string): string {
  if (value !== 'spread' && value !== 'binpack') throw new InvalidArgumentError('expected spread or binpack');
  return value;
}
