/**
 * One DynamoDB API call handed to the store's thread in-process — the runtime's own DynamoDB
 * tasks, and the table's set-up — in the JSON protocol clients use, minus the socket.
 */
import type { StoreChannel } from './store-thread';

export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';

/** A DynamoDB error answer: `name` is the exception (`ConditionalCheckFailedException`…). */
export class StoreError extends Error {}

/** One DynamoDB API call (`GetItem`, `PutItem`…) with its JSON input; resolves with the JSON output. */
export type StoreCall = (
  operation: string,
  input: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** dynalite checks that a request is signed, not the signature. */
const LOCAL_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=baton/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local';

export async function callInProcess(
  thread: StoreChannel,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { status, body } = await thread.send({
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${DYNAMODB_TARGET_PREFIX}.${operation}`,
      'x-amz-date': '20260101T000000Z',
      authorization: LOCAL_AUTHORIZATION,
    },
    body: Buffer.from(JSON.stringify(input)),
  });
  const answer = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  if (status === 200) return answer;
  const type = String(answer.__type ?? 'InternalServerError');
  const error = new StoreError(String(answer.message ?? answer.Message ?? type));
  error.name = type.slice(type.lastIndexOf('#') + 1);
  throw error;
}
