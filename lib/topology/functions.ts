/**
 * Baton's Lambda functions, declared once as data: the CDK construct builds a NodejsFunction
 * from each, the embedded runtime bundles the same `entry` alike and runs it as Lambda would.
 */
import type * as z from 'zod/mini';
import { storeAndBusEnvironment } from '../../lambdas/config/environment';

/**
 * A DynamoDB IAM action on the ledger's items, named after the API the code sends
 * (`UpdateCommand` → `UpdateItem`). A transaction is authorized per item by these same actions.
 */
export type LedgerAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

export interface FunctionDefinition<Env extends z.ZodMiniType = z.ZodMiniType> {
  /** Short id, unique; the deployed name is `baton-<stage>-<id>`. */
  readonly id: string;
  readonly description: string;
  /** Handler module, relative to the repository root; exports `handler`. */
  readonly entry: string;
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  /** The schema its `process.env` is validated against at cold start. */
  readonly environment: Env;
  /** What it may touch; the construct grants exactly this. */
  readonly access: {
    /** The ledger actions its code calls, and no others; empty when it does not use the ledger. */
    readonly ledger: readonly LedgerAction[];
    readonly publishFacts: boolean;
    /** Whether it queries the ledger's index of leases by expiry. */
    readonly queriesLeaseIndex?: boolean;
    /** Whether it answers workflows' task tokens (`SendTaskSuccess`/`SendTaskFailure`). */
    readonly answersTaskTokens?: boolean;
    /** Whether it reads and routes the aliases of the functions rollouts may target. */
    readonly shiftsAliases?: boolean;
    /** Whether it invokes rollouts' traffic hooks (functions within the same targets). */
    readonly invokesHooks?: boolean;
    /** The workflows whose executions it reads (`DescribeExecution`), to learn whether they still run. */
    readonly describesExecutionsOf?: readonly string[];
  };
}

function defineFunction<Env extends z.ZodMiniType>(
  definition: FunctionDefinition<Env>,
): FunctionDefinition<Env> {
  return definition;
}

