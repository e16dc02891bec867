/**
 * Work Baton does on a clock, declared once: an EventBridge schedule rule per entry in the cloud,
 * a timer in the embedded runtime (its period divided by `--time-scale`).
 */
import type { FunctionId } from './functions';

export interface Schedule {
  readonly id: string;
  readonly description: string;
  readonly everySeconds: number;
  readonly functionId: FunctionId;
  /**
   * The embedded runtime also runs it once as it starts (after ending what a crash left running):
   * a clock of minutes would leave the first minutes unchecked.
   */
  readonly runsAtStart?: boolean;
}

export const schedules: readonly Schedule[] = [
  {
    id: 'lease-expiry',
    description: 'Releases expired leases every minute',
    everySeconds: 60,
    functionId: 'expire-leases',
  },
  {
    id: 'reconciliation',
    description:
      'Recovers every record in flight whose execution is no longer running: the status-change event that should have recovered it was lost',
    everySeconds: 300,
    functionId: 'reconcile',
    runsAtStart: true,
  },
];
