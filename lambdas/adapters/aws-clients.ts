/**
 * SDK clients shared by every handler in a process, each captured by the Tracer so that X-Ray
 * shows its calls under the function. The endpoint comes from the standard `AWS_ENDPOINT_URL*`
 * variables, so the same code talks to AWS or to the embedded runtime.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../middleware/observability';

let documentClient: DynamoDBDocumentClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let stepFunctionsClient: SFNClient | undefined;

/** Every client a handler builds goes through here: its calls become X-Ray subsegments. */
export function traced<Client extends { middlewareStack: unknown }>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}

export function sharedDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    // A map with an own `constructor` key (a label may be named so) is a map, not a class instance.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return documentClient;
}

export function sharedEventBridgeClient(): EventBridgeClient {
  eventBridgeClient ??= traced(new EventBridgeClient({}));
  return eventBridgeClient;
}

export function sharedStepFunctionsClient(): SFNClient {
  stepFunctionsClient ??= traced(new SFNClient({}));
  return stepFunctionsClient;
}
