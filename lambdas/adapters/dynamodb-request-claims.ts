/**
 * Allocation requests' claims on DynamoDB: one item per request, claimed with a conditional put
 * and changed only by its claim holder (or, once stale, by whoever takes it over).
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AllocatedOutcome,
  type AllocationOutcome,
  type Attempt,
  type Claim,
  type RequestRecord,
  requestRecord,
} from '../core/allocation/allocation';
import type { RequestClaims } from '../core/allocation/allocation-ledger';
import { parseItem, readItem, withoutUndefined, writeConditionally } from './ledger-items';
import { ledgerKeys } from './ledger-keys';

export class DynamoDbRequestClaims implements RequestClaims {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  claim(
    requestId: string,
    { claimId, executionId }: Claim,
    at: Date,
    decided?: { readonly attempt: Attempt } | { readonly outcome: AllocationOutcome },
  ): Promise<boolean> {
    return writeConditionally(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...ledgerKeys.request(requestId),
          entity: 'request',
          requestId,
          claimId,
          executionId,
          claimedAt: at.toISOString(),
          ...(decided ? withoutUndefined(decided) : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async read(requestId: string): Promise<RequestRecord | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.request(requestId));
    return item && parseItem(requestRecord, 'request', item);
  }

  takeOver(requestId: string, staleClaimId: string, claim: Claim, at: Date): Promise<boolean> {
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET claimId = :mine, executionId = :execution, claimedAt = :at',
        ConditionExpression: 'claimId = :stale AND attribute_not_exists(outcome)',
        ExpressionAttributeValues: {
          ':mine': claim.claimId,
          ':execution': claim.executionId,
          ':at': at.toISOString(),
          ':stale': staleClaimId,
        },
      }),
    );
  }

  recordAttempt(requestId: string, claimId: string, attempt: Attempt): Promise<boolean> {
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET attempt = :attempt',
        ConditionExpression: 'claimId = :mine AND attribute_not_exists(outcome)',
        ExpressionAttributeValues: { ':attempt': withoutUndefined(attempt), ':mine': claimId },
      }),
    );
  }

  recordOutcome(requestId: string, outcome: AllocationOutcome, claimId?: string): Promise<boolean> {
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET outcome = :outcome',
        ...(claimId ? { ConditionExpression: 'claimId = :mine' } : {}),
        ExpressionAttributeValues: {
          ':outcome': withoutUndefined(outcome),
          ...(claimId ? { ':mine': claimId } : {}),
        },
      }),
    );
  }

  confirmOutcome(requestId: string, confirmed: AllocatedOutcome, at: Date): Promise<boolean> {
    const stillProvisioning = {
      decided: 'attribute_exists(outcome)',
      thisAllocation: 'outcome.allocationId = :allocationId',
      provisioning: 'outcome.#provisioning = :yes',
    };
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET outcome = :confirmed, claimedAt = :at REMOVE announced',
        ConditionExpression: Object.values(stillProvisioning).join(' AND '),
        // PROVISIONING is one of DynamoDB's reserved words.
        ExpressionAttributeNames: { '#provisioning': 'provisioning' },
        ExpressionAttributeValues: {
          ':confirmed': withoutUndefined(confirmed),
          ':at': at.toISOString(),
          ':allocationId': confirmed.allocationId,
          ':yes': true,
        },
      }),
    );
  }

  async markAnnounced(requestId: string): Promise<void> {
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET announced = :yes',
        ConditionExpression: 'attribute_exists(outcome)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  async unclaim(requestId: string, claimId: string): Promise<void> {
    await writeConditionally(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        ConditionExpression: 'claimId = :mine AND attribute_not_exists(outcome)',
        ExpressionAttributeValues: { ':mine': claimId },
      }),
    );
  }
}
