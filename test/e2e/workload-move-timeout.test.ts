/**
 * A workload move nobody answers: the wave's wait times out (10 minutes, here divided by the time
 * scale), the move is reverted and reported, and the workload stays where it was.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';
import { submission, workloadScene } from './workload-setup';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 600, simulatedAgent: false });
});
afterAll(() => t.stop());

it('reverts a move whose agent never answers', async () => {
  const scene = workloadScene(t);
  await scene.declare('mute-co', [
    { poolId: 'mute-old', vcpu: 64, labels: { rack: 'old' } },
    { poolId: 'mute-new', vcpu: 64, labels: { rack: 'new' } },
  ]);
  const old = await scene.allocate('mute-co', 8, { rack: 'old' });
  await scene.submitAndPlace('mute-co', [
    submission('mute-co', 'quiet-1', 1),
    submission('mute-co', 'quiet-2', 1),
  ]);
  const spare = await scene.allocate('mute-co', 8, { rack: 'new' });
  await scene.declare('mute-co', [
    { poolId: 'mute-old', vcpu: 64, labels: { rack: 'old' }, state: 'draining' },
  ]);

  const description = await t.run('rebalance-workloads', { scope: { tenantId: 'mute-co' } });
  const result = JSON.parse(description.output ?? 'null');
  expect(result.status).toBe('REBALANCED');
  expect(result.moves).toHaveLength(2);
  for (const move of result.moves) {
    expect(move).toMatchObject({ from: old, to: spare, outcome: 'FAILED' });
    expect(move.why).toMatch(/^States\.Timeout/);
  }
  const placement = await scene.placementOf('mute-co');
  expect([...placement.values()]).toEqual([old, old]);
  expect((await scene.workloads.resource('mute-co', spare))?.members).toEqual({});
});
