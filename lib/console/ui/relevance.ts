/**
 * Which bus events make which page reload. By detail-type prefix per aspect rather than a copy of
 * each name: the catalog (zod schemas) is not bundled into the page, and a new fact of an aspect
 * is picked up without an edit here. An execution's status change concerns every page: against a
 * deployed stage it is the only news there is (the stage's bus cannot be read from outside).
 */
import type { ConsoleEvent } from '../console-api';

const EXECUTION_STATUS_SOURCE = 'aws.states';

const startsWith = (event: ConsoleEvent, prefixes: readonly string[]) =>
  event.source === EXECUTION_STATUS_SOURCE ||
  prefixes.some((prefix) => event['detail-type'].startsWith(prefix));

export const concernsCapacity = (event: ConsoleEvent) => startsWith(event, ['Resource', 'TenantQuota']);

/** Workloads live on allocated resources: a resource's change changes the map too. */
export const concernsWorkloads = (event: ConsoleEvent) => startsWith(event, ['Workload', 'Resource']);

/** Rollout facts, and the alarm changes that gate them. */
export const concernsRollouts = (event: ConsoleEvent) =>
  startsWith(event, ['ServiceRollout']) || event.source === 'aws.cloudwatch';

/** An execution ends with a status change (source `aws.states`); requests (any source but Baton's) start one. */
export const concernsExecutions = (event: ConsoleEvent) => event.source !== 'baton';

export const concernsAnything = () => true;
