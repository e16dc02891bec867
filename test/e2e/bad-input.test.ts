/**
 * Bad input at the embedded runtime's front door: every case answered with AWS's error shape
 * (or a per-entry error), nothing written, and the runtime still serving afterwards.
 */
import { PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendToDoor } from '../fuzz/door-client';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(() => t.stop());

/** After every case, the runtime must still answer a normal call. */
afterEach(async () => {
  const { stateMachines } = await t.sfn.send(new ListStateMachinesCommand({}));
  expect(stateMachines?.length).toBeGreaterThan(0);
});

async function raw(target: string, body: string, contentType = 'application/x-amz-json-1.1') {
  const response = await fetch(t.runtime.url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-amz-target': target },
    body,
  });
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as { __type?: string; message?: string },
  };
}

const entry = (detail: string, extra: Record<string, unknown> = {}) => ({
  Source: 'acme.test',
  DetailType: 'ResourcePoolChanged',
  Detail: detail,
  ...extra,
});

describe('the wire protocol', () => {
  it('answers a malformed JSON body with SerializationException', async () => {
    const response = await raw('AWSEvents.PutEvents', '{"Entries": [');
    expect(response).toMatchObject({ status: 400, errorType: 'SerializationException' });
    expect(response.body).toMatchObject({ __type: 'SerializationException' });
  });

  it('answers a JSON body that is not an object with SerializationException', async () => {
    expect(
      await raw('AWSStepFunctions.ListStateMachines', '[1,2]', 'application/x-amz-json-1.0'),
    ).toMatchObject({
      status: 400,
      errorType: 'SerializationException',
    });
  });

  it.each([
    'AWSEvents.DeleteEverything',
    'AWSStepFunctions.CreateStateMachine',
    'Nope.Nothing',
    '',
    'AWSEvents.toString',
  ])('answers unknown target %j with UnknownOperationException', async (target) => {
    const response = await raw(target, '{}');
    expect(response).toMatchObject({ status: 400, errorType: 'UnknownOperationException' });
    expect(response.body.message).toBeTypeOf('string');
  });
});

