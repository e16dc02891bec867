/**
 * The embedded runtime's front door: one HTTP server on loopback that speaks the AWS JSON
 * protocols: JSON 1.0/1.1 (`X-Amz-Target` + JSON body) and REST-JSON (method + path, as Lambda),
 * so unmodified AWS SDK v3 clients can use it through `endpoint`. Every failure is answered in
 * AWS's error shape; nothing a client sends can crash it.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  maxHeaderSize,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { AwsError } from './aws-error';
import type { CallerOrigin } from './function-credentials';
import { foreignRequestProblem } from './loopback-guard';

/** One AWS operation: its JSON input in, its JSON output out (or an AwsError thrown). */
export type Operation = (input: Record<string, unknown>, caller: CallerOrigin) => Promise<unknown> | unknown;

/** A service reachable through `X-Amz-Target: <prefix>.<Operation>`. */
export interface JsonService {
  readonly targetPrefix: string;
  readonly contentType: string;
  readonly operations: Readonly<Record<string, Operation>>;
}

/** A service that handles its own requests (the store), chosen by target prefix. */
export interface RawService {
  readonly targetPrefix: string;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** An answer: its status, JSON body and any headers beside the request id. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A REST-JSON request, its body parsed. */
export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly origin: CallerOrigin;
}

/** A REST-JSON service (Lambda), chosen by path for requests that carry no `X-Amz-Target`. */
export interface RestJsonService {
  readonly contentType: string;
  owns(path: string): boolean;
  /** Answers a request, or throws an AwsError. */
  call(request: RestRequest): Promise<Reply> | Reply;
  /** This service's shape of an error answer (the server adds `x-amzn-ErrorType`). */
  errorReply(error: AwsError): Reply;
}

/** Requests that are not AWS API calls (no `X-Amz-Target`, a path it owns): the web console. */
export interface PageService {
  owns(path: string, method: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): void;
}

/** How long an idle client connection is kept open. */
const KEEP_ALIVE_MS = 60_000;

/** Request bodies beyond this are refused before parsing (PutEvents allows 256 KB of entries). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createAwsJsonServer(
  jsonServices: readonly JsonService[],
  rawServices: readonly RawService[],
  restServices: readonly RestJsonService[],
  /** Tells Baton's own functions from other callers. */
  originOf: (request: IncomingMessage) => CallerOrigin,
  pages?: PageService,
): Server {
  const byPrefix = new Map(jsonServices.map((service) => [service.targetPrefix, service]));
  const rawByPrefix = new Map(rawServices.map((service) => [service.targetPrefix, service]));

  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix = '', operationName = ''] = target.split('.');
    const raw = rawByPrefix.get(prefix);
    const foreign = foreignRequestProblem(request);
    if (foreign) {
      request.resume();
      void answer(response, JSON_PROTOCOL_ERRORS, () => {
        throw new AwsError('AccessDeniedException', foreign, 403);
      });
      return;
    }
    if (raw) {
      raw.handle(request, response);
      return;
    }
    const { path, query } = splitUrl(request.url);
    if (target === '' && pages?.owns(path, request.method ?? '')) {
      pages.handle(request, response, path, query);
      return;
    }
    const rest = target === '' ? restServices.find((service) => service.owns(path)) : undefined;
    if (rest) {
      void answer(response, rest, async () =>
        rest.call({
          method: request.method ?? '',
          path,
          query,
          body: parseJsonObject(await readBody(request)),
          origin: originOf(request),
        }),
      );
      return;
    }
    const service = byPrefix.get(prefix);
    const protocol = service
      ? { ...JSON_PROTOCOL_ERRORS, contentType: service.contentType }
      : JSON_PROTOCOL_ERRORS;
    void answer(response, protocol, async () => {
      if (request.method !== 'POST')
        throw new AwsError('UnknownOperationException', `${request.method} is not supported`);
      const operation = service?.operations[operationName];
      if (!service || !operation || !Object.hasOwn(service.operations, operationName)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
      }
      const input = parseJsonObject(await readBody(request));
      return { status: 200, body: (await operation(input, originOf(request))) ?? {} };
    });
  });
  server.on('clientError', answerUnreadableRequest);
  // An SDK client keeps its connections and reuses one whenever it calls again; a server that
  // closes an idle one after Node's 5 s may close it just as the client writes on it (ECONNRESET).
  // Idle connections are kept a minute, as AWS's endpoints keep them; headers still arrive in time.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  return server;
}

/**
 * A request Node's parser refuses (a request line or headers over its limit, a malformed line,
 * conflicting framing) never reaches a service: it is answered here in AWS's error shape, not
 * with Node's bare status line, and the connection is closed, since its framing is lost.
 */
function answerUnreadableRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const awsError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AwsError(
          'RequestHeaderFieldsTooLarge',
          `The request line and headers exceed ${maxHeaderSize} bytes`,
          431,
        )
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AwsError('RequestTimeout', 'The request was not received in time', 408)
        : new AwsError(
            'BadRequestException',
            `The request is not valid HTTP (${error.code ?? error.message})`,
          );
  // A HEAD request's answer has no body (when the request line was read, the method is known).
  const isHead = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = isHead ? '' : JSON.stringify({ __type: awsError.code, message: awsError.message });
  socket.end(
    [
      `HTTP/1.1 ${awsError.statusCode} ${STATUS_CODES[awsError.statusCode]}`,
      `Content-Type: ${JSON_PROTOCOL_ERRORS.contentType}`,
      `Content-Length: ${isHead ? 0 : Buffer.byteLength(body)}`,
      `x-amzn-ErrorType: ${awsError.code}`,
      `x-amzn-RequestId: ${randomUUID()}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** How a protocol answers: its content type and its shape of an error. */
type Protocol = Pick<RestJsonService, 'contentType' | 'errorReply'>;

/** The JSON 1.0/1.1 error shape: `{"__type": code, "message": …}`. */
const JSON_PROTOCOL_ERRORS: Protocol = {
  contentType: 'application/x-amz-json-1.1',
  errorReply: (error) => ({ status: error.statusCode, body: { __type: error.code, message: error.message } }),
};

async function answer(
  response: ServerResponse,
  protocol: Protocol,
  run: () => Promise<Reply>,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const reply = await run();
    send(response, protocol.contentType, requestId, reply);
  } catch (error) {
    const awsError =
      error instanceof AwsError
        ? error
        : new AwsError(
            'InternalFailure',
            'The request processing has failed because of an unknown error.',
            500,
          );
    if (!(error instanceof AwsError)) console.error('[baton] internal failure', error);
    const reply = protocol.errorReply(awsError);
    send(response, protocol.contentType, requestId, {
      ...reply,
      headers: { ...reply.headers, 'x-amzn-ErrorType': awsError.code },
    });
  }
}

function send(response: ServerResponse, contentType: string, requestId: string, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...reply.headers,
  });
  response.end(text);
}

/** Splits a request target into its path and query (by hand: a malformed URL must not throw). */
function splitUrl(url = '/'): { path: string; query: URLSearchParams } {
  const at = url.indexOf('?');
  if (at < 0) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, at), query: new URLSearchParams(url.slice(at + 1)) };
}

/** Reads the whole body; one over the limit is drained (never reset) and answered with 413. */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(
          new AwsError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413),
        );
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    request.on('error', reject);
  });
}

function parseJsonObject(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
