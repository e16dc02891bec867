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

/**
 * A ledger item that does not have its entity's shape (a hand edit, a bug in a writer, an item of
 * an older layout): read at the adapter boundary, it is refused rather than trusted. The message
 * names the item's key, the entity it should be, and what is wrong with it.
 */
export class LedgerItemMalformed extends Error {
  override readonly name = 'LedgerItemMalformed';

  constructor(
    readonly key: string,
    readonly entity: string,
    readonly problems: readonly string[],
  ) {
    super(`ledger item ${key} is not a well-formed ${entity}: ${problems.join('; ')}`);
  }
}

/** Every shared error, by the name Lambda reports. */
export const SHARED_ERRORS = {
  InvalidRequest,
  FactPublishFailed,
  ReconciliationIncomplete,
  UnexpectedEvent,
  InvalidEnvironment,
  LedgerItemMalformed,
} as const;
