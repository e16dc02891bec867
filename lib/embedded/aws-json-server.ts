/**
 * The embedded runtime's front door: one HTTP server on loopback that speaks the AWS JSON
 * protocols (`X-Amz-Target` + JSON body), so unmodified AWS SDK v3 clients can use it through
 * `endpoint`. Every failure is answered in AWS's error shape; nothing a client sends can crash it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AwsError } from './aws-error';

/** One AWS operation: its JSON input in, its JSON output out (or an AwsError thrown). */
export type Operation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

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

/** Request bodies beyond this are refused before parsing (PutEvents allows 256 KB of entries). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createAwsJsonServer(
  jsonServices: readonly JsonService[],
  rawServices: readonly RawService[],
): Server {
  const byPrefix = new Map(jsonServices.map((service) => [service.targetPrefix, service]));
  const rawByPrefix = new Map(rawServices.map((service) => [service.targetPrefix, service]));

  return createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix = '', operationName = ''] = target.split('.');
    const raw = rawByPrefix.get(prefix);
    const foreign = foreignRequestProblem(request);
    if (foreign) {
      request.resume();
      void answer(response, 'application/x-amz-json-1.1', () => {
        throw new AwsError('AccessDeniedException', foreign, 403);
      });
      return;
    }
    if (raw) {
      raw.handle(request, response);
      return;
    }
    const service = byPrefix.get(prefix);
    const contentType = service?.contentType ?? 'application/x-amz-json-1.1';
    void answer(response, contentType, async () => {
      if (request.method !== 'POST')
        throw new AwsError('UnknownOperationException', `${request.method} is not supported`);
      const operation = service?.operations[operationName];
      if (!service || !operation || !Object.hasOwn(service.operations, operationName)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
      }
      const input = parseJsonObject(await readBody(request));
      return operation(input);
    });
  });
}

async function answer(
  response: ServerResponse,
  contentType: string,
  run: () => Promise<unknown>,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const output = (await run()) ?? {};
    send(response, 200, contentType, requestId, output);
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
    send(
      response,
      awsError.statusCode,
      contentType,
      requestId,
      { __type: awsError.code, message: awsError.message },
      {
        'x-amzn-ErrorType': awsError.code,
      },
    );
  }
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  requestId: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  response.end(text);
}

/**
 * The server listens on loopback only, but a web page can still reach loopback through the
 * browser (DNS rebinding, cross-site requests): requests must name a loopback host and carry no
 * foreign Origin. AWS SDK clients send neither problem.
 */
function foreignRequestProblem(request: IncomingMessage): string | undefined {
  const host = hostnameOf(`http://${request.headers.host ?? ''}`);
  if (!host || !LOOPBACK_HOSTS.has(host))
    return `Host ${request.headers.host ?? '(none)'} is not a loopback address`;
  const origin = request.headers.origin;
  if (origin !== undefined && !LOOPBACK_HOSTS.has(hostnameOf(origin) ?? '')) {
    return `Requests from ${origin} are not accepted`;
  }
  return undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
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
