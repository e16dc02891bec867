/**
 * The execution environments of one function, kept as Lambda keeps them: one is started for an
 * invocation that finds none free (a cold start), at most `maxEnvironments` at once (further
 * invocations wait for one to be free), reused warm — the most recently used first, so that the
 * others go idle — ended once idle for `idleMs`, and replaced when one ends.
 */
import type { FunctionSandbox } from './function-sandbox';

export interface PoolLimits {
  /** Execution environments (worker threads) of one function at once. */
  readonly maxEnvironments: number;
  /** How long an environment may stay unused before it is ended. */
  readonly idleMs: number;
}

/** Starts an environment; it calls `onEnded` once its worker is gone, however it ended. */
export type StartSandbox = (onEnded: (sandbox: FunctionSandbox) => void) => FunctionSandbox;

interface Waiter {
  resolve(sandbox: FunctionSandbox): void;
  reject(error: Error): void;
}

export class FunctionPool {
  private readonly environments = new Set<FunctionSandbox>();
  /** Free environments, the most recently used last. */
  private readonly idle: FunctionSandbox[] = [];
  private readonly idleTimers = new Map<FunctionSandbox, NodeJS.Timeout>();
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly startSandbox: StartSandbox,
    private readonly limits: PoolLimits,
  ) {}

  /** Environments alive: busy, free or starting. */
  get size(): number {
    return this.environments.size;
  }

  async invoke(event: unknown): Promise<unknown> {
    const sandbox = await this.acquire();
    try {
      return await sandbox.invoke(event);
    } finally {
      this.release(sandbox);
    }
  }

  /** Ends every environment; invocations still waiting for one fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the embedded runtime is closing'));
    await Promise.all([...this.environments].map((sandbox) => sandbox.terminate()));
  }

  private acquire(): Promise<FunctionSandbox> {
    if (this.closed) return Promise.reject(new Error('the embedded runtime is closing'));
    const warm = this.idle.pop();
    if (warm) {
      clearTimeout(this.idleTimers.get(warm));
      this.idleTimers.delete(warm);
      return Promise.resolve(warm);
    }
    if (this.environments.size < this.limits.maxEnvironments) return Promise.resolve(this.start());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private start(): FunctionSandbox {
    const sandbox = this.startSandbox((ended) => this.forget(ended));
    this.environments.add(sandbox);
    return sandbox;
  }

  private release(sandbox: FunctionSandbox): void {
    // An environment that ended was forgotten, and its place given to the next waiter.
    if (sandbox.ended || this.closed) return;
    const next = this.waiting.shift();
    if (next) {
      next.resolve(sandbox);
      return;
    }
    this.idle.push(sandbox);
    const timer = setTimeout(() => {
      this.removeIdle(sandbox);
      void sandbox.terminate();
    }, this.limits.idleMs);
    // An idle environment does not keep the process alive.
    timer.unref();
    this.idleTimers.set(sandbox, timer);
  }

  private forget(sandbox: FunctionSandbox): void {
    this.environments.delete(sandbox);
    this.removeIdle(sandbox);
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.resolve(this.start());
  }

  private removeIdle(sandbox: FunctionSandbox): void {
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
    const index = this.idle.indexOf(sandbox);
    if (index >= 0) this.idle.splice(index, 1);
  }
}
