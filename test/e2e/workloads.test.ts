/**
 * Workload placement and `rebalance-workloads` in the embedded runtime, through the real SDK
 * clients: workloads placed on the resources their tenant was allocated, explained when they
 * cannot be, evacuated when a resource goes, and moved in waves within a disruption budget.
 */
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import {
  type PendingPlacement,
  placePendingWorkloads,
} from '../../lambdas/core/workloads/place-pending-workloads';
import { STALE_PLACING_MS } from '../../lambdas/core/workloads/policy';
import { announcePlacement } from '../../lambdas/core/workloads/workload-facts';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { submission, workloadScene } from './workload-setup';

let t: TestRuntime;
let scene: ReturnType<typeof workloadScene>;
const facts: BusEvent[] = [];
beforeAll(async () => {
  // The agent is this test: it answers each move, failing the ones it is told to.
  t = await startTestRuntime({ simulatedAgent: false });
  scene = workloadScene(t);
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(() => t.stop());

const output = (description: DescribeExecutionCommandOutput) => JSON.parse(description.output ?? 'null');
const factsOf = (detailType: string) =>
  facts
    .filter((event) => event['detail-type'] === detailType)
    .map((event) => event.detail as Record<string, unknown>);

/** Answers every WorkloadMoveRequested after `delayMs`, failing the workloads in `failing`. */
function agent(failing: ReadonlySet<string> = new Set(), delayMs = 5) {
  let inFlight = 0;
  let maxInFlight = 0;
  const stop = t.runtime.bus.subscribe((event) => {
    if (event.source !== 'baton' || event['detail-type'] !== 'WorkloadMoveRequested') return;
    const { taskToken, workloadId } = event.detail as { taskToken: string; workloadId: string };
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      void scene.put('WorkloadMoveCompleted', [{ taskToken, workloadId, ok: !failing.has(workloadId) }]);
    }, delayMs);
  });
  return { stop, maxInFlight: () => maxInFlight };
}

