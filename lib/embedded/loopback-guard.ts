/**
 * The rule every local server of Baton applies before anything else. It listens on loopback only,
 * but a web page can still reach loopback through the browser (DNS rebinding, cross-site
 * requests): a request must name a loopback host and carry no foreign Origin. AWS SDK clients,
 * the CLI and the console's own page send neither problem.
 */
import type { IncomingMessage } from 'node:http';

/** Why a request must be refused, or `undefined` when it may go on. */
export function foreignRequestProblem(request: IncomingMessage): string | undefined {
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
