/** The console's reading of an execution's history onto its graph: the path taken, the failing state, the caught one. */
import { describe, expect, it } from 'vitest';
import type { HistoryEventView } from '../../lib/console/console-api';
import { END_NODE, layoutDefinition, START_NODE } from '../../lib/console/ui/asl-graph';
import { edgeKey, traceExecution } from '../../lib/console/ui/execution-path';

const definition = {
  StartAt: 'Work',
  States: {
    Work: { Type: 'Task', Resource: 'r', Next: 'Check', Catch: [{ ErrorEquals: ['Boom'], Next: 'Explain' }] },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Done' }],
      Default: 'Explain',
    },
    Explain: { Type: 'Pass', Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'Boom' },
    Done: { Type: 'Succeed' },
  },
};
const { edges } = layoutDefinition(definition);

let id = 0;
const event = (type: string, details: Record<string, unknown> = {}): HistoryEventView => ({
  id: ++id,
  type,
  timestamp: new Date().toISOString(),
  details,
});

describe('traceExecution', () => {
  it('colours the path of a success and its end', () => {
    const path = traceExecution(
      [
        event('ExecutionStarted'),
        event('TaskStateEntered', { name: 'Work', input: '{}' }),
        event('TaskScheduled'),
        event('TaskSucceeded'),
        event('TaskStateExited', { name: 'Work', output: '{"ok":true}' }),
        event('ChoiceStateEntered', { name: 'Check', input: '{"ok":true}' }),
        event('ChoiceStateExited', { name: 'Check', output: '{"ok":true}' }),
        event('SucceedStateEntered', { name: 'Done', input: '{"ok":true}' }),
        event('SucceedStateExited', { name: 'Done', output: '{"ok":true}' }),
        event('ExecutionSucceeded'),
      ],
      edges,
    );
    expect([...path.taken].sort()).toEqual(
      [edgeKey(START_NODE, 'Work'), 'Work→Check', 'Check→Done', edgeKey('Done', END_NODE)].sort(),
    );
    expect(path.states.get('Work')).toMatchObject({
      outcome: 'succeeded',
      input: '{}',
      output: '{"ok":true}',
    });
    expect(path.states.has('Explain')).toBe(false);
  });

  it('marks the Fail state failed, and the state whose error a Catch took as caught, as the engine records it (exited with the error)', () => {
    const path = traceExecution(
      [
        event('ExecutionStarted'),
        event('TaskStateEntered', { name: 'Work', input: '{}' }),
        event('TaskScheduled'),
        event('TaskFailed', { error: 'Boom', cause: 'it broke' }),
        event('TaskStateExited', { name: 'Work', output: '{"Error":"Boom"}' }),
        event('PassStateEntered', { name: 'Explain' }),
        event('PassStateExited', { name: 'Explain' }),
        event('FailStateEntered', { name: 'Failed' }),
        event('ExecutionFailed', { error: 'Boom', cause: 'explained' }),
      ],
      edges,
    );
    expect(path.states.get('Work')).toMatchObject({ outcome: 'caught', error: 'Boom', cause: 'it broke' });
    expect(path.states.get('Explain')?.outcome).toBe('succeeded');
    expect(path.states.get('Failed')).toMatchObject({ outcome: 'failed', error: 'Boom', cause: 'explained' });
    expect(path.taken).toContain('Work→Explain');
    expect(path.taken).not.toContain('Work→Check');
  });

  it('marks a state caught when the Catch target is entered without an exit (as AWS records it)', () => {
    const path = traceExecution(
      [
        event('TaskStateEntered', { name: 'Work' }),
        event('TaskFailed', { error: 'Boom' }),
        event('PassStateEntered', { name: 'Explain' }),
      ],
      edges,
    );
    expect(path.states.get('Work')?.outcome).toBe('caught');
    expect(path.states.get('Explain')?.outcome).toBe('running');
    expect(path.taken).toContain('Work→Explain');
  });

  it('does not call a state caught when a retry succeeded after a failure', () => {
    const path = traceExecution(
      [
        event('TaskStateEntered', { name: 'Work' }),
        event('TaskScheduled'),
        event('TaskFailed', { error: 'Throttled' }),
        event('TaskScheduled'),
        event('TaskSucceeded'),
        event('TaskStateExited', { name: 'Work' }),
      ],
      edges,
    );
    expect(path.states.get('Work')?.outcome).toBe('succeeded');
  });

  it('marks the state an execution failed in (uncaught), and leaves running ones running', () => {
    const failed = traceExecution(
      [
        event('TaskStateEntered', { name: 'Work' }),
        event('TaskFailed', { error: 'States.Timeout' }),
        event('ExecutionFailed', { error: 'States.Timeout' }),
      ],
      edges,
    );
    expect(failed.states.get('Work')).toMatchObject({ outcome: 'failed', error: 'States.Timeout' });
    const running = traceExecution([event('TaskStateEntered', { name: 'Work' })], edges);
    expect(running.states.get('Work')?.outcome).toBe('running');
  });
});
