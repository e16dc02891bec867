/**
 * The workload ledger's invariant, checked: a resource holds room for exactly the workloads that
 * point at it (a moving workload on both ends; a workload being placed there may hold it already),
 * its `used` is the sum of their demand, and never more than its capacity. Anything else is
 * drift, reported in words.
 */
import { amountOf, inThousandths, sumInThousandths } from '../allocation/amounts';
import type { ResourceRecord, WorkloadRecord } from './workload-ledger';

export function auditWorkloads(
  resources: readonly ResourceRecord[],
  workloads: readonly WorkloadRecord[],
): string[] {
  const drift: string[] = [];
  const expected = new Map<string, Set<string>>();
  // A placement under way may or may not have taken its room yet: either is fine.
  const underWay = new Set(
    workloads.flatMap((w) => (w.placing ? [`${w.tenantId}/${w.placing.resourceId}/${w.workloadId}`] : [])),
  );
  for (const workload of workloads) {
    for (const resourceId of [workload.resourceId, workload.move?.to]) {
      if (resourceId === undefined) continue;
      const key = `${workload.tenantId}/${resourceId}`;
      expected.set(key, (expected.get(key) ?? new Set()).add(workload.workloadId));
    }
  }
  for (const resource of resources) {
    const name = `resource ${resource.resourceId} of ${resource.tenantId}`;
    const members = resource.members ?? {};
    const pointing = expected.get(`${resource.tenantId}/${resource.resourceId}`) ?? new Set();
    expected.delete(`${resource.tenantId}/${resource.resourceId}`);
    for (const workloadId of Object.keys(members)) {
      const placing = underWay.has(`${resource.tenantId}/${resource.resourceId}/${workloadId}`);
      if (!pointing.has(workloadId) && !placing) {
        drift.push(`${name} holds room for ${workloadId}, which is not on it`);
      }
    }
    for (const workloadId of pointing) {
      if (!members[workloadId]) drift.push(`${name} holds no room for ${workloadId}, which is on it`);
    }
    for (const dimension of Object.keys(resource.capacity)) {
      const demanded =
        sumInThousandths(Object.values(members).map((member) => amountOf(member.demand, dimension))) / 1000;
      const used = amountOf(resource.used ?? {}, dimension);
      if (inThousandths(used) !== inThousandths(demanded)) {
        drift.push(`${name}: ${dimension} used ${used}, its workloads demand ${demanded}`);
      }
      if (demanded > amountOf(resource.capacity, dimension)) {
        drift.push(`${name}: ${dimension} ${demanded} demanded of ${amountOf(resource.capacity, dimension)}`);
      }
    }
  }
  for (const [key, workloadIds] of expected) {
    drift.push(`resource ${key} is unknown, yet ${[...workloadIds].join(', ')} point at it`);
  }
  return drift;
}
