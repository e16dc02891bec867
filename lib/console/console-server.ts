/**
 * The web console's HTTP side: its page (`GET /`, `/console/assets/*`), the JSON its pages read
 * (`GET /console/api/*`), the live stream of the bus (`GET /console/api/stream`, server-sent
 * events) and its actions (`POST /console/api/*`). Mounted by the embedded runtime beside the AWS
 * APIs, and by `baton console` on a server of its own; both put the loopback Host/Origin rule in
 * front of it. An action must carry this process's token, which only a page served from here can
 * read (a page from another site cannot read this origin's answers, and is refused by the Origin
 * rule anyway), so no other site can drive a rollout or a rebalance.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  compileEventPattern,
  InvalidEventPatternError,
  parseEventPattern,
} from '../embedded/event-pattern/event-pattern';
import type { ConsoleActions } from './console-actions';
import {
  type ConsoleError,
  type ConsoleEvent,
  type ConsoleSession,
  type RebalanceAsk,
  ROLLOUT_ACTIONS,
  type RolloutAction,
  STREAM_EVENT,
  TOKEN_HEADER,
} from './console-api';
import { isAssetPath, readAsset } from './console-assets';
import type { ConsoleReads } from './console-reads';
import { ConsoleRequestError } from './console-request-error';

const API = '/console/api/';
/** An event pattern, as EventBridge bounds a rule's (TestEventPattern: 4 096 characters). */
const MAX_PATTERN_LENGTH = 4096;
const MAX_BODY_BYTES = 64 * 1024;
/** Live streams open at once (a tab holds one); more are refused rather than starving the runtime. */
export const MAX_STREAMS = 32;
/** A stream whose reader stopped reading is ended once this much waits to be sent (it reconnects). */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/** A comment now and then keeps proxies and the browser from closing a quiet stream. */
const STREAM_HEARTBEAT_MS = 15_000;
const EXECUTION_STATUSES = new Set([
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
]);

/** Sent with every answer: no framing, no sniffing, no referrer, nothing cached. */
const SAFE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
/** The page runs only what Baton serves: no inline script or style, no request elsewhere. */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface ConsoleServerOptions {
  readonly reads: ConsoleReads;
  readonly actions: ConsoleActions;
  readonly stage: string;
  readonly mode: ConsoleSession['mode'];
  /** Where the built page is (tests); default the package's `dist/console/`. */
  readonly assetDirectory?: string;
}

export class ConsoleServer {
  /** This process's token: every action must carry it. */
  readonly token = randomBytes(32).toString('base64url');
  private readonly streams = new Set<ServerResponse>();
  private readonly endings = new WeakMap<ServerResponse, () => void>();

  constructor(private readonly options: ConsoleServerOptions) {}

  /** The requests the console answers: its page and everything under `/console/`. */
  owns(path: string, method: string): boolean {
    return isConsoleRequest(path, method);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): void {
    void this.route(request, response, path, query).catch((error: unknown) => {
      const failure = asConsoleError(error);
      if (failure.status >= 500 && !(error instanceof ConsoleRequestError))
        console.error(`[baton] console: ${request.method} ${path} failed`, error);
      sendJson(response, failure.status, { error: failure.name, message: failure.message }, failure.name);
    });
  }

  /** Ends every live stream (a shutdown): each stops listening first, then its response ends. */
  close(): void {
    for (const stream of this.streams) {
      this.endings.get(stream)?.();
      stream.end();
    }
    this.streams.clear();
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const method = request.method ?? '';
    this.checkSite(request, path);
    if (method === 'POST') {
      request.setEncoding('utf8');
      this.checkToken(request);
      const body = await readJsonBody(request);
      sendJson(response, 200, await this.act(path, body));
      return;
    }
    request.resume();
    if (method !== 'GET' && method !== 'HEAD')
      throw new ConsoleRequestError(405, 'MethodNotAllowed', `${method} is not supported here`);
    if (isAssetPath(path)) return this.sendAsset(response, path);
    if (path === `${API}stream`) {
      if (method !== 'GET')
        throw new ConsoleRequestError(405, 'MethodNotAllowed', 'a live stream is opened with GET');
      return this.openStream(response, query);
    }
    sendJson(response, 200, await this.read(path, query));
  }

