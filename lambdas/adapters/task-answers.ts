/**
 * Answers a workflow waiting on a task token. An answer for a task that has already ended
 * (timed out, answered, its execution stopped) is logged and dropped: the sender cannot do
 * anything about it, and retrying it would only fail again.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TaskAnswer, TaskAnswerer } from '../core/ports';
import { logger } from '../observability/logger';

const ENDED_TASK_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

export class TaskAnswers implements TaskAnswerer {
  constructor(private readonly sfn: SFNClient) {}

  async answer(taskToken: string, answer: TaskAnswer): Promise<boolean> {
    try {
      if (answer.ok) {
        await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(answer.output) }));
      } else {
        await this.sfn.send(
          new SendTaskFailureCommand({ taskToken, error: answer.error, cause: answer.cause }),
        );
      }
      return true;
    } catch (error) {
      if (!ENDED_TASK_ERRORS.has((error as Error).name)) throw error;
      logger.warn('answer for a task that has ended', { errorName: (error as Error).name });
      return false;
    }
  }
}
