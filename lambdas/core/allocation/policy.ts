/**
 * The allocation aspect's policy, said once: how long a lease runs and when a claim or a release
 * stamp is stale. The saga, provisioning, releases and recovery all read it here rather than from
 * one another.
 */

/**
 * A claim older than this with no outcome belongs to a delivery that died: no delivery runs this
 * long (the function times out after 30 s; the workflow retries a few times). The same holds for
 * the stamp of a release left RELEASING.
 */
export const STALE_CLAIM_MS = 120_000;

/** The moment before which a claim or a release stamp is stale, seen at `now`. */
export function staleBefore(now: Date): Date {
  return new Date(now.getTime() - STALE_CLAIM_MS);
}

/** Whether a claim stamped `claimedAt` (ISO) is stale at `now`. */
export function isStale(claimedAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(claimedAt) >= STALE_CLAIM_MS;
}

/** When a lease of `leaseSeconds` that starts `from` ends (ISO). */
export function leaseEnd(from: Date, leaseSeconds: number): string {
  return new Date(from.getTime() + leaseSeconds * 1000).toISOString();
}
