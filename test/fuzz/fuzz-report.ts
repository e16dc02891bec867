/** A fuzz run's figures and failures as text, for `npm run fuzz` and a failing test. */
import type { FuzzReport } from './run-fuzz';

const FAILURES_SHOWN = 20;

export function formatReport(report: FuzzReport): string {
  const { families, outcomes, executions } = report;
  const lines = [
    `seed ${report.seed}: ${report.cases} cases in ${(report.durationMs / 1000).toFixed(1)} s ` +
      `(requests ${families.request}, events ${families.event}, workflow inputs ${families.workflow})`,
    `answers: 2xx ${outcomes['2xx']}, 4xx ${outcomes['4xx']}, 5xx ${outcomes['5xx']}, hangs ${outcomes.hang}, ` +
      `dropped ${outcomes.dropped}, not sent or abandoned ${outcomes.other}`,
    `executions judged ${executions.judged}: succeeded ${executions.succeeded}, failed with a named error ` +
      `${executions.failedNamed}, stopped at the end ${executions.stoppedAtEnd}`,
    `  ended by error: ${Object.entries(executions.errors)
      .sort(([, a], [, b]) => b - a)
      .map(([error, count]) => `${error} ${count}`)
      .join(', ')}`,
    `slowest answer ${Math.round(report.slowestAnswer.ms)} ms: ${report.slowestAnswer.case.slice(0, 300)}`,
    `runtime deaths ${report.runtimeDeaths}, failures ${report.failures.length}`,
    ...report.failures
      .slice(0, FAILURES_SHOWN)
      .map(
        (failure) =>
          `  ${failure.kind}${failure.caseIndex === undefined ? '' : ` (case ${failure.caseIndex}: --seed ${report.seed}, path ${failure.caseIndex})`}: ` +
          `${failure.message}${failure.case ? `\n    case: ${failure.case}` : ''}`,
      ),
    ...(report.failures.length > FAILURES_SHOWN
      ? [`  … and ${report.failures.length - FAILURES_SHOWN} more`]
      : []),
    ...(report.shrunk
      ? [`shrunk (path ${report.shrunk.path}): ${report.shrunk.problem}\n  case: ${report.shrunk.case}`]
      : []),
  ];
  return lines.join('\n');
}
