import { describe, expect, it } from 'vitest';
import { auditWorkloads } from '../../lambdas/core/workloads/audit-workloads';
import type { ResourceRecord, WorkloadRecord } from '../../lambdas/core/workloads/workload-ledger';

const resource = (members: Record<string, number>, used: number, capacity = 8): ResourceRecord => ({
  tenantId: 'acme',
  resourceId: 'r1',
  poolId: 'p',
  capacity: { vcpu: capacity },
  used: { vcpu: used },
  members: Object.fromEntries(
    Object.entries(members).map(([id, vcpu]) => [id, { demand: { vcpu }, token: 't' }]),
  ),
});
const workload = (
  workloadId: string,
  resourceId?: string,
  move?: { from: string; to: string },
): WorkloadRecord => ({
  tenantId: 'acme',
  workloadId,
  demand: { vcpu: 2 },
  resourceId,
  move: move && { moveId: 'm', ...move },
  submittedAt: '2026-11-28T00:00:00Z',
});

describe('auditWorkloads', () => {
  it('finds nothing wrong when resources and workloads agree, a moving workload counting on both ends', () => {
    const target = { ...resource({ w2: 2 }, 2), resourceId: 'r2' };
    expect(
      auditWorkloads(
        [resource({ w1: 2, w2: 2 }, 4), target],
        [workload('w1', 'r1'), workload('w2', 'r1', { from: 'r1', to: 'r2' })],
      ),
    ).toEqual([]);
  });

  it('names every kind of drift', () => {
    expect(
      auditWorkloads([resource({ w1: 2, ghost: 2 }, 5)], [workload('w1', 'r1'), workload('w3', 'r1')]),
    ).toEqual([
      'resource r1 of acme holds room for ghost, which is not on it',
      'resource r1 of acme holds no room for w3, which is on it',
      'resource r1 of acme: vcpu used 5, its workloads demand 4',
    ]);
    expect(auditWorkloads([resource({ w1: 10 }, 10)], [workload('w1', 'r1')])).toEqual([
      'resource r1 of acme: vcpu 10 demanded of 8',
    ]);
    expect(auditWorkloads([], [workload('w1', 'r9')])).toEqual([
      'resource acme/r9 is unknown, yet w1 point at it',
    ]);
  });
});
