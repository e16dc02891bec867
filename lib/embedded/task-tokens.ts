/**
 * Task tokens for `.waitForTaskToken` states. The engine has none of its own, so reading
 * `$$.Task.Token` mints one for the state being entered; the waiting task claims the token found
 * in its parameters and waits until `SendTaskSuccess`/`SendTaskFailure`, its heartbeat or its
 * timeout (this registry's timers, the only ones for such a task).
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from './aws-error';
import { timerDelayMs } from './engine-definition';
import { executionEnded, TaskFailure } from './task-failure';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;
/** How many answered or timed-out tokens are remembered, to answer late callers precisely. */
const CLOSED_TOKENS_KEPT = 10_000;

interface Waiter {
  resolve(output: unknown): void;
  reject(error: Error): void;
  heartbeatSeconds: number | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
  timeoutTimer: NodeJS.Timeout | undefined;
}

export interface WaitOptions {
  heartbeatSeconds: number | undefined;
  timeoutSeconds: number | undefined;
  signal: AbortSignal;
}

export class TaskTokenRegistry {
  private readonly waiting = new Map<string, Waiter>();
  private readonly closed = new Map<string, 'answered' | 'timedOut'>();

  mint(): string {
    return randomBytes(48).toString('base64url');
  }

  /** Resolves with the output sent for `token`; rejects on failure, heartbeat, timeout or the execution's end. */
  wait(token: string, options: WaitOptions): Promise<unknown> {
    const answer = new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        heartbeatSeconds: options.heartbeatSeconds,
        heartbeatTimer: undefined,
        timeoutTimer: undefined,
      };
      this.waiting.set(token, waiter);
      this.armHeartbeat(token, waiter);
      if (options.timeoutSeconds !== undefined) {
        waiter.timeoutTimer = setTimeout(
          () => this.close(token, 'timedOut', new TaskFailure('States.Timeout', 'Task timed out')),
          timerDelayMs(options.timeoutSeconds * 1000),
        );
      }
      const end = () => this.close(token, 'answered', executionEnded());
      if (options.signal.aborted) end();
      else options.signal.addEventListener('abort', end, { once: true });
    });
    // A caller that stops listening (its call-out failed) must not leave a rejection unobserved.
    answer.catch(() => undefined);
    return answer;
  }

  /** Withdraws a token whose task failed before it could be answered; later answers are refused. */
  cancel(token: string): void {
    this.close(token, 'answered');
  }

  succeed(token: string, output: unknown): void {
    const waiter = this.waiterFor(token);
    this.close(token, 'answered');
    waiter.resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    this.waiterFor(token);
    this.close(token, 'answered', new TaskFailure(error, cause));
  }

  heartbeat(token: string): void {
    const waiter = this.waiterFor(token);
    this.armHeartbeat(token, waiter);
  }

  /** Tokens still waiting (for tests and `baton` status views). */
  get pending(): number {
    return this.waiting.size;
  }

  private waiterFor(token: string): Waiter {
    if (!TOKEN_PATTERN.test(token)) throw new AwsError('InvalidToken', 'Invalid token');
    const waiter = this.waiting.get(token);
    if (waiter) return waiter;
    if (this.closed.get(token) === 'timedOut') throw new AwsError('TaskTimedOut', 'Task Timed Out');
    throw new AwsError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  private armHeartbeat(token: string, waiter: Waiter): void {
    clearTimeout(waiter.heartbeatTimer);
    if (waiter.heartbeatSeconds === undefined) return;
    waiter.heartbeatTimer = setTimeout(
      () =>
        this.close(token, 'timedOut', new TaskFailure('States.HeartbeatTimeout', 'Task heartbeat timed out')),
      timerDelayMs(waiter.heartbeatSeconds * 1000),
    );
  }

  private close(token: string, outcome: 'answered' | 'timedOut', failure?: TaskFailure): void {
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.waiting.delete(token);
    clearTimeout(waiter.heartbeatTimer);
    clearTimeout(waiter.timeoutTimer);
    this.closed.set(token, outcome);
    if (this.closed.size > CLOSED_TOKENS_KEPT) {
      const oldest = this.closed.keys().next().value;
      if (oldest !== undefined) this.closed.delete(oldest);
    }
    if (failure) waiter.reject(failure);
  }
}
