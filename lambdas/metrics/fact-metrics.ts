/**
 * What the facts Baton announces count for: every outcome the metrics follow is announced as a
 * fact, whichever handler reached it (a decision, a retry, the reconciler's recovery), so metrics
 * are read from the facts that went out — one place, and the domain core knows nothing of them.
 * A fact goes out at least once: one announced twice (rare, see the README) counts twice.
 */
import { ResourceAllocated, ResourceAllocationRejected } from '../core/events/allocation-events';
import type { Fact } from '../core/events/define-event';
import {
  ServiceRolloutFailed,
  ServiceRolloutRejected,
  ServiceRolloutRolledBack,
  ServiceRolloutSucceeded,
} from '../core/events/rollout-events';
import { WorkloadPlaced, WorkloadsRebalanced, WorkloadUnschedulable } from '../core/events/workload-events';
import { GATE_ERRORS } from '../core/rollouts/errors';
import type { AlarmEvidence } from '../core/rollouts/rollout-signals';
import { batonMetrics, type MetricRecord, metricRecord } from './metric-catalogue';

type Detail = Readonly<Record<string, unknown>>;

const rolloutOutcomes: Readonly<Record<string, string>> = {
  [ServiceRolloutSucceeded.detailType]: 'Succeeded',
  [ServiceRolloutFailed.detailType]: 'Failed',
  [ServiceRolloutRejected.detailType]: 'Rejected',
};

/** The metric records of the facts that went out at `now`. */
export function factMetrics(facts: readonly Fact[], now: Date): MetricRecord[] {
  return facts.flatMap((fact) => recordsOf(fact.detailType, (fact.detail ?? {}) as Detail, now));
}

function recordsOf(detailType: string, detail: Detail, now: Date): MetricRecord[] {
  switch (detailType) {
    case ResourceAllocated.detailType:
      return [metricRecord(batonMetrics.allocations, { outcome: 'Allocated', reason: 'None' }, 1)];
    case ResourceAllocationRejected.detailType:
      return [
        metricRecord(batonMetrics.allocations, { outcome: 'Rejected', reason: String(detail.reason) }, 1),
      ];
    case WorkloadPlaced.detailType:
      return [metricRecord(batonMetrics.workloadsPlaced, {}, 1)];
    case WorkloadUnschedulable.detailType:
      return [metricRecord(batonMetrics.workloadsUnschedulable, {}, 1)];
    case WorkloadsRebalanced.detailType:
      return detail.dryRun === true ? [] : moveRecords((detail.metrics ?? {}) as Detail);
    case ServiceRolloutRolledBack.detailType:
      return rollbackRecords(detail, now);
    default: {
      const outcome = rolloutOutcomes[detailType];
      return outcome ? [metricRecord(batonMetrics.rollouts, { outcome }, 1)] : [];
    }
  }
}

/** An applied rebalance reports how many of its moves went which way. */
function moveRecords(figures: Detail): MetricRecord[] {
  const outcomes = {
    Moved: figures.movesApplied,
    Failed: figures.movesFailed,
    Skipped: figures.movesSkipped,
  };
  return Object.entries(outcomes).flatMap(([outcome, count]) =>
    typeof count === 'number' && count > 0
      ? [metricRecord(batonMetrics.workloadMoves, { outcome }, count)]
      : [],
  );
}

/** A rollback (an abort's too); one an alarm caused also measures how long the alarm waited for it. */
function rollbackRecords(detail: Detail, now: Date): MetricRecord[] {
  const outcome = detail.reason === GATE_ERRORS.abort ? 'Aborted' : 'RolledBack';
  const records = [metricRecord(batonMetrics.rollouts, { outcome }, 1)];
  const evidence = (detail.evidence ?? {}) as Partial<AlarmEvidence>;
  const alarmAt = Date.parse(String(evidence.alarmChangedAt));
  if (detail.reason === GATE_ERRORS.alarm && Number.isFinite(alarmAt)) {
    // A clock a little ahead of the alarm's is not a negative wait.
    records.push(metricRecord(batonMetrics.alarmToRollback, {}, Math.max(0, now.getTime() - alarmAt)));
  }
  return records;
}
