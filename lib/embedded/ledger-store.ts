/**
 * The store of the embedded runtime: dynalite (the DynamoDB API on LevelDB) persisted under
 * `.baton/`, reached through the runtime's own endpoint like any DynamoDB client would.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { RawService } from './aws-json-server';

export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';

export interface LedgerStore extends RawService {
  /** A low-level client connected straight to the store (for the runtime's own DynamoDB tasks). */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite on `directory` (in memory when undefined) and makes sure `tableName` exists. */
export async function startLedgerStore(
  directory: string | undefined,
  tableName: string,
): Promise<LedgerStore> {
  if (directory) mkdirSync(directory, { recursive: true });
  const server: Server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'baton', secretAccessKey: 'baton' },
  });
  await ensureLedgerTable(client, tableName);
  const [listener] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!listener) throw new Error('dynalite exposes no request listener');
  return {
    targetPrefix: DYNAMODB_TARGET_PREFIX,
    client,
    handle: (request, response) => listener(request, response),
    close: () => {
      client.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The same key schema as the CDK table: `pk` and `sk` strings. */
async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  }
}
