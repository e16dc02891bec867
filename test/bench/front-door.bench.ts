/**
 * Bounded work at the front door: how long the runtime takes to answer the heaviest requests it
 * must still judge — a 4 096-character pattern of 2 000 dotted segments, `$or`s expanding to
 * 1 024 sub-rules and one past the bound, a full 256 KB PutEvents, an input nested 1 000 deep
 * and one deeper, an item nested at DynamoDB's 32 levels, a 4 KB key condition, a 20 KB URL —
 * beside an ordinary ListStateMachines (baseline), in the same runtime and run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PUT_EVENTS_BYTES } from '../../lambdas/core/events/put-events-limits';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { type DoorRequest, sendToDoor } from '../fuzz/door-client';
import { exampleEvent, stateMachineArn } from '../fuzz/door-operations';
import { nestedJson } from '../fuzz/hostile-json';
import { percentile, report } from './report';

const SAMPLES = 30;
// The refused inputs are the point here: the handlers' warnings about them are not.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const json = (target: string, contentType: string, body: unknown): DoorRequest => ({
  method: 'POST',
  path: '/',
  headers: {
    'content-type': contentType,
    'x-amz-target': target,
    'x-amz-date': '20260101T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/x/aws4_request, SignedHeaders=host, Signature=b',
  },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const events = (operation: string, body: unknown) =>
  json(`AWSEvents.${operation}`, 'application/x-amz-json-1.1', body);
const states = (operation: string, body: unknown) =>
  json(`AWSStepFunctions.${operation}`, 'application/x-amz-json-1.0', body);
const dynamoDb = (operation: string, body: unknown) =>
  json(`DynamoDB_20120810.${operation}`, 'application/x-amz-json-1.0', body);
const orPattern = (pairs: number) =>
  JSON.stringify({
    detail: Object.fromEntries(
      Array.from({ length: pairs }, (_, index) => [`f${index}`, { $or: [{ a: [1] }, { b: [2] }] }]),
    ),
  });
const detail = (bytes: number) => JSON.stringify({ blob: 'x'.repeat(bytes) });
const key = { pk: { S: 'bench' }, sk: { S: 'item' } };

const cases: [string, DoorRequest][] = [
  ['baseline.list_state_machines', states('ListStateMachines', {})],
  [
    'test_pattern.dotted_key_2000',
    events('TestEventPattern', {
      EventPattern: JSON.stringify({ [Array(2_000).fill('a').join('.')]: ['x'] }),
      Event: JSON.stringify(exampleEvent),
    }),
  ],
  [
    'test_pattern.or_1024',
    events('TestEventPattern', { EventPattern: orPattern(10), Event: JSON.stringify(exampleEvent) }),
  ],
  [
    'test_pattern.or_refused',
    events('TestEventPattern', { EventPattern: orPattern(11), Event: JSON.stringify(exampleEvent) }),
  ],
  [
    'put_events.256kb',
    events('PutEvents', {
      Entries: Array.from({ length: 10 }, () => ({
        Source: 'bench.door',
        DetailType: 'Bench',
        Detail: detail(MAX_PUT_EVENTS_BYTES / 10 - 100),
      })),
    }),
  ],
  [
    'start_execution.nested_999',
    states('StartExecution', {
      stateMachineArn: stateMachineArn('release-resources'),
      input: `{"allocationId":${nestedJson(999, 'array')}}`,
    }),
  ],
  [
    'start_execution.nested_refused',
    states('StartExecution', {
      stateMachineArn: stateMachineArn('release-resources'),
      input: `{"allocationId":${nestedJson(10_000, 'array')}}`,
    }),
  ],
  [
    'dynamodb.item_32_levels',
    dynamoDb(
      'PutItem',
      `{"TableName":"${LEDGER_TABLE_NAME}","Item":{"pk":{"S":"bench"},"sk":{"S":"item"},"n":${nestedJson(31, 'dynamodb-map')}}}`,
    ),
  ],
  [
    'dynamodb.key_condition_4kb',
    dynamoDb('Query', {
      TableName: LEDGER_TABLE_NAME,
      KeyConditionExpression: `pk = :pk${' '.repeat(4_096 - 8)}`,
      ExpressionAttributeValues: { ':pk': key.pk },
    }),
  ],
  [
    'http.url_20kb',
    { method: 'GET', path: `/2015-03-31/functions/${'a'.repeat(20_000)}`, headers: {}, body: '' },
  ],
];

const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-door-bench-'));
const runtime = await startEmbeddedRuntime({ port: 0, dataDirectory, schedules: [], simulatedAgent: false });
try {
  for (const [name, request] of cases) {
    const latencies: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      const outcome = await sendToDoor(runtime.url, request, 60_000);
      if (outcome.kind !== 'answered') throw new Error(`${name} was not answered: ${outcome.kind}`);
      latencies.push(outcome.elapsedMs);
    }
    report(`door.${name}.p50`, percentile(latencies, 50), 'ms');
    report(`door.${name}.max`, Math.max(...latencies), 'ms');
  }
  await runtime.bus.settle();
} finally {
  await runtime.close();
  rmSync(dataDirectory, { recursive: true, force: true });
}
