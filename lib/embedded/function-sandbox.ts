/**
 * One execution environment of a function: a Node.js process (`function-process.js`) with the
 * function's own environment variables and a heap limited to its memory size, running one
 * invocation at a time. A handler that outlives its timeout is killed with its process, so it can
 * do nothing more, and the invocation fails with `Sandbox.Timedout` once the process is gone;
 * running out of memory fails it with `Runtime.OutOfMemory`, exiting with `Runtime.ExitError`.
 * An environment that ended is never used again: its pool starts another.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { FunctionInvocationError } from './function-invocation-error';
import type { FunctionOutput } from './function-output';

const PROCESS_SCRIPT = fileURLToPath(new URL('./function-process.js', import.meta.url));
/** Lambda's limit on a function's initialization (importing its module), apart from its timeout. */
const INIT_LIMIT_SECONDS = 10;
/** What V8 writes before it aborts a process whose heap reached its limit. */
const HEAP_EXHAUSTED = 'JavaScript heap out of memory';
/** How much of its last output is kept to tell why a process ended. */
const STDERR_TAIL_CHARS = 2048;
/** How Lambda names the signals that end a runtime. */
const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
};

export interface SandboxSpec {
  readonly functionArn: string;
  readonly moduleUrl: string;
  /** Its whole `process.env`. */
  readonly environment: Readonly<Record<string, string>>;
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  /** Where its standard output goes: its metrics apart, the rest to the runtime's. */
  readonly output: FunctionOutput;
}

type ProcessMessage =
  | { type: 'ready' }
  | { type: 'initFailed'; errorType: string; errorMessage: string }
  | { type: 'succeeded'; requestId: string; payload: string }
  | { type: 'failed'; requestId: string; errorType: string; errorMessage: string }
  | { type: 'crashed'; errorType: string; errorMessage: string };

/** Why an environment ended; `message` is completed with the request it took with it. */
interface Ending {
  readonly errorType: string;
  readonly message: (requestId: string) => string;
  readonly environmentFailed: boolean;
}

interface Invocation {
  readonly requestId: string;
  resolve(result: unknown): void;
  reject(error: FunctionInvocationError): void;
}

export class FunctionSandbox {
  private readonly process: ChildProcess;
  private readonly initialized = Promise.withResolvers<void>();
  private readonly gone = Promise.withResolvers<void>();
  private current: Invocation | undefined;
  private ending: Ending | undefined;
  private hasEnded = false;

