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
import type { ConsoleActions } from './console-actions';
import { type ConsoleSession, ROLLOUT_ACTIONS, type RolloutAction, TOKEN_HEADER } from './console-api';
import { isAssetPath, readAsset } from './console-assets';
import {
  boundedInteger,
  decodePart,
  executionStatus,
  patternMatcher,
  readJsonBody,
  rebalanceAsk,
} from './console-inputs';
import type { ConsoleReads } from './console-reads';
import { ConsoleRequestError } from './console-request-error';
import { asConsoleError, PAGE_POLICY, SAFE_HEADERS, sendJson } from './console-responses';
import { LiveStreams } from './live-streams';

const API = '/console/api/';

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
  private readonly streams: LiveStreams;

  constructor(private readonly options: ConsoleServerOptions) {
    this.streams = new LiveStreams((listener) => options.reads.follow(listener));
  }

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
    this.streams.close();
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
      return this.streams.open(response, patternMatcher(query.get('pattern')));
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
}

/**
 * Whether a request is the console's: anything under `/console/`, and a GET (or HEAD) of its page —
 * a POST to `/` with no `X-Amz-Target` is still an AWS call with no operation named.
 */
export function isConsoleRequest(path: string, method: string): boolean {
  return path.startsWith('/console/') || (isAssetPath(path) && (method === 'GET' || method === 'HEAD'));
}

function notFound(path: string): ConsoleRequestError {
  return new ConsoleRequestError(404, 'NotFound', `nothing at ${path}`);
}
