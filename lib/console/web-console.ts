/**
 * The web console put together: its reads, its actions and its HTTP side over one connection (the
 * embedded runtime's endpoint, or a deployed stage's AWS APIs), and a loopback server of its own
 * for `baton console`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from '../cli/connection';
import { LOOPBACK } from '../embedded/local-aws';
import { foreignRequestProblem } from '../embedded/loopback-guard';
import { ConsoleActions } from './console-actions';
import type { ConsoleSession, MetricFigure } from './console-api';
import { ConsoleReads } from './console-reads';
import { sendConsoleError } from './console-responses';
import { ConsoleServer } from './console-server';
import type { EventFeed } from './event-feed';

export interface WebConsoleOptions {
  readonly connection: Connection;
  readonly feed: EventFeed;
  readonly mode: ConsoleSession['mode'];
  readonly metrics?: () => readonly MetricFigure[];
  readonly timeScale?: number;
  readonly assetDirectory?: string;
}

export interface WebConsole {
  readonly server: ConsoleServer;
  readonly reads: ConsoleReads;
  close(): void;
}

export function openWebConsole(options: WebConsoleOptions): WebConsole {
  const reads = new ConsoleReads(options);
  const server = new ConsoleServer({
    reads,
    actions: new ConsoleActions(options.connection),
    stage: options.connection.stage,
    mode: options.mode,
    assetDirectory: options.assetDirectory,
  });
  return {
    server,
    reads,
    close: () => {
      server.close();
      reads.close();
    },
  };
}

/** Serves a console alone on loopback (`baton console`), with the API's Host/Origin rule in front. */
export async function serveWebConsole(
  webConsole: WebConsole,
  port: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const foreign = foreignRequestProblem(request);
    const target = request.url ?? '/';
    const at = target.indexOf('?');
    const path = at < 0 ? target : target.slice(0, at);
    if (foreign || !webConsole.server.owns(path, request.method ?? '')) {
      request.resume();
      if (foreign) sendConsoleError(response, 403, 'AccessDenied', foreign);
      else sendConsoleError(response, 404, 'NotFound', `nothing at ${path}`);
      return;
    }
    webConsole.server.handle(
      request,
      response,
      path,
      new URLSearchParams(at < 0 ? '' : target.slice(at + 1)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  return { url: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`, server };
}
