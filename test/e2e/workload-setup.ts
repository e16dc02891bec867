/** Setting the scene for workload tests: pools and a quota, allocations, workloads placed on them. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';
import { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { EventBridgePublisher } from '../../lambdas/adapters/event-bridge-publisher';
import { auditWorkloads } from '../../lambdas/core/workloads/audit-workloads';
import { BATON_BUS_NAME } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { eventually, type TestRuntime } from './embedded-runtime';

export function workloadScene(t: TestRuntime) {
  const workloads = new DynamoDbWorkloadLedger(t.ledger, LEDGER_TABLE_NAME);
  // Announces as Baton's functions do (only they may publish as source `baton`).
  const publisher = new EventBridgePublisher(
    new EventBridgeClient({
      endpoint: t.runtime.url,
      region: 'us-east-1',
      credentials: t.runtime.functionCredentials,
    }),
    BATON_BUS_NAME,
  );
  let requests = 0;

  async function put(detailType: string, details: readonly object[]): Promise<void> {
    for (let i = 0; i < details.length; i += 10) {
      const { FailedEntryCount } = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: details.slice(i, i + 10).map((detail) => ({
            Source: 'test.workloads',
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      expect(FailedEntryCount).toBe(0);
    }
  }

  return {
    workloads,
    publisher,
    put,

    /** Pools of the tenant's own kind (vcpu and 4 GiB per vcpu) and a generous quota. */
    async declare(
      tenantId: string,
      pools: { poolId: string; vcpu: number; labels?: object; state?: string }[],
    ) {
      const description = await t.run('declare-inventory', {
        pools: pools.map(({ poolId, vcpu, labels, state }) => ({
          poolId,
          kind: `${tenantId}-kind`,
          capacity: { vcpu, memoryGiB: vcpu * 4 },
          labels: labels ?? {},
          state: state ?? 'active',
        })),
        quotas: [{ tenantId, limits: { vcpu: 10_000, memoryGiB: 40_000 } }],
      });
      expect(description.status).toBe('SUCCEEDED');
    },

    /** Allocates a resource for the tenant, and waits until workloads may use it. */
    async allocate(
      tenantId: string,
      vcpu: number,
      labels: object = {},
      leaseSeconds?: number,
    ): Promise<string> {
      const result = JSON.parse(
        (
          await t.run('allocate-resources', {
            requestId: `${tenantId}-req-${++requests}`,
            tenantId,
            kind: `${tenantId}-kind`,
            amount: { vcpu, memoryGiB: vcpu * 4 },
            labels,
            ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
          })
        ).output ?? 'null',
      );
      expect(result.status).toBe('ALLOCATED');
      await eventually(async () => await workloads.resource(tenantId, result.allocationId));
      return result.allocationId;
    },

    /** Submits workloads and waits until every one of the tenant's workloads is placed. */
    async submitAndPlace(tenantId: string, submissions: object[]): Promise<void> {
      await put('WorkloadSubmitted', submissions);
      await eventually(async () => {
        const { workloads: records } = await workloads.tenantWorkloads(tenantId);
        return records.length === submissions.length && records.every((record) => record.resourceId)
          ? true
          : undefined;
      });
    },

    /** Where each workload runs, having checked that the ledger's workload side adds up. */
    async placementOf(tenantId: string): Promise<Map<string, string | undefined>> {
      const { resources, workloads: records } = await workloads.tenantWorkloads(tenantId);
      expect(auditWorkloads(resources, records)).toEqual([]);
      return new Map(records.map((record) => [record.workloadId, record.resourceId]));
    },
  };
}

export const submission = (tenantId: string, workloadId: string, vcpu: number, constraints?: object) => ({
  workloadId,
  tenantId,
  demand: { vcpu, memoryGiB: vcpu * 2 },
  ...(constraints ? { constraints } : {}),
});
