/** The access key id a SigV4 `Authorization` header names, if any (see `signing-key.js`). */
export function signingAccessKeyId(authorization: string | undefined): string | undefined;
