/**
 * Cold-start wiring for handlers that use the ledger table and Baton's bus: the environment is
 * validated once, at cold start; each adapter (and the AWS SDK it imports) is loaded by its first
 * call, so a handler's module init carries none of them. The facts published are counted in the
 * metrics. Each handler wires only the adapters it uses, so its bundle carries nothing else.
 */

import { loadOnce } from '../cold-start/load-once';
import { loadEnvironment, storeAndBusEnvironment } from '../config/environment';
import type {
  AllocationLedger,
  AllocationRecords,
  CapacityHolders,
  RequestClaims,
} from '../core/allocation/allocation-ledger';
import type { InventoryStore } from '../core/inventory/inventory';
import type { FactPublisher, TaskAnswerer } from '../core/ports';
import type { ExecutionLookup } from '../core/recovery/executions';
import type { UnsettledRecords } from '../core/recovery/orphans';
import type { AliasTraffic, RolloutLedger, TrafficHooks } from '../core/rollouts/rollout';
import type { WorkloadLedger } from '../core/workloads/workload-ledger';
import { recordMetrics } from '../observability/metrics';
import {
  newLambdaClient,
  sharedDocumentClient,
  sharedEventBridgeClient,
  sharedStepFunctionsClient,
} from './aws-clients';
import { MeasuredPublisher } from './measured-publisher';

type AsyncMethods<Port> = { [Name in keyof Port]: (...args: never[]) => Promise<unknown> };

/**
 * A port whose implementation `load` builds on the first call of any of its methods (ports are
 * all asynchronous, so the caller cannot tell). A load that fails is tried again on the next call (`loadOnce`).
 */
function onFirstCall<Port extends AsyncMethods<Port>>(load: () => Promise<Port>): Port {
  const implementation = loadOnce(load);
  return new Proxy({} as Port, {
    get: (_, name) =>
      // A port is passed around and called, never awaited: answering `then` would make it a thenable.
      typeof name === 'symbol' || name === 'then'
        ? undefined
        : async (...args: never[]) => {
            const port = await implementation();
            return port[name as keyof Port](...args);
          },
  });
}

function storeAndBus() {
  const env = loadEnvironment(storeAndBusEnvironment);
  const events = onFirstCall<FactPublisher>(async () => {
    const { EventBridgePublisher } = await import('./event-bridge-publisher');
    return new EventBridgePublisher(await sharedEventBridgeClient(), env.EVENT_BUS_NAME);
  });
  return { tableName: env.TABLE_NAME, publisher: new MeasuredPublisher(events, recordMetrics) };
}

/** The allocation ledger's three ports, each loaded by its own first call. */
function allocationLedger(tableName: string): AllocationLedger {
  return {
    holders: onFirstCall<CapacityHolders>(async () => {
      const { DynamoDbCapacityHolders } = await import('./dynamodb-capacity-holders');
      return new DynamoDbCapacityHolders(await sharedDocumentClient(), tableName);
    }),
    claims: onFirstCall<RequestClaims>(async () => {
      const { DynamoDbRequestClaims } = await import('./dynamodb-request-claims');
      return new DynamoDbRequestClaims(await sharedDocumentClient(), tableName);
    }),
    records: onFirstCall<AllocationRecords>(async () => {
      const { DynamoDbAllocationRecords } = await import('./dynamodb-allocation-records');
      return new DynamoDbAllocationRecords(await sharedDocumentClient(), tableName);
    }),
  };
}

function rolloutLedger(tableName: string) {
  return onFirstCall<RolloutLedger>(async () => {
    const { DynamoDbRolloutLedger } = await import('./dynamodb-rollout-ledger');
    return new DynamoDbRolloutLedger(await sharedDocumentClient(), tableName);
  });
}

function workloadLedger(tableName: string) {
  return onFirstCall<WorkloadLedger>(async () => {
    const { DynamoDbWorkloadLedger } = await import('./dynamodb-workload-ledger');
    return new DynamoDbWorkloadLedger(await sharedDocumentClient(), tableName);
  });
}

function aliasTraffic() {
  return onFirstCall<AliasTraffic>(async () => {
    const { LambdaAliasTraffic, CONTROL_PLANE_ATTEMPTS } = await import('./lambda-alias-traffic');
    return new LambdaAliasTraffic(await newLambdaClient({ maxAttempts: CONTROL_PLANE_ATTEMPTS }));
  });
}

function taskAnswers() {
  return onFirstCall<TaskAnswerer>(async () => {
    const { TaskAnswers } = await import('./task-answers');
    return new TaskAnswers(await sharedStepFunctionsClient());
  });
}

/** Only the publisher of facts, for handlers that write nothing to the ledger. */
export function wirePublisher() {
  return { publisher: storeAndBus().publisher };
}

/** The publisher of facts, and the answers to workflows waiting on a task token. */
export function wireTaskAnswers() {
  return { ...wirePublisher(), answers: taskAnswers() };
}

/** Rollouts' traffic hooks: Lambda invocations. */
export function wireTrafficHooks() {
  return {
    hooks: onFirstCall<TrafficHooks>(async () => {
      const { LambdaTrafficHooks } = await import('./lambda-traffic-hooks');
      return new LambdaTrafficHooks(await newLambdaClient());
    }),
  };
}

/** Pools and quotas (the inventory), and the publisher of facts. */
export function wireInventory() {
  const { tableName, publisher } = storeAndBus();
  const inventory = onFirstCall<InventoryStore>(async () => {
    const { DynamoDbInventoryStore } = await import('./dynamodb-inventory-store');
    return new DynamoDbInventoryStore(await sharedDocumentClient(), tableName);
  });
  return { inventory, publisher };
}

/** The allocation ledger, and the publisher of facts. */
export function wireAllocations() {
  const { tableName, publisher } = storeAndBus();
  return { ledger: allocationLedger(tableName), publisher };
}

/** The workload ledger (tenants' resources and workloads), and the publisher of facts. */
export function wireWorkloads() {
  const { tableName, publisher } = storeAndBus();
  return { workloads: workloadLedger(tableName), publisher };
}

/** Rollouts: their ledger, the alias traffic (Lambda's control plane), task answers, the publisher. */
export function wireRollouts() {
  const { tableName, publisher } = storeAndBus();
  return { rollouts: rolloutLedger(tableName), traffic: aliasTraffic(), answers: taskAnswers(), publisher };
}

/** What recovery asks Step Functions: whether an execution still runs. */
export function wireExecutions() {
  return {
    executions: onFirstCall<ExecutionLookup>(async () => {
      const { StepFunctionsExecutions } = await import('./step-functions-executions');
      return new StepFunctionsExecutions(await sharedStepFunctionsClient());
    }),
  };
}

/** The reconciler: every ledger, the alias traffic, executions, the records in flight, the publisher. */
export function wireReconciliation() {
  const { tableName, publisher } = storeAndBus();
  return {
    allocations: allocationLedger(tableName),
    rollouts: rolloutLedger(tableName),
    workloads: workloadLedger(tableName),
    traffic: aliasTraffic(),
    records: onFirstCall<UnsettledRecords>(async () => {
      const { DynamoDbUnsettledRecords } = await import('./dynamodb-unsettled-records');
      return new DynamoDbUnsettledRecords(await sharedDocumentClient(), tableName);
    }),
    ...wireExecutions(),
    publisher,
  };
}