describe('requests that are not HTTP Node can read', () => {
  it.each([
    [
      'a 20 KB URL',
      `GET /2015-03-31/functions/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      431,
    ],
    ['an unknown method', 'FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    [
      'two Content-Lengths',
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
    ],
    ['bytes that are not HTTP', '\u0000\u0001 garbage\r\n\r\n', 400],
  ])("answers %s in AWS's error shape", async (_name, bytes, status) => {
    const outcome = await sendToDoor(t.runtime.url, { bytes }, 2_000);
    expect(outcome).toMatchObject({ kind: 'answered', status });
    const answered = outcome as { headers: Record<string, string>; body: string };
    const body = JSON.parse(answered.body) as { __type?: unknown; message?: unknown };
    expect(body.__type).toBe(answered.headers['x-amzn-errortype']);
    expect(body.message).toBeTypeOf('string');
  });
});

describe('a HEAD request Node cannot read', () => {
  it('is answered 431 with no body, as a HEAD answer must be', async () => {
    const outcome = await sendToDoor(
      t.runtime.url,
      { method: 'HEAD', path: '/', headers: { 'x-big': 'x'.repeat(20_000) }, body: '' },
      2_000,
    );
    expect(outcome).toMatchObject({
      kind: 'answered',
      status: 431,
      body: '',
      headers: { 'x-amzn-errortype': 'RequestHeaderFieldsTooLarge' },
    });
  });
});

describe('PutEvents', () => {
  it('refuses more than 10 entries with ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => entry('{}'));
    await expect(t.eventBridge.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses entries over 256 KB with ValidationException', async () => {
    const detail = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expect(
      t.eventBridge.send(new PutEventsCommand({ Entries: [entry(detail)] })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('over the limit'),
    });
  });

  it('answers per entry: detail not JSON, detail not an object, missing fields, unknown bus', async () => {
    const response = await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          entry('{not json'),
          entry('[1,2,3]'),
          { DetailType: 'X', Detail: '{}' },
          entry('{}', { EventBusName: 'someone-elses-bus' }),
          entry(JSON.stringify({ poolId: 'ok', kind: 'compute', capacity: { vcpu: 1 }, state: 'active' })),
        ],
      }),
    );
    expect(response.FailedEntryCount).toBe(4);
    expect(response.Entries?.map((e) => e.ErrorCode ?? 'OK')).toEqual([
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
      'OK',
    ]);
  });

  it("refuses Baton's own source from anyone but Baton, and acts on nothing it refused", async () => {
    const seen: string[] = [];
    const unsubscribe = t.runtime.bus.subscribe((event) => seen.push(event.source));
    try {
      const forged = JSON.stringify({ allocationId: 'a-1', requestId: 'r-1', tenantId: 'acme' });
      const response = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [{ Source: 'baton', DetailType: 'ResourceAllocated', Detail: forged }],
        }),
      );
      expect(response.Entries?.[0]?.ErrorCode).toBe('NotAuthorizedForSourceException');
      expect(seen).toEqual([]);
    } finally {
      unsubscribe();
    }
  });

  it('fails an injected entry alone, or the whole call, and accepts nothing that failed', async () => {
    const accepted: string[] = [];
    // Only this test's own events: facts announced for earlier tests' requests may still arrive.
    const unsubscribe = t.runtime.bus.subscribe((event) => {
      if (event.source === 'acme.test') accepted.push(event['detail-type']);
    });
    const failEntry = t.runtime.bus.injectFault((e) => (e.DetailType === 'FailMe' ? 'entry' : undefined));
    try {
      const partial = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'acme.test', DetailType: 'FailMe', Detail: '{}' },
            { Source: 'acme.test', DetailType: 'PassMe', Detail: '{}' },
          ],
        }),
      );
      expect(partial.Entries?.map((e) => e.ErrorCode ?? 'OK')).toEqual(['InternalFailure', 'OK']);
      failEntry();
      const failCall = t.runtime.bus.injectFault(() => 'call');
      await expect(
        t.eventBridge.send(
          new PutEventsCommand({ Entries: [{ Source: 'acme.test', DetailType: 'Lost', Detail: '{}' }] }),
        ),
      ).rejects.toMatchObject({ name: 'InternalException' });
      failCall();
      expect(accepted).toEqual(['PassMe']);
    } finally {
      failEntry();
      unsubscribe();
    }
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({
    id: '1',
    account: '123456789012',
    source: 'acme.inventory',
    time: '2026-11-28T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    'detail-type': 'ResourcePoolChanged',
    detail: { capacity: { vcpu: 64 } },
  });

  it('answers with the local matcher', async () => {
    const matches = await t.eventBridge.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"capacity":{"vcpu":[{"numeric":[">=",32]}]}}}',
        Event: event,
      }),
    );
    const misses = await t.eventBridge.send(
      new TestEventPatternCommand({ EventPattern: '{"source":[{"prefix":"other"}]}', Event: event }),
    );
    expect([matches.Result, misses.Result]).toEqual([true, false]);
  });

  it.each([
    '{"source": "not-an-array"}',
    '{"detail":{"n":[{"numeric":["<",1,">",5]}]}}',
    'not json',
    '{"a":[{"bogus":1}]}',
  ])('refuses invalid pattern %s with InvalidEventPatternException', async (pattern) => {
    await expect(
      t.eventBridge.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event })),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
  });

  it('refuses a pattern over 4 096 characters with ValidationException, as the API does', async () => {
    const pattern = JSON.stringify({ detail: { [Array(2_100).fill('a').join('.')]: ['x'] } });
    await expect(
      t.eventBridge.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('4096'),
    });
  });

  it('refuses an event without the envelope fields with ValidationException', async () => {
    await expect(
      t.eventBridge.send(
        new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{"source":"x"}' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('DynamoDB', () => {
  it('refuses a body of null as DynamoDB does, and every workflow still runs', async () => {
    const response = await fetch(t.runtime.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.PutItem',
        'x-amz-date': '20260101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: 'null',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      __type: 'com.amazon.coral.service#SerializationException',
    });
    const declared = await t.run('declare-inventory', {
      quotas: [{ tenantId: 'after-null', limits: { vcpu: 1 } }],
    });
    expect(declared.status).toBe('SUCCEEDED');
  });
});

describe('Step Functions', () => {
  const machineArn = async () =>
    (await t.sfn.send(new ListStateMachinesCommand({}))).stateMachines?.[0]?.stateMachineArn ?? '';

  it('refuses an unknown workflow with StateMachineDoesNotExist', async () => {
    const unknown = (await machineArn()).replace(/[^:]+$/, 'baton-local-nope');
    await expect(
      t.sfn.send(new StartExecutionCommand({ stateMachineArn: unknown, input: '{}' })),
    ).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });

  it('refuses a malformed ARN with InvalidArn', async () => {
    await expect(
      t.sfn.send(new StartExecutionCommand({ stateMachineArn: 'fixture', input: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('refuses an execution input that is not JSON with InvalidExecutionInput', async () => {
    await expect(
      t.sfn.send(new StartExecutionCommand({ stateMachineArn: await machineArn(), input: '{"id": ' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
  });

  it('refuses a bad execution name and a reused one', async () => {
    const stateMachineArn = await machineArn();
    await expect(
      t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}', name: 'has spaces' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    const { executionArn } = await t.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{}', name: 'once' }),
    );
    await expect(t.sfn.send(new DescribeExecutionCommand({ executionArn }))).resolves.toBeDefined();
    await expect(
      t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"other":1}', name: 'once' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('refuses an unknown execution with ExecutionDoesNotExist', async () => {
    const arn = (await machineArn()).replace(':stateMachine:', ':execution:').concat(':missing');
    await expect(t.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
  });
});
