/** AWS's own events about Baton's workflows: executions that end without finishing their work. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';

export const StepFunctionsExecutionStatusChange = defineEvent(
  'Step Functions Execution Status Change',
  'aws',
  z.looseObject({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.optional(z.nullable(z.string())),
  }),
  "AWS's own event when an execution changes status: what a rollout, an allocation or a rebalance whose execution ended abnormally left in flight is undone.",
  {
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:baton-prod-roll-out-service:checkout-42',
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:baton-prod-roll-out-service',
    status: 'ABORTED',
    input: '{"rolloutId":"checkout-42"}',
  },
  'aws.states',
);
