/**
 * The allocation ledger on DynamoDB: usage kept on the pool and quota items as `used.<dimension>`,
 * changed only by conditional `UpdateItem`s that re-check what the saga saw (state, capacity,
 * limits) and that the amount still fits, so concurrent requests can never over-commit.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Allocation,
  AllocationLedger,
  AllocationOutcome,
  AllocationStatus,
  Attempt,
  RequestRecord,
  Reservation,
} from '../core/allocation/allocation';
import type { Amounts } from '../core/allocation/amounts';
import type { PoolView, QuotaView } from '../core/allocation/choose-pool';
import { LEASE_BUCKET, ledgerKeys, ledgerTableSchema, POOL_PARTITION } from './ledger-keys';

type Expression = { names: Record<string, string>; values: Record<string, unknown> };

export class DynamoDbAllocationLedger implements AllocationLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimRequest(requestId: string, claimId: string, at: Date): Promise<boolean> {
    return this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...ledgerKeys.request(requestId),
          entity: 'request',
          requestId,
          claimId,
          claimedAt: at.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async request(requestId: string): Promise<RequestRecord | undefined> {
    const item = await this.get(ledgerKeys.request(requestId));
    return item as RequestRecord | undefined;
  }

  takeOverClaim(requestId: string, staleClaimId: string, claimId: string, at: Date): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET claimId = :mine, claimedAt = :at',
        ConditionExpression: 'claimId = :stale AND attribute_not_exists(outcome)',
        ExpressionAttributeValues: { ':mine': claimId, ':at': at.toISOString(), ':stale': staleClaimId },
      }),
    );
  }

  recordAttempt(requestId: string, claimId: string, attempt: Attempt): Promise<boolean> {
    return this.conditionally(
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
    return this.conditionally(
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

  claimAnnouncement(requestId: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'SET announced = :yes',
        ConditionExpression: 'attribute_exists(outcome) AND attribute_not_exists(announced)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  async releaseAnnouncement(requestId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        UpdateExpression: 'REMOVE announced',
      }),
    );
  }

  async unclaimRequest(requestId: string, claimId: string): Promise<void> {
    await this.conditionally(
      new DeleteCommand({
        TableName: this.tableName,
        Key: ledgerKeys.request(requestId),
        ConditionExpression: 'claimId = :mine AND attribute_not_exists(outcome)',
        ExpressionAttributeValues: { ':mine': claimId },
      }),
    );
  }

  async poolsOfKind(kind: string): Promise<PoolView[]> {
    const pools: PoolView[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pools',
          FilterExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':pools': POOL_PARTITION, ':kind': kind },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        pools.push({
          poolId: item.poolId,
          kind: item.kind,
          labels: item.labels ?? {},
          capacity: item.capacity ?? {},
          used: item.used ?? {},
          state: item.state,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return pools;
  }

  async quota(tenantId: string): Promise<QuotaView | undefined> {
    const item = await this.get(ledgerKeys.quota(tenantId));
    return item
      ? { tenantId, limits: (item.limits ?? {}) as Amounts, used: (item.used ?? {}) as Amounts }
      : undefined;
  }

  reserveQuota(
    tenantId: string,
    allocationId: string,
    amount: Amounts,
    limitsSeen: Amounts,
  ): Promise<Reservation> {
    return this.reserve(ledgerKeys.quota(tenantId), allocationId, amount, 'limits', limitsSeen, undefined);
  }

  reservePool(
    poolId: string,
    allocationId: string,
    amount: Amounts,
    capacitySeen: Amounts,
  ): Promise<Reservation> {
    return this.reserve(ledgerKeys.pool(poolId), allocationId, amount, 'capacity', capacitySeen, 'active');
  }

  returnQuota(tenantId: string, allocationId: string, amount: Amounts): Promise<void> {
    return this.giveBack(ledgerKeys.quota(tenantId), allocationId, amount);
  }

  returnPool(poolId: string, allocationId: string, amount: Amounts): Promise<void> {
    return this.giveBack(ledgerKeys.pool(poolId), allocationId, amount);
  }

  async createAllocation(allocation: Allocation): Promise<void> {
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

  async removeAllocation(allocationId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: ledgerKeys.allocation(allocationId) }),
    );
  }

  async expiredAllocations(now: Date, limit: number): Promise<Allocation[]> {
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
    return Items.map(
      ({ pk: _pk, sk: _sk, entity: _entity, leaseBucket: _bucket, ...allocation }) =>
        allocation as Allocation,
    );
  }

  async allocation(allocationId: string): Promise<Allocation | undefined> {
    const item = await this.get(ledgerKeys.allocation(allocationId));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...allocation } = item;
    return allocation as unknown as Allocation;
  }

  async transitionAllocation(
    allocationId: string,
    from: AllocationStatus,
    to: AllocationStatus,
  ): Promise<boolean> {
    // A released allocation leaves the lease index: nothing is left to expire.
    return this.updateAllocation(
      allocationId,
      from,
      `SET #status = :to${to === 'RELEASED' ? ' REMOVE leaseBucket' : ''}`,
      {
        ':to': to,
      },
    );
  }

  activateAllocation(
    allocationId: string,
    attributes: Readonly<Record<string, unknown>>,
    expiresAt: string | undefined,
  ): Promise<boolean> {
    const lease = expiresAt ? ', expiresAt = :expiresAt, leaseBucket = :bucket' : '';
    return this.updateAllocation(
      allocationId,
      'RESERVED',
      `SET #status = :to, attributes = :attributes${lease}`,
      {
        ':to': 'ACTIVE',
        ':attributes': attributes,
        ...(expiresAt ? { ':expiresAt': expiresAt, ':bucket': LEASE_BUCKET } : {}),
      },
    );
  }

  private updateAllocation(
    allocationId: string,
    from: AllocationStatus,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.allocation(allocationId),
        UpdateExpression: updateExpression,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': from, ...values },
      }),
    );
  }

  /** Sends a conditional write: `true` if it applied, `false` if its condition did not hold. */
  private async conditionally(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.client.send(command as UpdateCommand);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  /**
   * `used.d += amount.d` for every dimension, on condition that the bound (`capacity` or `limits`)
   * is still what the saga saw, that `used.d + amount.d <= bound.d` (as `used.d <= bound.d -
   * amount.d`: conditions cannot add), and for pools that the pool is still in `state`.
   */
  /**
   * `used.d += amount.d` for every dimension and `holds.<allocationId> = amount`, on condition
   * that the allocation holds nothing here yet, that the bound (`capacity` or `limits`) is still
   * what the saga saw, that `used.d <= bound.d - amount.d` (conditions cannot add), and for pools
   * that the pool is still in `state`. A refusal because the hold already exists is success.
   */
  private async reserve(
    key: Record<string, string>,
    allocationId: string,
    amount: Amounts,
    bound: 'capacity' | 'limits',
    boundSeen: Amounts,
    state: 'active' | undefined,
  ): Promise<Reservation> {
    const expression: Expression = {
      names: { '#used': 'used', '#bound': bound, '#holds': 'holds', '#id': allocationId },
      values: { ':zero': 0, ':amount': amount },
    };
    const updates: string[] = ['#holds.#id = :amount'];
    const conditions: string[] = ['attribute_not_exists(#holds.#id)'];
    if (state) {
      conditions.push('#state = :state');
      expression.names['#state'] = 'state';
      expression.values[':state'] = state;
    }
    Object.entries(amount).forEach(([dimension, value], index) => {
      const d = `#d${index}`;
      expression.names[d] = dimension;
      expression.values[`:a${index}`] = value;
      expression.values[`:b${index}`] = boundSeen[dimension] ?? 0;
      expression.values[`:max${index}`] = (boundSeen[dimension] ?? 0) - value;
      updates.push(`#used.${d} = if_not_exists(#used.${d}, :zero) + :a${index}`);
      conditions.push(
        `#bound.${d} = :b${index}`,
        `(attribute_not_exists(#used.${d}) OR #used.${d} <= :max${index})`,
      );
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${updates.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
        }),
      );
      return 'reserved';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Already held (a retried or ambiguous write that went through): nothing more to take.
      const holds = (await this.get(key))?.holds as Record<string, unknown> | undefined;
      return holds?.[allocationId] ? 'reserved' : 'conflict';
    }
  }

  /** `used.d -= amount.d` and the hold removed, if the allocation holds something here. */
  private async giveBack(key: Record<string, string>, allocationId: string, amount: Amounts): Promise<void> {
    const names: Record<string, string> = { '#used': 'used', '#holds': 'holds', '#id': allocationId };
    const values: Record<string, unknown> = {};
    const updates = Object.entries(amount).map(([dimension, value], index) => {
      names[`#d${index}`] = dimension;
      values[`:a${index}`] = value;
      return `#used.#d${index} = #used.#d${index} - :a${index}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${updates.join(', ')} REMOVE #holds.#id`,
          ConditionExpression: 'attribute_exists(#holds.#id)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Nothing held: never taken, or already given back.
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** DynamoDB has no `undefined`: optional fields that are absent are left out of the item. */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isConditionFailure(error: unknown): boolean {
  return (error as Error).name === 'ConditionalCheckFailedException';
}
