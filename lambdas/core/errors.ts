/**
 * Named errors shared by every aspect (each aspect has its own registry too: `allocation/errors.ts`,
 * `workloads/errors.ts`, `rollouts/errors.ts`). Lambda reports an error's name as its `errorType`,
 * which is what ASL `Retry`/`Catch` clauses match and what a user reads; a test holds every
 * workflow's `ErrorEquals` to the registries.
 */
import type { Fact, PartlyPublished } from './ports';

/** The input cannot be acted on; the message says what to fix. Nothing was written. */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}

/**
 * Raised by a fact publisher when some facts could not be announced; the message names them and
 * why, `published` holds the ones that went out (a caller that notes what it announced notes those).
 * The workflows retry it and the bus redelivers it.
 */
export class FactPublishFailed extends Error implements PartlyPublished {
  override readonly name = 'FactPublishFailed';
  constructor(
    message: string,
    readonly published: readonly Fact[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Raised when some orphans could not be recovered this time: the next run tries again. */
export class ReconciliationIncomplete extends Error {
  override readonly name = 'ReconciliationIncomplete';
}

/** Raised when a rule delivers an event the handler was not built for: a routing fault. */
export class UnexpectedEvent extends Error {
  override readonly name = 'UnexpectedEvent';
}

/** Thrown at cold start when a function is deployed with a missing or malformed variable. */
export class InvalidEnvironment extends Error {
  override readonly name = 'InvalidEnvironment';
}

/** Every shared error, by the name Lambda reports. */
export const SHARED_ERRORS = {
  InvalidRequest,
  FactPublishFailed,
  ReconciliationIncomplete,
  UnexpectedEvent,
  InvalidEnvironment,
} as const;
