/**
 * The rollout aspect's named errors. Lambda reports an error's `name` as its `errorType`, which
 * the ASL's `Retry`/`Catch` clauses match: `ROLLOUT_ERRORS` registers each under that name, and a
 * test holds every workflow's `ErrorEquals` to the registries.
 */

/** Raised when a rollout that has ended is asked to go on: its record keeps the ending it had. */
export class RolloutEnded extends Error {
  override readonly name = 'RolloutEnded';
}

/** Raised when the alias's revision is not the one last seen: it was changed outside the rollout. */
export class AliasDrift extends Error {
  override readonly name = 'AliasDrift';
}

/** Raised when a pre- or post-traffic hook answers with an error: the rollout rolls back. */
export class HookFailed extends Error {
  override readonly name = 'HookFailed';
}

/** Raised while a superseded rollout still holds the alias: the workflow tries again shortly. */
export class RolloutLockHeld extends Error {
  override readonly name = 'RolloutLockHeld';
}

/** Raised when the alias no longer routes to the version the rollout started from: only an operator can sort that out. */
export class AliasTakenOver extends Error {
  override readonly name = 'AliasTakenOver';
}

/** Every error class of the aspect, by the name Lambda reports. */
export const ROLLOUT_ERRORS = {
  RolloutEnded,
  AliasDrift,
  HookFailed,
  RolloutLockHeld,
  AliasTakenOver,
} as const;

/**
 * The errors a gate fails its waiting task with (`SendTaskFailure`), by the signal that ends the
 * rollout; the workflow catches them to roll back. Names, not classes: no code throws them.
 */
export const GATE_ERRORS = { abort: 'RolloutAborted', alarm: 'AlarmFired', supersede: 'Superseded' } as const;

/** A signal that ends a rollout: a later pause, resume or promote must not overwrite one. */
export type EndingSignal = keyof typeof GATE_ERRORS;

export const ENDING_SIGNALS = Object.keys(GATE_ERRORS) as EndingSignal[];

/**
 * Errors of Lambda's control plane that the rollout tasks let through on purpose, as the SDK
 * names them: a throttled (`TooManyRequestsException`), contended (`ResourceConflictException`:
 * an alias update in progress) or failing (`ServiceException`) call outlasted the SDK's own
 * retries, and the workflow's Retry waits longer before the step is tried again. Mapping them to an
 * error of Baton's would add nothing a user could act on.
 */
export const LAMBDA_CONTROL_PLANE_ERRORS = [
  'TooManyRequestsException',
  'ResourceConflictException',
  'ServiceException',
] as const;
