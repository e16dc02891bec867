/**
 * Who is calling the embedded runtime. In AWS, the bus policy lets only Baton's own roles publish
 * under the source `baton`; here Baton's functions sign their requests with credentials made
 * afresh for each runtime and never shown to anyone else, and the front door tells
 * their requests apart by the access key id they name (SigV4's `Credential=<key id>/…`). The
 * signature itself is not checked: these are throwaway local credentials, not a secret.
 */
import { randomBytes } from 'node:crypto';
import { signingAccessKeyId } from './signing-key';

/** `baton`: Baton's own functions, workflows and the runtime itself; `external`: anyone else. */
export type CallerOrigin = 'baton' | 'external';

export interface FunctionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A new pair for one runtime's functions: two runtimes in one process never take each other's calls for their own. */
export function functionCredentials(): FunctionCredentials {
  return {
    accessKeyId: `BATONFN${randomBytes(10).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/** The origin of a request, by the access key id its `Authorization` header names. */
export function callerOrigin(
  authorization: string | undefined,
  credentials: FunctionCredentials,
): CallerOrigin {
  return signingAccessKeyId(authorization) === credentials.accessKeyId ? 'baton' : 'external';
}
