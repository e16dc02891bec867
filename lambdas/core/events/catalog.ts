/**
 * Baton's public event contract v1: every detail-type, gathered from the modules of each aspect.
 *
 * Everything else is derived from here: the rule patterns (`lib/topology/routes.ts`), the JSON
 * Schema documents (`npm run catalog`) and the EventBridge schema registry entries. Handlers
 * import their own definitions directly, so their bundles carry only the schemas they use.
 */
import type * as z from 'zod/mini';
import * as allocationEvents from './allocation-events';
import * as executionEvents from './execution-events';
import * as inventoryEvents from './inventory-events';
import * as rejectionEvents from './rejection-events';
import * as rolloutEvents from './rollout-events';
import * as workloadEvents from './workload-events';

export { BATON_SOURCE, type EventDefinition, type EventOrigin } from './define-event';

export const events = {
  ...inventoryEvents,
  ...allocationEvents,
  ...workloadEvents,
  ...rolloutEvents,
  ...executionEvents,
  ...rejectionEvents,
};

export type EventName = keyof typeof events;
export type EventDetail<Name extends EventName> = z.output<(typeof events)[Name]['schema']>;
export type AnyEventDefinition = (typeof events)[EventName];

/** The definition for a detail-type string as it arrives on the bus, if Baton knows it. */
export function findEventByDetailType(detailType: string): AnyEventDefinition | undefined {
  return Object.values(events).find((event) => event.detailType === detailType);
}
