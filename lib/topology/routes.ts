/**
 * Routes, declared once as data: which events start which function or workflow. The CDK stack
 * makes one EventBridge rule per route; the embedded bus matches the very same patterns.
 */
import {
  type AnyEventDefinition,
  BATON_SOURCE,
  type EventName,
  events,
} from '../../lambdas/core/events/catalog';
import type { EventPattern } from '../../lambdas/core/events/event-pattern';
import type { FunctionId } from './functions';

export type RouteTarget =
  /** The function receives the whole EventBridge event. */
  | { readonly kind: 'function'; readonly functionId: string }
  /** The workflow starts with the event's `detail` as its input. */
  | { readonly kind: 'workflow'; readonly workflowId: string };

export interface Route {
  /** Unique, kebab-case; the rule is named `baton-<stage>-<id>`. */
  readonly id: string;
  readonly description: string;
  /** Catalog names of the events that take this route; all of one origin. */
  readonly events: readonly EventName[];
  /** A pattern on the events' `detail` as well, when only some of them concern the target. */
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly target: RouteTarget;
}

function functionRoute(
  id: string,
  description: string,
  on: EventName[],
  functionId: FunctionId,
  detail?: Readonly<Record<string, unknown>>,
): Route {
  return {
    id,
    description,
    events: on,
    ...(detail ? { detail } : {}),
    target: { kind: 'function', functionId },
  };
}

function workflowRoute(id: string, description: string, on: EventName[], workflowId: string): Route {
  return { id, description, events: on, target: { kind: 'workflow', workflowId } };
}

export const routes: readonly Route[] = [
  functionRoute(
    'pool-declared',
    'ResourcePoolChanged → declare-pool',
    ['ResourcePoolChanged'],
    'declare-pool',
  ),
  functionRoute(
    'quota-declared',
    'TenantQuotaChanged → declare-quota',
    ['TenantQuotaChanged'],
    'declare-quota',
  ),
  workflowRoute(
    'allocation-requested',
    'ResourceAllocationRequested → allocate-resources',
    ['ResourceAllocationRequested'],
    'allocate-resources',
  ),
  workflowRoute(
    'release-requested',
    'ResourceReleaseRequested → release-resources',
    ['ResourceReleaseRequested'],
    'release-resources',
  ),
  workflowRoute(
    'rebalance-requested',
    'WorkloadRebalanceRequested → rebalance-workloads',
    ['WorkloadRebalanceRequested'],
    'rebalance-workloads',
  ),
  workflowRoute(
    'rollout-requested',
    'ServiceRolloutRequested → roll-out-service',
    ['ServiceRolloutRequested'],
    'roll-out-service',
  ),
  functionRoute(
    'workflow-request-checked',
    'ResourceAllocationRequested, ResourceReleaseRequested, WorkloadRebalanceRequested, ServiceRolloutRequested → reject-invalid-requests (RequestRejected)',
    [
      'ResourceAllocationRequested',
      'ResourceReleaseRequested',
      'WorkloadRebalanceRequested',
      'ServiceRolloutRequested',
    ],
    'reject-invalid-requests',
  ),
  functionRoute(
    'rollout-controlled',
    'ServiceRolloutControl → signal-rollout',
    ['ServiceRolloutControl'],
    'signal-rollout',
  ),
  functionRoute(
    'allocation-execution-ended',
    'Step Functions Execution Status Change of allocate-resources, ended abnormally (default bus) → recover-allocation',
    ['StepFunctionsExecutionStatusChange'],
    'recover-allocation',
    { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ suffix: '-allocate-resources' }] },
  ),
  functionRoute(
    'rollout-execution-ended',
    'Step Functions Execution Status Change of roll-out-service, ended abnormally (default bus) → recover-rollout',
    ['StepFunctionsExecutionStatusChange'],
    'recover-rollout',
    { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ suffix: '-roll-out-service' }] },
  ),
  functionRoute(
    'alarm-state-changed',
    'CloudWatch Alarm State Change (default bus) → signal-rollout',
    ['CloudWatchAlarmStateChange'],
    'signal-rollout',
  ),
  functionRoute(
    'workload-submitted',
    'WorkloadSubmitted → place-workload',
    ['WorkloadSubmitted'],
    'place-workload',
  ),
  functionRoute(
    'workload-removed',
    'WorkloadRemoved → remove-workload',
    ['WorkloadRemoved'],
    'remove-workload',
  ),
  functionRoute(
    'resources-changed',
    'ResourceAllocated, ResourceReleased, ResourceLeaseExpired, ResourcePoolUpdated → follow-resources',
    ['ResourceAllocated', 'ResourceReleased', 'ResourceLeaseExpired', 'ResourcePoolUpdated'],
    'follow-resources',
  ),
  functionRoute(
    'workload-move-completed',
    'WorkloadMoveCompleted → answer-workload-move',
    ['WorkloadMoveCompleted'],
    'answer-workload-move',
  ),
  functionRoute(
    'provision-completed',
    'ResourceProvisionCompleted → answer-provisioning',
    ['ResourceProvisionCompleted'],
    'answer-provisioning',
  ),
];

/**
 * The EventBridge pattern of a route, derived from the catalog. Requests are accepted from any
 * source but Baton's own, facts only from Baton, AWS events only from their AWS source.
 */
export function routePattern(route: Pick<Route, 'events' | 'detail'>): EventPattern {
  const definitions: AnyEventDefinition[] = route.events.map((name) => events[name]);
  const first = definitions[0];
  if (!first) throw new Error('a route needs at least one event');
  if (definitions.some((definition) => definition.origin !== first.origin)) {
    throw new Error(`a route's events must share one origin: ${route.events.join(', ')}`);
  }
  return {
    source: sourceFilter(first),
    'detail-type': definitions.map((definition) => definition.detailType),
    ...(route.detail ? { detail: route.detail } : {}),
  };
}

function sourceFilter(definition: AnyEventDefinition): unknown[] {
  switch (definition.origin) {
    case 'fact':
      return [BATON_SOURCE];
    case 'aws':
      return [definition.awsSource];
    case 'request':
      return [{ 'anything-but': [BATON_SOURCE] }];
  }
}
