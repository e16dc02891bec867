/**
 * Workload records and the ledger port that placement and rebalancing write through. A
 * resource is one of a tenant's allocations; its item is the truth of what runs on it (its
 * members and their total demand), changed only by single-item conditional writes that re-check
 * room and anti-affinity, so concurrent placements can never over-fill it. A workload's item
 * points at its resource; a move in flight is noted on it, so that the workload counts on both
 * ends until the agent has answered (make-before-break).
 */
import * as z from 'zod/mini';
import { storedAmounts } from '../allocation/amounts';
import type { PoolView } from '../allocation/choose-pool';

/**
 * A workload's room on a resource, and who took it: two placers racing to put the same
 * workload on the same resource must not mistake the other's room for their own.
 */
const membership = z.object({ demand: storedAmounts, token: z.string() });
export type Membership = Readonly<z.output<typeof membership>>;

export const resourceRecord = z.object({
  tenantId: z.string(),
  resourceId: z.string(),
  poolId: z.string(),
  capacity: storedAmounts,
  /** Set when the allocation behind it was released or expired: nothing may land on it. */
  released: z.optional(z.boolean()),
  /** Every workload on it (a moving workload counts on both ends), with what it holds. */
  members: z.optional(z.record(z.string(), membership)),
  /** Its members' total demand, kept with them (absent on a record not stored yet). */
  used: z.optional(storedAmounts),
});
export type ResourceRecord = Readonly<z.output<typeof resourceRecord>>;

const placing = z.object({
  resourceId: z.string(),
  token: z.string(),
  /** ISO time: a placing older than the placers' deadline was abandoned by a placer that died. */
  at: z.string(),
});
export type Placing = Readonly<z.output<typeof placing>>;

/**
 * Who announces a placement whose `WorkloadPlaced` is not out yet, and since when: one announcer
 * at a time, so two placement rounds of a tenant never both announce it; a claim older than the
 * placers' deadline was left by one that died, and the next round takes it over.
 */
const announcer = z.object({
  token: z.string(),
  /** ISO time. */
  at: z.string(),
});
export type Announcer = Readonly<z.output<typeof announcer>>;

const moveInFlight = z.object({
  /** Unique per planned move: a retried step recognises its own move. */
  moveId: z.string(),
  from: z.string(),
  to: z.string(),
  /** The rebalance execution that makes it: its abnormal end reverts it (absent on older moves). */
  executionId: z.optional(z.string()),
  /** Set once a revert has begun: the move can no longer finish. */
  reverting: z.optional(z.boolean()),
});
export type MoveInFlight = Readonly<z.output<typeof moveInFlight>>;

const recordedMove = z.object({ from: z.string(), to: z.string(), movedAt: z.number() });
export type RecordedMove = Readonly<z.output<typeof recordedMove>>;

/** A workload's constraints as stored (the shape of `WorkloadConstraints`). */
const storedConstraints = z.object({
  labels: z.optional(z.record(z.string(), z.string())),
  antiAffinityGroup: z.optional(z.string()),
});

export const workloadRecord = z.object({
  tenantId: z.string(),
  workloadId: z.string(),
  demand: storedAmounts,
  constraints: z.optional(storedConstraints),
  /** Absent while pending. */
  resourceId: z.optional(z.string()),
  move: z.optional(moveInFlight),
  lastMove: z.optional(recordedMove),
  /** Why it is pending, as last explained. */
  pendingReason: z.optional(z.string()),
  /** A placement under way: the room it is taking, under which token, since when. */
  placing: z.optional(placing),
  /** Placed, and `WorkloadPlaced` not out yet: its announcer (or the next placement round of its tenant) announces it. */
  placementUnannounced: z.optional(announcer),
  submittedAt: z.string(),
});
export type WorkloadRecord = Readonly<z.output<typeof workloadRecord>>;

/** The part of a workload a resource keeps: enough to free its room and its anti-affinity slot. */
export type Occupant = Pick<WorkloadRecord, 'workloadId' | 'demand' | 'constraints'>;

export type Occupancy = 'occupied' | 'conflict';

