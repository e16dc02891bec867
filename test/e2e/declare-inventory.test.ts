/** The `declare-inventory` workflow from its ASL, started as from the console (StartExecution). */
import { type DescribeExecutionCommandOutput, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(() => t.stop());

async function declare(input: unknown): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: t.runtime.engine.workflowArn('declare-inventory'),
      input: JSON.stringify(input),
    }),
  );
  return t.finished(executionArn);
}

const pool = (poolId: string, vcpu = 64) => ({
  poolId,
  kind: 'compute',
  capacity: { vcpu },
  state: 'active',
});
describe('declare-inventory', () => {
  it('stores maps whose keys are names JavaScript gives meaning to (constructor, toString)', async () => {
    // Found by the fuzz harness: a map with an own `constructor` key looked like a class instance
    // to the DynamoDB marshaller, and the execution failed with a bare Error.
    const labels = JSON.parse('{"constructor":"a.b.c","toString":"y"}');
    const declared = await declare({
      pools: [{ ...pool('js-names'), labels, capacity: JSON.parse('{"constructor":4,"vcpu":8}') }],
    });
    expect(declared.status).toBe('SUCCEEDED');
    expect(await t.ledgerItem(ledgerKeys.pool('js-names'))).toMatchObject({
      labels: { constructor: 'a.b.c', toString: 'y' },
      capacity: { constructor: 4, vcpu: 8 },
    });
  });

  it('upserts pools and quotas and reports what it created', async () => {
    const first = await declare({
      pools: [pool('a'), pool('b')],
      quotas: [{ tenantId: 'acme', limits: { vcpu: 8 } }],
    });
    expect(first.status).toBe('SUCCEEDED');
    expect(JSON.parse(first.output ?? '{}')).toEqual({
      pools: [
        { poolId: 'a', created: true },
        { poolId: 'b', created: true },
      ],
      quotas: [{ tenantId: 'acme', created: true }],
    });
    const second = await declare({ pools: [pool('a', 128)] });
    expect(JSON.parse(second.output ?? '{}')).toEqual({
      pools: [{ poolId: 'a', created: false }],
      quotas: [],
    });
    expect(await t.ledgerItem(ledgerKeys.pool('a'))).toMatchObject({ capacity: { vcpu: 128 } });
  });

  it.each([
    ['an empty declaration', {}, 'declare at least one pool or quota', []],
    [
      'a bad item among good ones',
      {
        pools: [pool('ok-1'), { ...pool('bad'), state: 'paused' }],
        quotas: [{ tenantId: 'ok-2', limits: { vcpu: 1 } }],
      },
      'pools.1.state',
      [ledgerKeys.pool('ok-1'), ledgerKeys.pool('bad'), ledgerKeys.quota('ok-2')],
    ],
    [
      'a duplicated pool',
      { pools: [pool('dup'), pool('dup')] },
      'each poolId may appear once',
      [ledgerKeys.pool('dup')],
    ],
    [
      'a quota with a negative limit',
      { pools: [pool('ok-3')], quotas: [{ tenantId: 'neg', limits: { vcpu: -1 } }] },
      'quotas.0.limits.vcpu',
      [ledgerKeys.pool('ok-3'), ledgerKeys.quota('neg')],
    ],
    ['input of the wrong type entirely', [1, 2, 3], 'expected object', []],
  ])('fails with InvalidRequest on %s, says why and writes nothing', async (_, input, because, keys) => {
    const description = await declare(input);
    expect(description).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(description.cause).toContain(because);
    for (const key of keys) expect(await t.ledgerItem(key), JSON.stringify(key)).toBeUndefined();
  });
});
