/** How the console answers: JSON (an error named as the AWS APIs beside it name theirs), with safe headers. */
import type { ServerResponse } from 'node:http';
import type { ConsoleError } from './console-api';
import { ConsoleRequestError } from './console-request-error';

/** Sent with every answer: no framing, no sniffing, no referrer, nothing cached. */
export const SAFE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
/** The page runs only what Baton serves: no inline script or style, no request elsewhere. */
export const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What an error answers: its own status and name when it says one (the SDK's 4xx do), else 500. */
export function asConsoleError(error: unknown): { status: number; name: string; message: string } {
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
export function sendJson(
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
