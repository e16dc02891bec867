/**
 * The execution environments of one function, kept as Lambda keeps them: one is started for an
 * invocation that finds none free (a cold start), at most `maxEnvironments` at once (further
 * invocations wait for one to be free) and only with a place in the runtime's budget across all
 * functions (`environment-budget.ts`), reused warm — the most recently used first, so that the
 * others go idle — ended once idle for `idleMs` (or sooner, when another function needs the
 * place), and replaced when one ends.
 */
import type { EnvironmentBudget, IdleEnvironments } from './environment-budget';
import type { FunctionSandbox } from './function-sandbox';

export interface PoolLimits {
  /** Execution environments (processes) of one function at once. */
  readonly maxEnvironments: number;
  /** How long an environment may stay unused before it is ended. */
  readonly idleMs: number;
}

/** Starts an environment; it calls `onEnded` once its process is gone, however it ended. */
export type StartSandbox = (onEnded: (sandbox: FunctionSandbox) => void) => FunctionSandbox;

interface Waiter {
  resolve(sandbox: FunctionSandbox): void;
  reject(error: Error): void;
}

const CLOSING = 'the embedded runtime is closing';

/** The pool was retired while an invocation waited in it: the invocation belongs in its successor. */
export class PoolRetired extends Error {
  override readonly name = 'PoolRetired';
}

export class FunctionPool implements IdleEnvironments {
  private readonly environments = new Set<FunctionSandbox>();
  /** Environments waiting for a place in the budget before they start. */
  private starting = 0;
  /** Free environments, the most recently used last, with when each went idle. */
  private readonly idle: FunctionSandbox[] = [];
  private readonly idleSinceOf = new Map<FunctionSandbox, number>();
  private readonly idleTimers = new Map<FunctionSandbox, NodeJS.Timeout>();
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly startSandbox: StartSandbox,
    private readonly limits: PoolLimits,
    private readonly budget: EnvironmentBudget,
  ) {
    budget.register(this);
  }

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
    this.budget.unregister(this);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(CLOSING));
    await Promise.all([...this.environments].map((sandbox) => sandbox.terminate()));
  }

  /**
   * Ends every environment now, busy ones too (their invocations fail): what they were started
   * with no longer holds (the store's door moved). Invocations waiting fail with `PoolRetired`.
   */
  async retire(): Promise<void> {
    this.closed = true;
    this.budget.unregister(this);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new PoolRetired('the pool was retired'));
    await Promise.all([...this.environments].map((sandbox) => sandbox.terminate()));
  }

  idleSince(): number | undefined {
    const longest = this.idle[0];
    return longest && this.idleSinceOf.get(longest);
  }

  endLongestIdle(): void {
    const longest = this.idle[0];
    if (!longest) return;
    this.removeIdle(longest);
    void longest.terminate();
  }

  private acquire(): Promise<FunctionSandbox> {
    if (this.closed) return Promise.reject(new Error(CLOSING));
    const warm = this.idle.pop();
    if (warm) {
      this.removeIdle(warm);
      return Promise.resolve(warm);
    }
    const waiter = Promise.withResolvers<FunctionSandbox>();
    this.waiting.push(waiter);
    if (this.environments.size + this.starting < this.limits.maxEnvironments) this.startForWaiter();
    return waiter.promise;
  }

  /** Starts an environment once the budget has a place, for the first invocation waiting then. */
  private startForWaiter(): void {
    this.starting += 1;
    void this.budget
      .take(() => !this.closed && this.waiting.length > 0)
      .then(() => {
        this.starting -= 1;
        const next = this.waiting.shift();
        if (this.closed || !next) {
          this.budget.give();
          next?.reject(new Error(CLOSING));
          return;
        }
        let sandbox: FunctionSandbox;
        try {
          sandbox = this.startSandbox((ended) => this.forget(ended));
        } catch (error) {
          // No process (fork refused): the place goes back and this invocation fails, not the runtime.
          this.budget.give();
          next.reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        this.environments.add(sandbox);
        next.resolve(sandbox);
      });
  }

  private release(sandbox: FunctionSandbox): void {
    // An environment that ended was forgotten, and its place given to the next waiter.
    if (sandbox.ended || this.closed) return;
    const next = this.waiting.shift();
    if (next) {
      next.resolve(sandbox);
      return;
    }
    // Another function waits for a place: this one gives its place up rather than idle.
    if (this.budget.wanted) {
      void sandbox.terminate();
      return;
    }
    this.idle.push(sandbox);
    this.idleSinceOf.set(sandbox, Date.now());
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
    this.budget.give();
    if (this.closed) return;
    // Invocations still waiting, more than the environments starting for them: one more starts.
    if (this.waiting.length > this.starting) this.startForWaiter();
  }

  private removeIdle(sandbox: FunctionSandbox): void {
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
    this.idleSinceOf.delete(sandbox);
    const index = this.idle.indexOf(sandbox);
    if (index >= 0) this.idle.splice(index, 1);
  }
}
