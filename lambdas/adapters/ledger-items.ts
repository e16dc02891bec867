/**
 * What every ledger adapter needs from DynamoDB beyond single calls: conditional writes read as
 * booleans, consistent reads of an item or a whole partition, and items written without
 * `undefined` fields.
 */
import {
  type DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  type PutCommand,
  QueryCommand,
  type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

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
