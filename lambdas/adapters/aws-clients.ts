/**
 * SDK clients shared by every handler in a process, created on first use: the SDK is loaded by the
 * first call that talks to AWS, not at cold start, so a handler's module init stays small (and a
 * path that never calls AWS never loads it). Where tracing is on, each client is captured by the
 * Tracer so that X-Ray shows its calls under the function. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL*` variables, so the same code talks to AWS or to the embedded runtime.
 * (A bundler keeps every export of a module imported on demand: each client's class comes from a
 * module of its own in `sdk/`, not from the SDK's package with all its commands.)
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOnce } from '../cold-start/load-once';
import { activeTracer } from '../observability/tracer';

/** Every client a handler builds goes through here: where tracing is on, its calls become X-Ray subsegments. */
export async function traced<Client extends { middlewareStack: unknown }>(client: Client): Promise<Client> {
  const tracer = await activeTracer();
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

export const sharedDocumentClient: () => Promise<DynamoDBDocumentClient> = loadOnce(async () => {
  const { DynamoDBClient, DynamoDBDocumentClient } = await import('./sdk/dynamodb');
  return DynamoDBDocumentClient.from(await traced(new DynamoDBClient({})), {
    // A map with an own `constructor` key (a label may be named so) is a map, not a class instance.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
});

export const sharedEventBridgeClient: () => Promise<EventBridgeClient> = loadOnce(async () => {
  const { EventBridgeClient } = await import('./sdk/eventbridge');
  return traced(new EventBridgeClient({}));
});

export const sharedStepFunctionsClient: () => Promise<SFNClient> = loadOnce(async () => {
  const { SFNClient } = await import('./sdk/sfn');
  return traced(new SFNClient({}));
});

/** A Lambda client of its own (each adapter sets its own retries). */
export async function newLambdaClient(config: LambdaClientConfig = {}): Promise<LambdaClient> {
  const { LambdaClient } = await import('./sdk/lambda');
  return traced(new LambdaClient(config));
}
