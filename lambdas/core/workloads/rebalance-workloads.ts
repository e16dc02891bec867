/**
 * The `rebalance-workloads` workflow's decisions: a plan per tenant in scope (a tenant's
 * workloads only run on its own resources), merged into one sequence of waves within one move
 * budget; then each move taken in three conditional steps — begin (only if the workload is
 * still where the plan saw it and the target still has room), then finish or revert on the
 * agent's answer — and finally the report.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { InvalidRequest } from '../errors';
import { type Fact, fact } from '../events/define-event';
import { WorkloadsRebalanced } from '../events/workload-events';
import type { FactPublisher } from '../ports';
import { ENDING_ERRORS, type EndedExecution } from '../recovery/executions';
import type { Cluster } from './cluster';
import { placePendingWorkloads } from './place-pending-workloads';
import { planRebalance } from './plan-rebalance';
import type { PlannedMove } from './rebalance-moves';
import { loadTenantCluster } from './tenant-cluster';
import { announcePlacement } from './workload-facts';
import type { WorkloadLedger } from './workload-ledger';
import { EVENT_PLACEMENT_STRATEGY } from './workload-requests';

export const DEFAULT_MAX_MOVES = 50;
export const DEFAULT_DISRUPTION_BUDGET = 10;

export interface RebalanceRequest {
  readonly scope?:
    | {
        readonly tenantId?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly strategy?: PlacementStrategy | undefined;
  readonly maxMoves?: number | undefined;
  readonly disruptionBudget?: number | undefined;
  readonly dryRun?: boolean | undefined;
}

export interface Move extends PlannedMove {
  readonly tenantId: string;
  /** Unique to this plan's move of this workload: the token of the room it takes on the target. */
  readonly moveId: string;
  /** Its wave, from 1: a wave's moves run together, the next wave starts when they have all ended. */
  readonly wave: number;
  /** The execution applying the plan: noted with the move, so that its abnormal end reverts it. */
  readonly executionId: string;
}

/** What a revert needs of a move: whose, which, from where to where. */
export type MoveToRevert = Pick<Move, 'tenantId' | 'workloadId' | 'moveId' | 'from' | 'to'>;

export interface WorkloadPlan {
  readonly dryRun: boolean;
  readonly strategy: PlacementStrategy;
  readonly maxMoves: number;
  readonly disruptionBudget: number;
  readonly waves: Move[][];
  readonly metrics: Record<string, number>;
  readonly explanation: string;
}

export type MoveOutcome = Move & {
  readonly outcome: 'MOVED' | 'FAILED' | 'SKIPPED';
  readonly why?: string | undefined;
};

export async function planWorkloadRebalance(
  ledger: WorkloadLedger,
  request: RebalanceRequest,
  executionId: string,
  now: Date,
): Promise<WorkloadPlan> {
  const strategy = request.strategy ?? 'spread';
  const maxMoves = request.maxMoves ?? DEFAULT_MAX_MOVES;
  const disruptionBudget = request.disruptionBudget ?? DEFAULT_DISRUPTION_BUDGET;
  const tenants = await tenantsInScope(ledger, request.scope?.tenantId);
  const planId = crypto.randomUUID();
  const pools = await ledger.pools();
  const waves: Move[][] = [];
  const metrics: Record<string, number> = {};
  const explanations: string[] = [];
  for (const tenantId of tenants) {
    const tenant = await loadTenantCluster(ledger, tenantId, pools);
    const plan = planRebalance(withinLabels(tenant.cluster, request.scope?.labels), {
      strategy,
      maxMoves: maxMoves - waves.flat().length,
      disruptionBudget,
      recentMoves: [...tenant.workloads.values()].flatMap(({ workloadId, lastMove }) =>
        lastMove ? [{ workloadId, ...lastMove }] : [],
      ),
      now: now.getTime(),
    });
    for (const planned of plan.waves) {
      const wave = waves.length + 1;
      waves.push(
        planned.map((move) => ({
          ...move,
          tenantId,
          wave,
          moveId: `${planId}/${move.workloadId}`,
          executionId,
        })),
      );
    }
    mergeMetrics(metrics, plan.metrics);
    explanations.push(tenants.length > 1 ? `${tenantId}: ${plan.explanation}` : plan.explanation);
  }
  metrics.moves = waves.flat().length;
  metrics.waves = waves.length;
  return {
    dryRun: request.dryRun ?? false,
    strategy,
    maxMoves,
    disruptionBudget,
    waves,
    metrics,
    explanation: explanations.join('\n'),
  };
}

/** Notes the move and takes the room on the target, or says why the move no longer applies. */
export async function beginMove(
  ledger: WorkloadLedger,
  move: Move,
): Promise<MoveOutcome | { outcome: 'STARTED' }> {
  const { tenantId, workloadId, to } = move;
  if (!(await ledger.beginMove(tenantId, workloadId, move))) {
    return { ...move, outcome: 'SKIPPED', why: 'the workload is no longer where the plan saw it' };
  }
  const [target, workload] = await Promise.all([
    ledger.resource(tenantId, to),
    ledger.workload(tenantId, workloadId),
  ]);
  if (target && workload && (await ledger.occupy(tenantId, target, workload, move.moveId)) === 'occupied') {
    return { outcome: 'STARTED' };
  }
  await ledger.abandonMove(tenantId, workloadId, move);
  return { ...move, outcome: 'SKIPPED', why: `${to} no longer has room for it` };
}

