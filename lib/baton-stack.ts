import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Orchestrator, type OrchestratorProps } from './orchestrator';

export interface BatonStackProps extends StackProps {
  readonly stage: string;
  /**
   * Overrides of the orchestrator's defaults (topology, retention, delivery), e.g. to add the
   * test fixtures.
   * @default the product topology
   */
  readonly orchestrator?: Omit<OrchestratorProps, 'stage'>;
}

/** One deployment of Baton: the orchestrator plus the outputs a caller needs to talk to it. */
export class BatonStack extends Stack {
  readonly orchestrator: Orchestrator;

  constructor(scope: Construct, id: string, { stage, orchestrator, ...stackProps }: BatonStackProps) {
    super(scope, id, {
      description: `Baton (${stage}): event-driven orchestrator of resources, workloads and service rollouts`,
      ...stackProps,
    });
    this.orchestrator = new Orchestrator(this, 'Baton', { ...orchestrator, stage });

    new CfnOutput(this, 'EventBusName', {
      description: 'Put requests on this bus (any source but "baton")',
      value: this.orchestrator.bus.eventBusName,
    });
    new CfnOutput(this, 'TableName', {
      description: 'The ledger table',
      value: this.orchestrator.table.tableName,
    });
    new CfnOutput(this, 'AlertsTopicArn', {
      description: 'Subscribe to be told about faulted workflow executions',
      value: this.orchestrator.alerts.topic.topicArn,
    });
    for (const [workflowId, stateMachine] of this.orchestrator.stateMachines) {
      new CfnOutput(this, `StateMachineArn-${workflowId}`, {
        description: `Start ${workflowId} with its input JSON`,
        value: stateMachine.stateMachineArn,
      });
    }
  }
}
