/** What recovery asks Step Functions about an execution: `DescribeExecution`, its absence an answer too. */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionLookup, ExecutionView } from '../core/recovery/executions';

/** No such execution: never started, forgotten (90 days in AWS, `--max-executions` locally), or no ARN at all. */
const ABSENT = new Set(['ExecutionDoesNotExist', 'InvalidArn']);

export class StepFunctionsExecutions implements ExecutionLookup {
  constructor(private readonly client: SFNClient) {}

  async describe(executionArn: string): Promise<ExecutionView | undefined> {
    try {
      const { status, input, stopDate } = await this.client.send(
        new DescribeExecutionCommand({ executionArn }),
      );
      return { executionArn, status: status ?? 'RUNNING', input, stopDate };
    } catch (error) {
      if (ABSENT.has((error as Error).name)) return undefined;
      throw error;
    }
  }
}
