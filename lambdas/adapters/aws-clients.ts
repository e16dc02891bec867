/**
 * SDK clients shared by every handler in a process. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL*` variables, so the same code talks to AWS or to the embedded runtime.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let documentClient: DynamoDBDocumentClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let stepFunctionsClient: SFNClient | undefined;

export function sharedDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    // A map with an own `constructor` key (a label may be named so) is a map, not a class instance.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return documentClient;
}

export function sharedEventBridgeClient(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({});
  return eventBridgeClient;
}

export function sharedStepFunctionsClient(): SFNClient {
  stepFunctionsClient ??= new SFNClient({});
  return stepFunctionsClient;
}
