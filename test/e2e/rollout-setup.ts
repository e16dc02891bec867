/** Setting the scene for rollout tests: a function to roll out, requests, alarms, and the facts of one rollout. */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import type { BusEvent } from '../../lib/embedded/event-bus';
import type { TestRuntime } from './embedded-runtime';

/** A Lambda client against the runtime's simulated fleet, as a user's code would make one. */
export function lambdaOf(t: TestRuntime): LambdaClient {
  return new LambdaClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** A CloudWatch alarm going into ALARM, as AWS puts it on the bus (`at`: when its state changed). */
export const alarmFired = (alarmName: string, at?: Date): PutEventsRequestEntry => ({
  Source: 'aws.cloudwatch',
  DetailType: 'CloudWatch Alarm State Change',
  ...(at ? { Time: at } : {}),
  Detail: JSON.stringify({
    alarmName,
    state: { value: 'ALARM', reason: 'Threshold Crossed: 5 errors' },
    previousState: { value: 'OK' },
  }),
});

/** A function of the simulated fleet with versions 1 and 2 published and alias `live` on version 1. */
export async function publishedService(lambda: LambdaClient, name: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Role: 'arn:aws:iam::000000000000:role/r', Code: {} }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}

/** A `ServiceRolloutRequested` detail: alias `live` to version 2. */
export const rolloutRequest = (
  rolloutId: string,
  functionName: string,
  strategy: unknown,
  extra: object = {},
) => ({
  rolloutId,
  functionName,
  alias: 'live',
  targetVersion: '2',
  strategy,
  ...extra,
});

/** The details of one rollout's facts of a detail-type, in the order they came. */
export const rolloutFacts = (facts: readonly BusEvent[], detailType: string, rolloutId: string) =>
  facts
    .filter((event) => event['detail-type'] === detailType)
    .map((event) => event.detail as Record<string, unknown>)
    .filter((detail) => detail.rolloutId === rolloutId);
