/**
 * The store's thread, watched: started again when it dies, on the same data and — if it can — the
 * same port, so that the store outlives a crash of its thread.
 */
import { callInProcess, type StoreCall } from './store-calls';
import { type StoreLocation, startWorkerThread, type WorkerThread } from './store-thread';

/** Attempts at starting a dead thread again before the store gives up. */
const RESTART_ATTEMPTS = 3;
const RESTART_DELAY_MS = 200;

/** The store's thread as the store sees it: whichever thread runs now, and the port it serves on. */
export interface StoreThread extends Omit<WorkerThread, 'died'> {
  /** The loopback port it serves Baton's functions on; a thread started again keeps it if it can. */
  readonly port: number;
  onPortChange(listener: (port: number) => void): void;
}

/**
 * The store's thread, started again when it dies: the calls it was serving fail (DynamoDB's
 * InternalServerError, which clients retry), later calls wait for the new thread — on the same
 * data, its table made sure of by `prepare` — instead of failing for good.
 */
export async function superviseStoreThread(
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