export interface WorkloadLedger {
  /** Every resource and workload of a tenant, in one consistent read. */
  tenantWorkloads(tenantId: string): Promise<{ resources: ResourceRecord[]; workloads: WorkloadRecord[] }>;
  workload(tenantId: string, workloadId: string): Promise<WorkloadRecord | undefined>;
  /**
   * A tenant's pending workloads, and its placed ones whose placement is not announced yet: read
   * before the whole partition, which most events need not.
   */
  pendingWorkloads(tenantId: string): Promise<WorkloadRecord[]>;
  resource(tenantId: string, resourceId: string): Promise<ResourceRecord | undefined>;
  /** The tenants that have submitted workloads. */
  workloadTenants(): Promise<string[]>;
  /** Every tenant's workloads with a move in flight, a placement under way, or a placement not announced. */
  workloadsInFlight(): Promise<WorkloadRecord[]>;
  pools(): Promise<PoolView[]>;
  /** Records a new pending workload (and its tenant); `false` if the id is taken. */
  registerWorkload(workload: WorkloadRecord): Promise<boolean>;
  /** Records a tenant's new resource; recording it again changes nothing. */
  addResource(resource: ResourceRecord): Promise<void>;
  /**
   * Closes a resource to new workloads; `false` if it is unknown — then a tombstone stays, so that
   * its allocation announced late (facts may arrive out of order) never opens it.
   */
  closeResource(tenantId: string, resourceId: string): Promise<boolean>;
  /**
   * Takes room on a resource for a workload under `token`, if it is open, the demand still fits
   * in every dimension and no workload of the same anti-affinity group is there. Idempotent for
   * the same token; another token's room for the same workload is a conflict.
   */
  occupy(tenantId: string, resource: ResourceRecord, occupant: Occupant, token: string): Promise<Occupancy>;
  /**
   * Gives a workload's room on a resource back — only if taken under `token`, when given;
   * nothing if it holds none (idempotent).
   */
  vacate(tenantId: string, resourceId: string, occupant: Occupant, token?: string): Promise<void>;
  /**
   * Notes that a placer is taking room for a pending workload — if nobody else is, or the one who
   * was has been silent since `staleBefore`; `false` otherwise.
   */
  notePlacing(tenantId: string, workloadId: string, placing: Placing, staleBefore: string): Promise<boolean>;
  /** Drops this placer's note (it took no room after all). */
  forgetPlacing(tenantId: string, workloadId: string, token: string): Promise<void>;
  /**
   * Pending → on `resourceId`, to be announced by `announcer`, for the placer whose note it
   * carries; `false` otherwise.
   */
  assign(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    token: string,
    announcer: Announcer,
  ): Promise<boolean>;
  /**
   * Takes over announcing the workload's placement on `resourceId`, if it is still unannounced
   * and its announcer has been silent since `staleBefore`; `false` otherwise.
   */
  claimPlacementAnnouncement(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    announcer: Announcer,
    staleBefore: string,
  ): Promise<boolean>;
  /** This announcer could not announce it: the next placement round may, at once. */
  releasePlacementAnnouncement(tenantId: string, workloadId: string, token: string): Promise<void>;
  /**
   * Notes that the workload's placement on `resourceId` was announced by the announcer `token`;
   * nothing if it is elsewhere now, or another announcer has taken it over (a placement made again
   * since is that one's to announce).
   */
  markPlacementAnnounced(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    token: string,
  ): Promise<void>;
  /** On `resourceId` → pending, with the reason; `false` if it was not there (or is moving). */
  unassign(tenantId: string, workloadId: string, resourceId: string, reason: string): Promise<boolean>;
  /** Notes why a pending workload is still pending. */
  explainPending(tenantId: string, workloadId: string, reason: string): Promise<void>;
  /** Notes a move, if the workload is still where the plan saw it and not moving otherwise. */
  beginMove(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean>;
  /** The move is done: the workload is on `to`; `false` if this move is not in flight or being reverted. */
  finishMove(tenantId: string, workloadId: string, move: MoveInFlight, movedAt: number): Promise<boolean>;
  /** Marks this move as being reverted, so that it cannot finish; `false` if it is not in flight. */
  markReverting(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean>;
  /** The move is undone: the workload stays on `from`; `false` if this move is not in flight. */
  abandonMove(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean>;
  /** Forgets a workload, if it is still placed (and moving) as read; `false` otherwise. */
  deleteWorkload(tenantId: string, workload: WorkloadRecord): Promise<boolean>;
}
