/**
 * Who may do what, in one place: every grant of the `Orchestrator`'s roles, derived from what each
 * function declares it calls (`FunctionDefinition.access`) and what each workflow's ASL was found
 * to do (`WorkflowStateMachine.requirements`) — least privilege by construction, with each
 * acknowledged cdk-nag finding beside the statement it is about. The resources are built first;
 * nothing here makes one but statements and the bus's policy.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ledgerTableSchema } from '../../lambdas/adapters/ledger-keys';
import type { BatonFunction } from '../baton-function';
import { batonName } from '../topology/resource-names';
import { restrictFactPublishing } from './fact-publishing-policy';
import type { WorkflowStateMachine } from './workflow-state-machine';

export interface AccessGrantsProps {
  readonly stage: string;
  readonly bus: EventBus;
  readonly table: Table;
  readonly functions: ReadonlyMap<string, BatonFunction>;
  readonly workflows: readonly WorkflowStateMachine[];
  /** Function names rollouts may act on (`OrchestratorProps.rolloutTargets`). */
  readonly rolloutTargets: readonly string[];
}

/** Grants every function and state machine what it needs, and lets only those that publish facts publish them. */
export function grantDeclaredAccess(scope: Construct, props: AccessGrantsProps): void {
  const arns = new StageArns(scope, props.stage);
  for (const fn of props.functions.values()) grantFunctionAccess(fn, props, arns);
  for (const workflow of props.workflows) grantWorkflowAccess(workflow, props);
  grantTaskAnswers(props, arns);
  restrictFactPublishing(props.bus, [
    ...[...props.functions.values()].filter((fn) => fn.definition.access.publishFacts).map((fn) => fn.role),
    ...props.workflows
      .filter((workflow) => workflow.requirements.publishesEvents)
      .map((workflow) => workflow.stateMachine.role),
  ]);
}

/**
 * Exactly the actions a function's code calls, from its definition's `access`. The ledger's
 * AWS-managed key needs no key grant (a customer-managed one would).
 */
function grantFunctionAccess(
  fn: BatonFunction,
  { bus, table, rolloutTargets }: AccessGrantsProps,
  arns: StageArns,
) {
  const { access } = fn.definition;
  if (access.ledger.length > 0) {
    // The table's items only: `Table.grant` would add `<table>/index/*` for every index.
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access.ledger.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
      }),
    );
  }
  if (access.queriesLeaseIndex) {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${ledgerTableSchema.leaseIndex.indexName}`],
      }),
    );
  }
  if (access.publishFacts) bus.grantPutEventsTo(fn.role);
  const lambdaActions = [
    ...(access.shiftsAliases ? ['lambda:GetAlias', 'lambda:GetFunction', 'lambda:UpdateAlias'] : []),
    ...(access.invokesHooks ? ['lambda:InvokeFunction'] : []),
  ];
  if (lambdaActions.length > 0 && rolloutTargets.length > 0) {
    grantOnRolloutTargets(fn, lambdaActions, rolloutTargets, arns);
  }
  const described = access.describesExecutionsOf ?? [];
  if (described.length > 0) grantDescribeExecutions(fn, described, arns);
}

/**
 * Lambda actions on the rollout targets — each function ARN and its qualified forms (versions,
 * aliases) — and an explicit deny on Baton's own functions, which a broad target would match.
 */
function grantOnRolloutTargets(
  fn: BatonFunction,
  actions: string[],
  targets: readonly string[],
  arns: StageArns,
) {
  const names = targets.flatMap((name) => [name, `${name}:*`]);
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({ actions, resources: names.map((name) => arns.lambdaFunction(name)) }),
  );
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
      resources: [arns.lambdaFunction(`${arns.namePrefix}-*`)],
    }),
  );
}

/**
 * `states:DescribeExecution` on the executions of this stage's state machines of these
 * workflows: recovery asks whether an execution still runs before it undoes anything.
 */
function grantDescribeExecutions(fn: BatonFunction, workflowIds: readonly string[], arns: StageArns) {
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['states:DescribeExecution'],
      resources: workflowIds.map((workflowId) => arns.executionsOf(workflowId)),
    }),
  );
  for (const workflowId of workflowIds) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${arns.executionNamesOf(workflowId)}]`,
      reason:
        "Recovery describes the executions of one of its stage's own state machines, whichever ended: an " +
        'execution ARN is the state machine name and an execution name not known in advance.',
    });
  }
}

/** A state machine's role may do exactly what its Task states do and nothing else. */
function grantWorkflowAccess(workflow: WorkflowStateMachine, { bus, table, functions }: AccessGrantsProps) {
  const { stateMachine, requirements } = workflow;
  const invoked = [...requirements.invokedFunctionIds].flatMap((functionId) => {
    const fn = functions.get(functionId);
    return fn ? [fn.function.functionArn] : [];
  });
  if (invoked.length > 0) {
    // Only the unqualified ARNs the ASL names: no `:*` for versions or aliases it never calls.
    stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }),
    );
  }
  if (requirements.publishesEvents) bus.grantPutEventsTo(stateMachine);
  if (requirements.ledgerActions.size > 0) {
    // The table's items only: `Table.grant` would add `<table>/index/*` for every index.
    stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: [...requirements.ledgerActions], resources: [table.tableArn] }),
    );
  }
}

/**
 * Functions that resume waiting tasks may answer Baton's own state machines, and only those.
 * Their ARNs are built from the names, not referenced: a function that a state machine both
 * invokes and is answered by would otherwise make a dependency cycle.
 */
function grantTaskAnswers({ functions, workflows }: AccessGrantsProps, arns: StageArns) {
  const stateMachineArns = workflows.map((workflow) => arns.stateMachine(workflow.node.id));
  if (stateMachineArns.length === 0) return;
  for (const fn of functions.values()) {
    if (!fn.definition.access.answersTaskTokens) continue;
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: stateMachineArns,
      }),
    );
  }
}

/** The ARNs of this stage's resources, made from their names. */
class StageArns {
  /** `baton-<stage>`. */
  readonly namePrefix: string;

  constructor(
    private readonly scope: Construct,
    private readonly stage: string,
  ) {
    this.namePrefix = batonName(stage);
  }

  lambdaFunction(name: string): string {
    return this.format('lambda', 'function', name);
  }

  stateMachine(workflowId: string): string {
    return this.format('states', 'stateMachine', batonName(this.stage, workflowId));
  }

  /** `<state machine name>:*`: every execution of the workflow's state machine. */
  executionNamesOf(workflowId: string): string {
    return `${batonName(this.stage, workflowId)}:*`;
  }

  executionsOf(workflowId: string): string {
    return this.format('states', 'execution', this.executionNamesOf(workflowId));
  }

  private format(service: string, resource: string, resourceName: string): string {
    return Stack.of(this.scope).formatArn({
      service,
      resource,
      resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
