/**
 * The small interfaces the domain needs from the outside world. Adapters in `lambdas/adapters`
 * implement them with the AWS SDK; tests may wrap them (e.g. to inject faults).
 */
import type { Fact } from './events/define-event';

export type { Fact };

export interface FactPublisher {
  /** Announces every fact, or fails with an error that is `PartlyPublished` when some went out. */
  publish(facts: readonly Fact[]): Promise<void>;
}

/** A failure to publish that says which facts went out all the same. */
export interface PartlyPublished {
  readonly published: readonly Fact[];
}

/** An answer to a workflow waiting on a task token: its output, or a named error. */
export type TaskAnswer =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: string; readonly cause: string };

export interface TaskAnswerer {
  /** Answers a waiting task; `false` when it is no longer waiting (answered, timed out, stopped). */
  answer(taskToken: string, answer: TaskAnswer): Promise<boolean>;
}
