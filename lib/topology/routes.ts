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
import type { EventPattern } from '../embedded/event-pattern/event-pattern';
import type { FunctionId } from './functions';
import { batonName } from './resource-names';

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
  /**
   * For AWS's execution status changes: only those of this workflow's executions in the route's
   * own stage. Every stage in an account hears them all on the default bus.
   */
  readonly executionsOf?: string;
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

/** An execution of one of this stage's workflows ended abnormally: the function recovers what it left. */
function executionEndedRoute(id: string, workflowId: string, functionId: FunctionId): Route {
  return {
    id,
    description: `Step Functions Execution Status Change of this stage's ${workflowId}, ended abnormally (default bus) → ${functionId}`,
    events: ['StepFunctionsExecutionStatusChange'],
    detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    executionsOf: workflowId,
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
  executionEndedRoute('allocation-execution-ended', 'allocate-resources', 'recover-allocation'),
  executionEndedRoute('rollout-execution-ended', 'roll-out-service', 'recover-rollout'),
  executionEndedRoute('rebalance-execution-ended', 'rebalance-workloads', 'recover-rebalance'),
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
 * The EventBridge pattern of a route in a stage, derived from the catalog. Requests are accepted
 * from any source but Baton's own, facts only from Baton, AWS events only from their AWS source;
 * execution status changes only from the stage's own state machine (its ARN ends with its name,
 * and the default bus of an account and region carries only that account's and region's).
 */
export function routePattern(
  route: Pick<Route, 'events' | 'detail' | 'executionsOf'>,
  stage: string,
): EventPattern {
  const definitions: AnyEventDefinition[] = route.events.map((name) => events[name]);
  const first = definitions[0];
  if (!first) throw new Error('a route needs at least one event');
  if (definitions.some((definition) => definition.origin !== first.origin)) {
    throw new Error(`a route's events must share one origin: ${route.events.join(', ')}`);
  }
  const detail = {
    ...route.detail,
    ...(route.executionsOf
      ? { stateMachineArn: [{ suffix: `:stateMachine:${batonName(stage, route.executionsOf)}` }] }
      : {}),
  };
  return {
    source: sourceFilter(first),
    'detail-type': definitions.map((definition) => definition.detailType),
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
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
