import { Duration, Validations } from 'aws-cdk-lib';
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
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id, {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Both rules ask every queue for a redrive policy; a dead-letter queue is the end of the line.
    const reason =
      `This queue is itself the dead-letter queue of ${props.keepsFailuresOf}; nothing consumes it ` +
      'automatically, so a further dead-letter queue behind it would never receive a message.';
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-SQS3', reason },
      { id: 'Serverless-SQSRedrivePolicy', reason },
    );
  }
}