  private async read(path: string, query: URLSearchParams): Promise<unknown> {
    const { reads } = this.options;
    const route = path.slice(API.length);
    if (!path.startsWith(API)) throw notFound(path);
    switch (route) {
      case 'session':
        return {
          token: this.token,
          stage: this.options.stage,
          mode: this.options.mode,
          workflows: await reads.workflows(),
        } satisfies ConsoleSession;
      case 'overview':
        return reads.overview();
      case 'capacity':
        return reads.capacity();
      case 'workloads':
        return reads.workloads();
      case 'rollouts':
        return reads.rollouts();
      case 'executions':
        return reads.executions({
          workflow: query.get('workflow') || undefined,
          status: executionStatus(query.get('status')),
          limit: boundedInteger(query.get('limit'), 'limit', 1, 1000),
        });
      case 'events': {
        const matches = patternMatcher(query.get('pattern'));
        return { events: reads.events(boundedInteger(query.get('limit'), 'limit', 1, 1000) ?? 100, matches) };
      }
    }
    if (route.startsWith('executions/'))
      return reads.execution(decodePart(route.slice('executions/'.length)));
    throw notFound(path);
  }

  private act(path: string, body: Record<string, unknown>): Promise<unknown> {
    const { actions } = this.options;
    const route = path.startsWith(API) ? path.slice(API.length) : '';
    if (route === 'rebalance/plan') return actions.planRebalance(rebalanceAsk(body));
    if (route === 'rebalance/apply') return actions.applyRebalance(rebalanceAsk(body));
    const rollout = /^rollouts\/([^/]+)\/([^/]+)$/.exec(route);
    if (rollout) {
      const action = rollout[2] ?? '';
      if (!(ROLLOUT_ACTIONS as readonly string[]).includes(action))
        throw new ConsoleRequestError(
          400,
          'UnknownAction',
          `"${action}" is not one of ${ROLLOUT_ACTIONS.join(', ')}`,
        );
      return actions.controlRollout(decodePart(rollout[1] ?? ''), action as RolloutAction);
    }
    throw notFound(path);
  }

  /**
   * A browser says where a request comes from (`Sec-Fetch-Site`): another site may link to the
   * console's page, but not make its page fetch the console's data or hold its live streams (a
   * no-cors request carries no Origin, so the loopback rule alone lets it through).
   */
  private checkSite(request: IncomingMessage, path: string): void {
    const site = request.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin' || site === 'none') return;
    if (isAssetPath(path) && request.headers['sec-fetch-mode'] === 'navigate') return;
    throw new ConsoleRequestError(
      403,
      'CrossSiteRequest',
      `requests from another site (${site}) are not accepted`,
    );
  }

  private checkToken(request: IncomingMessage): void {
    const given = request.headers[TOKEN_HEADER];
    if (typeof given !== 'string' || given === '')
      throw new ConsoleRequestError(
        403,
        'MissingToken',
        `actions need the ${TOKEN_HEADER} header of the console's session`,
      );
    const expected = Buffer.from(this.token);
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
      throw new ConsoleRequestError(403, 'InvalidToken', `the ${TOKEN_HEADER} header is not this console's`);
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json'))
      throw new ConsoleRequestError(
        415,
        'UnsupportedMediaType',
        'actions take a JSON body (application/json)',
      );
  }

  private async sendAsset(response: ServerResponse, path: string): Promise<void> {
    const asset = await readAsset(path, this.options.assetDirectory);
    if (!asset) {
      throw new ConsoleRequestError(
        503,
        'ConsoleNotBuilt',
        'the console is not built: run `npm run build:console` (npm ci runs it)',
      );
    }
    response.writeHead(200, {
      ...SAFE_HEADERS,
      'content-type': asset.contentType,
      'content-length': asset.body.length,
      'content-security-policy': PAGE_POLICY,
    });
    response.end(asset.body);
  }

