/**
 * The fuzzed runtime, in a process of its own so that the harness outlives it: a crash is
 * counted (and the runtime started afresh) instead of ending the run. It runs the product's
 * topology on the data directory and time scale it is given, reports its endpoint over IPC,
 * answers `settle` (every delivery and invocation in flight has finished) and reports an
 * unhandled rejection or exception before it exits, as Node would have exited anyway.
 */
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import type { ParentMessage, RuntimeMessage } from './runtime-messages';

const [dataDirectory = '', timeScaleText = '1'] = process.argv.slice(2);

function tell(message: RuntimeMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

function dieOf(kind: 'unhandledRejection' | 'uncaughtException') {
  return (reason: unknown) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    void tell({
      type: 'crashed',
      kind,
      name: error.name,
      message: error.message,
      stack: error.stack ?? '',
    }).then(() => process.exit(70));
  };
}
process.on('unhandledRejection', dieOf('unhandledRejection'));
process.on('uncaughtException', dieOf('uncaughtException'));
// A harness that is gone (killed, interrupted) takes its runtime with it.
process.on('disconnect', () => process.exit(0));

const runtime = await startEmbeddedRuntime({
  port: 0,
  dataDirectory,
  timeScale: Number(timeScaleText),
});

runtime.bus.subscribe((event) => {
  const token = (event.detail as { taskToken?: unknown } | null)?.taskToken;
  if (typeof token === 'string') void tell({ type: 'task-token', token });
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'settle') {
    void Promise.all([runtime.bus.settle(), runtime.lambda.settle()]).then(() => tell({ type: 'settled' }));
  } else if (message.type === 'close') {
    void runtime.close().then(() => process.exit(0));
  }
});
await tell({ type: 'ready', url: runtime.url });
