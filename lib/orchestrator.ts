import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  type EventPattern as CdkEventPattern,
  EventBus,
  type IRuleTarget,
  Rule,
  Schedule as RuleSchedule,
  RuleTargetInput,
} from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine, type TargetBaseProps } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ledgerTableSchema } from '../lambdas/adapters/ledger-keys';
import type { StoreAndBusEnvironment } from '../lambdas/config/environment';
import { events } from '../lambdas/core/events/catalog';
import { BatonFunction } from './baton-function';
import { DeadLetterQueue } from './orchestrator/dead-letter-queue';
import { DEFAULT_EVENT_DELIVERY, type EventDelivery } from './orchestrator/event-delivery';
import { EventSchemaRegistry } from './orchestrator/event-schema-registry';
import { ExecutionFailureAlerts } from './orchestrator/execution-failure-alerts';
import { restrictFactPublishing } from './orchestrator/fact-publishing-policy';
import { OperationsDashboard } from './orchestrator/operations-dashboard';
import { WorkflowStateMachine } from './orchestrator/workflow-state-machine';
import { parseStage } from './stage';
import { declaredEnvironment } from './topology/function-environment';
import { type FunctionDefinition, functions as productFunctions } from './topology/functions';
import { batonName } from './topology/resource-names';
import { routes as productRoutes, type Route, routePattern } from './topology/routes';
import { schedules as productSchedules, type Schedule } from './topology/schedules';
import { productWorkflowDirectory, type WorkflowDefinition, workflowsIn } from './topology/workflows';

export interface OrchestratorProps {
  /**
   * Names every resource (`baton-<stage>`, `baton-<stage>-<id>`): lowercase letters, digits and
   * inner hyphens, at most 20 characters.
   */
  readonly stage: string;
  /**
   * The Lambda functions to deploy.
   * @default the product's functions (`lib/topology/functions.ts`)
   */
  readonly functions?: readonly FunctionDefinition[];
  /**
   * The workflows to deploy, one state machine each.
   * @default every `*.asl.json` in `state-machines/`
   */
  readonly workflows?: readonly WorkflowDefinition[];
  /**
   * Which events start which function or workflow, one EventBridge rule each.
   * @default the product's routes (`lib/topology/routes.ts`)
   */
  readonly routes?: readonly Route[];
  /**
   * How long function and execution logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Retries and maximum event age of every EventBridge target.
   * @default DEFAULT_EVENT_DELIVERY (8 attempts, 1 hour)
   */
  readonly eventDelivery?: EventDelivery;
  /**
   * Whether the ledger table outlives the stack. Set `false` only for throwaway stages.
   * @default true: deletion protection on and `RemovalPolicy.RETAIN`
   */
  readonly retainLedger?: boolean;
  /**
   * The functions rollouts may shift the aliases of, and call as traffic hooks: names in this
   * account and region, `*` allowed (`checkout`, `payments-*`). Baton's own functions are never
   * among them.
   * @default none: rollouts are refused by IAM until the stage names what it may roll out
   */
  readonly rolloutTargets?: readonly string[];
  /**
   * Functions run on a clock, one schedule rule each.
   * @default the product's schedules (`lib/topology/schedules.ts`)
   */
  readonly schedules?: readonly Schedule[];
}

