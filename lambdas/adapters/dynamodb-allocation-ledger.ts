/**
 * The allocation ledger on DynamoDB: its three ports on the one ledger table — pools and quotas as
 * capacity holders, requests' claims, and allocation records.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AllocationLedger } from '../core/allocation/allocation-ledger';
import { DynamoDbAllocationRecords } from './dynamodb-allocation-records';
import { DynamoDbCapacityHolders } from './dynamodb-capacity-holders';
import { DynamoDbRequestClaims } from './dynamodb-request-claims';

export class DynamoDbAllocationLedger implements AllocationLedger {
  readonly holders: DynamoDbCapacityHolders;
  readonly claims: DynamoDbRequestClaims;
  readonly records: DynamoDbAllocationRecords;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.holders = new DynamoDbCapacityHolders(client, tableName);
    this.claims = new DynamoDbRequestClaims(client, tableName);
    this.records = new DynamoDbAllocationRecords(client, tableName);
  }
}
