/** Pools as the domain sees them, read from their shared partition in one consistent Query. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type PoolView, poolView } from '../core/allocation/choose-pool';
import { parseItem, queryPartition } from './ledger-items';
import { POOL_PARTITION } from './ledger-keys';

/** Every pool, or only those of `kind`. */
export async function readPools(
  client: DynamoDBDocumentClient,
  tableName: string,
  kind?: string,
): Promise<PoolView[]> {
  const items = await queryPartition(
    client,
    tableName,
    POOL_PARTITION,
    kind === undefined ? undefined : { expression: 'kind = :kind', values: { ':kind': kind } },
  );
  return items.map((item) => parseItem(poolView, 'pool', item));
}
