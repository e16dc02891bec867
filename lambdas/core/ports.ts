/**
 * The small interfaces the domain needs from the outside world. Adapters in `lambdas/adapters`
 * implement them with the AWS SDK; tests may wrap them (e.g. to inject faults).
 */
import type { Fact } from './events/define-event';

export type { Fact };

export interface FactPublisher {
  publish(facts: readonly Fact[]): Promise<void>;
}
