/**
 * The store's thread (`ledger-store-worker.js`, dynalite on LevelDB): started, spoken to by
 * message — each request handed over as it came, each answer as dynalite wrote it — and ended.
 * Started from here, beside the worker's file, which the build puts beside the chunks.
 */
import type { IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';

/** A request as posted to the store's thread. */
export interface StoreRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Uint8Array;
}

/** dynalite's answer as it wrote it. */
export interface StoreAnswer {
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

/** What carries requests to a store thread and brings back its answers. */
export interface StoreChannel {
  send(request: StoreRequest): Promise<StoreAnswer>;
}

/** One thread of the store, as started. */
export interface WorkerThread extends StoreChannel {
  /** The loopback port it serves Baton's functions on. */
  readonly port: number;
  requestsServed(): Promise<Record<string, number>>;
  crash(): Promise<void>;
  close(): Promise<void>;
  /** Resolves with the reason when the thread ends without being closed. */
  readonly died: Promise<Error>;
}

/** The store's data directory (none: in memory), and the key its functions' requests are signed with. */
export interface StoreLocation {
  readonly directory: string | undefined;
  readonly functionsAccessKeyId: string;
}

export async function startWorkerThread(
  where: StoreLocation,
  port: number | undefined,
): Promise<WorkerThread> {
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