/** The agent moved it: the workload is on the target, its room on the source given back. */
export async function finishMove(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  move: Move,
  now: Date,
): Promise<MoveOutcome> {
  const { tenantId, workloadId, from, to } = move;
  const workload = await ledger.workload(tenantId, workloadId);
  if (!workload) return { ...move, outcome: 'SKIPPED', why: 'the workload was removed during its move' };
  // A retry of a finish that went through finds the workload on the target already.
  const finished =
    (await ledger.finishMove(tenantId, workloadId, move, now.getTime())) ||
    (workload.resourceId === to && workload.move === undefined);
  if (!finished) return { ...move, outcome: 'SKIPPED', why: 'the move is no longer in flight' };
  await ledger.vacate(tenantId, from, workload);
  // Its target was released while it moved (evacuation leaves moving workloads alone): it is
  // evacuated now, as the release would have done, and placed wherever it fits.
  if ((await ledger.resource(tenantId, to))?.released) {
    const reason = `evacuated: resource ${to} was released during the move`;
    if (await ledger.unassign(tenantId, workloadId, to, reason)) await ledger.vacate(tenantId, to, workload);
    const only = new Set([workloadId]);
    const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY, only, now);
    await announcePlacement(ledger, publisher, tenantId, placement, only);
    return { ...move, outcome: 'MOVED', why: `${to} was released meanwhile: the workload was placed again` };
  }
  return { ...move, outcome: 'MOVED' };
}

/**
 * The agent failed or never answered, or the execution ended: the room on the target is given
 * back, the workload stays. A move that has finished (or was reverted) meanwhile is left alone.
 */
export async function revertMove<M extends MoveToRevert>(
  ledger: WorkloadLedger,
  move: M,
  why: string,
): Promise<M & { outcome: 'FAILED'; why: string }> {
  const { tenantId, workloadId, to } = move;
  const workload = await ledger.workload(tenantId, workloadId);
  // Marked first, so that a finish still on its way (its execution was stopped) can no longer
  // land; then room, then note: a revert interrupted half-way is finished by its retry.
  if (workload && (await ledger.markReverting(tenantId, workloadId, move))) {
    await ledger.vacate(tenantId, to, workload, move.moveId);
    await ledger.abandonMove(tenantId, workloadId, move);
  }
  return { ...move, outcome: 'FAILED', why };
}

/**
 * A rebalance execution ended abnormally (stopped, timed out, failed, or the runtime running it
 * died): each move it left in flight is reverted as its own RevertMove would have, idempotently.
 * Returns the moves reverted.
 */
export async function revertMovesOf(
  ledger: WorkloadLedger,
  execution: EndedExecution,
): Promise<MoveToRevert[]> {
  const inFlight = (await ledger.workloadsInFlight()).flatMap(({ tenantId, workloadId, move }) =>
    move?.executionId === execution.executionArn ? [{ tenantId, workloadId, ...move }] : [],
  );
  for (const move of inFlight) await revertMove(ledger, move, endedMoveReason(execution));
  return inFlight;
}

/** Why a move is reverted after its execution ended. */
export function endedMoveReason(execution: EndedExecution): string {
  return `${ENDING_ERRORS[execution.ending]}: the rebalance execution ${execution.executionArn} ended before this move did`;
}

export interface RebalanceReport {
  readonly status: 'PLANNED' | 'REBALANCED';
  readonly dryRun: boolean;
  readonly moves: (Move | MoveOutcome)[];
  readonly metrics: Record<string, number>;
  readonly explanation: string;
  readonly fact: Fact;
}

export function reportRebalance(
  plan: WorkloadPlan,
  results: readonly (readonly MoveOutcome[])[] | undefined,
): RebalanceReport {
  const outcomes = results?.flat() ?? [];
  const count = (outcome: MoveOutcome['outcome']) =>
    outcomes.filter((move) => move.outcome === outcome).length;
  const metrics = plan.dryRun
    ? plan.metrics
    : {
        ...plan.metrics,
        movesApplied: count('MOVED'),
        movesFailed: count('FAILED'),
        movesSkipped: count('SKIPPED'),
      };
  const moves = plan.dryRun ? plan.waves.flat() : outcomes;
  return {
    status: plan.dryRun ? 'PLANNED' : 'REBALANCED',
    dryRun: plan.dryRun,
    moves,
    metrics,
    explanation: plan.explanation,
    fact: fact(WorkloadsRebalanced, {
      dryRun: plan.dryRun,
      moves: plan.dryRun ? moves.length : count('MOVED'),
      failedMoves: plan.dryRun ? 0 : count('FAILED'),
      metrics,
    }),
  };
}

async function tenantsInScope(ledger: WorkloadLedger, tenantId: string | undefined): Promise<string[]> {
  const tenants = await ledger.workloadTenants();
  if (tenantId === undefined) return tenants.sort();
  if (!tenants.includes(tenantId))
    throw new InvalidRequest(`scope.tenantId: tenant ${tenantId} has no workloads`);
  return [tenantId];
}

/** Only the resources whose labels include the scope's take part, and the workloads on them. */
function withinLabels(cluster: Cluster, labels: Readonly<Record<string, string>> | undefined): Cluster {
  if (!labels || Object.keys(labels).length === 0) return cluster;
  const resources = cluster.resources.filter((resource) =>
    Object.entries(labels).every(([key, value]) => resource.labels[key] === value),
  );
  const inScope = new Set(resources.map((resource) => resource.resourceId));
  return {
    resources,
    workloads: cluster.workloads.filter(
      (workload) => workload.resourceId !== undefined && inScope.has(workload.resourceId),
    ),
  };
}

/** Metrics of several tenants: peaks and ratios take the worst, counts add up. */
function mergeMetrics(into: Record<string, number>, metrics: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(metrics)) {
    const current = into[name];
    into[name] =
      current === undefined
        ? value
        : /peak|utili[sz]ation/i.test(name)
          ? Math.max(current, value)
          : current + value;
  }
}
