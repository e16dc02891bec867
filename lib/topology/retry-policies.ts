/**
 * The retry policies of Baton's workflows, each declared once with why. Every `Retry` entry in
 * `state-machines/` follows one of them: the same timing, and errors among the policy's (a task
 * lists those it can meet: a task that publishes no fact leaves `FactPublishFailed` out). The ASL
 * files keep their Retry blocks written out — they stay whole, readable on their own in the AWS
 * console and deployable as they are — and a test holds each block to its policy.
 */
import { LAMBDA_CONTROL_PLANE_ERRORS } from '../../lambdas/core/rollouts/errors';
import type { WorkflowErrorName } from './workflow-errors';

export interface RetryPolicy {
  /** The errors a Retry following the policy may list. */
  readonly errors: readonly WorkflowErrorName[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly JitterStrategy?: 'FULL';
}

/** A Lambda invocation that failed in Lambda's service rather than in the function: AWS's advice is to retry it. */
const LAMBDA_INVOKE_FAULTS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const satisfies readonly WorkflowErrorName[];

/** Three tries within seconds, jittered so that a burst of executions does not retry in step. */
const BRIEF_BACKOFF = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' } as const;

export const RETRY_POLICIES = {
  /**
   * A failure that leaves nothing half-done, so trying the task again is safe: Lambda's service
   * faults, facts that did not all go out (the retry announces the rest), a saga or a release
   * interrupted by the store (what was held has been given back, or the release finishes when
   * called again).
   */
  transientFailure: {
    errors: [...LAMBDA_INVOKE_FAULTS, 'FactPublishFailed', 'AllocationInterrupted', 'ReleaseInterrupted'],
    ...BRIEF_BACKOFF,
  },
  /** EventBridge refused an entry of a putEvents task (throttled, or failing inside). */
  refusedEntry: { errors: ['EventBridge.FailedEntry'], ...BRIEF_BACKOFF },
  /**
   * A rollout's tasks call Lambda's control plane, which throttles and refuses concurrent alias
   * updates: six tries, backing off for up to about half a minute.
   */
  rolloutControlPlane: {
    errors: [...LAMBDA_INVOKE_FAULTS, ...LAMBDA_CONTROL_PLANE_ERRORS, 'FactPublishFailed'],
    IntervalSeconds: 1,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
  /**
   * A duplicate delivery waits for the first one's outcome: every 15 s for two and a half minutes,
   * past the age at which a claim whose delivery died is taken over.
   */
  requestInProgress: { errors: ['RequestInProgress'], IntervalSeconds: 15, MaxAttempts: 10, BackoffRate: 1 },
  /** A superseding rollout waits for the rollout it replaces to roll back and let the alias go. */
  rolloutLockHeld: { errors: ['RolloutLockHeld'], IntervalSeconds: 2, MaxAttempts: 30, BackoffRate: 1.2 },
  /**
   * The tasks that settle a workload move (finish it, or put it back) must end whatever failed: a
   * move left unsettled holds its target's room.
   */
  settleMove: {
    errors: ['States.ALL'],
    IntervalSeconds: 1,
    MaxAttempts: 4,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
} as const satisfies Record<string, RetryPolicy>;

export type RetryPolicyName = keyof typeof RETRY_POLICIES;
