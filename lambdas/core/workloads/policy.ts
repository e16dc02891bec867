/**
 * The workload aspect's policy, said once: how event-driven placement chooses, and when a placer's
 * note is stale. Placement, requests, rebalancing and recovery read it here rather than from one
 * another.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';

/** Placement on events spreads: the least-utilised resource that fits (what kube-scheduler does by default). */
export const EVENT_PLACEMENT_STRATEGY: PlacementStrategy = 'spread';

/**
 * A placer's note (or a placement's announcer) older than this belongs to a placer that died:
 * placers run at most a minute.
 */
export const STALE_PLACING_MS = 120_000;
