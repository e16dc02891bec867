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
}

export const schedules: readonly Schedule[] = [
  {
    id: 'lease-expiry',
    description: 'Releases expired leases every minute',
    everySeconds: 60,
    functionId: 'expire-leases',
  },
];
