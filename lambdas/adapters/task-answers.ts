/**
 * Answers a workflow waiting on a task token. An answer for a task that has already ended
 * (timed out, answered, its execution stopped) is logged and dropped: the sender cannot do
 * anything about it, and retrying it would only fail again.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../middleware/baton-handler';

const ENDED_TASK_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

export type TaskAnswer =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: string; readonly cause: string };

export class TaskAnswers {
  constructor(private readonly sfn: SFNClient = new SFNClient({})) {}

  async answer(taskToken: string, answer: TaskAnswer): Promise<void> {
    try {
      if (answer.ok) {
        await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(answer.output) }));
      } else {
        await this.sfn.send(
          new SendTaskFailureCommand({ taskToken, error: answer.error, cause: answer.cause }),
        );
      }
    } catch (error) {
      if (!ENDED_TASK_ERRORS.has((error as Error).name)) throw error;
      logger.warn('answer for a task that has ended', { errorName: (error as Error).name });
    }
  }
}
