/**
 * Every metric Baton's handlers emit (CloudWatch EMF, namespace `Baton`): its name, unit and
 * dimensions, named once here so that the handlers that record them and the dashboard that draws
 * them cannot disagree. No Powertools here: the CDK app imports it too.
 *
 * Dimensions stay few-valued (outcomes, reasons, pools, tenants, resource dimensions), never a
 * request's or an allocation's id: each distinct combination is a metric CloudWatch bills for.
 * Every metric also carries `service` (`baton-<stage>`), so that stages sharing an account keep
 * their figures apart.
 */

export const METRIC_NAMESPACE = 'Baton';
/** Powertools' default dimension, set from `POWERTOOLS_SERVICE_NAME`. */
export const SERVICE_DIMENSION = 'service';

/** Units as CloudWatch (and Powertools' `MetricUnit`) spell them. */
export type MetricUnitName = 'Count' | 'Percent' | 'Milliseconds';

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnitName;
  /** Its dimensions besides `service`, in the order the dashboard's searches name them. */
  readonly dimensions: readonly string[];
  /** How the dashboard sums it up over a period. */
  readonly statistic: 'Sum' | 'Maximum' | 'Average';
  readonly description: string;
}

function metric<const Dimensions extends readonly string[]>(
  definition: MetricDefinition & { readonly dimensions: Dimensions },
): MetricDefinition & { readonly dimensions: Dimensions } {
  return definition;
}

export const batonMetrics = {
  allocations: metric({
    name: 'Allocations',
    unit: 'Count',
    dimensions: ['outcome', 'reason'],
    statistic: 'Sum',
    description:
      'Allocation requests decided, by outcome (Allocated, Rejected) and reason (None when allocated).',
  }),
  poolUtilisation: metric({
    name: 'PoolUtilisation',
    unit: 'Percent',
    dimensions: ['poolId', 'dimension'],
    statistic: 'Maximum',
    description:
      "A pool's share of its capacity in use, per capacity dimension, after an allocation or a release.",
  }),
  quotaUtilisation: metric({
    name: 'QuotaUtilisation',
    unit: 'Percent',
    dimensions: ['tenantId', 'dimension'],
    statistic: 'Maximum',
    description: "A tenant's share of its quota in use, per dimension, after an allocation or a release.",
  }),
  workloadsPlaced: metric({
    name: 'WorkloadsPlaced',
    unit: 'Count',
    dimensions: [],
    statistic: 'Sum',
    description: 'Workloads placed on a resource (on submission, when room appeared, after an evacuation).',
  }),
  workloadsUnschedulable: metric({
    name: 'WorkloadsUnschedulable',
    unit: 'Count',
    dimensions: [],
    statistic: 'Sum',
    description: 'Workloads announced unschedulable (kept pending with their reasons).',
  }),
  workloadMoves: metric({
    name: 'WorkloadMoves',
    unit: 'Count',
    dimensions: ['outcome'],
    statistic: 'Sum',
    description: 'Moves of applied rebalances, by outcome (Moved, Failed, Skipped).',
  }),
  rollouts: metric({
    name: 'Rollouts',
    unit: 'Count',
    dimensions: ['outcome'],
    statistic: 'Sum',
    description: 'Rollouts ended, by outcome (Succeeded, RolledBack, Failed, Rejected).',
  }),
  alarmToRollback: metric({
    name: 'AlarmToRollbackLatency',
    unit: 'Milliseconds',
    dimensions: [],
    statistic: 'Maximum',
    description: "From an alarm's state change to ALARM to the announcement of the rollback it caused.",
  }),
} as const;

export type BatonMetric = (typeof batonMetrics)[keyof typeof batonMetrics];

/** One value to record: the metric, its dimensions' values (all of them), the value. */
export interface MetricRecord {
  readonly metric: BatonMetric;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A record of `metric`, its dimensions typed by the catalogue. */
export function metricRecord<Metric extends BatonMetric>(
  metric: Metric,
  dimensions: Readonly<Record<Metric['dimensions'][number], string>>,
  value: number,
): MetricRecord {
  return { metric, dimensions, value };
}
