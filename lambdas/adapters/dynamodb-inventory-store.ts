import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  InventoryStore,
  PoolDeclaration,
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

  putPoolDeclaration(pool: PoolDeclaration, at: Date, declarationId: string): Promise<UpsertOutcome> {
    return this.upsert(ledgerKeys.pool(pool.poolId), 'pool', declarationId, {
      poolId: pool.poolId,
      kind: pool.kind,
      labels: pool.labels,
      capacity: pool.capacity,
      state: pool.state,
      updatedAt: at.toISOString(),
    });
  }

  putQuotaDeclaration(quota: QuotaDeclaration, at: Date, declarationId: string): Promise<UpsertOutcome> {
    return this.upsert(ledgerKeys.quota(quota.tenantId), 'quota', declarationId, {
      tenantId: quota.tenantId,
      limits: quota.limits,
      updatedAt: at.toISOString(),
    });
  }

  /**
   * Sets the declared attributes and keeps `used`, `holds` and `returns`, which only allocations
   * change (the maps must exist for a write to set one of their entries). The declaration that
   * created the item is kept on it, so that the same declaration made again (a retry) still
   * reports that it created it.
   */
  private async upsert(
    key: Record<string, string>,
    entity: string,
    declarationId: string,
    attributes: Record<string, unknown>,
  ): Promise<UpsertOutcome> {
    const names: Record<string, string> = {
      '#entity': 'entity',
      '#used': 'used',
      '#holds': 'holds',
      '#returns': 'returns',
      '#createdBy': 'createdBy',
    };
    const values: Record<string, unknown> = {
      ':entity': entity,
      ':empty': {},
      ':declaration': declarationId,
    };
    const assignments = [
      '#entity = :entity',
      '#createdBy = if_not_exists(#createdBy, :declaration)',
      '#used = if_not_exists(#used, :empty)',
      '#holds = if_not_exists(#holds, :empty)',
      '#returns = if_not_exists(#returns, :empty)',
    ];
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
    return { created: Attributes?.entity === undefined || Attributes.createdBy === declarationId };
  }
}
