/**
 * The store of the embedded runtime: dynalite (the DynamoDB API on LevelDB) persisted under
 * `.baton/`, run on a thread of its own (`ledger-store-worker.js`) so that the store's work does
 * not queue behind the runtime's. Clients reach it through the runtime's endpoint like any DynamoDB
 * endpoint: each request is handed to dynalite as it came and dynalite's answer is sent back as it
 * was written. The runtime's own DynamoDB tasks call it with the same JSON protocol, skipping a
 * socket and a signature per call.
 */

import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
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
  /**
   * The store thread's own loopback endpoint, for Baton's functions only (requests signed with
   * the runtime's `functionCredentials()`): their ledger calls skip the runtime's event loop.
   */
  readonly functionsUrl: string;
  /**
   * Called when the store thread, started again, could not take its port back (another process
   * took it meanwhile) and serves the functions on `functionsUrl` now: whoever still calls the
   * old one must stop.
   */
  onFunctionsUrlChange(listener: (functionsUrl: string) => void): void;
  /** One DynamoDB API call (`GetItem`, `PutItem`…) with its JSON input; resolves with the JSON output. */
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * The requests the store's thread has served since it started, by DynamoDB operation
   * (`PutItem`, `UpdateItem`…), through either door: what the benchmarks count per allocation.
   */
  requestsServed(): Promise<Record<string, number>>;
  /** Ends the store's thread as a crash would (tests); the store starts a new one. */
  crashThread(): Promise<void>;
  close(): Promise<void>;
}

/** dynalite checks that a request is signed, not the signature. */
const LOCAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=baton/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local';

/** dynalite's own limit: a larger body is answered 413 without being read further. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** Attempts at starting a dead thread again before the store gives up. */
const RESTART_ATTEMPTS = 3;
const RESTART_DELAY_MS = 200;

/** A request as posted to the store's thread. */
interface StoreRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Uint8Array;
}

/** dynalite's answer as it wrote it. */
interface StoreAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

type WorkerMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'closed'; message?: string }
  | ({ type: 'response'; id: number } & StoreAnswer)
  | { type: 'served'; id: number; counts: Record<string, number> };

/** Starts dynalite on `directory` (in memory when undefined) and makes sure `tableName` exists. */
export async function startLedgerStore(
  directory: string | undefined,
  tableName: string,
  functionsAccessKeyId: string,
): Promise<LedgerStore> {
  if (directory) mkdirSync(directory, { recursive: true });
  const thread = await superviseStoreThread({ directory, functionsAccessKeyId }, (call) =>
    ensureLedgerTable(call, tableName),
  );
  const call: StoreCall = (operation, input) => callInProcess(thread, operation, input);
  const store: LedgerStore = {
    targetPrefix: DYNAMODB_TARGET_PREFIX,
    get functionsUrl() {
      return loopbackUrl(thread.port);
    },
    onFunctionsUrlChange: (listener) => thread.onPortChange((port) => listener(loopbackUrl(port))),
    handle: (request, response) => forward(thread, request, response),
    call,
    requestsServed: () => thread.requestsServed(),
    crashThread: () => thread.crash(),
    close: () => thread.close(),
  };
  try {
    await ensureLedgerTable(call, tableName);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

type StoreCall = LedgerStore['call'];

const loopbackUrl = (port: number) => `http://127.0.0.1:${port}`;

interface StoreThread {
  /** The loopback port it serves Baton's functions on; a thread started again keeps it if it can. */
  readonly port: number;
  onPortChange(listener: (port: number) => void): void;
  send(request: StoreRequest): Promise<StoreAnswer>;
  requestsServed(): Promise<Record<string, number>>;
  crash(): Promise<void>;
  close(): Promise<void>;
}

interface WorkerThread extends Omit<StoreThread, 'onPortChange'> {
  /** Resolves with the reason when the thread ends without being closed. */
  readonly died: Promise<Error>;
}

/**
 * The store's thread, started again when it dies: the calls it was serving fail (DynamoDB's
 * InternalServerError, which clients retry), later calls wait for the new thread — on the same
 * data, its table made sure of by `prepare` — instead of failing for good.
 */
async function superviseStoreThread(
  where: StoreLocation,
  prepare: (call: StoreCall) => Promise<void>,
): Promise<StoreThread> {
  let closing = false;
  const first = await startWorkerThread(where, undefined);
  let port = first.port;
  const portListeners: ((port: number) => void)[] = [];
  const restart = async (): Promise<WorkerThread> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const next = await startWorkerThread(where, port);
        await prepare((operation, input) => callInProcess(next, operation, input));
        if (next.port !== port) {
          port = next.port;
          for (const listener of portListeners) listener(port);
        }
        return watch(next);
      } catch (error) {
        if (attempt >= RESTART_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      }
    }
  };
  const startAgain = () => {
    current = restart();
    // Calls wait on `current`: a store that cannot start again fails them, not the process.
    current.catch((error: Error) =>
      console.error(`[baton] the store could not start again: ${error.message}`),
    );
  };
  const watch = (thread: WorkerThread): WorkerThread => {
    void thread.died.then((reason) => {
      if (closing) return;
      console.error(`[baton] the store's thread stopped (${reason.message}); starting it again`);
      startAgain();
    });
    return thread;
  };
  let current: Promise<WorkerThread> = Promise.resolve(watch(first));
  /** The running thread; when it could not be started again, the next call tries once more. */
  const running = async (): Promise<WorkerThread> => {
    const attempt = current;
    try {
      return await attempt;
    } catch {
      if (current === attempt && !closing) startAgain();
      return current;
    }
  };
  return {
    get port() {
      return port;
    },
    onPortChange: (listener) => portListeners.push(listener),
    send: async (request) => (await running()).send(request),
    requestsServed: async () => (await running()).requestsServed(),
    crash: async () => (await running()).crash(),
    close: async () => {
      closing = true;
      await (await current.catch(() => undefined))?.close();
    },
  };
}

