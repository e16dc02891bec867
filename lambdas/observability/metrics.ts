/**
 * The Powertools Metrics (EMF, namespace `Baton`) every module of a handler's process shares,
 * created once at module level as Powertools recommends, and how records of the metric catalogue
 * are written to it. It takes the service name from `POWERTOOLS_SERVICE_NAME` (`baton-<stage>`),
 * so a stage's figures are its own.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, type MetricRecord } from '../metrics/metric-catalogue';
import { logger } from './logger';

export const metrics = new Metrics({ namespace: METRIC_NAMESPACE });

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
