/** Service orchestration: progressive rollouts gated by alarms. */
import * as z from 'zod/mini';
import { rolloutStrategy } from '../rollouts/rollout-steps';
import { defineEvent } from './define-event';
import { identifier } from './primitives';

const rolloutAction = z.enum(['pause', 'resume', 'promote', 'abort']);

/** A function name or ARN, as Lambda takes it. */
const functionName = z.string().check(z.minLength(1), z.maxLength(140));

export const ServiceRolloutRequested = defineEvent(
  'ServiceRolloutRequested',
  'request',
  z.object({
    rolloutId: identifier,
    functionName,
    alias: z.string().check(z.regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/)),
    targetVersion: z.string().check(z.regex(/^[0-9]{1,10}$/)),
    strategy: rolloutStrategy,
    alarms: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(255))).check(z.maxLength(10))),
    hooks: z.optional(
      z.object({ preTraffic: z.optional(functionName), postTraffic: z.optional(functionName) }),
    ),
    onConflict: z.optional(z.enum(['reject', 'supersede'])),
  }),
  'Asks for a progressive rollout of a published Lambda version behind an alias: canary, linear, all at once or custom steps, rolled back the moment a watched alarm goes to ALARM.',
  {
    rolloutId: 'checkout-42',
    functionName: 'checkout',
    alias: 'live',
    targetVersion: '42',
    strategy: { type: 'canary', percent: 10, bakeSeconds: 300 },
    alarms: ['checkout-errors'],
    hooks: { postTraffic: 'checkout-smoke-test' },
    onConflict: 'reject',
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
    // CloudWatch's own limits on an alarm's name and its state reason.
    alarmName: z.string().check(z.minLength(1), z.maxLength(255)),
    state: z.looseObject({
      value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.optional(z.string().check(z.maxLength(1023))),
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
  z.object({
    rolloutId: identifier,
    step: z.int(),
    of: z.int(),
    weight: z.number().check(z.gte(0), z.lte(1)),
    weights: z.record(z.string(), z.number()),
  }),
  'A traffic step of a rollout took effect: the share of the target version, and the weight of every version.',
  { rolloutId: 'checkout-42', step: 1, of: 2, weight: 0.1, weights: { '41': 0.9, '42': 0.1 } },
);

export const ServiceRolloutPaused = defineEvent(
  'ServiceRolloutPaused',
  'fact',
  z.object({ rolloutId: identifier, reason: z.enum(['Requested', 'AliasDrift']), explanation: z.string() }),
  'A rollout holds its current weights until it is resumed, promoted or aborted.',
  {
    rolloutId: 'checkout-42',
    reason: 'AliasDrift',
    explanation:
      'alias live of checkout was changed outside the rollout (revision 7f3… expected); resume to adopt it',
  },
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

export const ServiceRolloutRejected = defineEvent(
  'ServiceRolloutRejected',
  'fact',
  z.object({ rolloutId: identifier, reason: z.string(), explanation: z.string() }),
  'A rollout was refused, or could not start, and nothing moved: `reason` says why (RolloutInProgress, AliasSplit, InvalidRequest, or the error that stopped it), `explanation` what to do. A duplicate delivery of a rollout already requested is not announced: the first request’s facts answer it.',
  {
    rolloutId: 'checkout-43',
    reason: 'RolloutInProgress',
    explanation:
      'rollout checkout-42 is shifting alias live of checkout; send onConflict "supersede" to replace it',
  },
);

export const ServiceRolloutFailed = defineEvent(
  'ServiceRolloutFailed',
  'fact',
  z.object({ rolloutId: identifier, reason: z.string(), explanation: z.string() }),
  'A rollout could not complete or roll back cleanly and needs an operator.',
  { rolloutId: 'checkout-42', reason: 'AliasDrift', explanation: 'alias live was changed outside Baton' },
);
