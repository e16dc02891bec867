/**
 * Cold-start wiring for handlers that use the ledger table and Baton's bus: the environment is
 * validated once, the clients are built once, the facts published are counted in the metrics.
 * Each handler wires only the adapters it uses, so its bundle carries nothing else.
 */
import { loadEnvironment, storeAndBusEnvironment } from '../config/environment';
import { recordMetrics } from '../middleware/observability';
import { sharedDocumentClient, sharedEventBridgeClient, sharedStepFunctionsClient } from './aws-clients';
import { DynamoDbAllocationLedger } from './dynamodb-allocation-ledger';
import { DynamoDbInventoryStore } from './dynamodb-inventory-store';
import { DynamoDbRolloutLedger } from './dynamodb-rollout-ledger';
import { DynamoDbUnsettledRecords } from './dynamodb-unsettled-records';
import { DynamoDbWorkloadLedger } from './dynamodb-workload-ledger';
import { EventBridgePublisher } from './event-bridge-publisher';
import { LambdaAliasTraffic } from './lambda-alias-traffic';
import { MeasuredPublisher } from './measured-publisher';
import { StepFunctionsExecutions } from './step-functions-executions';
import { TaskAnswers } from './task-answers';

function storeAndBus() {
  const env = loadEnvironment(storeAndBusEnvironment);
  return {
    tableName: env.TABLE_NAME,
    publisher: new MeasuredPublisher(
      new EventBridgePublisher(sharedEventBridgeClient(), env.EVENT_BUS_NAME),
      recordMetrics,
    ),
  };
}

/** Only the publisher of facts, for handlers that write nothing to the ledger. */
export function wirePublisher() {
  return { publisher: storeAndBus().publisher };
}

/** Pools and quotas (the inventory), and the publisher of facts. */
export function wireInventory() {
  const { tableName, publisher } = storeAndBus();
  return { inventory: new DynamoDbInventoryStore(sharedDocumentClient(), tableName), publisher };
}

/** The allocation ledger, and the publisher of facts. */
export function wireAllocations() {
  const { tableName, publisher } = storeAndBus();
  return { ledger: new DynamoDbAllocationLedger(sharedDocumentClient(), tableName), publisher };
}

/** The workload ledger (tenants' resources and workloads), and the publisher of facts. */
export function wireWorkloads() {
  const { tableName, publisher } = storeAndBus();
  return { workloads: new DynamoDbWorkloadLedger(sharedDocumentClient(), tableName), publisher };
}

/** Rollouts: their ledger, the alias traffic (Lambda's control plane), task answers, the publisher. */
export function wireRollouts() {
  const { tableName, publisher } = storeAndBus();
  return {
    rollouts: new DynamoDbRolloutLedger(sharedDocumentClient(), tableName),
    traffic: new LambdaAliasTraffic(),
    answers: new TaskAnswers(),
    publisher,
  };
}

/** What recovery asks Step Functions: whether an execution still runs. */
export function wireExecutions() {
  return { executions: new StepFunctionsExecutions(sharedStepFunctionsClient()) };
}

/** The reconciler: every ledger, the alias traffic, executions, the records in flight, the publisher. */
export function wireReconciliation() {
  const { tableName, publisher } = storeAndBus();
  const client = sharedDocumentClient();
  return {
    allocations: new DynamoDbAllocationLedger(client, tableName),
    rollouts: new DynamoDbRolloutLedger(client, tableName),
    workloads: new DynamoDbWorkloadLedger(client, tableName),
    traffic: new LambdaAliasTraffic(),
    records: new DynamoDbUnsettledRecords(client, tableName),
    ...wireExecutions(),
    publisher,
  };
}
