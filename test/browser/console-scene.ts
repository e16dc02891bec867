/**
 * Real data for the console's pages, made as users and other systems make it: inventory, requests
 * and workloads through the bus and the workflows, rollouts on the simulated Lambda fleet.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'vitest';
import type { Rollouts, RolloutView } from '../../lib/console/console-api';
import { eventually, type TestRuntime } from '../e2e/embedded-runtime';
import { alarmFired, publishedService, rolloutRequest } from '../e2e/rollout-setup';
import { submission, workloadScene } from '../e2e/workload-setup';

/** What the scene made, for the tests to look for on the pages. */
export interface Scene {
  readonly failedExecutionArn: string;
  readonly runningRolloutId: string;
}

export async function setScene(t: TestRuntime, lambda: LambdaClient): Promise<Scene> {
  const scene = workloadScene(t);
  await scene.declare('acme', [
    { poolId: 'acme-eu', vcpu: 64, labels: { region: 'eu-west-1' } },
    { poolId: 'acme-us', vcpu: 32, labels: { region: 'us-east-1' }, state: 'draining' },
  ]);
  await scene.allocate('acme', 16);
  await scene.allocate('acme', 8);
  await scene.allocate('acme', 8, {}, 3 * 3600);
  const rejected = JSON.parse(
    (
      await t.run('allocate-resources', {
        requestId: 'acme-too-much',
        tenantId: 'acme',
        kind: 'acme-kind',
        amount: { vcpu: 50_000, memoryGiB: 1 },
      })
    ).output ?? 'null',
  );
  expect(rejected.status).toBe('REJECTED');
  await scene.submitAndPlace('acme', [
    submission('acme', 'web-1', 2, { antiAffinityGroup: 'web' }),
    submission('acme', 'web-2', 2, { antiAffinityGroup: 'web' }),
    submission('acme', 'web-3', 2, { antiAffinityGroup: 'web' }),
    submission('acme', 'db-1', 4, { antiAffinityGroup: 'db' }),
    submission('acme', 'batch-1', 1),
    submission('acme', 'batch-2', 1),
    submission('acme', 'batch-3', 3),
  ]);
  // Bigger than any resource of the tenant: stays pending, with its reason.
  await scene.put('WorkloadSubmitted', [submission('acme', 'huge-1', 40)]);

  await publishedService(lambda, 'checkout');
  const done = await t.run('roll-out-service', rolloutRequest('checkout-1', 'checkout', 'canary:10:60'));
  expect(done.status).toBe('SUCCEEDED');
  await publishedService(lambda, 'orders');
  const alarmed = await t.start(
    'roll-out-service',
    rolloutRequest('orders-1', 'orders', 'steps:10@60,50@60000', { alarms: ['orders-errors'] }),
  );
  await eventually(async () => ((await rolloutOf(t, 'orders-1'))?.step === 2 ? true : undefined));
  await t.eventBridge.send(new PutEventsCommand({ Entries: [alarmFired('orders-errors')] }));
  await t.finished(alarmed);
  await publishedService(lambda, 'payments');
  await t.start('roll-out-service', rolloutRequest('payments-1', 'payments', 'steps:10@60,50@60000'));

  const failed = await t.run('release-resources', {});
  expect(failed.status).toBe('FAILED');
  return { failedExecutionArn: failed.executionArn ?? '', runningRolloutId: 'payments-1' };
}

/** A rollout as the console's server shows it. */
export async function rolloutOf(t: TestRuntime, rolloutId: string): Promise<RolloutView | undefined> {
  const { rollouts } = (await (await fetch(`${t.runtime.url}/console/api/rollouts`)).json()) as Rollouts;
  return rollouts.find((rollout) => rollout.rolloutId === rolloutId);
}
