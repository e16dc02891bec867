/**
 * Sends one request to the runtime's front door exactly as generated — through Node's HTTP
 * client, or as raw bytes on a socket for requests no client would send — and reports what came
 * back within the deadline: an answer, silence (a hang) or a connection closed without one.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HttpRequestCase {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The client sends this many bytes of the body, then closes the connection (a caller that gives up). */
  readonly abortAfterBytes?: number;
}

/** Bytes written to a socket as they are: malformed HTTP no client library would produce. */
export interface RawBytesCase {
  readonly bytes: string;
}

export type DoorRequest = HttpRequestCase | RawBytesCase;

export type DoorOutcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly elapsedMs: number;
    }
  /** Not answered within the deadline. */
  | { readonly kind: 'hang'; readonly elapsedMs: number }
  /** The runtime closed the connection without an answer. */
  | { readonly kind: 'dropped'; readonly message: string }
  /** The client gave up on purpose (`abortAfterBytes`): only the runtime's health afterwards counts. */
  | { readonly kind: 'abandoned' }
  /** Node's client refused to send it (an invalid header, say): nothing reached the runtime. */
  | { readonly kind: 'unsendable'; readonly message: string };

export function sendToDoor(url: string, door: DoorRequest, deadlineMs: number): Promise<DoorOutcome> {
  return 'bytes' in door ? sendRawBytes(url, door, deadlineMs) : sendHttp(url, door, deadlineMs);
}

function sendHttp(url: string, door: HttpRequestCase, deadlineMs: number): Promise<DoorOutcome> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: DoorOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    let request: ReturnType<typeof httpRequest>;
    try {
      request = httpRequest({
        host: hostname,
        port,
        method: door.method,
        path: door.path,
        // Framed as every client frames a body: Node sends DELETE's or OPTIONS' unframed otherwise,
        // and the server rightly reads its bytes as the next request.
        headers:
          door.body === ''
            ? door.headers
            : { 'content-length': Buffer.byteLength(door.body), ...door.headers },
        agent: false,
      });
    } catch (error) {
      resolve({ kind: 'unsendable', message: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      finish({ kind: 'hang', elapsedMs: performance.now() - started });
      request.destroy();
    }, deadlineMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        finish({
          kind: 'answered',
          status: response.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, value]) => [name, String(value)]),
          ),
          body: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: performance.now() - started,
        }),
      );
      response.on('error', (error) => finish({ kind: 'dropped', message: error.message }));
    });
    request.on('error', (error) => {
      if (door.abortAfterBytes !== undefined) finish({ kind: 'abandoned' });
      else finish({ kind: 'dropped', message: error.message });
    });
    if (door.abortAfterBytes !== undefined) {
      request.write(door.body.slice(0, door.abortAfterBytes), () => {
        request.destroy();
        finish({ kind: 'abandoned' });
      });
      return;
    }
    request.end(door.body);
  });
}

function sendRawBytes(url: string, door: RawBytesCase, deadlineMs: number): Promise<DoorOutcome> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: DoorOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      // An answer that came whole but left the connection open is still an answer.
      const parsed = parseRawResponse(Buffer.concat(chunks).toString('utf8'), performance.now() - started);
      finish(parsed ?? { kind: 'hang', elapsedMs: performance.now() - started });
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseRawResponse(Buffer.concat(chunks).toString('utf8'), performance.now() - started);
      if (parsed) finish(parsed);
    });
    socket.on('close', () => {
      const parsed = parseRawResponse(Buffer.concat(chunks).toString('utf8'), performance.now() - started);
      finish(parsed ?? { kind: 'dropped', message: 'closed without an answer' });
    });
    socket.on('error', () => undefined);
    socket.write(door.bytes);
  });
}

/** A whole HTTP/1.1 response (status line, headers, a body of its Content-Length), or undefined. */
function parseRawResponse(text: string, elapsedMs: number): DoorOutcome | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const body = text.slice(headEnd + 4);
  const length = Number(headers['content-length'] ?? Number.NaN);
  if (Number.isInteger(length) && Buffer.byteLength(body) < length) return undefined;
  return { kind: 'answered', status, headers, body, elapsedMs };
}