export const functions = [
  defineFunction({
    id: 'declare-pool',
    description: 'Upserts a resource pool from ResourcePoolChanged',
    entry: 'lambdas/handlers/declare-pool.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: ['UpdateItem'], publishFacts: true },
  }),
  defineFunction({
    id: 'declare-quota',
    description: 'Upserts a tenant quota from TenantQuotaChanged',
    entry: 'lambdas/handlers/declare-quota.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: ['UpdateItem'], publishFacts: true },
  }),
  defineFunction({
    id: 'declare-inventory',
    description: 'Upserts pools and quotas in bulk for the declare-inventory workflow',
    entry: 'lambdas/handlers/declare-inventory.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['UpdateItem'], publishFacts: true },
  }),
  defineFunction({
    id: 'allocate-resources',
    description: 'Chooses a pool and reserves capacity within quota for the allocate-resources workflow',
    entry: 'lambdas/handlers/allocate-resources.ts',
    memoryMiB: 512,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'], publishFacts: true },
  }),
  defineFunction({
    id: 'release-resources',
    description: 'Returns an allocation to its pool and tenant for the release-resources workflow',
    entry: 'lambdas/handlers/release-resources.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem'], publishFacts: true },
  }),
  defineFunction({
    id: 'finish-provisioning',
    description: 'Confirms or cancels a callback provisioning for the allocate-resources workflow',
    entry: 'lambdas/handlers/finish-provisioning.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem'], publishFacts: true },
  }),
  defineFunction({
    id: 'answer-provisioning',
    description: 'Resumes an allocation waiting on its provisioner from ResourceProvisionCompleted',
    entry: 'lambdas/handlers/answer-provisioning.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: [], publishFacts: true, answersTaskTokens: true },
  }),
  defineFunction({
    id: 'recover-allocation',
    description:
      'Undoes the allocation an allocate-resources execution left in flight when it ended abnormally: its claim, or its reservation',
    entry: 'lambdas/handlers/recover-allocation.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: {
      ledger: ['GetItem', 'UpdateItem', 'DeleteItem'],
      publishFacts: true,
      describesExecutionsOf: ['allocate-resources'],
    },
  }),
  defineFunction({
    id: 'expire-leases',
    description: 'Releases allocations whose lease has ended (scheduled)',
    entry: 'lambdas/handlers/expire-leases.ts',
    memoryMiB: 256,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem'], queriesLeaseIndex: true, publishFacts: true },
  }),
  defineFunction({
    id: 'place-workload',
    description: "Places a submitted workload on its tenant's resources, or explains why it stays pending",
    entry: 'lambdas/handlers/place-workload.ts',
    memoryMiB: 512,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], publishFacts: true },
  }),
  defineFunction({
    id: 'remove-workload',
    description: "Frees a removed workload's room and places pending workloads there",
    entry: 'lambdas/handlers/remove-workload.ts',
    memoryMiB: 512,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query'], publishFacts: true },
  }),
  defineFunction({
    id: 'follow-resources',
    description:
      'Turns allocations into resources for workloads, evacuates released ones, places pending work',
    entry: 'lambdas/handlers/follow-resources.ts',
    memoryMiB: 512,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], publishFacts: true },
  }),
  defineFunction({
    id: 'plan-rebalance',
    description: 'Plans the moves of the rebalance-workloads workflow, in waves within the disruption budget',
    entry: 'lambdas/handlers/plan-rebalance.ts',
    memoryMiB: 1024,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: { ledger: ['Query'], publishFacts: false },
  }),
  defineFunction({
    id: 'move-workload',
    description: 'Begins, finishes or reverts one move of the rebalance-workloads workflow',
    entry: 'lambdas/handlers/move-workload.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    // Query and facts: a workload whose target was released during its move is placed again, and announced.
    access: { ledger: ['GetItem', 'UpdateItem', 'Query'], publishFacts: true },
  }),
  defineFunction({
    id: 'recover-rebalance',
    description: 'Reverts the moves a rebalance-workloads execution left in flight when it ended abnormally',
    entry: 'lambdas/handlers/recover-rebalance.ts',
    memoryMiB: 256,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: {
      ledger: ['GetItem', 'UpdateItem', 'Query'],
      // Reverts announce nothing; a status change that does not parse is answered with RequestRejected.
      publishFacts: true,
      describesExecutionsOf: ['rebalance-workloads'],
    },
  }),
  defineFunction({
    id: 'report-rebalance',
    description: 'Counts the outcomes of a rebalance and announces WorkloadsRebalanced',
    entry: 'lambdas/handlers/report-rebalance.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: [], publishFacts: true },
  }),
  defineFunction({
    id: 'answer-workload-move',
    description: 'Resumes a rebalance wave waiting on a move from WorkloadMoveCompleted',
    entry: 'lambdas/handlers/answer-workload-move.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: [], publishFacts: true, answersTaskTokens: true },
  }),
  defineFunction({
    id: 'start-rollout',
    description: 'Checks a rollout against its alias, takes the alias lock and announces the start',
    entry: 'lambdas/handlers/start-rollout.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: {
      ledger: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      publishFacts: true,
      answersTaskTokens: true,
      shiftsAliases: true,
    },
  }),
  defineFunction({
    id: 'shift-traffic',
    description: "Shifts a rollout's alias traffic one step and reads it back",
    entry: 'lambdas/handlers/shift-traffic.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['UpdateItem'], publishFacts: true, shiftsAliases: true },
  }),
  defineFunction({
    id: 'open-gate',
    description: 'Notes the gate a rollout step waits at, so that alarms and controls can answer it',
    entry: 'lambdas/handlers/open-gate.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem'], publishFacts: true, answersTaskTokens: true },
  }),
  defineFunction({
    id: 'run-traffic-hook',
    description: "Invokes a rollout's pre- or post-traffic hook",
    entry: 'lambdas/handlers/run-traffic-hook.ts',
    memoryMiB: 256,
    timeoutSeconds: 300,
    environment: storeAndBusEnvironment,
    access: { ledger: [], publishFacts: false, invokesHooks: true },
  }),
  defineFunction({
    id: 'finish-rollout',
    description: 'Ends a rollout: success, or the alias put back; frees the lock and announces it',
    entry: 'lambdas/handlers/finish-rollout.ts',
    memoryMiB: 256,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem', 'DeleteItem'], publishFacts: true, shiftsAliases: true },
  }),
  defineFunction({
    id: 'recover-rollout',
    description: 'Puts back the alias of a rollout whose execution was stopped, timed out or failed',
    entry: 'lambdas/handlers/recover-rollout.ts',
    memoryMiB: 256,
    timeoutSeconds: 60,
    environment: storeAndBusEnvironment,
    access: {
      ledger: ['GetItem', 'UpdateItem', 'DeleteItem'],
      publishFacts: true,
      shiftsAliases: true,
      describesExecutionsOf: ['roll-out-service'],
    },
  }),
  defineFunction({
    id: 'reconcile',
    description:
      'Finds every record in flight whose execution is no longer running and recovers it (scheduled)',
    entry: 'lambdas/handlers/reconcile.ts',
    memoryMiB: 512,
    timeoutSeconds: 300,
    environment: storeAndBusEnvironment,
    access: {
      ledger: ['GetItem', 'Query', 'Scan', 'UpdateItem', 'DeleteItem'],
      publishFacts: true,
      shiftsAliases: true,
      describesExecutionsOf: ['allocate-resources', 'roll-out-service', 'rebalance-workloads'],
    },
  }),
  defineFunction({
    id: 'signal-rollout',
    description: 'Brings controls and alarm state changes to the rollouts waiting at their gates',
    entry: 'lambdas/handlers/signal-rollout.ts',
    memoryMiB: 256,
    timeoutSeconds: 30,
    environment: storeAndBusEnvironment,
    access: { ledger: ['GetItem', 'UpdateItem', 'Query'], publishFacts: true, answersTaskTokens: true },
  }),
  defineFunction({
    id: 'reject-invalid-requests',
    description: 'Announces RequestRejected for requests to workflows that break their schema',
    entry: 'lambdas/handlers/reject-invalid-requests.ts',
    memoryMiB: 256,
    timeoutSeconds: 10,
    environment: storeAndBusEnvironment,
    access: { ledger: [], publishFacts: true },
  }),
] as const satisfies readonly FunctionDefinition[];

export type FunctionId = (typeof functions)[number]['id'];

/** `declare-pool` → `DeclarePoolFunctionArn`: the ASL `definitionSubstitutions` key of a function. */
export function functionArnSubstitution(functionId: string): string {
  const pascal = functionId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${pascal}FunctionArn`;
}
