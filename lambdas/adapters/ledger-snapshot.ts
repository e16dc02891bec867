/** Reads the whole ledger table (a Scan): for `baton state`, `baton audit`, the console and tests. */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Allocation } from '../core/allocation/allocation';
import type { LedgerSnapshot } from '../core/allocation/audit';
import type { StoredResource } from '../core/workloads/audit-workloads';
import type { WorkloadRecord } from '../core/workloads/workload-ledger';

/** The whole ledger: the allocations' side and the workloads' side. */
export interface StateSnapshot extends LedgerSnapshot {
  readonly resources: StoredResource[];
  readonly workloads: WorkloadRecord[];
}

export async function readLedgerSnapshot(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<StateSnapshot> {
  return snapshotOf(await scanLedger(client, tableName));
}

/** Which items, and which of their attributes, a scan reads (by default all of both). */
export interface LedgerScope {
  readonly entities?: readonly string[];
  readonly attributes?: readonly string[];
}

/**
 * Every item of the ledger table (a consistent Scan, all pages) — or only those of the entities
 * and the attributes named, chosen on the table's side so that only they travel and are parsed.
 */
export async function scanLedger(
  client: DynamoDBDocumentClient,
  tableName: string,
  { entities, attributes }: LedgerScope = {},
): Promise<Record<string, unknown>[]> {
  const filter = entities && {
    FilterExpression: `entity IN (${entities.map((_, index) => `:entity${index}`).join(', ')})`,
    ExpressionAttributeValues: Object.fromEntries(
      entities.map((entity, index) => [`:entity${index}`, entity]),
    ),
  };
  // Every name through a placeholder: some are DynamoDB reserved words (`status`, `capacity`).
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, index) => `#attribute${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(
      attributes.map((attribute, index) => [`#attribute${index}`, attribute]),
    ),
  };
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        ...filter,
        ...projection,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The scanned items by entity. */
export function snapshotOf(items: readonly Record<string, unknown>[]): StateSnapshot {
  const of = (entity: string) => items.filter((item) => item.entity === entity);
  return {
    pools: of('pool') as unknown as LedgerSnapshot['pools'],
    quotas: of('quota') as unknown as LedgerSnapshot['quotas'],
    allocations: of('allocation') as unknown as Allocation[],
    resources: of('resource') as unknown as StoredResource[],
    workloads: of('workload') as unknown as WorkloadRecord[],
  };
}
