/** Pools as the domain sees them, read from their shared partition in one consistent Query. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type PoolView, poolView } from '../core/allocation/choose-pool';
import { logLeftOut, parseEach, queryPartition } from './ledger-items';
import { POOL_PARTITION } from './ledger-keys';

/** Every pool, or only those of `kind`; a malformed pool is left out (and logged): it takes nothing. */
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
  return parseEach(poolView, 'pool', items, logLeftOut);
}
