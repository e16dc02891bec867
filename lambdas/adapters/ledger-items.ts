/**
 * What every ledger adapter needs from DynamoDB beyond single calls: conditional writes read as
 * booleans, consistent reads of an item or a whole partition, items parsed with their entity's
 * schema as they are read, and items written without `undefined` fields.
 */
import {
  type DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  type PutCommand,
  QueryCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import { LedgerItemMalformed } from '../core/errors';
import { logger } from '../observability/logger';

export function isConditionFailure(error: unknown): boolean {
  return (error as Error).name === 'ConditionalCheckFailedException';
}

/** Sends a conditional write; `false` when its condition did not hold. */
export async function writeConditionally(
  client: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  try {
    await client.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** One item, in a consistent read. */
export async function readItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Every item of a partition, in consistent reads, page after page. */
export async function queryPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  filter?: { expression: string; names?: Record<string, string>; values: Record<string, unknown> },
  /** Only the items whose sort key starts so. */
  skPrefix?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: skPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
        ...(filter ? { FilterExpression: filter.expression } : {}),
        ...(filter?.names ? { ExpressionAttributeNames: filter.names } : {}),
        ExpressionAttributeValues: {
          ':pk': pk,
          ...(skPrefix === undefined ? {} : { ':prefix': skPrefix }),
          ...filter?.values,
        },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** DynamoDB has no `undefined`: optional fields that are absent are left out of the item. */
export function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Issues named per item at most: enough to see what is wrong, not a dump of a corrupt item. */
const MAX_PROBLEMS = 5;

/**
 * The items of a read over many (a sweep, a partition), each parsed on its own: a malformed one is
 * left out and handed to `leftOut`, so that one bad item does not stop the work on all the others.
 */
export function parseEach<Schema extends z.ZodMiniType>(
  schema: Schema,
  entity: string,
  items: readonly Record<string, unknown>[],
  leftOut: (malformed: LedgerItemMalformed) => void,
): z.output<Schema>[] {
  const parsed: z.output<Schema>[] = [];
  for (const item of items) {
    try {
      parsed.push(parseItem(schema, entity, item));
    } catch (error) {
      if (!(error instanceof LedgerItemMalformed)) throw error;
      leftOut(error);
    }
  }
  return parsed;
}

/** Reports a malformed item a sweep left out, for an operator to repair (its key says which). */
export function logLeftOut(malformed: LedgerItemMalformed): void {
  logger.error('ledger item left out', { error: malformed });
}

/**
 * A stored item as its entity's `schema` reads it (fields it does not name are left out), or
 * `LedgerItemMalformed` naming the item's key, the entity and what does not parse.
 */
export function parseItem<Schema extends z.ZodMiniType>(
  schema: Schema,
  entity: string,
  item: Record<string, unknown>,
): z.output<Schema> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(item)';
    if (issue.code === 'invalid_type')
      return `${path}: expected ${issue.expected}, found ${describe(pathValue(item, issue.path))}`;
    if (issue.code === 'invalid_value')
      return `${path}: expected one of ${issue.values.map(String).join(', ')}`;
    return `${path}: ${issue.message}`;
  });
  throw new LedgerItemMalformed(`${String(item.pk)}/${String(item.sk)}`, entity, problems);
}

function pathValue(item: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    item,
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
