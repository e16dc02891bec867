/**
 * What the workload planner sees of a tenant: the resources workloads can run on and the
 * workloads themselves, placed or pending. Plain data, so that a plan is a pure function of it.
 */
import type * as z from 'zod/mini';
import type { Amounts } from '../allocation/amounts';
import type { WorkloadSubmitted } from '../events/workload-events';

/** `active` takes workloads; `draining` and `released` take none and are to be emptied. */
export type ResourceState = 'active' | 'draining' | 'released';

export interface ResourceView {
  readonly resourceId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** A dimension it lacks has capacity 0. */
  readonly capacity: Amounts;
  readonly state: ResourceState;
}

/**
 * Where a workload may run, as its submission states them: only on resources carrying every one of
 * its `labels`; at most one workload of its `antiAffinityGroup` per resource.
 */
export type WorkloadConstraints = Readonly<
  NonNullable<z.output<typeof WorkloadSubmitted.schema>['constraints']>
>;

export interface WorkloadView {
  readonly workloadId: string;
  readonly demand: Amounts;
  readonly constraints?: WorkloadConstraints | undefined;
  /** Where it runs; `undefined` while pending. */
  readonly resourceId?: string | undefined;
  /** Counts where it is, but no plan moves it: say, the source end of a move in flight. */
  readonly pinned?: boolean | undefined;
}

export interface Cluster {
  readonly resources: readonly ResourceView[];
  readonly workloads: readonly WorkloadView[];
}
