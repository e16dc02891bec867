import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { InvalidRequest } from '../../lambdas/core/errors';
import { DeadLetterQueue } from './dead-letter-queue';
import type { EventDelivery } from './event-delivery';

/**
 * The errors an execution fails with when its caller is at fault (the input was invalid): the caller
 * reads why in the execution's cause; there is nothing for an operator to do.
 */
export const CALLER_ERRORS: readonly string[] = [new InvalidRequest().name];

export interface ExecutionFailureAlertsProps {
  /** `baton-<stage>`: prefixes the topic, alarm and rule names. */
  readonly namePrefix: string;
  /** The state machines to watch, by workflow id. */
  readonly stateMachines: ReadonlyMap<string, IStateMachine>;
  readonly delivery: EventDelivery;
}

/**
 * Tells operators when a workflow faults. An alarm per state machine counts failed, timed-out and
 * aborted executions; a rule on the default bus (where Step Functions reports status changes)
 * forwards each such execution, with its ARN, so the alert links straight to the failed run, except
 * the executions that failed with one of {@link CALLER_ERRORS}. Both go to one encrypted SNS topic
 * that operators subscribe to (email, Chatbot, paging), as do the dead-letter queue alarms. The
 * topic's key is customer managed because EventBridge and CloudWatch cannot use `alias/aws/sns`.
 */
export class ExecutionFailureAlerts extends Construct {
  readonly topic: Topic;
  /** One alarm per watched state machine, by workflow id. */
  readonly alarms: ReadonlyMap<string, Alarm>;
  /** Absent when there is no state machine to watch. */
  readonly rule: Rule | undefined;

  constructor(scope: Construct, id: string, props: ExecutionFailureAlertsProps) {
    super(scope, id);
    const { namePrefix, stateMachines } = props;
    const key = new Key(this, 'TopicKey', {
      description: `Encrypts ${namePrefix}-alerts`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Topic', {
      topicName: `${namePrefix}-alerts`,
      displayName: `Baton ${namePrefix} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // An explicit topic policy replaces SNS's default one, so CloudWatch alarms need their own grant.
    this.topic.grantPublish(new ServicePrincipal('cloudwatch.amazonaws.com'));

    const notify = new SnsAction(this.topic);
    this.alarms = new Map(
      [...stateMachines].map(([workflowId, stateMachine]) => {
        // Execution metrics carry no error name, so this alarm also counts executions failed with CALLER_ERRORS.
        const alarm = new Alarm(this, `${workflowId}-faults`, {
          alarmName: `${namePrefix}-${workflowId}-faults`,
          alarmDescription: `Executions of ${namePrefix}-${workflowId} failed, timed out or were aborted`,
          metric: new MathExpression({
            expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
            usingMetrics: {
              failed: stateMachine.metricFailed(),
              timedOut: stateMachine.metricTimedOut(),
              aborted: stateMachine.metricAborted(),
            },
            period: Duration.minutes(1),
            label: 'faulted executions',
          }),
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(notify);
        alarm.addOkAction(notify);
        return [workflowId, alarm] as const;
      }),
    );

    this.rule = stateMachines.size === 0 ? undefined : this.forwardFaultedExecutions(props);
  }

  private forwardFaultedExecutions({
    namePrefix,
    stateMachines,
    delivery,
  }: ExecutionFailureAlertsProps): Rule {
    const rule = new Rule(this, 'FaultedExecutions', {
      ruleName: `${namePrefix}-faulted-executions`,
      description: `Forwards failed (except on invalid input), timed-out and aborted executions of ${namePrefix} workflows to the alerts topic`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [...stateMachines.values()].map((stateMachine) => stateMachine.stateMachineArn),
          // Business refusals end SUCCEEDED; a FAILED execution is a fault unless its caller is to blame. A Fail
          // state may name no error, and anything-but matches only a field that is present.
          $or: [
            { status: ['TIMED_OUT', 'ABORTED'] },
            { status: ['FAILED'], error: [{ 'anything-but': [...CALLER_ERRORS] }] },
            { status: ['FAILED'], error: [{ exists: false }] },
          ],
        },
      },
    });
    const deadLetterQueue = new DeadLetterQueue(this, 'FaultedExecutionsDeadLetters', {
      queueName: `${namePrefix}-faulted-executions-dlq`,
      keepsFailuresOf: `the alerts topic target of rule ${namePrefix}-faulted-executions`,
    });
    rule.addTarget(new SnsTopic(this.topic, { ...delivery, deadLetterQueue }));
    return rule;
  }
}
