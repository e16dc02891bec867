/** Task heartbeats and timeouts, and execution timeouts, as Step Functions enforces them. */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListStateMachinesCommand,
  SendTaskHeartbeatCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let stateMachineArn: string;
const callbacks = new Map<string, BusEvent>();

beforeAll(async () => {
  t = await startTestRuntime();
  t.runtime.bus.subscribe((event) => {
    if (event['detail-type'] === 'FixtureCallbackRequested')
      callbacks.set((event.detail as { run: string }).run, event);
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
  return eventually(async () => {
    const description = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return description.status === 'RUNNING' ? undefined : description;
  });
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
      for (let beat = 0; beat < 3; beat++) {
        await new Promise((resolve) => setTimeout(resolve, 600));
        await t.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token.taskToken })).catch(() => undefined);
      }
    });
    expect(JSON.parse(description.output ?? '{}').timedOut).toMatchObject({ Error: 'States.Timeout' });
  });

  it('times the execution out after its TimeoutSeconds', async () => {
    const description = await run({ mode: 'long-wait' });
    expect(description).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });
});
