/**
 * The same-run baseline of Baton's benchmarks: the fixture ASL run directly by
 * aws-local-stepfunctions in this process, every task a trivial in-process override — the raw
 * engine, with no bus, store, HTTP or history around it.
 */
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { handler as fixtureHandler } from '../fixtures/fixture-function';
import { fixtureWorkflows } from '../fixtures/fixture-topology';
import { drive, report } from './report';

export const fixtureDetail = (id: string) => ({
  id,
  items: [1, 2, 3],
  waitSeconds: 0,
  failuresBeforeSuccess: 0,
});

/** Runs the fixture `runs` times (after `warmup`), `concurrency` at once; reports throughput, returns latencies. */
export async function rawFixtureBaseline(
  runs: number,
  warmup: number,
  concurrency: number,
): Promise<number[]> {
  const [workflow] = fixtureWorkflows.filter((w) => w.id === 'fixture');
  if (!workflow) throw new Error('fixture workflow missing');
  const text = readFileSync(workflow.file, 'utf8').replace(/\$\{(\w+)\}/g, (_, key: string) =>
    key === 'FixtureFunctionArn' ? 'arn:aws:lambda:us-east-1:000000000000:function:fixture' : `local-${key}`,
  );
  const machine = new StateMachine(JSON.parse(text));
  const table = new Map<string, unknown>();
  const overrides = {
    taskResourceLocalHandlers: {
      Validate: async (input: unknown) => ({
        Payload: await fixtureHandler((input as { Payload: never }).Payload),
      }),
      Square: async (input: unknown) => fixtureHandler(input as never),
      Record: async (input: unknown) => {
        const { Item } = input as { Item: { pk: { S: string } } };
        table.set(Item.pk.S, Item);
        return {};
      },
      AwaitApproval: async () => ({ approved: true }),
      ReadBack: async (input: unknown) => ({
        Item: table.get((input as { Key: { pk: { S: string } } }).Key.pk.S),
      }),
      Announce: async () => ({ Entries: [{ EventId: 'x' }], FailedEntryCount: 0 }),
    },
    waitTimeOverrides: { Pause: 0 },
  };
  const runOnce = async (id: string) => {
    await machine.run(fixtureDetail(id), { overrides: overrides as never, context: { Task: { Token: id } } })
      .result;
  };
  await drive(warmup, concurrency, (i) => runOnce(`warm-${i}`));
  const started = performance.now();
  const latencies = await drive(runs, concurrency, (i) => runOnce(`run-${i}`));
  report('fixture.baseline.throughput', runs / ((performance.now() - started) / 1000), 'runs/s');
  return latencies;
}
