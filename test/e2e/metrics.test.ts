/**
 * The handlers' metrics as the embedded runtime sums them from their EMF lines: an allocation
 * counts its outcome and the utilisation of its pool and quota; a rollout rolled back by an alarm
 * counts its outcome and how long the alarm waited. Real SDK clients, the workflows' ASL executed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricFigure, Overview } from '../../lib/console/console-api';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { alarmFired, lambdaOf, publishedService, rolloutFacts, rolloutRequest } from './rollout-setup';

const SERVICE = { service: 'baton-local' };
let t: TestRuntime;
let lambda: LambdaClient;
const facts: BusEvent[] = [];

beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 600 });
  lambda = lambdaOf(t);
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

/** The figure of a metric with exactly these dimensions, once the runtime has read it. */
const figure = (name: string, dimensions: Record<string, string>) =>
  eventually(() =>
    t.runtime.metrics
      .figures()
      .find(
        (candidate: MetricFigure) =>
          candidate.name === name &&
          JSON.stringify(Object.entries(candidate.dimensions).sort()) ===
            JSON.stringify(Object.entries({ ...SERVICE, ...dimensions }).sort()),
      ),
  );

describe('allocation metrics', () => {
  it('counts allocations by outcome and reason, with the utilisation of the pool and the quota after each', async () => {
    await t.run('declare-inventory', {
      pools: [
        { poolId: 'metrics-pool', kind: 'compute', capacity: { vcpu: 32, memoryGiB: 128 }, state: 'active' },
      ],
      quotas: [{ tenantId: 'metrics-tenant', limits: { vcpu: 64, memoryGiB: 64 } }],
    });
    const allocate = (requestId: string, vcpu: number) =>
      t.run('allocate-resources', {
        requestId,
        tenantId: 'metrics-tenant',
        kind: 'compute',
        amount: { vcpu, memoryGiB: 16 },
      });
    expect(JSON.parse((await allocate('metrics-1', 8)).output ?? '{}')).toMatchObject({
      status: 'ALLOCATED',
    });
    expect(JSON.parse((await allocate('metrics-2', 100)).output ?? '{}')).toMatchObject({
      status: 'REJECTED',
      reason: 'QuotaExceeded',
    });

    expect(await figure('Allocations', { outcome: 'Allocated', reason: 'None' })).toMatchObject({
      unit: 'Count',
      sum: 1,
    });
    expect(await figure('Allocations', { outcome: 'Rejected', reason: 'QuotaExceeded' })).toMatchObject({
      sum: 1,
    });
    expect(await figure('PoolUtilisation', { poolId: 'metrics-pool', dimension: 'vcpu' })).toMatchObject({
      unit: 'Percent',
      last: 25,
    });
    expect(await figure('PoolUtilisation', { poolId: 'metrics-pool', dimension: 'memoryGiB' })).toMatchObject(
      {
        last: 12.5,
      },
    );
    expect(
      await figure('QuotaUtilisation', { tenantId: 'metrics-tenant', dimension: 'memoryGiB' }),
    ).toMatchObject({ last: 25 });
    // The console's overview shows the same figures.
    const overview = (await (await fetch(`${t.runtime.url}/console/api/overview`)).json()) as Overview;
    expect(overview.metrics).toContainEqual(
      await figure('Allocations', { outcome: 'Allocated', reason: 'None' }),
    );
    // As CloudWatch Logs would hold them: the documents, in the data directory's metrics log.
    const logged = readFileSync(join(t.dataDirectory, 'metrics.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(logged).toContainEqual(
      expect.objectContaining({ _aws: expect.anything(), outcome: 'Allocated', Allocations: 1, ...SERVICE }),
    );
  });
});

describe('rollout metrics', () => {
  it('counts a rollback by an alarm, and the time from the alarm state change to the rollback', async () => {
    await publishedService(lambda, 'metered');
    const arn = await t.start(
      'roll-out-service',
      rolloutRequest('metered-1', 'metered', 'canary:10:60000', { alarms: ['metered-errors'] }),
    );
    await eventually(() => rolloutFacts(facts, 'ServiceRolloutStepCompleted', 'metered-1')[0], 20_000);
    // The alarm changed state 5 s before its event reaches Baton.
    const changedAt = new Date(Date.now() - 5000);
    const sent = Date.now();
    await t.eventBridge.send(new PutEventsCommand({ Entries: [alarmFired('metered-errors', changedAt)] }));
    await t.finished(arn);
    const rolledBackWithin = Date.now() - sent;

    expect(await figure('Rollouts', { outcome: 'RolledBack' })).toMatchObject({ sum: 1 });
    const latency = await figure('AlarmToRollbackLatency', {});
    expect(latency).toMatchObject({ unit: 'Milliseconds', count: 1 });
    // The event's time is kept to the second: the alarm is at most a second earlier than sent.
    expect(latency.last).toBeGreaterThanOrEqual(5000);
    expect(latency.last).toBeLessThanOrEqual(6000 + rolledBackWithin);
  });
});
