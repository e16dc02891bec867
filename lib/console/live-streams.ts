/**
 * The console's live streams (server-sent events): every event on the bus a page asked for, as it
 * comes. Bounded in number and in what waits to be sent, so that no reader can starve the runtime.
 */
import type { ServerResponse } from 'node:http';
import { type ConsoleEvent, STREAM_EVENT } from './console-api';
import { ConsoleRequestError } from './console-request-error';
import { SAFE_HEADERS } from './console-responses';

/** Live streams open at once (a tab holds one); more are refused rather than starving the runtime. */
export const MAX_STREAMS = 32;
/** A stream whose reader stopped reading is ended once this much waits to be sent (it reconnects). */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/** A comment now and then keeps proxies and the browser from closing a quiet stream. */
const STREAM_HEARTBEAT_MS = 15_000;

export class LiveStreams {
  private readonly streams = new Set<ServerResponse>();
  private readonly endings = new WeakMap<ServerResponse, () => void>();

  /** @param follow subscribes a listener to every new event; returns how to stop */
  constructor(private readonly follow: (listener: (event: ConsoleEvent) => void) => () => void) {}

  /** Opens a stream on `response` of the events `matches` accepts (every event when none). */
  open(response: ServerResponse, matches: ((event: ConsoleEvent) => boolean) | undefined): void {
    if (this.streams.size >= MAX_STREAMS)
      throw new ConsoleRequestError(
        429,
        'TooManyStreams',
        `at most ${MAX_STREAMS} live streams are open at once`,
      );
    response.writeHead(200, {
      ...SAFE_HEADERS,
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
    });
    response.write('retry: 1000\n\n');
    this.streams.add(response);
    // Once ended, a stream is written no more: a write after the end is an error nothing would catch.
    let ended = false;
    const write = (text: string) => {
      if (!ended) response.write(text);
    };
    const send = (event: ConsoleEvent) => {
      if (matches && !matches(event)) return;
      // A reader that stopped reading is cut off (it reconnects when it reads again), not buffered for.
      if (response.writableLength > MAX_STREAM_BACKLOG_BYTES) {
        end();
        response.destroy();
        return;
      }
      write(`event: ${STREAM_EVENT}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const stop = this.follow(send);
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), STREAM_HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      stop();
      clearInterval(heartbeat);
      this.streams.delete(response);
    };
    this.endings.set(response, end);
    // Not the request's 'close': that fires as soon as its (empty) body is read.
    response.once('close', end);
    response.on('error', end);
  }

  /** Ends every live stream (a shutdown): each stops listening first, then its response ends. */
  close(): void {
    for (const stream of this.streams) {
      this.endings.get(stream)?.();
      stream.end();
    }
    this.streams.clear();
  }
}