/** The store's data directory (none: in memory), and the key its functions' requests are signed with. */
interface StoreLocation {
  readonly directory: string | undefined;
  readonly functionsAccessKeyId: string;
}

async function startWorkerThread(where: StoreLocation, port: number | undefined): Promise<WorkerThread> {
  const worker = new Worker(new URL('./ledger-store-worker.js', import.meta.url), {
    workerData: { path: where.directory, port, functionsAccessKeyId: where.functionsAccessKeyId },
  });
  const pending = new Map<number, { resolve: (answer: StoreAnswer) => void; reject: (e: Error) => void }>();
  const counting = new Map<
    number,
    { resolve: (counts: Record<string, number>) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  const ready = Promise.withResolvers<number>();
  const closed = Promise.withResolvers<void>();
  const died = Promise.withResolvers<Error>();
  const fail = (error: Error) => {
    failure ??= error;
    ready.reject(error);
    closed.resolve();
    if (!closing) died.resolve(failure);
    for (const waiter of [...pending.values(), ...counting.values()]) waiter.reject(error);
    pending.clear();
    counting.clear();
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'response') {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      waiter?.resolve(message);
    } else if (message.type === 'served') {
      counting.get(message.id)?.resolve(message.counts);
      counting.delete(message.id);
    } else if (message.type === 'ready') {
      ready.resolve(message.port);
    } else if (message.type === 'failed') {
      fail(new Error(`the store failed to start: ${message.message}`));
    } else if (message.type === 'closed') {
      closed.resolve();
    }
  });
  worker.on('error', (error) => {
    if (!closing) console.error('[baton] the store failed', error);
    fail(error);
  });
  worker.on('exit', (code) => fail(new Error(`the store stopped (exit code ${code})`)));
  let servedPort: number;
  try {
    servedPort = await ready.promise;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    port: servedPort,
    died: died.promise,
    send: (request) => {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<StoreAnswer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'request', id, ...request });
      });
    },
    requestsServed: () => {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        counting.set(id, { resolve, reject });
        worker.postMessage({ type: 'countServed', id });
      });
    },
    crash: async () => {
      await worker.terminate();
    },
    close: () => {
      closing ??= (async () => {
        if (!failure) {
          worker.postMessage({ type: 'close' });
          await closed.promise;
        }
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/** A client's request, read whole and handed over; dynalite's answer is sent back as it was written. */
function forward(thread: StoreThread, request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  });
  request.on('error', () => response.destroy());
  request.on('end', () => {
    if (size > MAX_REQUEST_BYTES) {
      // As dynalite answers it.
      response.writeHead(413, { 'Transfer-Encoding': 'chunked' }).end();
      return;
    }
    thread
      .send({
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
      })
      .then(
        (answer) => response.writeHead(answer.status, answer.headers).end(answer.body),
        (error: Error) => {
          const body = JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: error.message,
          });
          response
            .writeHead(500, {
              'Content-Type': 'application/x-amz-json-1.0',
              'Content-Length': Buffer.byteLength(body),
            })
            .end(body);
        },
      );
  });
}

async function callInProcess(
  thread: Pick<StoreThread, 'send'>,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { status, body } = await thread.send({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${DYNAMODB_TARGET_PREFIX}.${operation}`,
      'x-amz-date': '20260101T000000Z',
      authorization: LOCAL_AUTHORIZATION,
    },
    body: Buffer.from(JSON.stringify(input)),
  });
  const answer = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  if (status === 200) return answer;
  const type = String(answer.__type ?? 'InternalServerError');
  const error = new StoreError(String(answer.message ?? answer.Message ?? type));
  error.name = type.slice(type.lastIndexOf('#') + 1);
  throw error;
}

/**
 * The same shape as the CDK table (`ledgerTableSchema`). Returns once the table is ACTIVE:
 * dynalite answers CreateTable while the table is still CREATING, and refuses items until then.
 */
async function ensureLedgerTable(call: StoreCall, tableName: string): Promise<void> {
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
