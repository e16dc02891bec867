import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type Rule } from 'aws-cdk-lib/aws-events';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { StoreAndBusEnvironment } from '../lambdas/config/environment';
import { BatonFunction } from './baton-function';
import { grantDeclaredAccess } from './orchestrator/access-grants';
import { DeadLetterQueue } from './orchestrator/dead-letter-queue';
import { buildRoutes, buildSchedules } from './orchestrator/event-routes';
import { EventSchemaRegistry } from './orchestrator/event-schema-registry';
import { ExecutionFailureAlerts } from './orchestrator/execution-failure-alerts';
import { buildLedgerTable } from './orchestrator/ledger-table';
import { OperationsDashboard } from './orchestrator/operations-dashboard';
import {
  type CheckedOrchestratorProps,
  checkOrchestratorProps,
  type OrchestratorProps,
} from './orchestrator/orchestrator-props';
import { WorkflowStateMachine } from './orchestrator/workflow-state-machine';
import { declaredEnvironment } from './topology/function-environment';
import { batonName } from './topology/resource-names';

export type { OrchestratorProps } from './orchestrator/orchestrator-props';

/**
 * Baton in one construct: the `baton-<stage>` bus and its fact-publishing policy, the ledger
 * table, one function per function definition, one state machine per workflow file, one rule per
 * route (each target with a dead-letter queue), alerts on faulted executions and on every
 * dead-letter queue that holds a message, the event catalog's schema registry, and the
 * operations dashboard. Everything is derived from the topology in `lib/topology/`: the props are
 * checked first (`checkOrchestratorProps`), then each part is built, and every grant is made in
 * one place (`grantDeclaredAccess`).
 */
export class Orchestrator extends Construct {
  readonly stage: string;
  /** `baton-<stage>`: requests come in here, facts go out from here. */
  readonly bus: EventBus;
  /** The ledger: one table, string keys `pk` and `sk`. */
  readonly table: Table;
  /** By function id. */
  readonly functions: ReadonlyMap<string, BatonFunction>;
  /** By workflow id. */
  readonly stateMachines: ReadonlyMap<string, StateMachine>;
  /** By route id. */
  readonly rules: ReadonlyMap<string, Rule>;
  /** Where each route's undeliverable events wait, by route id. */
  readonly deadLetterQueues: ReadonlyMap<string, DeadLetterQueue>;
  readonly alerts: ExecutionFailureAlerts;
  readonly schemaRegistry: EventSchemaRegistry;
  /** `baton-<stage>`: Baton's metrics, its workflows, functions and dead-letter queues at a glance. */
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OrchestratorProps) {
    super(scope, id);
    const checked = checkOrchestratorProps(props);
    this.stage = checked.stage;
    const namePrefix = batonName(this.stage);
    const delivery = checked.eventDelivery;

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: namePrefix,
      description: 'Baton requests and facts',
    });
    this.table = buildLedgerTable(this, 'Ledger', checked.retainLedger);
    this.functions = this.buildFunctions(checked);
    const workflows = this.buildWorkflows(checked);
    this.stateMachines = new Map(workflows.map((workflow) => [workflow.node.id, workflow.stateMachine]));
    grantDeclaredAccess(this, {
      stage: this.stage,
      bus: this.bus,
      table: this.table,
      functions: this.functions,
      workflows,
      rolloutTargets: checked.rolloutTargets,
    });

    const targets = {
      stage: this.stage,
      bus: this.bus,
      delivery,
      functions: this.functions,
      stateMachines: this.stateMachines,
    };
    const routed = buildRoutes(new Construct(this, 'Routes'), checked.routes, targets);
    this.rules = new Map(routed.map(({ route, rule }) => [route.id, rule]));
    buildSchedules(new Construct(this, 'Schedules'), checked.schedules, targets);
    this.deadLetterQueues = new Map(routed.map(({ route, deadLetterQueue }) => [route.id, deadLetterQueue]));

    this.alerts = new ExecutionFailureAlerts(this, 'Alerts', {
      namePrefix,
      stateMachines: this.stateMachines,
      delivery,
    });
    // Every dead-letter queue (route targets, functions' asynchronous invocations, the alerts rule's own) holds
    // work that only an operator can finish, so each one alerts when a message arrives.
    const everyDeadLetterQueue = this.node
      .findAll()
      .filter((construct): construct is DeadLetterQueue => construct instanceof DeadLetterQueue);
    for (const queue of everyDeadLetterQueue) queue.alarmWhenNotEmpty(this.alerts.topic);
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      namePrefix,
      stateMachines: this.stateMachines,
      functions: new Map([...this.functions].map(([functionId, fn]) => [functionId, fn.function])),
      deadLetterQueues: everyDeadLetterQueue,
    });
    this.schemaRegistry = new EventSchemaRegistry(this, 'Schemas', { registryName: namePrefix });
  }

  /** One function per definition, under `Functions/<id>`, given the variables its schema declares. */
  private buildFunctions({ functions, logRetention }: CheckedOrchestratorProps): Map<string, BatonFunction> {
    const scope = new Construct(this, 'Functions');
    const offered = {
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: this.bus.eventBusName,
    } satisfies StoreAndBusEnvironment;
    return new Map(
      functions.map((definition) => [
        definition.id,
        new BatonFunction(scope, definition.id, {
          definition,
          functionName: batonName(this.stage, definition.id),
          serviceName: batonName(this.stage),
          environment: declaredEnvironment(definition, offered),
          logRetention,
        }),
      ]),
    );
  }

  /** One state machine per workflow, under `Workflows/<id>`. */
  private buildWorkflows({ workflows, logRetention }: CheckedOrchestratorProps): WorkflowStateMachine[] {
    const scope = new Construct(this, 'Workflows');
    const functions = new Map([...this.functions].map(([functionId, fn]) => [functionId, fn.function]));
    return workflows.map(
      (workflow) =>
        new WorkflowStateMachine(scope, workflow.id, {
          workflow,
          stateMachineName: batonName(this.stage, workflow.id),
          functions,
          bus: this.bus,
          table: this.table,
          logRetention,
        }),
    );
  }
}
