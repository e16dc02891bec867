/**
 * The access key id a SigV4-signed request names (`Authorization: AWS4-HMAC-SHA256
 * Credential=<key id>/…`). Plain JavaScript, so that the store's thread reads it the same way as the
 * front door.
 */
const SIGV4_CREDENTIAL = /Credential=([^/\s,]+)\//;

export function signingAccessKeyId(authorization) {
  return SIGV4_CREDENTIAL.exec(authorization ?? '')?.[1];
}
