/**
 * The workload aspect's named errors. Lambda reports an error's `name` as its `errorType`, which
 * the ASL's `Retry`/`Catch` clauses match: `WORKLOAD_ERRORS` registers each under that name, and a
 * test holds every workflow's `ErrorEquals` to the registries.
 */

/** Raised when a workload kept being placed or moved while it was removed: the delivery is retried. */
export class WorkloadBusy extends Error {
  override readonly name = 'WorkloadBusy';
}

/** Every error of the aspect, by the name Lambda reports. */
export const WORKLOAD_ERRORS = { WorkloadBusy } as const;