/**
 * Baton in one construct: the `baton-<stage>` bus and its fact-publishing policy, the ledger
 * table, one function per function definition, one state machine per workflow file, one rule per
 * route (each target with a dead-letter queue), alerts on faulted executions and on every
 * dead-letter queue that holds a message, the event catalog's schema registry, and the
 * operations dashboard. Everything is derived from the topology in `lib/topology/`.
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

  /** `baton-<stage>`: every physical name starts with it. */
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: OrchestratorProps) {
    super(scope, id);
    this.stage = parseStage(props.stage);
    this.namePrefix = batonName(this.stage);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const delivery = props.eventDelivery ?? DEFAULT_EVENT_DELIVERY;
    const retainLedger = props.retainLedger ?? true;

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: this.namePrefix,
      description: 'Baton requests and facts',
    });
    const { partitionKey, sortKey, leaseIndex } = ledgerTableSchema;
    this.table = new Table(this, 'Ledger', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // The ledger holds reservations and leases that exist nowhere else.
      deletionProtection: retainLedger,
      removalPolicy: retainLedger ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: leaseIndex.indexName,
      partitionKey: { name: leaseIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: leaseIndex.sortKey, type: AttributeType.STRING },
    });

    this.functions = this.deployFunctions(
      props.functions ?? productFunctions,
      logRetention,
      props.rolloutTargets ?? [],
    );
    const workflows = this.deployWorkflows(
      props.workflows ?? workflowsIn(productWorkflowDirectory),
      logRetention,
    );
    this.stateMachines = new Map(workflows.map((workflow) => [workflow.node.id, workflow.stateMachine]));
    // Functions that resume waiting tasks may answer Baton's own state machines, and only those.
    // Their ARNs are built from the names, not referenced: a function that a state machine both
    // invokes and is answered by would otherwise make a dependency cycle.
    const stateMachineArns = [...this.stateMachines.keys()].map((workflowId) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: batonName(this.stage, workflowId),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    for (const fn of this.functions.values()) {
      if (!fn.definition.access.answersTaskTokens || stateMachineArns.length === 0) continue;
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: stateMachineArns,
        }),
      );
    }
    restrictFactPublishing(this.bus, [
      ...[...this.functions.values()].filter((fn) => fn.definition.access.publishFacts).map((fn) => fn.role),
      ...workflows
        .filter((workflow) => workflow.requirements.publishesEvents)
        .map((workflow) => workflow.stateMachine.role),
    ]);

    const routesScope = new Construct(this, 'Routes');
    const routed = (props.routes ?? productRoutes).map((route) =>
      this.routeEvents(routesScope, route, delivery),
    );
    this.rules = new Map(routed.map(({ route, rule }) => [route.id, rule]));
    this.scheduleWork(props.schedules ?? productSchedules, delivery);
    this.deadLetterQueues = new Map(routed.map(({ route, deadLetterQueue }) => [route.id, deadLetterQueue]));

    this.alerts = new ExecutionFailureAlerts(this, 'Alerts', {
      namePrefix: this.namePrefix,
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
      namePrefix: this.namePrefix,
      stateMachines: this.stateMachines,
      functions: new Map([...this.functions].map(([functionId, fn]) => [functionId, fn.function])),
      deadLetterQueues: everyDeadLetterQueue,
    });
    this.schemaRegistry = new EventSchemaRegistry(this, 'Schemas', { registryName: this.namePrefix });
  }

  /**
   * Lambda actions on the rollout targets — each function ARN and its qualified forms (versions,
   * aliases) — and an explicit deny on Baton's own functions, which a broad target would match.
   */
  private grantOnRolloutTargets(fn: BatonFunction, actions: string[], targets: readonly string[]): void {
    const arnOf = (name: string) =>
      Stack.of(this).formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const names = targets.flatMap((name) => [name, `${name}:*`]);
    fn.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: names.map(arnOf) }));
    for (const name of names.filter((pattern) => pattern.includes('*'))) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${name}]`,
        reason:
          'Rollouts act on the functions this stage may roll out (rolloutTargets, name patterns) and on their ' +
          "versions and aliases (`<function>:*`); Baton's own functions are denied explicitly.",
      });
    }
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions,
        resources: [arnOf(`${this.namePrefix}-*`)],
      }),
    );
  }

  /**
   * `states:DescribeExecution` on the executions of this stage's state machines of these
   * workflows: recovery asks whether an execution still runs before it undoes anything.
   */
  private grantDescribeExecutions(fn: BatonFunction, workflowIds: readonly string[]): void {
    const executionsOf = (workflowId: string) => `${batonName(this.stage, workflowId)}:*`;
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: workflowIds.map((workflowId) =>
          Stack.of(this).formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: executionsOf(workflowId),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    for (const workflowId of workflowIds) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${executionsOf(workflowId)}]`,
        reason:
          "Recovery describes the executions of one of its stage's own state machines, whichever ended: an " +
          'execution ARN is the state machine name and an execution name not known in advance.',
      });
    }
  }

  private deployFunctions(
    definitions: readonly FunctionDefinition[],
    logRetention: RetentionDays,
    rolloutTargets: readonly string[],
  ): Map<string, BatonFunction> {
    const scope = new Construct(this, 'Functions');
    const offered = {
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: this.bus.eventBusName,
    } satisfies StoreAndBusEnvironment;
    return new Map(
      definitions.map((definition) => {
        const fn = new BatonFunction(scope, definition.id, {
          definition,
          functionName: batonName(this.stage, definition.id),
          serviceName: this.namePrefix,
          environment: declaredEnvironment(definition, offered),
          logRetention,
        });
        // Least privilege from the definition's `access`: exactly the actions its code calls. The
        // ledger's AWS-managed key needs no key grant (a customer-managed one would).
        const { ledger } = definition.access;
        if (ledger.length > 0) {
          // The table's items only: `Table.grant` would add `<table>/index/*` for every index.
          fn.role.addToPrincipalPolicy(
            new PolicyStatement({
              actions: ledger.map((action) => `dynamodb:${action}`),
              resources: [this.table.tableArn],
            }),
          );
        }
        if (definition.access.queriesLeaseIndex) {
          fn.role.addToPrincipalPolicy(
            new PolicyStatement({
              actions: ['dynamodb:Query'],
              resources: [`${this.table.tableArn}/index/${ledgerTableSchema.leaseIndex.indexName}`],
            }),
          );
        }
        if (definition.access.publishFacts) this.bus.grantPutEventsTo(fn.role);
        const lambdaActions = [
          ...(definition.access.shiftsAliases
            ? ['lambda:GetAlias', 'lambda:GetFunction', 'lambda:UpdateAlias']
            : []),
          ...(definition.access.invokesHooks ? ['lambda:InvokeFunction'] : []),
        ];
        if (lambdaActions.length > 0 && rolloutTargets.length > 0) {
          this.grantOnRolloutTargets(fn, lambdaActions, rolloutTargets);
        }
        const described = definition.access.describesExecutionsOf ?? [];
        if (described.length > 0) this.grantDescribeExecutions(fn, described);
        return [definition.id, fn];
      }),
    );
  }

  private deployWorkflows(
    workflows: readonly WorkflowDefinition[],
    logRetention: RetentionDays,
  ): WorkflowStateMachine[] {
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

  /** One schedule rule per scheduled function, its target backed by a dead-letter queue. */
  private scheduleWork(schedules: readonly Schedule[], delivery: EventDelivery): void {
    const scope = new Construct(this, 'Schedules');
    for (const schedule of schedules) {
      const fn = this.functions.get(schedule.functionId);
      if (!fn)
        throw new Error(
          `schedule ${schedule.id} runs function ${schedule.functionId}, which is not deployed`,
        );
      const scheduleScope = new Construct(scope, schedule.id);
      const ruleName = batonName(this.stage, schedule.id);
      const rule = new Rule(scheduleScope, 'Rule', {
        ruleName,
        description: schedule.description,
        schedule: RuleSchedule.rate(Duration.seconds(schedule.everySeconds)),
      });
      const deadLetterQueue = new DeadLetterQueue(scheduleScope, 'DeadLetters', {
        queueName: `${ruleName}-dlq`,
        keepsFailuresOf: `the target of schedule ${ruleName}`,
      });
      rule.addTarget(new LambdaFunction(fn.function, { ...delivery, deadLetterQueue }));
    }
  }

  /** One rule per route, its target backed by a dead-letter queue of its own. */
  private routeEvents(scope: Construct, route: Route, delivery: EventDelivery) {
    const routeScope = new Construct(scope, route.id);
    const ruleName = batonName(this.stage, route.id);
    const rule = new Rule(routeScope, 'Rule', {
      ruleName,
      description: route.description,
      // AWS services emit their events on the default bus only.
      eventBus: route.events.every((name) => events[name].origin === 'aws') ? undefined : this.bus,
      // The catalog pattern is EventBridge JSON ('detail-type', `anything-but`); CDK renders it verbatim.
      eventPattern: routePattern(route, this.stage) as CdkEventPattern,
    });
    const deadLetterQueue = new DeadLetterQueue(routeScope, 'DeadLetters', {
      queueName: `${ruleName}-dlq`,
      keepsFailuresOf: `the target of rule ${ruleName}`,
    });
    rule.addTarget(this.routeTarget(route, { ...delivery, deadLetterQueue }));
    return { route, rule, deadLetterQueue };
  }

  private routeTarget(route: Route, delivery: TargetBaseProps): IRuleTarget {
    const target = route.target;
    switch (target.kind) {
      case 'function': {
        const fn = this.functions.get(target.functionId);
        if (!fn) {
          throw new Error(`route ${route.id} invokes function ${target.functionId}, which is not deployed`);
        }
        return new LambdaFunction(fn.function, delivery);
      }
      case 'workflow': {
        const stateMachine = this.stateMachines.get(target.workflowId);
        if (!stateMachine) {
          throw new Error(`route ${route.id} starts workflow ${target.workflowId}, which is not deployed`);
        }
        // The execution input is the request itself, exactly what an operator would type in the console.
        return new SfnStateMachine(stateMachine, {
          ...delivery,
          input: RuleTargetInput.fromEventPath('$.detail'),
        });
      }
    }
  }
}
