/** Setting the scene for rollout tests: a function to roll out, requests, and the facts of one rollout. */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  type LambdaClient,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import type { BusEvent } from '../../lib/embedded/event-bus';

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
