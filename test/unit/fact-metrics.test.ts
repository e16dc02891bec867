/** What each fact counts for in the metrics: outcomes, reasons, moves, and the alarm's wait for its rollback. */
import { describe, expect, it } from 'vitest';
import { fact } from '../../lambdas/core/events/define-event';
import { ServiceRolloutRolledBack } from '../../lambdas/core/events/rollout-events';
import { WorkloadsRebalanced } from '../../lambdas/core/events/workload-events';
import { factMetrics } from '../../lambdas/metrics/fact-metrics';

const figures = (records: ReturnType<typeof factMetrics>) =>
  records.map(({ metric, dimensions, value }) => ({ name: metric.name, dimensions, value }));

const rolledBack = (reason: string, evidence: Record<string, unknown>) =>
  fact(ServiceRolloutRolledBack, {
    rolloutId: 'r-1',
    functionName: 'checkout',
    alias: 'live',
    fromVersion: '1',
    reason,
    evidence,
  });

describe('factMetrics', () => {
  it('measures an alarm rollback from the alarm state change to its announcement', () => {
    const now = new Date('2026-12-01T10:00:03.250Z');
    const records = factMetrics(
      [
        rolledBack('AlarmFired', {
          alarmName: 'errors',
          alarmChangedAt: '2026-12-01T10:00:00Z',
          stepReached: 1,
        }),
      ],
      now,
    );
    expect(figures(records)).toEqual([
      { name: 'Rollouts', dimensions: { outcome: 'RolledBack' }, value: 1 },
      { name: 'AlarmToRollbackLatency', dimensions: {}, value: 3250 },
    ]);
  });

  it('counts an abort as Aborted, with no latency, and a rollback with no alarm time without one', () => {
    const now = new Date();
    expect(figures(factMetrics([rolledBack('RolloutAborted', {})], now))).toEqual([
      { name: 'Rollouts', dimensions: { outcome: 'Aborted' }, value: 1 },
    ]);
    expect(figures(factMetrics([rolledBack('AlarmFired', { alarmName: 'errors' })], now))).toEqual([
      { name: 'Rollouts', dimensions: { outcome: 'RolledBack' }, value: 1 },
    ]);
  });

  it('counts the moves of an applied rebalance by outcome, and nothing for a dry run', () => {
    const rebalanced = (dryRun: boolean) =>
      fact(WorkloadsRebalanced, {
        dryRun,
        moves: 3,
        failedMoves: 1,
        metrics: { movesApplied: 3, movesFailed: 1, movesSkipped: 0, peakUtilisationBefore: 0.9 },
      });
    expect(figures(factMetrics([rebalanced(false)], new Date()))).toEqual([
      { name: 'WorkloadMoves', dimensions: { outcome: 'Moved' }, value: 3 },
      { name: 'WorkloadMoves', dimensions: { outcome: 'Failed' }, value: 1 },
    ]);
    expect(factMetrics([rebalanced(true)], new Date())).toEqual([]);
  });
});
