import { readFileSync } from 'node:fs';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type WorkflowRequirements, workflowRequirements } from '../topology/workflow-requirements';
import { workflowBindings, workflowSubstitutions } from '../topology/workflow-substitutions';
import type { WorkflowDefinition } from '../topology/workflows';

export interface WorkflowStateMachineProps {
  readonly workflow: WorkflowDefinition;
  /** The deployed name, `baton-<stage>-<workflow>`. */
  readonly stateMachineName: string;
  /** Every Baton function by id: each one's ARN is a substitution, whether the ASL uses it or not. */
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly bus: IEventBus;
  readonly table: ITable;
  /** How long its execution log group keeps events. */
  readonly logRetention: RetentionDays;
}

/**
 * One workflow deployed from its ASL file as-is (inline, with `definitionSubstitutions`): a
 * STANDARD state machine with X-Ray and full execution logs. What its role may do is granted from
 * its `requirements` (`access-grants.ts`).
 */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  /** What the ASL was found to need; the role's grants are derived from it (`access-grants.ts`). */
  readonly requirements: WorkflowRequirements;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { bus, table, functions, stateMachineName } = props;
    const definition = readFileSync(props.workflow.file, 'utf8');
    this.requirements = workflowRequirements(
      props.workflow.id,
      definition,
      workflowBindings(functions.keys()),
    );

    this.logGroup = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: props.logRetention,
      // Logs are bounded by their retention; keeping the group would block a redeploy under this name.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      // Only the functions the ASL names: every ARN substituted is a dependency of the state machine.
      definitionSubstitutions: workflowSubstitutions({
        functionArns: new Map(
          [...functions]
            .filter(([functionId]) => this.requirements.invokedFunctionIds.has(functionId))
            .map(([functionId, fn]) => [functionId, fn.functionArn]),
        ),
        eventBusName: bus.eventBusName,
        eventBusArn: bus.eventBusArn,
        tableName: table.tableName,
        tableArn: table.tableArn,
      }),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" appears only in the statements Step Functions requires for X-Ray tracing ' +
        '(xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, xray:GetSamplingTargets) ' +
        'and for vended log delivery (logs:CreateLogDelivery and related): neither service supports ' +
        'resource-level permissions for these actions.',
    });
  }
}