  private openStream(response: ServerResponse, query: URLSearchParams): void {
    const matches = patternMatcher(query.get('pattern'));
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
    const stop = this.options.reads.follow(send);
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
}

/**
 * Whether a request is the console's: anything under `/console/`, and a GET (or HEAD) of its page —
 * a POST to `/` with no `X-Amz-Target` is still an AWS call with no operation named.
 */
export function isConsoleRequest(path: string, method: string): boolean {
  return path.startsWith('/console/') || (isAssetPath(path) && (method === 'GET' || method === 'HEAD'));
}

/** A pattern from the query, compiled with the bus's own matcher; none accepts everything. */
function patternMatcher(json: string | null): ((event: ConsoleEvent) => boolean) | undefined {
  if (!json) return undefined;
  if (json.length > MAX_PATTERN_LENGTH)
    throw new ConsoleRequestError(
      400,
      'InvalidPattern',
      `a pattern is at most ${MAX_PATTERN_LENGTH} characters`,
    );
  try {
    return compileEventPattern(parseEventPattern(json));
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new ConsoleRequestError(400, 'InvalidPattern', error.message);
    throw error;
  }
}

function rebalanceAsk(body: Record<string, unknown>): RebalanceAsk {
  const { strategy, maxMoves, tenantId } = body;
  if (strategy !== undefined && strategy !== 'spread' && strategy !== 'binpack')
    throw new ConsoleRequestError(400, 'InvalidRequest', 'strategy is spread or binpack');
  if (maxMoves !== undefined && !(Number.isInteger(maxMoves) && (maxMoves as number) > 0))
    throw new ConsoleRequestError(400, 'InvalidRequest', 'maxMoves is a positive whole number');
  if (tenantId !== undefined && (typeof tenantId !== 'string' || tenantId === ''))
    throw new ConsoleRequestError(400, 'InvalidRequest', 'tenantId is a non-empty string');
  return {
    ...(strategy ? { strategy } : {}),
    ...(maxMoves ? { maxMoves: maxMoves as number } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}

function executionStatus(value: string | null): string | undefined {
  if (!value) return undefined;
  if (!EXECUTION_STATUSES.has(value))
    throw new ConsoleRequestError(
      400,
      'InvalidStatus',
      `status is one of ${[...EXECUTION_STATUSES].join(', ')}`,
    );
  return value;
}

function boundedInteger(value: string | null, name: string, min: number, max: number): number | undefined {
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new ConsoleRequestError(400, 'InvalidParameter', `${name} is a whole number from ${min} to ${max}`);
  return number;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConsoleRequestError(400, 'InvalidPath', 'the path is not validly encoded');
  }
}

function notFound(path: string): ConsoleRequestError {
  return new ConsoleRequestError(404, 'NotFound', `nothing at ${path}`);
}

function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    let tooLarge = false;
    request.on('data', (chunk: string) => {
      if (text.length + chunk.length > MAX_BODY_BYTES) tooLarge = true;
      else text += chunk;
    });
    request.on('error', reject);
    request.on('end', () => {
      if (tooLarge)
        return reject(
          new ConsoleRequestError(413, 'BodyTooLarge', `a body is at most ${MAX_BODY_BYTES} bytes`),
        );
      if (text.trim() === '') return resolve({});
      try {
        const body = JSON.parse(text) as unknown;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new ConsoleRequestError(400, 'InvalidBody', 'the body is a JSON object');
        resolve(body as Record<string, unknown>);
      } catch (error) {
        reject(
          error instanceof ConsoleRequestError
            ? error
            : new ConsoleRequestError(400, 'InvalidBody', 'the body is not JSON'),
        );
      }
    });
  });
}

/** What an error answers: its own status and name when it says one (the SDK's 4xx do), else 500. */
function asConsoleError(error: unknown): { status: number; name: string; message: string } {
  if (error instanceof ConsoleRequestError) return error;
  const sdk = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = sdk.$metadata?.httpStatusCode;
  if (status && status >= 400 && status < 500) {
    const name = sdk.name ?? 'BadRequest';
    // AWS answers a missing execution or state machine with 400; the console says what it is.
    return { status: /DoesNotExist$|NotFound/.test(name) ? 404 : status, name, message: sdk.message ?? '' };
  }
  if (error instanceof Error && error.name === 'UnknownWorkflow')
    return { status: 404, name: error.name, message: error.message };
  return {
    status: 500,
    name: 'InternalFailure',
    message: 'the console could not answer; the runtime log says why',
  };
}

/** An error answer of the console's, with its safe headers and its name. */
export function sendConsoleError(
  response: ServerResponse,
  status: number,
  name: string,
  message: string,
): void {
  sendJson(response, status, { error: name, message }, name);
}

/** A JSON answer; an error's also names itself in `x-amzn-ErrorType`, as the AWS APIs beside it do. */
function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown | ConsoleError,
  errorName?: string,
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SAFE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(errorName ? { 'x-amzn-ErrorType': errorName } : {}),
  });
  response.end(text);
}
