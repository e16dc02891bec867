import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  InventoryStore,
  Pool,
  PoolDeclaration,
  Quota,
  QuotaDeclaration,
  UpsertOutcome,
} from '../core/inventory/inventory';
import { ledgerKeys } from './ledger-keys';

/** Pools and quotas on the single ledger table. */
export class DynamoDbInventoryStore implements InventoryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  putPoolDeclaration(pool: PoolDeclaration, at: Date): Promise<UpsertOutcome> {
    return this.upsert(ledgerKeys.pool(pool.poolId), 'pool', {
      poolId: pool.poolId,
      kind: pool.kind,
      labels: pool.labels,
      capacity: pool.capacity,
      state: pool.state,
      updatedAt: at.toISOString(),
    });
  }

  putQuotaDeclaration(quota: QuotaDeclaration, at: Date): Promise<UpsertOutcome> {
    return this.upsert(ledgerKeys.quota(quota.tenantId), 'quota', {
      tenantId: quota.tenantId,
      limits: quota.limits,
      updatedAt: at.toISOString(),
    });
  }

  async getPool(poolId: string): Promise<Pool | undefined> {
    return (await this.get(ledgerKeys.pool(poolId))) as Pool | undefined;
  }

  async getQuota(tenantId: string): Promise<Quota | undefined> {
    return (await this.get(ledgerKeys.quota(tenantId))) as Quota | undefined;
  }

  private async get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...record } = Item;
    return record;
  }

  /** Sets the declared attributes and keeps `used`, which only allocations change. */
  private async upsert(
    key: Record<string, string>,
    entity: string,
    attributes: Record<string, unknown>,
  ): Promise<UpsertOutcome> {
    const names: Record<string, string> = { '#entity': 'entity', '#used': 'used' };
    const values: Record<string, unknown> = { ':entity': entity, ':empty': {} };
    const assignments = ['#entity = :entity', '#used = if_not_exists(#used, :empty)'];
    for (const [name, value] of Object.entries(attributes)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      assignments.push(`#${name} = :${name}`);
    }
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { created: Attributes?.entity === undefined };
  }
}
