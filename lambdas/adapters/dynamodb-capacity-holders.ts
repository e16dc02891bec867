/**
 * Pools and quotas as capacity holders on DynamoDB: usage kept on the item as `used.<dimension>`,
 * changed only by conditional `UpdateItem`s that re-check what the saga saw (state, capacity,
 * limits) and that the amount still fits, so concurrent requests can never over-commit. Beside
 * `used`, an item carries an allocation's hold (`holds.<allocationId>`) only until the saga
 * settles, and its return mark (`returns.<allocationId>`) only while its release is in flight, so
 * its size (and the write units every change costs) does not grow with the live allocations.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type {
  CapacityHolder,
  CapacityHolders,
  Holding,
  Reservation,
  Return,
} from '../core/allocation/allocation-ledger';
import type { Amounts } from '../core/allocation/amounts';
import { type PoolView, poolView, type QuotaView, quotaView } from '../core/allocation/choose-pool';
import { isConditionFailure, parseItem, readItem, writeConditionally } from './ledger-items';
import { ledgerKeys } from './ledger-keys';
import { readPools } from './pool-items';

type Expression = { names: Record<string, string>; values: Record<string, unknown> };

/**
 * Where a holder keeps its bound, the state a reservation re-checks (a pool must be active), and
 * its item read as a `Holding`.
 */
const HOLDER_SHAPE = {
  pool: {
    bound: 'capacity',
    state: 'active',
    holding: (item: Record<string, unknown>): Holding => {
      const pool = parseItem(poolView, 'pool', item);
      return { used: pool.used, bound: pool.capacity };
    },
  },
  quota: {
    bound: 'limits',
    state: undefined,
    holding: (item: Record<string, unknown>): Holding => {
      const quota = parseItem(quotaView, 'quota', item);
      return { used: quota.used, bound: quota.limits };
    },
  },
} as const;

/** A holder's marks: its allocations' holds, or their return marks. */
type Marks = 'holds' | 'returns';

export class DynamoDbCapacityHolders implements CapacityHolders {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  poolsOfKind(kind: string): Promise<PoolView[]> {
    return readPools(this.client, this.tableName, kind);
  }

  async quota(tenantId: string): Promise<QuotaView | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.quota(tenantId));
    return item && parseItem(quotaView, 'quota', item);
  }

  /**
   * `used.d += amount.d` for every dimension and `holds.<allocationId> = amount`, on condition
   * that the allocation holds nothing here yet, that the bound (`capacity` or `limits`) is still
   * what the saga saw, that `used.d <= bound.d - amount.d` (conditions cannot add), and for pools
   * that the pool is still active. A refusal because the hold already exists is success
   * (`heldAlready`). It also makes sure the item has its `returns` map, which a release later marks.
   */
  async reserve(
    holder: CapacityHolder,
    allocationId: string,
    amount: Amounts,
    boundSeen: Amounts,
  ): Promise<Reservation> {
    const { bound, state, holding } = HOLDER_SHAPE[holder.kind];
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
          Key: keyOf(holder),
          UpdateExpression: `SET ${updates.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          // The item as the hold left it: its utilisation, with no read after.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return holding(Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Already held (a retried or ambiguous write that went through): nothing more to take.
      return (await this.marked(holder, 'holds', allocationId)) ? 'heldAlready' : 'conflict';
    }
  }

  async returnHold(holder: CapacityHolder, allocationId: string, amount: Amounts): Promise<void> {
    await this.giveBack(holder, allocationId, amount, 'hold');
  }

  async settle(holder: CapacityHolder, allocationId: string): Promise<void> {
    await this.forgetMark(holder, 'holds', allocationId);
  }

  /** A release's give-back: `returned` also when an earlier attempt left its return mark. */
  async release(
    holder: CapacityHolder,
    allocationId: string,
    amount: Amounts,
    settled: boolean,
  ): Promise<Return> {
    if (await this.giveBack(holder, allocationId, amount, settled ? 'settled' : 'hold-and-mark'))
      return 'returned';
    return (await this.marked(holder, 'returns', allocationId)) ? 'returned' : 'unheld';
  }

  async forgetReturn(holder: CapacityHolder, allocationId: string): Promise<void> {
    await this.forgetMark(holder, 'returns', allocationId);
  }

  /**
   * `used.d -= amount.d` and the hold removed, in one conditional write; `false` if the condition
   * did not hold. `hold`: only if the allocation holds something here (saga compensation, which
   * leaves no mark). `hold-and-mark` (a release): the same, and marks its return — unless it is
   * marked already. `settled` (a release of a settled allocation, whose hold may be gone): only if
   * its return is not marked yet.
   */
  private giveBack(
    holder: CapacityHolder,
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
        Key: keyOf(holder),
        UpdateExpression: `SET ${updates.join(', ')} REMOVE #holds.#id`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Removes `<marks>.<allocationId>` from the holder's item, if it is there. */
  private async forgetMark(holder: CapacityHolder, marks: Marks, allocationId: string): Promise<void> {
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(holder),
        UpdateExpression: 'REMOVE #map.#id',
        ConditionExpression: 'attribute_exists(#map.#id)',
        ExpressionAttributeNames: { '#map': marks, '#id': allocationId },
      }),
    );
  }

  private async marked(holder: CapacityHolder, marks: Marks, allocationId: string): Promise<boolean> {
    const item = await readItem(this.client, this.tableName, keyOf(holder));
    return item !== undefined && parseItem(markMaps, holder.kind, item)[marks]?.[allocationId] !== undefined;
  }
}

function keyOf(holder: CapacityHolder): Record<string, string> {
  return holder.kind === 'pool' ? ledgerKeys.pool(holder.id) : ledgerKeys.quota(holder.id);
}

/** The marks on a holder's item (a missing map marks nothing). */
const markMaps = z.object({
  holds: z.optional(z.record(z.string(), z.unknown())),
  returns: z.optional(z.record(z.string(), z.unknown())),
});