describe('placement on events', () => {
  it('places submitted workloads on the least utilised resource, keeping anti-affinity groups apart', async () => {
    await scene.declare('spread-co', [{ poolId: 'spread-a', vcpu: 64 }]);
    const [r1, r2] = [await scene.allocate('spread-co', 16), await scene.allocate('spread-co', 16)];
    await scene.submitAndPlace('spread-co', [
      submission('spread-co', 'web-1', 2, { antiAffinityGroup: 'web' }),
      submission('spread-co', 'web-2', 2, { antiAffinityGroup: 'web' }),
    ]);
    const placement = await scene.placementOf('spread-co');
    expect(new Set([placement.get('web-1'), placement.get('web-2')])).toEqual(new Set([r1, r2]));
    // Each announced once, with where it landed: two placement rounds that race never both announce one.
    const announced = await eventually(() => {
      const placed = factsOf('WorkloadPlaced').filter((f) => f.tenantId === 'spread-co');
      return placed.length >= placement.size ? placed : undefined;
    });
    await t.runtime.bus.settle();
    expect(factsOf('WorkloadPlaced').filter((f) => f.tenantId === 'spread-co')).toHaveLength(placement.size);
    expect(new Map(announced.map((f) => [f.workloadId, f.resourceId]))).toEqual(placement);
  });

  it('keeps a workload that fits nowhere pending and says why, per resource', async () => {
    await scene.declare('tight-co', [{ poolId: 'tight-a', vcpu: 64 }]);
    await scene.allocate('tight-co', 4);
    await scene.allocate('tight-co', 4);
    await scene.put('WorkloadSubmitted', [submission('tight-co', 'huge', 100)]);
    const unschedulable = await eventually(() =>
      factsOf('WorkloadUnschedulable').find((f) => f.workloadId === 'huge'),
    );
    expect(unschedulable.explanation).toMatch(/^0\/2 resources: 2 insufficient vcpu\b/);
    expect(unschedulable.reasons).toEqual({ 'insufficient vcpu': 2 });
    const record = await scene.workloads.workload('tight-co', 'huge');
    expect(record?.resourceId).toBeUndefined();
    expect(record?.pendingReason).toBe(unschedulable.explanation);
  });

  it('places a pending workload when a resource with room is allocated', async () => {
    await scene.declare('late-co', [{ poolId: 'late-a', vcpu: 64 }]);
    await scene.put('WorkloadSubmitted', [submission('late-co', 'waiting', 8)]);
    await eventually(() => factsOf('WorkloadUnschedulable').find((f) => f.workloadId === 'waiting'));
    const resource = await scene.allocate('late-co', 16);
    await eventually(() => factsOf('WorkloadPlaced').find((f) => f.workloadId === 'waiting'));
    expect((await scene.placementOf('late-co')).get('waiting')).toBe(resource);
  });

  it("evacuates a released resource's workloads to the resources left", async () => {
    await scene.declare('evac-co', [{ poolId: 'evac-a', vcpu: 64 }]);
    const doomed = await scene.allocate('evac-co', 8);
    await scene.submitAndPlace('evac-co', [submission('evac-co', 'e-1', 2), submission('evac-co', 'e-2', 2)]);
    const survivor = await scene.allocate('evac-co', 8);
    expect((await t.run('release-resources', { allocationId: doomed })).status).toBe('SUCCEEDED');
    await eventually(async () => {
      const { workloads: records } = await scene.workloads.tenantWorkloads('evac-co');
      return records.every((record) => record.resourceId === survivor) ? true : undefined;
    });
    await scene.placementOf('evac-co');
    expect((await scene.workloads.resource('evac-co', doomed))?.members).toEqual({});
  });

  it('never opens a resource whose release was announced before its allocation (facts out of order)', async () => {
    await scene.declare('late-facts', [{ poolId: 'late-facts-a', vcpu: 64 }]);
    const allocation = {
      allocationId: 'gone-early',
      tenantId: 'late-facts',
      poolId: 'late-facts-a',
      amount: { vcpu: 8 },
    };
    const announce = (detailType: string, detail: object) =>
      t.runtime.bus.putEvents(
        [{ Source: 'baton', DetailType: detailType, Detail: JSON.stringify(detail) }],
        'baton',
      );
    announce('ResourceReleased', allocation);
    await t.runtime.bus.settle();
    announce('ResourceAllocated', { ...allocation, requestId: 'late-facts-req' });
    await t.runtime.bus.settle();
    await scene.put('WorkloadSubmitted', [submission('late-facts', 'orphan', 1)]);
    const unschedulable = await eventually(() =>
      factsOf('WorkloadUnschedulable').find((f) => f.workloadId === 'orphan'),
    );
    expect(unschedulable.explanation).toMatch(/^0\/0 resources/);
  });

  it('gives back the room of a placer that died half-way, once its note is stale, and places again', async () => {
    await scene.declare('crash-co', [{ poolId: 'crash-a', vcpu: 64 }]);
    const resource = await scene.allocate('crash-co', 4);
    const record = { ...submission('crash-co', 'fragile', 3), submittedAt: new Date().toISOString() };
    expect(await scene.workloads.registerWorkload(record)).toBe(true);
    // The placer dies after taking the room, before pointing the workload at it.
    const dying = Object.create(scene.workloads) as DynamoDbWorkloadLedger;
    dying.assign = () => Promise.reject(new Error('the placer died'));
    await expect(placePendingWorkloads(dying, 'crash-co', 'spread')).rejects.toThrow('the placer died');
    const held = await scene.workloads.resource('crash-co', resource);
    expect(Object.keys(held?.members ?? {})).toEqual(['fragile']);
    // Under way, not drift; and no other placer may take over while the note is fresh.
    await scene.placementOf('crash-co');
    expect((await placePendingWorkloads(scene.workloads, 'crash-co', 'spread')).placed).toEqual([]);

    const later = new Date(Date.now() + STALE_PLACING_MS + 1000);
    const retried = await placePendingWorkloads(scene.workloads, 'crash-co', 'spread', undefined, later);
    expect(retried.placed).toEqual([{ workloadId: 'fragile', resourceId: resource }]);
    expect((await scene.placementOf('crash-co')).get('fragile')).toBe(resource);
    const { used } = (await scene.workloads.resource('crash-co', resource)) as unknown as {
      used: { vcpu: number };
    };
    expect(used.vcpu).toBe(3);
  });

  it('announces a placement once though rounds race to announce it, and hands back one it could not announce', async () => {
    await scene.declare('herald-co', [{ poolId: 'herald-a', vcpu: 64 }]);
    const resource = await scene.allocate('herald-co', 4);
    await t.runtime.bus.settle();
    const record = { ...submission('herald-co', 'news', 1), submittedAt: new Date().toISOString() };
    expect(await scene.workloads.registerWorkload(record)).toBe(true);
    const news = [{ workloadId: 'news', resourceId: resource }];
    const announcements = (from: number) =>
      facts
        .slice(from)
        .filter(
          (f) =>
            f['detail-type'] === 'WorkloadPlaced' &&
            (f.detail as { workloadId: string }).workloadId === 'news',
        );
    // Placed by a round that died before announcing it: while it may still, no other round does.
    const first = await placePendingWorkloads(scene.workloads, 'herald-co', 'spread');
    expect(first.placed).toEqual(news);
    expect((await placePendingWorkloads(scene.workloads, 'herald-co', 'spread')).unannounced).toEqual([]);
    // Silent past the deadline: one of three racing rounds takes it over.
    const later = new Date(Date.now() + STALE_PLACING_MS + 1000);
    const rounds = await Promise.all(
      [1, 2, 3].map(() => placePendingWorkloads(scene.workloads, 'herald-co', 'spread', undefined, later)),
    );
    expect(rounds.flatMap((round) => round.unannounced)).toEqual(news);
    // The first announcer, late, notes it announced: taken over, it is no longer its to note.
    await scene.workloads.markPlacementAnnounced('herald-co', 'news', resource, first.announcer);
    expect((await scene.workloads.workload('herald-co', 'news'))?.placementUnannounced).toBeDefined();
    // Its publishing fails: the placement is handed back, and the very next round announces it.
    const taker = rounds.find((round) => round.unannounced.length > 0) as PendingPlacement;
    const from = facts.length;
    const away = { publish: () => Promise.reject(new Error('the bus is away')) };
    await expect(announcePlacement(scene.workloads, away, 'herald-co', taker, new Set())).rejects.toThrow(
      'the bus is away',
    );
    const next = await placePendingWorkloads(scene.workloads, 'herald-co', 'spread');
    expect(next.unannounced).toEqual(news);
    await announcePlacement(scene.workloads, scene.publisher, 'herald-co', next, new Set());
    await t.runtime.bus.settle();
    expect(announcements(from)).toHaveLength(1);
    // Announced: no round, however late, announces it again.
    const muchLater = new Date(Date.now() + 10 * STALE_PLACING_MS);
    const last = await placePendingWorkloads(scene.workloads, 'herald-co', 'spread', undefined, muchLater);
    expect(last.unannounced).toEqual([]);
  });

  it('frees the room of a removed workload, and rejects removing an unknown one', async () => {
    await scene.declare('gone-co', [{ poolId: 'gone-a', vcpu: 64 }]);
    const resource = await scene.allocate('gone-co', 4);
    await scene.submitAndPlace('gone-co', [submission('gone-co', 'big', 4)]);
    await scene.put('WorkloadSubmitted', [submission('gone-co', 'next', 4)]);
    await eventually(() => factsOf('WorkloadUnschedulable').find((f) => f.workloadId === 'next'));
    await scene.put('WorkloadRemoved', [{ tenantId: 'gone-co', workloadId: 'big' }]);
    await eventually(() => factsOf('WorkloadPlaced').find((f) => f.workloadId === 'next'));
    expect([...(await scene.placementOf('gone-co'))]).toEqual([['next', resource]]);

    await scene.put('WorkloadRemoved', [{ tenantId: 'gone-co', workloadId: 'never-submitted' }]);
    const rejected = await eventually(() =>
      factsOf('RequestRejected').find((f) => JSON.stringify(f.errors).includes('never-submitted')),
    );
    expect(rejected.errors).toEqual([
      { path: 'workloadId', message: 'tenant gone-co has no workload never-submitted' },
    ]);
  });

  it('rejects negative or missing demands before writing anything', async () => {
    await scene.put('WorkloadSubmitted', [
      { workloadId: 'neg', tenantId: 'bad-co', demand: { vcpu: -1 } },
      { workloadId: 'none', tenantId: 'bad-co' },
    ]);
    await eventually(() =>
      factsOf('RequestRejected').filter((f) => f.detailType === 'WorkloadSubmitted').length >= 2
        ? true
        : undefined,
    );
    expect(await scene.workloads.workload('bad-co', 'neg')).toBeUndefined();
    expect(await scene.workloads.workload('bad-co', 'none')).toBeUndefined();
  });
});

