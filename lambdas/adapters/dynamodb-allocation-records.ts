/**
 * Allocation records on DynamoDB: one item per allocation, its status changed only by conditional
 * updates; a leased one sits in the lease index (`leaseBucket`) until its release is closed and
 * announced.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Allocation, allocationRecord, type ReleaseCause } from '../core/allocation/allocation';
import type { AllocationRecords } from '../core/allocation/allocation-ledger';
import {
  logLeftOut,
  parseEach,
  parseItem,
  readItem,
  withoutUndefined,
  writeConditionally,
} from './ledger-items';
import { LEASE_BUCKET, ledgerKeys, ledgerTableSchema } from './ledger-keys';

export class DynamoDbAllocationRecords implements AllocationRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(allocation: Allocation): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...ledgerKeys.allocation(allocation.allocationId),
          entity: 'allocation',
          ...withoutUndefined(allocation),
          ...(allocation.expiresAt ? { leaseBucket: LEASE_BUCKET } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async remove(allocationId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: ledgerKeys.allocation(allocationId) }),
    );
  }

  async read(allocationId: string): Promise<Allocation | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.allocation(allocationId));
    return item && parseItem(allocationRecord, 'allocation', item);
  }

  async expired(now: Date, limit: number): Promise<Allocation[]> {
    const { indexName, partitionKey, sortKey } = ledgerTableSchema.leaseIndex;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#bucket = :bucket AND #expiresAt <= :now',
        ExpressionAttributeNames: { '#bucket': partitionKey, '#expiresAt': sortKey },
        ExpressionAttributeValues: { ':bucket': LEASE_BUCKET, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    // A malformed one is left out (and logged), so that every other lease still expires.
    return parseEach(allocationRecord, 'allocation', Items, logLeftOut);
  }

  activate(
    allocationId: string,
    attributes: Readonly<Record<string, unknown>>,
    expiresAt: string | undefined,
  ): Promise<boolean> {
    const lease = expiresAt ? ', expiresAt = :expiresAt, leaseBucket = :bucket' : '';
    return this.update(
      allocationId,
      `SET #status = :active, attributes = :attributes${lease}`,
      '#status = :reserved',
      {
        ':reserved': 'RESERVED',
        ':active': 'ACTIVE',
        ':attributes': attributes,
        ...(expiresAt ? { ':expiresAt': expiresAt, ':bucket': LEASE_BUCKET } : {}),
      },
    );
  }

  claimRelease(
    allocationId: string,
    from: 'ACTIVE' | 'RESERVED',
    at: Date,
    staleBefore: Date,
    cause: ReleaseCause,
  ): Promise<boolean> {
    return this.update(
      allocationId,
      'SET #status = :releasing, #claimedAt = :at, releaseCause = :cause',
      '#status = :from OR (#status = :releasing AND (attribute_not_exists(#claimedAt) OR #claimedAt < :stale))',
      { ':from': from, ':at': at.toISOString(), ':stale': staleBefore.toISOString(), ':cause': cause },
    );
  }

  async unclaimRelease(allocationId: string, claimedAt: Date): Promise<void> {
    await this.update(allocationId, 'REMOVE #claimedAt', '#status = :releasing AND #claimedAt = :at', {
      ':at': claimedAt.toISOString(),
    });
  }

  completeRelease(allocationId: string, claimedAt: Date): Promise<boolean> {
    return this.update(allocationId, 'SET #status = :released', '#status = :releasing AND #claimedAt = :at', {
      ':at': claimedAt.toISOString(),
    });
  }

  async closeRelease(allocationId: string): Promise<void> {
    await this.update(allocationId, 'REMOVE #claimedAt', '#status = :released', {});
    await this.leaveLeaseIndexIfDone(allocationId);
  }

  async markReleaseAnnounced(allocationId: string): Promise<void> {
    await this.update(allocationId, 'SET releaseAnnounced = :yes', '#status = :released', { ':yes': true });
    await this.leaveLeaseIndexIfDone(allocationId);
  }

  /**
   * A released allocation leaves the lease index only once its release is closed (its return marks
   * are forgotten) and announced: until then the lease sweep may still find it and finish either.
   * Whichever of the two comes last takes it out.
   */
  private async leaveLeaseIndexIfDone(allocationId: string): Promise<void> {
    await this.update(
      allocationId,
      'REMOVE leaseBucket',
      '#status = :released AND releaseAnnounced = :yes AND attribute_not_exists(#claimedAt)',
      { ':yes': true },
    );
  }

  /** A conditional update of an allocation; `#status`, `#claimedAt`, `:releasing`, `:released` are known. */
  private update(
    allocationId: string,
    updateExpression: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const expressions = `${updateExpression} ${condition}`;
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.allocation(allocationId),
        UpdateExpression: updateExpression,
        ConditionExpression: condition,
        ExpressionAttributeNames: usedIn(expressions, {
          '#status': 'status',
          '#claimedAt': 'releaseClaimedAt',
        }),
        ExpressionAttributeValues: {
          ...usedIn(expressions, { ':releasing': 'RELEASING', ':released': 'RELEASED' }),
          ...values,
        },
      }),
    );
  }
}

/** DynamoDB refuses expression names and values that the expressions do not use. */
function usedIn<T>(expressions: string, entries: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(entries).filter(([key]) => new RegExp(`${key}(?![\\w])`).test(expressions)),
  );
}
