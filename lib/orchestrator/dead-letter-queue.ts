import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  /** Whose failed deliveries it keeps, e.g. `the EventBridge target of route pool-declared`. */
  readonly keepsFailuresOf: string;
}

/**
 * Where a failed delivery waits for an operator: encrypted, TLS-only, kept for the 14 days SQS
 * allows so that a failure over a long weekend can still be inspected and replayed.
 */
export class DeadLetterQueue extends Queue {
  private readonly props: DeadLetterQueueProps;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.props = props;
    // Both rules ask every queue for a redrive policy; a dead-letter queue is the end of the line.
    const reason =
      `This queue is itself the dead-letter queue of ${props.keepsFailuresOf}; nothing consumes it ` +
      'automatically, so a further dead-letter queue behind it would never receive a message.';
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-SQS3', reason },
      { id: 'Serverless-SQSRedrivePolicy', reason },
    );
  }

  /**
   * `<queue name>-not-empty`: notifies `alerts` as soon as a message waits here, and again once the
   * queue is drained. SQS stops publishing metrics for a queue idle for six hours: no data is no failure.
   */
  alarmWhenNotEmpty(alerts: ITopic): Alarm {
    const { queueName, keepsFailuresOf } = this.props;
    const alarm = new Alarm(this, 'NotEmpty', {
      alarmName: `${queueName}-not-empty`,
      alarmDescription: `Failed deliveries of ${keepsFailuresOf} wait in ${queueName}: inspect, then redrive or purge them`,
      metric: this.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const notify = new SnsAction(alerts);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    return alarm;
  }
}
