/** Reads the whole ledger table (a Scan): for `baton state`, `baton audit`, the console and tests. */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type Allocation, allocationRecord } from '../core/allocation/allocation';
import type { LedgerSnapshot } from '../core/allocation/audit';
import { poolView, quotaView } from '../core/allocation/choose-pool';
import {
  type ResourceRecord,
  resourceRecord,
  type WorkloadRecord,
  workloadRecord,
} from '../core/workloads/workload-ledger';
import { parseItem } from './ledger-items';

/** The whole ledger: the allocations' side and the workloads' side. */
export interface StateSnapshot extends LedgerSnapshot {
  readonly resources: ResourceRecord[];
  readonly workloads: WorkloadRecord[];
}

export async function readLedgerSnapshot(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<StateSnapshot> {
  return parsedSnapshot(await scanLedger(client, tableName));
}

/**
 * Each entity as the snapshot reads it: its schema, and what the audit reads beyond it (a
 * holder's return marks). Every other attribute is kept as it is, so that `baton state --json`
 * shows the items whole.
 */
const returnMarks = { returns: z.optional(z.record(z.string(), z.unknown())) };
const scannedPool = z.looseObject({ ...poolView.shape, ...returnMarks });
const scannedQuota = z.looseObject({ ...quotaView.shape, ...returnMarks });
const scannedAllocation = z.looseObject(allocationRecord.shape);
const scannedResource = z.looseObject(resourceRecord.shape);
const scannedWorkload = z.looseObject(workloadRecord.shape);

/** The scanned items by entity, each parsed with its entity's schema. */
function parsedSnapshot(items: readonly Record<string, unknown>[]): StateSnapshot {
  const of = <Schema extends z.ZodMiniType>(entity: string, schema: Schema): z.output<Schema>[] =>
    items.filter((item) => item.entity === entity).map((item) => parseItem(schema, entity, item));
  return {
    pools: of('pool', scannedPool),
    quotas: of('quota', scannedQuota),
    allocations: of('allocation', scannedAllocation),
    resources: of('resource', scannedResource),
    workloads: of('workload', scannedWorkload),
  };
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

/**
 * Items scanned with a projection (the console's reads: only the attributes it shows travel) by
 * entity. A projected item is part of one, which its entity's schema cannot parse: the full read
 * (`readLedgerSnapshot`) parses every item.
 */
export function snapshotOf(items: readonly Record<string, unknown>[]): StateSnapshot {
  const of = (entity: string) => items.filter((item) => item.entity === entity);
  return {
    pools: of('pool') as unknown as LedgerSnapshot['pools'],
    quotas: of('quota') as unknown as LedgerSnapshot['quotas'],
    allocations: of('allocation') as unknown as Allocation[],
    resources: of('resource') as unknown as ResourceRecord[],
    workloads: of('workload') as unknown as WorkloadRecord[],
  };
}
