/** The embedded store on its own: dynalite behind the runtime's in-process DynamoDB calls. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsJsonServer } from '../../lib/embedded/aws-json-server';
import { type LedgerStore, startLedgerStore } from '../../lib/embedded/ledger-store';
import { nestedJson } from '../fuzz/hostile-json';

/** The key the store's functions' door admits (a runtime makes one per start). */
const FUNCTIONS_KEY = 'BATONFNLEDGERSTORETEST';

let store: LedgerStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('the ledger store', () => {
  it('takes items the moment it has started (the table is ACTIVE, not CREATING)', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    await store.call('PutItem', {
      TableName: 'ledger',
      Item: { pk: { S: 'a' }, sk: { S: 'b' }, n: { N: '1' } },
    });
    expect(
      await store.call('GetItem', { TableName: 'ledger', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    ).toEqual({
      Item: { pk: { S: 'a' }, sk: { S: 'b' }, n: { N: '1' } },
    });
  });

  it("answers DynamoDB's errors by name, e.g. a failed condition", async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const put = {
      TableName: 'ledger',
      Item: { pk: { S: 'a' }, sk: { S: 'b' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    await store.call('PutItem', put);
    await expect(store.call('PutItem', put)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    await expect(store.call('GetItem', { TableName: 'missing', Key: {} })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('the store behind an endpoint', () => {
  it("sends back dynalite's answer as written: status, checksum, request id and body", async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const server = createAwsJsonServer([], [store], [], () => 'external');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.GetItem',
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: JSON.stringify({ TableName: 'missing', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
      });
      const body = await response.text();
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[A-Z0-9]{52}$/);
      expect(response.headers.get('x-amz-crc32')).toMatch(/^\d+$/);
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(JSON.parse(body)).toMatchObject({
        __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('an older local store', () => {
  it('is refused at start with a named error that says what to do', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-old-store-'));
    const old = await startLedgerStore(directory, 'other-table', FUNCTIONS_KEY);
    await old.call('CreateTable', {
      TableName: 'ledger',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    await old.close();
    await expect(startLedgerStore(directory, 'ledger', FUNCTIONS_KEY)).rejects.toMatchObject({
      name: 'OutdatedLocalStore',
      message: expect.stringContaining('delete the data directory'),
    });
    rmSync(directory, { recursive: true, force: true });
  });
});

describe("DynamoDB's limits, which dynalite does not check", () => {
  const key = { pk: { S: 'a' }, sk: { S: 'b' } };
  /** An item attribute of maps nested `levels` deep. */
  const nestedAttribute = (levels: number): Record<string, unknown> =>
    Array.from({ length: levels - 1 }).reduce<Record<string, unknown>>((inner) => ({ M: { a: inner } }), {
      M: { a: { S: 'x' } },
    });

  it('refuses an attribute nested 33 levels deep and takes one of 32', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    await store.call('PutItem', { TableName: 'ledger', Item: { ...key, n: nestedAttribute(32) } });
    await expect(
      store.call('PutItem', { TableName: 'ledger', Item: { ...key, n: nestedAttribute(33) } }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Nesting Levels have exceeded supported limits',
    });
  });

  it('refuses an expression over 4 KB and takes one of 4 KB', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const query = (expression: string) =>
      store?.call('Query', {
        TableName: 'ledger',
        KeyConditionExpression: expression,
        ExpressionAttributeValues: { ':pk': { S: 'a' } },
      });
    const padded = (bytes: number) => `pk = :pk${' '.repeat(bytes - 'pk = :pk'.length)}`;
    await expect(query(padded(4_096))).resolves.toMatchObject({ Count: 0 });
    await expect(query(padded(4_097))).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        'Invalid KeyConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097',
    });
  });

  it.each([
    ['an item attribute', { TableName: 'ledger', Item: { ...key, x: null } }, 'PutItem'],
    ['a list element', { TableName: 'ledger', Item: { ...key, x: { L: [null] } } }, 'PutItem'],
    ['a key of a batch', { RequestItems: { ledger: { Keys: [null] } } }, 'BatchGetItem'],
    ['a table of a batch', { RequestItems: { ledger: null } }, 'BatchGetItem'],
    ['a write of a batch', { RequestItems: { ledger: [null] } }, 'BatchWriteItem'],
    ['an update', { TableName: 'ledger', Key: key, AttributeUpdates: { x: null } }, 'UpdateItem'],
  ])(
    'refuses a null as %s, which dynalite cannot read, with SerializationException',
    async (_where, input, operation) => {
      store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
      await expect(store.call(operation, input)).rejects.toMatchObject({ name: 'SerializationException' });
    },
  );

  it('refuses a tag without a key or a value, which would end the store thread, with ValidationException', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const tag = (tags: unknown[]) =>
      store?.call('TagResource', {
        ResourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/ledger',
        Tags: tags,
      });
    await expect(tag([{}])).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(tag([{ Key: 'k' }])).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(tag([{ Key: 'k'.repeat(129), Value: 'v' }])).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await tag([{ Key: 'k', Value: 'v' }]);
  });

  it('answers a body of null, or an attribute nested 5 000 deep, and goes on serving', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const server = createAwsJsonServer([], [store], [], () => 'external');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const post = async (operation: string, body: string) => {
        const response = await fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            'x-amz-date': '20260101T000000Z',
            authorization:
              'AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
          },
          body,
        });
        return { status: response.status, body: (await response.json()) as { __type: string } };
      };
      expect(await post('PutItem', 'null')).toEqual({
        status: 400,
        body: {
          __type: 'com.amazon.coral.service#SerializationException',
          message: 'Start of structure expected',
        },
      });
      const deep = `{"TableName":"ledger","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":${nestedJson(5_000, 'dynamodb-map')}}}`;
      expect(await post('PutItem', deep)).toMatchObject({
        status: 400,
        body: { __type: 'com.amazon.coral.validate#ValidationException' },
      });
      await store.call('PutItem', { TableName: 'ledger', Item: key });
      expect(await store.call('GetItem', { TableName: 'ledger', Key: key })).toEqual({ Item: key });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a store whose thread dies', () => {
  it('starts it again on the same data, and serves the next calls', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-crashed-store-'));
    try {
      store = await startLedgerStore(directory, 'ledger', FUNCTIONS_KEY);
      const key = { pk: { S: 'kept' }, sk: { S: 'item' } };
      await store.call('PutItem', { TableName: 'ledger', Item: key });
      await store.crashThread();
      expect(await store.call('GetItem', { TableName: 'ledger', Key: key })).toEqual({ Item: key });
    } finally {
      await store?.close();
      store = undefined;
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('makes sure of its table again when it kept its data in memory', async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    await store.crashThread();
    expect(
      await store.call('GetItem', { TableName: 'ledger', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    ).toEqual({});
  });
});

describe("the store's own door for Baton's functions", () => {
  /** A DynamoDB client signed as `accessKeyId`, sent to the store thread's own endpoint. */
  const client = (endpoint: string, accessKeyId: string) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId, secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
    );

  it("serves requests signed with the functions' credentials, refuses anyone else's, and keeps its port across a restart", async () => {
    store = await startLedgerStore(undefined, 'ledger', FUNCTIONS_KEY);
    const baton = client(store.functionsUrl, FUNCTIONS_KEY);
    const stranger = client(store.functionsUrl, 'AKIASTRANGER');
    try {
      const Item = { pk: 'door', sk: 'item', n: 1 };
      await baton.send(new PutCommand({ TableName: 'ledger', Item }));
      await expect(
        stranger.send(new GetCommand({ TableName: 'ledger', Key: { pk: 'door', sk: 'item' } })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
      // The guard that DynamoDB's limits hold at the runtime's door holds here too.
      await expect(
        baton.send(
          new GetCommand({
            TableName: 'ledger',
            Key: { pk: 'door', sk: 'item' },
            ProjectionExpression: 'n'.repeat(5000),
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      const before = store.functionsUrl;
      await store.crashThread();
      await store.call('DescribeTable', { TableName: 'ledger' }); // waits for the new thread
      // The new thread has the old port: the functions' endpoint still reaches it (the data was in memory).
      await expect(
        baton.send(new GetCommand({ TableName: 'ledger', Key: { pk: 'door', sk: 'item' } })),
      ).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
      expect(store.functionsUrl).toBe(before);
    } finally {
      baton.destroy();
      stranger.destroy();
    }
  });
});
