/**
 * The store of the embedded runtime: dynalite (the DynamoDB API on LevelDB) persisted under
 * `.baton/`, run on a thread of its own (`ledger-store-worker.js`) so that the store's work does
 * not queue behind the runtime's. Clients reach it through the runtime's endpoint like any DynamoDB
 * endpoint: each request is handed to dynalite as it came and dynalite's answer is sent back as it
 * was written. The runtime's own DynamoDB tasks call it with the same JSON protocol, skipping a
 * socket and a signature per call (`store-calls.ts`). The thread (`store-thread.ts`) is started
 * again when it dies (`store-thread-supervisor.ts`); the ledger's table is made at start
 * (`ledger-table.ts`).
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawService } from './aws-json-server';
import { ensureLedgerTable } from './ledger-table';
import { callInProcess, DYNAMODB_TARGET_PREFIX, type StoreCall } from './store-calls';
import { type StoreThread, superviseStoreThread } from './store-thread-supervisor';

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
  call: StoreCall;
  /**
   * The requests the store's thread has served since it started, by DynamoDB operation
   * (`PutItem`, `UpdateItem`…), through either door: what the benchmarks count per allocation.
   */
  requestsServed(): Promise<Record<string, number>>;
  /** Ends the store's thread as a crash would (tests); the store starts a new one. */
  crashThread(): Promise<void>;
  close(): Promise<void>;
}

/** dynalite's own limit: a larger body is answered 413 without being read further. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

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

const loopbackUrl = (port: number) => `http://127.0.0.1:${port}`;

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
