/**
 * The error names a workflow's `ErrorEquals` may use: the errors Baton's functions report (each
 * aspect's registry in `lambdas/core`), the errors a gate fails its task with, the AWS errors the
 * rollout tasks let through on purpose, and the errors Step Functions itself raises. A test holds
 * every file in `state-machines/` to this list, so a misspelt or renamed error fails it instead of
 * a Retry or Catch silently no longer matching.
 */
import { ALLOCATION_ERRORS } from '../../lambdas/core/allocation/errors';
import { SHARED_ERRORS } from '../../lambdas/core/errors';
import { GATE_ERRORS, LAMBDA_CONTROL_PLANE_ERRORS, ROLLOUT_ERRORS } from '../../lambdas/core/rollouts/errors';
import { WORKLOAD_ERRORS } from '../../lambdas/core/workloads/errors';

/** Every error class Baton's functions throw, by the name Lambda reports as its `errorType`. */
export const FUNCTION_ERRORS = {
  ...SHARED_ERRORS,
  ...ALLOCATION_ERRORS,
  ...WORKLOAD_ERRORS,
  ...ROLLOUT_ERRORS,
} as const;

/**
 * The errors Step Functions raises itself (`States.*`), and those of the service integrations
 * Baton's workflows use: a Lambda invocation's (`Lambda.*`) and a putEvents task's entry refused by
 * EventBridge (`EventBridge.FailedEntry`).
 */
const STEP_FUNCTIONS_ERRORS = [
  'States.ALL',
  'States.DataLimitExceeded',
  'States.HeartbeatTimeout',
  'States.IntrinsicFailure',
  'States.NoChoiceMatched',
  'States.ParameterPathFailure',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.Runtime',
  'States.TaskFailed',
  'States.Timeout',
  'Lambda.AWSLambdaException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.SdkClientException',
  'Lambda.ServiceException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'EventBridge.FailedEntry',
] as const;

export type WorkflowErrorName =
  | keyof typeof FUNCTION_ERRORS
  | (typeof GATE_ERRORS)[keyof typeof GATE_ERRORS]
  | (typeof LAMBDA_CONTROL_PLANE_ERRORS)[number]
  | (typeof STEP_FUNCTIONS_ERRORS)[number];

export const WORKFLOW_ERROR_NAMES: ReadonlySet<string> = new Set<WorkflowErrorName>([
  ...(Object.keys(FUNCTION_ERRORS) as (keyof typeof FUNCTION_ERRORS)[]),
  ...Object.values(GATE_ERRORS),
  ...LAMBDA_CONTROL_PLANE_ERRORS,
  ...STEP_FUNCTIONS_ERRORS,
]);
