/**
 * The harness's handle on the fuzzed runtime's process (`runtime-process.ts`): starts it on a
 * fresh data directory, notices its death (exit code, the crash it reported, the tail of its
 * output) and starts a new one when asked.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParentMessage, RuntimeMessage } from './runtime-messages';

/** How a runtime process ended without being asked to. */
export interface RuntimeDeath {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The unhandled rejection or exception it reported, if any. */
  readonly crash: string | undefined;
  readonly outputTail: string;
}

const READY_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT_CHARS = 4_000;
const TOKENS_KEPT = 200;

export class FuzzedRuntime {
  private closing = false;
  private output = '';
  private crash: string | undefined;
  private readonly exited: Promise<void>;
  private death: RuntimeDeath | undefined;
  private readonly settleWaiters: (() => void)[] = [];
  /** The task tokens Baton has announced, most recent last (cases answer them). */
  readonly taskTokens: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dataDirectory: string,
    exited: Promise<void>,
  ) {
    this.exited = exited;
  }

  /** Starts a runtime process and resolves once its endpoint answers. */
  static async start(timeScale: number): Promise<FuzzedRuntime> {
    const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-fuzz-'));
    const child = fork(join(import.meta.dirname, 'runtime-process.ts'), [dataDirectory, String(timeScale)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the fuzzed runtime did not start in time')),
        READY_TIMEOUT_MS,
      );
      child.on('message', function onReady(message: RuntimeMessage) {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onReady);
        resolve(message.url);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the fuzzed runtime exited while starting (code ${code})`));
      });
    });
    const runtime = new FuzzedRuntime(child, url, dataDirectory, exited);
    runtime.watch();
    return runtime;
  }

  /** Whether the process still runs. */
  get alive(): boolean {
    return this.death === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Why it died, once it has. */
  get deathReport(): RuntimeDeath | undefined {
    return this.death;
  }

  /** Resolves true once every delivery and invocation in flight has finished, false if it died first. */
  settle(timeoutMs: number): Promise<boolean> {
    if (!this.alive) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.settleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.send({ type: 'settle' });
    });
  }

  /** Resolves once the process has exited (it may already have). */
  async whenExited(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return exited;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.alive) {
      this.send({ type: 'close' });
      if (!(await this.whenExited(30_000))) this.child.kill('SIGKILL');
    }
    await this.exited;
    rmSync(this.dataDirectory, { recursive: true, force: true });
  }

  /** Ends a runtime that may no longer answer (SIGKILL), and removes its data. */
  async kill(): Promise<void> {
    this.closing = true;
    this.child.kill('SIGKILL');
    await this.exited;
    rmSync(this.dataDirectory, { recursive: true, force: true });
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  private watch(): void {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (message: RuntimeMessage) => {
      if (message.type === 'settled') for (const wake of this.settleWaiters.splice(0)) wake();
      if (message.type === 'task-token') {
        this.taskTokens.push(message.token);
        if (this.taskTokens.length > TOKENS_KEPT) this.taskTokens.shift();
      }
      if (message.type === 'crashed')
        this.crash = `${message.kind}: ${message.name}: ${message.message}\n${message.stack}`;
    });
    this.child.once('exit', (exitCode, signal) => {
      if (this.closing) return;
      this.death = { exitCode, signal, crash: this.crash, outputTail: this.output };
    });
  }
}
