/**
 * Cold-start wiring for handlers that use the ledger table and Baton's bus: the environment is
 * validated once, the clients are built once.
 */
import { loadEnvironment, storeAndBusEnvironment } from '../config/environment';
import { sharedDocumentClient, sharedEventBridgeClient } from './aws-clients';
import { DynamoDbInventoryStore } from './dynamodb-inventory-store';
import { EventBridgePublisher } from './event-bridge-publisher';

export function wireStoreAndBus() {
  const env = loadEnvironment(storeAndBusEnvironment);
  return {
    inventory: new DynamoDbInventoryStore(sharedDocumentClient(), env.TABLE_NAME),
    publisher: new EventBridgePublisher(sharedEventBridgeClient(), env.EVENT_BUS_NAME),
  };
}
