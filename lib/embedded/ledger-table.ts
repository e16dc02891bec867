/** The ledger's table in the local store, made as the CDK stack makes it (`ledgerTableSchema`). */
import { ledgerTableSchema } from '../../lambdas/adapters/ledger-keys';
import type { StoreCall } from './store-calls';

/** Raised at start when the data directory holds a ledger of an older shape. */
export class OutdatedLocalStore extends Error {
  override readonly name = 'OutdatedLocalStore';
}

/**
 * The same shape as the CDK table (`ledgerTableSchema`). Returns once the table is ACTIVE:
 * dynalite answers CreateTable while the table is still CREATING, and refuses items until then.
 */
export async function ensureLedgerTable(call: StoreCall, tableName: string): Promise<void> {
  const existing = await describeTable(call, tableName);
  if (
    existing &&
    !existing.GlobalSecondaryIndexes?.some((i) => i.IndexName === ledgerTableSchema.leaseIndex.indexName)
  ) {
    // dynalite cannot add an index to a table: an older local store has to be started afresh.
    throw new OutdatedLocalStore(
      `the local ledger predates the ${ledgerTableSchema.leaseIndex.indexName} index: delete the data directory (.baton/) or use another --data-dir`,
    );
  }
  if (existing === undefined) {
    const { partitionKey, sortKey, leaseIndex } = ledgerTableSchema;
    await call('CreateTable', {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, leaseIndex.partitionKey, leaseIndex.sortKey].map(
        (name) => ({
          AttributeName: name,
          AttributeType: 'S',
        }),
      ),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: leaseIndex.indexName,
          KeySchema: [
            { AttributeName: leaseIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: leaseIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  }
  while ((await describeTable(call, tableName))?.TableStatus !== 'ACTIVE')
    await new Promise((resolve) => setTimeout(resolve, 5));
}

interface TableDescription {
  TableStatus?: string;
  GlobalSecondaryIndexes?: { IndexName?: string }[];
}

async function describeTable(call: StoreCall, tableName: string): Promise<TableDescription | undefined> {
  try {
    return ((await call('DescribeTable', { TableName: tableName })) as { Table?: TableDescription }).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
