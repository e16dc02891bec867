/** Reads the whole ledger table (a Scan): for `baton state`, `baton audit` and tests. */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Allocation } from '../core/allocation/allocation';
import type { LedgerSnapshot } from '../core/allocation/audit';

export async function readLedgerSnapshot(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<LedgerSnapshot> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const of = (entity: string) => items.filter((item) => item.entity === entity);
  return {
    pools: of('pool') as unknown as LedgerSnapshot['pools'],
    quotas: of('quota') as unknown as LedgerSnapshot['quotas'],
    allocations: of('allocation') as unknown as Allocation[],
  };
}