describe('rebalance-workloads', () => {
  const drainTenant = 'drain-co';
  let busy: string;
  let spare: string;

  beforeAll(async () => {
    await scene.declare(drainTenant, [
      { poolId: 'drain-old', vcpu: 200, labels: { rack: 'old' } },
      { poolId: 'drain-new', vcpu: 200, labels: { rack: 'new' } },
    ]);
    busy = await scene.allocate(drainTenant, 100, { rack: 'old' });
    await scene.submitAndPlace(
      drainTenant,
      Array.from({ length: 50 }, (_, i) => submission(drainTenant, `job-${String(i).padStart(2, '0')}`, 1)),
    );
    spare = await scene.allocate(drainTenant, 100, { rack: 'new' });
    // Draining the old rack's pool drains the resource allocated from it.
    await scene.declare(drainTenant, [
      { poolId: 'drain-old', vcpu: 200, labels: { rack: 'old' }, state: 'draining' },
    ]);
  });

  it('plans a dry run without changing anything', async () => {
    const before = await scene.placementOf(drainTenant);
    const plan = output(
      await t.run('rebalance-workloads', {
        scope: { tenantId: drainTenant },
        maxMoves: 20,
        disruptionBudget: 5,
        dryRun: true,
      }),
    );
    expect(plan).toMatchObject({ status: 'PLANNED', dryRun: true });
    expect(plan.moves).toHaveLength(20);
    expect(plan.explanation).toMatch(/drain/i);
    expect(await scene.placementOf(drainTenant)).toEqual(before);
    expect(factsOf('WorkloadsRebalanced').some((f) => f.dryRun === true)).toBe(true);
  });

  it('drains a resource of 50 workloads with maxMoves 20: exactly 20 moves, in waves within the budget', async () => {
    const answering = agent();
    try {
      const result = output(
        await t.run('rebalance-workloads', {
          scope: { tenantId: drainTenant },
          maxMoves: 20,
          disruptionBudget: 5,
        }),
      );
      expect(result.status).toBe('REBALANCED');
      expect(result.moves).toHaveLength(20);
      expect(result.moves.every((m: { outcome: string }) => m.outcome === 'MOVED')).toBe(true);
      const waves = Map.groupBy(result.moves as { wave: number }[], (move) => move.wave);
      for (const wave of waves.values()) expect(wave.length).toBeLessThanOrEqual(5);
      expect(answering.maxInFlight()).toBeLessThanOrEqual(5);
      expect(result.metrics).toMatchObject({ movesApplied: 20, movesFailed: 0 });
    } finally {
      answering.stop();
    }
    const placement = [...(await scene.placementOf(drainTenant)).values()];
    expect(placement.filter((r) => r === spare)).toHaveLength(20);
    expect(placement.filter((r) => r === busy)).toHaveLength(30);
  });

  it('reverts a move whose agent fails and goes on with the others', async () => {
    const failing = new Set(['job-49', 'job-48', 'job-47']);
    const answering = agent(failing);
    let result: {
      moves: { workloadId: string; outcome: string; to: string; why?: string }[];
      metrics: object;
    };
    try {
      result = output(
        await t.run('rebalance-workloads', {
          scope: { tenantId: drainTenant },
          maxMoves: 30,
          disruptionBudget: 10,
        }),
      );
    } finally {
      answering.stop();
    }
    const failed = result.moves.filter((m) => m.outcome === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((m) => failing.has(m.workloadId))).toBe(true);
    expect(failed[0]?.why).toMatch(/WorkloadMoveFailed/);
    const placement = await scene.placementOf(drainTenant);
    for (const move of failed) expect(placement.get(move.workloadId)).toBe(busy);
    for (const move of result.moves.filter((m) => m.outcome === 'MOVED')) {
      expect(placement.get(move.workloadId)).toBe(move.to);
    }
  });

  it('places a workload again when its target is released while it moves', async () => {
    await scene.declare('unlucky-co', [
      { poolId: 'unlucky-old', vcpu: 64, labels: { rack: 'old' } },
      { poolId: 'unlucky-new', vcpu: 64, labels: { rack: 'new' } },
    ]);
    const old = await scene.allocate('unlucky-co', 8, { rack: 'old' });
    await scene.submitAndPlace('unlucky-co', [submission('unlucky-co', 'mover', 1)]);
    expect((await scene.placementOf('unlucky-co')).get('mover')).toBe(old);
    const [first, second] = [
      await scene.allocate('unlucky-co', 8, { rack: 'new' }),
      await scene.allocate('unlucky-co', 8, { rack: 'new' }),
    ];
    await scene.declare('unlucky-co', [
      { poolId: 'unlucky-old', vcpu: 64, labels: { rack: 'old' }, state: 'draining' },
    ]);
    // The agent: the target is released before it answers that the move is done.
    const stop = t.runtime.bus.subscribe((event) => {
      if (event['detail-type'] !== 'WorkloadMoveRequested') return;
      const { taskToken, to } = event.detail as { taskToken: string; to: string };
      void (async () => {
        expect((await t.run('release-resources', { allocationId: to })).status).toBe('SUCCEEDED');
        await scene.put('WorkloadMoveCompleted', [{ taskToken, workloadId: 'mover', ok: true }]);
      })();
    });
    try {
      const result = output(await t.run('rebalance-workloads', { scope: { tenantId: 'unlucky-co' } }));
      expect(result.moves).toHaveLength(1);
      expect(result.moves[0]).toMatchObject({
        outcome: 'MOVED',
        why: expect.stringContaining('released meanwhile'),
      });
      const target = result.moves[0].to;
      const now = (await scene.placementOf('unlucky-co')).get('mover');
      // The old rack drains, the target is gone: the other new resource is where it can run.
      expect(now).toBe(target === first ? second : first);
    } finally {
      stop();
    }
  });

  it('refuses an invalid strategy or an unknown tenant with InvalidRequest', async () => {
    const badStrategy = await t.run('rebalance-workloads', { strategy: 'random' });
    expect(badStrategy).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(badStrategy.cause).toMatch(/strategy/);
    const unknown = await t.run('rebalance-workloads', { scope: { tenantId: 'nobody' } });
    expect(unknown).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(unknown.cause).toMatch(/nobody/);
    const negative = await t.run('rebalance-workloads', { maxMoves: -3 });
    expect(negative).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
  });
});
