/**
 * The Powertools instances every handler in a process shares, created once at module level as
 * Powertools recommends: the Logger, the Metrics (EMF, namespace `Baton`) and the Tracer (X-Ray).
 * Metrics and Tracer take the service name from `POWERTOOLS_SERVICE_NAME` (`baton-<stage>`), so a
 * stage's figures and traces are its own.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRIC_NAMESPACE, type MetricRecord } from '../metrics/metric-catalogue';

/** Level from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: 'baton' });

export const metrics = new Metrics({ namespace: METRIC_NAMESPACE });

/**
 * Off outside Lambda (no `AWS_EXECUTION_ENV`) and where `POWERTOOLS_TRACE_ENABLED=false`, as
 * the embedded runtime sets it: then it captures nothing and sends nothing.
 */
export const tracer = new Tracer();

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