  /** Starts the environment (its cold start); `onEnded` is told once its process is gone. */
  constructor(
    private readonly spec: SandboxSpec,
    onEnded: (sandbox: FunctionSandbox) => void,
  ) {
    this.process = fork(PROCESS_SCRIPT, [spec.moduleUrl], {
      env: { ...spec.environment },
      // Not the runtime's own flags and loaders (tsx): the bundle is plain JavaScript.
      execArgv: [`--max-old-space-size=${spec.memoryMiB}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    if (this.process.stdout) spec.output.follow(this.process.stdout);
    // An invocation that awaits a failed start handles its rejection; nothing else must see it.
    this.initialized.promise.catch(() => {});
    const initLimit = setTimeout(() => {
      this.end({
        errorType: 'Sandbox.Timedout',
        message: (requestId) =>
          `RequestId: ${requestId} Error: Init phase timed out after ${INIT_LIMIT_SECONDS.toFixed(2)} seconds`,
        environmentFailed: true,
      });
    }, INIT_LIMIT_SECONDS * 1000);
    let stderrTail = '';
    this.process.stderr?.on('data', (chunk: Buffer) => {
      // Its logs are the runtime's, as a function's logs are its log group's.
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    this.process.on('message', (message: ProcessMessage) => this.receive(message, initLimit));
    // It ended once it exited and its channel is drained: what it sent before exiting still counts.
    const exited = Promise.withResolvers<{ code: number | null; signal: NodeJS.Signals | null }>();
    const disconnected = Promise.withResolvers<void>();
    this.process.once('exit', (code, signal) => exited.resolve({ code, signal }));
    this.process.once('disconnect', () => disconnected.resolve());
    this.process.on('error', (error) => {
      // A process that could not start ends here; after a failed send or kill, its exit follows.
      if (this.process.pid !== undefined) return;
      this.ending ??= { errorType: error.name, message: () => error.message, environmentFailed: true };
      exited.resolve({ code: null, signal: null });
      disconnected.resolve();
    });
    void Promise.all([exited.promise, disconnected.promise]).then(([{ code, signal }]) => {
      clearTimeout(initLimit);
      this.hasEnded = true;
      const ending = this.ending ?? exitEnding(code, signal, stderrTail);
      const failure = (requestId: string) =>
        new FunctionInvocationError(ending.errorType, ending.message(requestId), ending.environmentFailed);
      this.initialized.reject(failure(randomUUID()));
      this.current?.reject(failure(this.current.requestId));
      this.current = undefined;
      this.gone.resolve();
      onEnded(this);
    });
  }

  get ended(): boolean {
    return this.hasEnded;
  }

  /** Runs one invocation; the environment must not be running another. */
  async invoke(event: unknown): Promise<unknown> {
    await this.initialized.promise;
    if (this.current || this.hasEnded)
      throw new Error('an execution environment runs one invocation at a time, and none once it ended');
    const { timeoutSeconds, functionArn } = this.spec;
    const timeoutMs = timeoutSeconds * 1000;
    const requestId = randomUUID();
    const result = Promise.withResolvers<unknown>();
    this.current = { requestId, resolve: result.resolve, reject: result.reject };
    const timer = setTimeout(() => {
      this.end({
        errorType: 'Sandbox.Timedout',
        message: (id) => `RequestId: ${id} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        environmentFailed: true,
      });
    }, timeoutMs);
    this.process.send({
      requestId,
      event: event ?? null,
      deadline: Date.now() + timeoutMs,
      invokedFunctionArn: functionArn,
    });
    try {
      return await result.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the environment (idle, or the runtime closing); resolves once its process is gone. */
  async terminate(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.gone.promise;
  }

  private receive(message: ProcessMessage, initLimit: NodeJS.Timeout): void {
    // Once the environment is ending (a timeout), nothing it says counts any more.
    if (this.ending) return;
    switch (message.type) {
      case 'ready':
        clearTimeout(initLimit);
        this.initialized.resolve();
        return;
      case 'initFailed':
        this.end({
          errorType: message.errorType,
          message: () => message.errorMessage,
          environmentFailed: false,
        });
        return;
      case 'crashed':
        // The process exits right after: the invocation fails when it is gone.
        this.ending = {
          errorType: message.errorType,
          message: () => message.errorMessage,
          environmentFailed: false,
        };
        return;
      default: {
        const invocation = this.current;
        if (invocation?.requestId !== message.requestId) return;
        this.current = undefined;
        if (message.type === 'succeeded') invocation.resolve(JSON.parse(message.payload));
        else invocation.reject(new FunctionInvocationError(message.errorType, message.errorMessage));
      }
    }
  }

  /** Kills the process; whatever it was running fails with `ending` once it is gone. */
  private end(ending: Ending): void {
    this.ending ??= ending;
    this.process.kill('SIGKILL');
  }
}

/** Why a process that reported nothing ended, as Lambda words it. */
function exitEnding(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): Ending {
  if (stderrTail.includes(HEAP_EXHAUSTED)) {
    return {
      errorType: 'Runtime.OutOfMemory',
      message: (requestId) => `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
      environmentFailed: true,
    };
  }
  const reason =
    signal !== null
      ? `with error: signal: ${SIGNAL_NAMES[signal] ?? signal}`
      : code === 0
        ? 'without providing a reason'
        : `with error: exit status ${code}`;
  return {
    errorType: 'Runtime.ExitError',
    message: (requestId) => `RequestId: ${requestId} Error: Runtime exited ${reason}`,
    environmentFailed: true,
  };
}
