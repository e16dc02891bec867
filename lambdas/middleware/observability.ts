/**
 * The Powertools instances every handler in a process shares, created once as Powertools
 * recommends: the Logger and the Metrics (EMF, namespace `Baton`) at module level, the Tracer
 * (X-Ray) on first use where tracing is on. Metrics and Tracer take the service name from
 * `POWERTOOLS_SERVICE_NAME` (`baton-<stage>`), so a stage's figures and traces are its own.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { METRIC_NAMESPACE, type MetricRecord } from '../metrics/metric-catalogue';
import { loadOnce } from './load-once';

/** Level from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: 'baton' });

export const metrics = new Metrics({ namespace: METRIC_NAMESPACE });

/**
 * The Tracer, loaded by the first invocation that traces: the X-Ray SDK under it is the heaviest
 * module a handler has (most of a cold start's module init when it was loaded at module level),
 * and nothing needs it before the handler runs. None outside Lambda (no `AWS_EXECUTION_ENV`) and
 * where `POWERTOOLS_TRACE_ENABLED=false`, as the embedded runtime sets it: the Tracer would trace
 * nothing there (its own rule), so it is not loaded at all.
 */
export const activeTracer: () => Promise<Tracer | undefined> = loadOnce(async () =>
  process.env.AWS_EXECUTION_ENV && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer()
    : undefined,
);

/**
 * Writes each record as its own EMF document at once: an EMF document gives each dimension one
 * value for all its metrics, and records differ in their dimensions' values (a pool, a reason).
 */
export function recordMetrics(records: readonly MetricRecord[]): void {
  for (const { metric, dimensions, value } of records) {
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(metric.name, metric.unit, value);
  }
}

/**
 * Records what `measure` reads (utilisation from the ledger); a measurement that fails is logged,
 * never the handler's failure: the change it measures is done.
 */
export async function recordMeasured(measure: () => Promise<readonly MetricRecord[]>): Promise<void> {
  let records: readonly MetricRecord[];
  try {
    records = await measure();
  } catch (error) {
    logger.warn('metrics not measured', {
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    return;
  }
  recordMetrics(records);
}
