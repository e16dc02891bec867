/**
 * The local engine runs Wait states as bound tasks (so `--time-scale` can follow SecondsPath);
 * these runs check that the rewrite keeps a Wait's data flow exactly.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  LOCAL_WAIT_RESOURCE,
  MAX_TIMER_SECONDS,
  toEngineDefinition,
} from '../../lib/embedded/engine-definition';
import type { AslDefinition } from '../../lib/topology/asl-definition';

function runWait(wait: Record<string, unknown>, input: unknown) {
  const source: AslDefinition = { StartAt: 'Pause', States: { Pause: { Type: 'Wait', End: true, ...wait } } };
  const { definition, sites, stateTypes } = toEngineDefinition(source);
  const seen: unknown[] = [];
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const result = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        Pause: async (parameters) => {
          seen.push(parameters);
          return (parameters as { input: never }).input;
        },
      },
    },
  }).result;
  return { result, seen, sites, stateTypes, source };
}

describe('Wait states on the local engine', () => {
  it('passes the effective input through, applying InputPath and OutputPath as a Wait does', async () => {
    const run = runWait(
      { Seconds: 5, InputPath: '$.inner', OutputPath: '$.keep' },
      { inner: { keep: 1, drop: 2 }, x: 3 },
    );
    expect(await run.result).toBe(1);
    expect(run.seen).toEqual([{ seconds: 5, input: { keep: 1, drop: 2 } }]);
  });

  it('resolves SecondsPath and TimestampPath against the input, for the binding to scale', async () => {
    const bySeconds = runWait({ SecondsPath: '$.bake' }, { bake: 300 });
    await bySeconds.result;
    expect(bySeconds.seen).toEqual([{ seconds: 300, input: { bake: 300 } }]);
    const byTimestamp = runWait({ TimestampPath: '$.at' }, { at: '2030-01-01T00:00:00Z' });
    await byTimestamp.result;
    expect(byTimestamp.seen).toEqual([
      { timestamp: '2030-01-01T00:00:00Z', input: { at: '2030-01-01T00:00:00Z' } },
    ]);
  });

  it('keeps the original type for history and lists the site with its local resource', () => {
    const run = runWait({ Seconds: 1 }, {});
    expect(run.stateTypes.get('Pause')).toBe('Wait');
    expect(run.sites.get('Pause')).toMatchObject({ resource: LOCAL_WAIT_RESOURCE, originalType: 'Wait' });
    expect(run.source.States.Pause?.Type).toBe('Wait');
  });
});

describe('Task states on the local engine', () => {
  it("gets AWS's unbounded timeout instead of the engine's 60 s default, within Node's timer limit", () => {
    const { definition, sites } = toEngineDefinition({
      StartAt: 'Call',
      TimeoutSeconds: 99_999_999,
      States: {
        Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', HeartbeatSeconds: 5, End: true },
      },
    });
    expect(definition.States.Call?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(definition.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(sites.get('Call')).toMatchObject({ heartbeatSeconds: 5, timeoutSeconds: undefined });
  });
});
