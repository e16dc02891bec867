/**
 * What the web console's server answers and its page reads: the JSON of `/console/api/*`. Types
 * only, shared by both ends (the page is bundled apart from the server, so nothing here runs).
 */

/** Amounts by dimension, as the ledger keeps them (`{"vcpu": 8, "memoryGiB": 32}`). */
export type Amounts = Readonly<Record<string, number>>;

/** `GET /console/api/session`: who the page talks to, and the token its actions carry. */
export interface ConsoleSession {
  /** Sent back as `x-baton-console-token` on every POST; a request without it is refused. */
  readonly token: string;
  readonly stage: string;
  /** `embedded`: this runtime; `stage`: a deployed stage (or an endpoint standing in for one). */
  readonly mode: 'embedded' | 'stage';
  readonly workflows: readonly { readonly workflowId: string; readonly stateMachineArn: string }[];
}

/** One metric as its EMF lines sum it up since the runtime started (embedded only). */
export interface MetricFigure {
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Sum of the values, their count, and the last one (a gauge such as utilisation reads `last`). */
  readonly sum: number;
  readonly count: number;
  readonly last: number;
}

/** `GET /console/api/overview`. */
export interface Overview {
  readonly pools: number;
  readonly tenants: number;
  readonly allocations: Readonly<Record<string, number>>;
  readonly workloads: { readonly placed: number; readonly pending: number; readonly moving: number };
  readonly rollouts: Readonly<Record<string, number>>;
  /** Executions by status, per workflow id. */
  readonly executions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The handlers' metrics, as CloudWatch would receive them (empty against a deployed stage). */
  readonly metrics: readonly MetricFigure[];
}

export interface PoolView {
  readonly poolId: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'active' | 'draining' | 'disabled';
  readonly capacity: Amounts;
  readonly used: Amounts;
  /** Dimensions where use exceeds capacity (after a shrink): no new allocations until it drains. */
  readonly overCapacity: readonly string[];
}

export interface QuotaView {
  readonly tenantId: string;
  readonly limits: Amounts;
  readonly used: Amounts;
  readonly overLimit: readonly string[];
}

export interface AllocationView {
  readonly allocationId: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly poolId: string;
  readonly kind: string;
  readonly amount: Amounts;
  /** ACTIVE, RELEASING, RELEASED, EXPIRED… as the ledger says. */
  readonly status: string;
  readonly createdAt?: string | undefined;
  /** ISO time the lease ends; the page counts down to it. */
  readonly expiresAt?: string | undefined;
}

export interface RejectionView {
  readonly requestId: string;
  readonly tenantId: string;
  readonly reason: string;
  readonly explanation: string;
  readonly at: string;
}

/** `GET /console/api/capacity`. */
export interface Capacity {
  readonly pools: readonly PoolView[];
  readonly quotas: readonly QuotaView[];
  readonly allocations: readonly AllocationView[];
  readonly rejections: readonly RejectionView[];
}

export interface WorkloadView {
  readonly workloadId: string;
  readonly demand: Amounts;
  readonly antiAffinityGroup?: string | undefined;
  /** Where it is moving to, while a move is in flight. */
  readonly movingTo?: string | undefined;
}

export interface ResourceView {
  readonly resourceId: string;
  readonly poolId: string;
  readonly capacity: Amounts;
  readonly used: Amounts;
  /** The highest share of capacity in use over its dimensions, 0–1 (more after a shrink). */
  readonly utilisation: number;
  readonly released: boolean;
  readonly workloads: readonly WorkloadView[];
}

export interface PendingWorkloadView {
  readonly workloadId: string;
  readonly tenantId: string;
  readonly demand: Amounts;
  readonly reason: string;
}

/** `GET /console/api/workloads`. */
export interface Workloads {
  readonly tenants: readonly { readonly tenantId: string; readonly resources: readonly ResourceView[] }[];
  readonly pending: readonly PendingWorkloadView[];
}

