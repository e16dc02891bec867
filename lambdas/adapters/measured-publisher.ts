/**
 * A fact publisher that counts what went out: after each publish, the metrics of the facts
 * published (all of them, or those a partial failure names as published) are recorded.
 */
import type { Fact, FactPublisher, PartlyPublished } from '../core/ports';
import { factMetrics } from '../metrics/fact-metrics';
import type { MetricRecord } from '../metrics/metric-catalogue';

export class MeasuredPublisher implements FactPublisher {
  constructor(
    private readonly publisher: FactPublisher,
    private readonly record: (records: readonly MetricRecord[]) => void,
  ) {}

  async publish(facts: readonly Fact[]): Promise<void> {
    try {
      await this.publisher.publish(facts);
    } catch (error) {
      const published = (error as Partial<PartlyPublished>).published;
      if (published) this.record(factMetrics(published, new Date()));
      throw error;
    }
    this.record(factMetrics(facts, new Date()));
  }
}
