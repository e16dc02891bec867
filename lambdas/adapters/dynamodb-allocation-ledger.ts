/**
 * The allocation ledger on DynamoDB: usage kept on the pool and quota items as `used.<dimension>`,
 * changed only by conditional `UpdateItem`s that re-check what the saga saw (state, capacity,
 * limits) and that the amount still fits, so concurrent requests can never over-commit. Beside
 * `used`, the items carry `holds.<allocationId>` only until the saga settles and
 * `returns.<allocationId>` only while a release is in flight, so their size (and the write units
 * every change costs) does not grow with the number of live allocations.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Allocation,
  AllocationLedger,
  AllocationOutcome,
  Attempt,
  Claim,
  ReleaseCause,
  RequestRecord,
  Reservation,
  Return,
} from '../core/allocation/allocation';
import type { Amounts } from '../core/allocation/amounts';
import type { PoolView, QuotaView } from '../core/allocation/choose-pool';
import { isConditionFailure, readItem, withoutUndefined, writeConditionally } from './ledger-items';
import { LEASE_BUCKET, ledgerKeys, ledgerTableSchema } from './ledger-keys';
import { readPools } from './pool-items';

type Expression = { names: Record<string, string>; values: Record<string, unknown> };

export class DynamoDbAllocationLedger implements AllocationLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimRequest(
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

  async request(requestId: string): Promise<RequestRecord | undefined> {
    const item = await this.get(ledgerKeys.request(requestId));
    return item as RequestRecord | undefined;
  }

  takeOverClaim(requestId: string, staleClaimId: string, claim: Claim, at: Date): Promise<boolean> {
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

  confirmOutcome(
    requestId: string,
    confirmed: AllocationOutcome & { status: 'ALLOCATED' },
    at: Date,
  ): Promise<boolean> {
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

  async markOutcomeAnnounced(requestId: string): Promise<void> {
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

  async unclaimRequest(requestId: string, claimId: string): Promise<void> {
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

  poolsOfKind(kind: string): Promise<PoolView[]> {
    return readPools(this.client, this.tableName, kind);
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

  async returnQuota(tenantId: string, allocationId: string, amount: Amounts): Promise<void> {
    await this.giveBack(ledgerKeys.quota(tenantId), allocationId, amount, 'hold');
  }

  async returnPool(poolId: string, allocationId: string, amount: Amounts): Promise<void> {
    await this.giveBack(ledgerKeys.pool(poolId), allocationId, amount, 'hold');
  }

  async settleQuota(tenantId: string, allocationId: string): Promise<void> {
    await this.removeMarker(ledgerKeys.quota(tenantId), 'holds', allocationId);
  }

  async settlePool(poolId: string, allocationId: string): Promise<void> {
    await this.removeMarker(ledgerKeys.pool(poolId), 'holds', allocationId);
  }

  releaseQuota(tenantId: string, allocationId: string, amount: Amounts, settled: boolean): Promise<Return> {
    return this.giveBackOnRelease(ledgerKeys.quota(tenantId), allocationId, amount, settled);
  }

  releasePool(poolId: string, allocationId: string, amount: Amounts, settled: boolean): Promise<Return> {
    return this.giveBackOnRelease(ledgerKeys.pool(poolId), allocationId, amount, settled);
  }

  async forgetQuotaReturn(tenantId: string, allocationId: string): Promise<void> {
    await this.removeMarker(ledgerKeys.quota(tenantId), 'returns', allocationId);
  }

  async forgetPoolReturn(poolId: string, allocationId: string): Promise<void> {
    await this.removeMarker(ledgerKeys.pool(poolId), 'returns', allocationId);
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

  claimRelease(
    allocationId: string,
    from: 'ACTIVE' | 'RESERVED',
    at: Date,
    staleBefore: Date,
    cause: ReleaseCause,
  ): Promise<boolean> {
    return this.updateAllocation(
      allocationId,
      'SET #status = :releasing, #claimedAt = :at, releaseCause = :cause',
      '#status = :from OR (#status = :releasing AND (attribute_not_exists(#claimedAt) OR #claimedAt < :stale))',
      { ':from': from, ':at': at.toISOString(), ':stale': staleBefore.toISOString(), ':cause': cause },
    );
  }

  async unclaimRelease(allocationId: string, claimedAt: Date): Promise<void> {
    await this.updateAllocation(
      allocationId,
      'REMOVE #claimedAt',
      '#status = :releasing AND #claimedAt = :at',
      { ':at': claimedAt.toISOString() },
    );
  }

  completeRelease(allocationId: string, claimedAt: Date): Promise<boolean> {
    return this.updateAllocation(
      allocationId,
      'SET #status = :released',
      '#status = :releasing AND #claimedAt = :at',
      { ':at': claimedAt.toISOString() },
    );
  }

  async closeRelease(allocationId: string): Promise<void> {
    await this.updateAllocation(allocationId, 'REMOVE #claimedAt', '#status = :released', {});
    await this.leaveLeaseIndexIfDone(allocationId);
  }

  async markReleaseAnnounced(allocationId: string): Promise<void> {
    await this.updateAllocation(allocationId, 'SET releaseAnnounced = :yes', '#status = :released', {
      ':yes': true,
    });
    await this.leaveLeaseIndexIfDone(allocationId);
  }

  /**
   * A released allocation leaves the lease index only once its release is closed (its markers
   * are gone) and announced: until then the lease sweep may still find it and finish either.
   * Whichever of the two comes last takes it out.
   */
  private async leaveLeaseIndexIfDone(allocationId: string): Promise<void> {
    await this.updateAllocation(
      allocationId,
      'REMOVE leaseBucket',
      '#status = :released AND releaseAnnounced = :yes AND attribute_not_exists(#claimedAt)',
      { ':yes': true },
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

  /** A conditional update of an allocation; `#status`, `#claimedAt`, `:releasing`, `:released` are known. */
  private updateAllocation(
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

  private get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    return readItem(this.client, this.tableName, key);
  }

  /**
   * `used.d += amount.d` for every dimension and `holds.<allocationId> = amount`, on condition
   * that the allocation holds nothing here yet, that the bound (`capacity` or `limits`) is still
   * what the saga saw, that `used.d <= bound.d - amount.d` (conditions cannot add), and for pools
   * that the pool is still in `state`. A refusal because the hold already exists is success
   * (`heldAlready`). It also makes sure the item has its `returns` map, which a release later marks.
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
      names: {
        '#used': 'used',
        '#bound': bound,
        '#holds': 'holds',
        '#returns': 'returns',
        '#id': allocationId,
      },
      values: { ':zero': 0, ':amount': amount, ':none': {} },
    };
    const updates: string[] = ['#holds.#id = :amount', '#returns = if_not_exists(#returns, :none)'];
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
      const { Attributes = {} } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${updates.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          // The item as the hold left it: its utilisation, with no read after.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { used: (Attributes.used ?? {}) as Amounts, bound: (Attributes[bound] ?? {}) as Amounts };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Already held (a retried or ambiguous write that went through): nothing more to take.
      return (await this.marker(key, 'holds', allocationId)) ? 'heldAlready' : 'conflict';
    }
  }

  /** A release's give-back: `returned` also when an earlier attempt left its marker. */
  private async giveBackOnRelease(
    key: Record<string, string>,
    allocationId: string,
    amount: Amounts,
    settled: boolean,
  ): Promise<Return> {
    if (await this.giveBack(key, allocationId, amount, settled ? 'settled' : 'hold-and-mark'))
      return 'returned';
    return (await this.marker(key, 'returns', allocationId)) ? 'returned' : 'unheld';
  }

  /**
   * `used.d -= amount.d` and the hold removed, in one conditional write; `false` if the condition
   * did not hold. `hold`: only if the allocation holds something here (saga compensation, which
   * leaves no marker). `hold-and-mark` (a release): the same, and marks it returned — unless it is
   * marked already. `settled` (a release of a settled allocation, whose hold may be gone): only if
   * it is not marked returned yet.
   */
  private giveBack(
    key: Record<string, string>,
    allocationId: string,
    amount: Amounts,
    from: 'hold' | 'hold-and-mark' | 'settled',
  ): Promise<boolean> {
    const names: Record<string, string> = { '#used': 'used', '#holds': 'holds', '#id': allocationId };
    const values: Record<string, unknown> = {};
    const updates = Object.entries(amount).map(([dimension, value], index) => {
      names[`#d${index}`] = dimension;
      values[`:a${index}`] = value;
      return `#used.#d${index} = #used.#d${index} - :a${index}`;
    });
    const conditions = from === 'settled' ? [] : ['attribute_exists(#holds.#id)'];
    if (from !== 'hold') {
      names['#returns'] = 'returns';
      values[':amount'] = amount;
      updates.push('#returns.#id = :amount');
      conditions.push('attribute_not_exists(#returns.#id)');
    }
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${updates.join(', ')} REMOVE #holds.#id`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Removes `<map>.<allocationId>` from a pool or quota item, if it is there. */
  private async removeMarker(
    key: Record<string, string>,
    map: 'holds' | 'returns',
    allocationId: string,
  ): Promise<void> {
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'REMOVE #map.#id',
        ConditionExpression: 'attribute_exists(#map.#id)',
        ExpressionAttributeNames: { '#map': map, '#id': allocationId },
      }),
    );
  }

  private async marker(
    key: Record<string, string>,
    map: 'holds' | 'returns',
    allocationId: string,
  ): Promise<boolean> {
    const markers = (await this.get(key))?.[map] as Record<string, unknown> | undefined;
    return markers?.[allocationId] !== undefined;
  }
}

/** DynamoDB refuses expression names and values that the expressions do not use. */
function usedIn<T>(expressions: string, entries: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(entries).filter(([key]) => new RegExp(`${key}(?![\\w])`).test(expressions)),
  );
}