export interface PlannedMoveView {
  readonly tenantId: string;
  readonly workloadId: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly wave: number;
}

/** `POST /console/api/rebalance/plan` (body {@link RebalanceAsk}): a dry run of `rebalance-workloads`. */
export interface RebalancePreview {
  readonly executionArn: string;
  readonly strategy: string;
  readonly moves: readonly PlannedMoveView[];
  /** Flat numbers: `peakUtilisationBefore`/`After`, `resourcesUsedBefore`/`After`… */
  readonly metrics: Readonly<Record<string, number>>;
  readonly explanation: string;
}

export interface RebalanceAsk {
  readonly strategy?: 'spread' | 'binpack';
  readonly maxMoves?: number;
  readonly tenantId?: string;
}

/** `POST /console/api/rebalance/apply` (body {@link RebalanceAsk}), and any other started execution. */
export interface StartedExecution {
  readonly executionArn: string;
}

export interface RolloutStepView {
  /** The target version's share after this step, 0–1. */
  readonly weight: number;
  readonly bakeSeconds: number;
}

export interface RolloutView {
  readonly rolloutId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly strategy: string;
  readonly status: string;
  readonly steps: readonly RolloutStepView[];
  /** Steps taken so far. */
  readonly step: number;
  readonly weight: number;
  readonly alarms: readonly string[];
  /** The gate it waits at: a bake (with when it ends) or a pause. */
  readonly gate?: { readonly kind: 'bake' | 'pause'; readonly endsAt?: string | undefined } | undefined;
  readonly reason?: string | undefined;
  /** A rollback's evidence: which alarm, at which step and weight. */
  readonly evidence?: Readonly<Record<string, unknown>> | undefined;
  readonly explanation?: string | undefined;
  readonly executionArn?: string | undefined;
  readonly updatedAt: string;
}

/** `GET /console/api/rollouts`: newest first. */
export interface Rollouts {
  readonly rollouts: readonly RolloutView[];
}

export const ROLLOUT_ACTIONS = ['pause', 'resume', 'promote', 'abort'] as const;
/** `POST /console/api/rollouts/<rolloutId>/<action>`: sent as `ServiceRolloutControl`. */
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly workflowId: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate?: string | undefined;
}

/** `GET /console/api/executions?workflow=<id>&status=<STATUS>`: newest first. */
export interface Executions {
  readonly executions: readonly ExecutionSummary[];
}

/** One event of an execution's history, as GetExecutionHistory gives it (the details kept as they are). */
export interface HistoryEventView {
  readonly id: number;
  readonly previousEventId?: number | undefined;
  readonly type: string;
  readonly timestamp: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** `GET /console/api/executions/<executionArn, URI-encoded>`. */
export interface ExecutionDetail {
  readonly execution: ExecutionSummary & {
    readonly input?: string | undefined;
    readonly output?: string | undefined;
    readonly error?: string | undefined;
    readonly cause?: string | undefined;
  };
  /** The state machine's ASL, parsed. */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly history: readonly HistoryEventView[];
}

/** An event as EventBridge delivers it. */
export interface ConsoleEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly time: string;
  readonly account: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/**
 * `GET /console/api/events?pattern=<EventBridge pattern JSON>&limit=<n>`: the latest events the
 * pattern matches, newest first. A pattern that is not valid answers 400 with {@link ConsoleError}.
 */
export interface RecentEvents {
  readonly events: readonly ConsoleEvent[];
}

/**
 * `GET /console/api/stream?pattern=<optional pattern JSON>`: server-sent events, one `event: bus`
 * message per event on the bus that the pattern matches (`data:` is the {@link ConsoleEvent} JSON).
 */
export const STREAM_EVENT = 'bus';

/** Every error answer: its HTTP status, and this body. */
export interface ConsoleError {
  /** A name a user can act on: `InvalidPattern`, `MissingToken`, `RolloutNotFound`… */
  readonly error: string;
  readonly message: string;
}

export const TOKEN_HEADER = 'x-baton-console-token';
