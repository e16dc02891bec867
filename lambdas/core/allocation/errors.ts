/**
 * The allocation aspect's named errors. Lambda reports an error's `name` as its `errorType`, which
 * the ASL's `Retry`/`Catch` clauses match: `ALLOCATION_ERRORS` registers each under that name, and
 * a test holds every workflow's `ErrorEquals` to the registries.
 */

/** Raised when the ledger failed mid-saga; what was reserved has been returned. */
export class AllocationInterrupted extends Error {
  override readonly name = 'AllocationInterrupted';
}

/**
 * Raised when recording the outcome failed and reading it back failed too: whether the outcome was
 * recorded is unknown, so nothing is given back and the claim is kept. If it was recorded, the
 * next delivery reads it; if not, the next delivery takes the claim over once stale and undoes the
 * attempt then. Reported as `AllocationInterrupted`: the workflow retries it the same way.
 */
export class OutcomeUnknown extends AllocationInterrupted {}

/** Raised when a duplicate delivery found the first one still running past the wait. */
export class RequestInProgress extends Error {
  override readonly name = 'RequestInProgress';
}

/** Raised when a provisioned allocation is no longer RESERVED (released meanwhile). */
export class AllocationNotReserved extends Error {
  override readonly name = 'AllocationNotReserved';
}

/** Raised when a release stopped half-way (or another is under way): release again to finish it. */
export class ReleaseInterrupted extends Error {
  override readonly name = 'ReleaseInterrupted';
}

/** Raised when returning a reservation failed too: `baton audit` will show the drift. */
export class CompensationFailed extends Error {
  override readonly name = 'CompensationFailed';
}

/** Every error of the aspect, by the name Lambda reports. */
export const ALLOCATION_ERRORS = {
  AllocationInterrupted,
  RequestInProgress,
  AllocationNotReserved,
  ReleaseInterrupted,
  CompensationFailed,
} as const;
