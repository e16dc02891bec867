/** Task heartbeats and timeouts, and execution timeouts, as Step Functions enforces them. */
import {
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let stateMachineArn: string;
const callbacks = new Map<string, BusEvent>();
const seen: { run: string; taskToken: string }[] = [];

beforeAll(async () => {
  t = await startTestRuntime();
  t.runtime.bus.subscribe((event) => {
    if (event['detail-type'] !== 'FixtureCallbackRequested') return;
    const detail = event.detail as { run: string; taskToken: string };
    callbacks.set(detail.run, event);
    seen.push(detail);
  });
  const { stateMachines = [] } = await t.sfn.send(new ListStateMachinesCommand({}));
  stateMachineArn =
    stateMachines.find((m) => m.name === 'baton-local-fixture-timeouts')?.stateMachineArn ?? '';
});
afterAll(() => t.stop());

async function run(
  input: Record<string, unknown>,
  whileRunning?: () => Promise<void>,
): Promise<DescribeExecutionCommandOutput> {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  await whileRunning?.();
  return t.finished(executionArn);
}

describe.concurrent('timeouts', () => {
  it('fails a waiting task with States.HeartbeatTimeout when no heartbeat comes', async () => {
    const description = await run({ mode: 'token', run: 'silent' });
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(description.output ?? '{}').timedOut).toMatchObject({
      Error: 'States.HeartbeatTimeout',
    });
  });

  it('fails a waiting task with States.Timeout despite heartbeats once TimeoutSeconds passes', async () => {
    const description = await run({ mode: 'token', run: 'beating' }, async () => {
      const token = (await eventually(() => callbacks.get('beating'))).detail as { taskToken: string };
      // Beats well inside the 1 s heartbeat, for 1.5 s of the 2 s timeout: each must be accepted.
      for (let beat = 0; beat < 6; beat++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await t.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token.taskToken }));
      }
    });
    expect(JSON.parse(description.output ?? '{}').timedOut).toMatchObject({ Error: 'States.Timeout' });
    const { events = [] } = await t.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: description.executionArn }),
    );
    const types = events.map((event) => event.type);
    // One timer: the task times out before its state is left, as in AWS.
    expect(types.indexOf('TaskTimedOut')).toBeGreaterThan(types.indexOf('TaskSubmitted'));
    expect(types.indexOf('TaskTimedOut')).toBeLessThan(types.indexOf('TaskStateExited'));
  });

  it('sends one token however often a state reads $$.Task.Token, and either copy answers it', async () => {
    let copies: string[] = [];
    const description = await run({ mode: 'double-token', run: 'twice' }, async () => {
      copies = await eventually(() => {
        const tokens = seen.filter((detail) => detail.run === 'twice').map((detail) => detail.taskToken);
        return tokens.length >= 2 ? tokens : undefined;
      });
      await t.sfn.send(new SendTaskSuccessCommand({ taskToken: copies[1] ?? '', output: '{"answered":2}' }));
    });
    expect(new Set(copies).size).toBe(1);
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(description.output ?? '{}').answer).toEqual({ answered: 2 });
  });

  it('withdraws the token of a task whose call-out failed, so its heartbeat never fires', async () => {
    const description = await run({ mode: 'failing-callout' });
    expect(description.status).toBe('SUCCEEDED');
    expect(JSON.parse(description.output ?? '{}').calloutError).toMatchObject({ Error: 'CalloutFailed' });
  });

  it('times a waiting task out after the TimeoutSecondsPath its input selects', async () => {
    const started = Date.now();
    const { executionArn } = await t.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ mode: 'timeout-from-input', run: 'path', timeoutSeconds: 1 }),
      }),
    );
    const description = await t.finished(executionArn);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(JSON.parse(description.output ?? '{}').timedOut).toMatchObject({ Error: 'States.Timeout' });
    const { events = [] } = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const scheduled = events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled?.timeoutInSeconds).toBe(1);
    expect(JSON.parse(scheduled?.parameters ?? '{}')).not.toHaveProperty('BatonLocalTimeoutSeconds');

    const refused = await run({ mode: 'timeout-from-input', run: 'zero', timeoutSeconds: 0 });
    expect(refused).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('times the execution out after its TimeoutSeconds', async () => {
    const description = await run({ mode: 'long-wait' });
    expect(description).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });
});
