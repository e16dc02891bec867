/**
 * The store of the embedded runtime: dynalite (the DynamoDB API on LevelDB) persisted under
 * `.baton/`. Clients reach it through the runtime's endpoint like any DynamoDB endpoint; the
 * runtime's own DynamoDB tasks call it in-process with the same JSON protocol, skipping a
 * socket and a signature per call.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { ledgerTableSchema } from '../../lambdas/adapters/ledger-keys';
import type { RawService } from './aws-json-server';

export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';

/** Raised at start when the data directory holds a ledger of an older shape. */
export class OutdatedLocalStore extends Error {
  override readonly name = 'OutdatedLocalStore';
}

/** A DynamoDB error answer: `name` is the exception (`ConditionalCheckFailedException`…). */
export class StoreError extends Error {}

export interface LedgerStore extends RawService {
  /** One DynamoDB API call (`GetItem`, `PutItem`…) with its JSON input; resolves with the JSON output. */
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** dynalite checks that a request is signed, not the signature. */
const LOCAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=baton/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local';

/** Starts dynalite on `directory` (in memory when undefined) and makes sure `tableName` exists. */
export async function startLedgerStore(
  directory: string | undefined,
  tableName: string,
): Promise<LedgerStore> {
  if (directory) mkdirSync(directory, { recursive: true });
  const server: Server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Listening (on a private loopback port) is what lets dynalite's close() also close LevelDB.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const [listener] = server.listeners('request') as Listener[];
  if (!listener) throw new Error('dynalite exposes no request listener');
  const store: LedgerStore = {
    targetPrefix: DYNAMODB_TARGET_PREFIX,
    handle: (request, response) => listener(request, response),
    call: (operation, input) => callInProcess(listener, operation, input),
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  try {
    await ensureLedgerTable(store, tableName);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function callInProcess(listener: Listener, operation: string, input: Record<string, unknown>) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const request = Object.assign(new EventEmitter(), {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${DYNAMODB_TARGET_PREFIX}.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization: LOCAL_AUTHORIZATION,
      },
    });
    const response = {
      statusCode: 200,
      setHeader: () => undefined,
      end: (body?: string) => {
        const answer = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        if (response.statusCode === 200) return resolve(answer);
        const type = String(answer.__type ?? 'InternalServerError');
        const error = new StoreError(String(answer.message ?? answer.Message ?? type));
        error.name = type.slice(type.lastIndexOf('#') + 1);
        reject(error);
      },
    };
    listener(request as unknown as IncomingMessage, response as unknown as ServerResponse);
    request.emit('data', Buffer.from(JSON.stringify(input)));
    request.emit('end');
  });
}

/**
 * The same shape as the CDK table (`ledgerTableSchema`). Returns once the table is ACTIVE:
 * dynalite answers CreateTable while the table is still CREATING, and refuses items until then.
 */
async function ensureLedgerTable(store: LedgerStore, tableName: string): Promise<void> {
  const existing = await describeTable(store, tableName);
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
    await store.call('CreateTable', {
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
  while ((await describeTable(store, tableName))?.TableStatus !== 'ACTIVE')
    await new Promise((resolve) => setTimeout(resolve, 5));
}

interface TableDescription {
  TableStatus?: string;
  GlobalSecondaryIndexes?: { IndexName?: string }[];
}

async function describeTable(store: LedgerStore, tableName: string): Promise<TableDescription | undefined> {
  try {
    return ((await store.call('DescribeTable', { TableName: tableName })) as { Table?: TableDescription })
      .Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
