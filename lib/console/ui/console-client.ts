/**
 * The page's only door to the server: JSON reads from `/console/api/*`, and actions POSTed with the
 * session's token. Errors keep the server's name (`InvalidPattern`, `MissingToken`…).
 */
import { type ConsoleError, type ConsoleSession, TOKEN_HEADER } from '../console-api';

export const API = '/console/api';

/** An answer other than 2xx: its HTTP status and the server's error name and message. */
export class ConsoleRequestFailed extends Error {
  override readonly name = 'ConsoleRequestFailed';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(`${error}: ${message}`);
  }
}

let session: ConsoleSession | undefined;

/** Reads the session once: the token every action carries, the stage and its workflows. */
export async function openSession(): Promise<ConsoleSession> {
  session = await getJson<ConsoleSession>('/session');
  return session;
}

export function currentSession(): ConsoleSession {
  if (!session) throw new Error('the console session is not open yet');
  return session;
}

export async function getJson<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') search.set(key, value);
  const suffix = search.size > 0 ? `?${search}` : '';
  return answer<T>(await fetch(`${API}${path}${suffix}`, { headers: { accept: 'application/json' } }));
}

/**
 * An action, with the session's token. The token is the server process's: after a restart of the
 * runtime the page's is no longer valid, so an `InvalidToken` refusal reopens the session and the
 * action is sent once more.
 */
export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const send = async () =>
    answer<T>(
      await fetch(`${API}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: currentSession().token },
        body: JSON.stringify(body),
      }),
    );
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof ConsoleRequestFailed && error.error === 'InvalidToken')) throw error;
    await openSession();
    return send();
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not the console's answer (a proxy's page): named by its status.
    throw new ConsoleRequestFailed(response.status, `HTTP${response.status}`, text.slice(0, 200));
  }
  if (!response.ok) {
    const { error, message } = (body ?? {}) as Partial<ConsoleError>;
    throw new ConsoleRequestFailed(response.status, error ?? `HTTP${response.status}`, message ?? text);
  }
  return body as T;
}
