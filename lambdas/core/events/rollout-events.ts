/** Service orchestration: progressive rollouts gated by alarms. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';
import { identifier } from './primitives';

const rolloutAction = z.enum(['pause', 'resume', 'promote', 'abort']);

export const ServiceRolloutRequested = defineEvent(
  'ServiceRolloutRequested',
  'request',
  z.object({
    rolloutId: identifier,
    functionName: z.string().check(z.minLength(1), z.maxLength(140)),
    alias: z.string().check(z.regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/)),
    targetVersion: z.string().check(z.regex(/^[0-9]+$/)),
    strategy: z.string().check(z.minLength(1)),
    alarms: z.optional(z.array(z.string().check(z.minLength(1)))),
  }),
  'Asks for a progressive rollout of a published Lambda version behind an alias.',
  {
    rolloutId: 'checkout-42',
    functionName: 'checkout',
    alias: 'live',
    targetVersion: '42',
    strategy: 'canary:10:300',
    alarms: ['checkout-errors'],
  },
);

export const ServiceRolloutControl = defineEvent(
  'ServiceRolloutControl',
  'request',
  z.object({ rolloutId: identifier, action: rolloutAction }),
  'Pauses, resumes, promotes or aborts a running rollout.',
  { rolloutId: 'checkout-42', action: 'pause' },
);

export const CloudWatchAlarmStateChange = defineEvent(
  'CloudWatch Alarm State Change',
  'aws',
  z.looseObject({
    alarmName: z.string(),
    state: z.looseObject({
      value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.optional(z.string()),
    }),
    previousState: z.optional(z.looseObject({ value: z.string() })),
  }),
  "AWS's own alarm state change event; gates rollouts.",
  {
    alarmName: 'checkout-errors',
    state: { value: 'ALARM', reason: 'Threshold Crossed' },
    previousState: { value: 'OK' },
  },
  'aws.cloudwatch',
);

export const ServiceRolloutStarted = defineEvent(
  'ServiceRolloutStarted',
  'fact',
  z.object({
    rolloutId: identifier,
    functionName: z.string(),
    alias: z.string(),
    fromVersion: z.string(),
    toVersion: z.string(),
    strategy: z.string(),
  }),
  'A rollout began shifting alias traffic.',
  {
    rolloutId: 'checkout-42',
    functionName: 'checkout',
    alias: 'live',
    fromVersion: '41',
    toVersion: '42',
    strategy: 'canary:10:300',
  },
);

export const ServiceRolloutStepCompleted = defineEvent(
  'ServiceRolloutStepCompleted',
  'fact',
  z.object({ rolloutId: identifier, step: z.int(), weight: z.number().check(z.gte(0), z.lte(1)) }),
  'A traffic step of a rollout passed its bake time with healthy gates.',
  { rolloutId: 'checkout-42', step: 1, weight: 0.1 },
);

export const ServiceRolloutSucceeded = defineEvent(
  'ServiceRolloutSucceeded',
  'fact',
  z.object({ rolloutId: identifier, functionName: z.string(), alias: z.string(), toVersion: z.string() }),
  'All traffic of the alias now goes to the target version.',
  { rolloutId: 'checkout-42', functionName: 'checkout', alias: 'live', toVersion: '42' },
);

export const ServiceRolloutRolledBack = defineEvent(
  'ServiceRolloutRolledBack',
  'fact',
  z.object({
    rolloutId: identifier,
    functionName: z.string(),
    alias: z.string(),
    fromVersion: z.string(),
    reason: z.string(),
    evidence: z.optional(z.record(z.string(), z.unknown())),
  }),
  'A rollout was undone: the alias routes all traffic to the version it had before.',
  {
    rolloutId: 'checkout-42',
    functionName: 'checkout',
    alias: 'live',
    fromVersion: '41',
    reason: 'AlarmFired',
    evidence: { alarmName: 'checkout-errors' },
  },
);

export const ServiceRolloutFailed = defineEvent(
  'ServiceRolloutFailed',
  'fact',
  z.object({ rolloutId: identifier, reason: z.string(), explanation: z.string() }),
  'A rollout could not complete or roll back cleanly and needs an operator.',
  { rolloutId: 'checkout-42', reason: 'AliasDrift', explanation: 'alias live was changed outside Baton' },
);
