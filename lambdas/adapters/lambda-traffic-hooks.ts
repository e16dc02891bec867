/** Traffic hooks as Lambda invocations (RequestResponse): a function error is a failed hook. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { HookFailed } from '../core/rollouts/errors';
import type { TrafficHooks } from '../core/rollouts/rollout';

export class LambdaTrafficHooks implements TrafficHooks {
  constructor(private readonly lambda: LambdaClient) {}

  async run(functionName: string, payload: Readonly<Record<string, unknown>>): Promise<void> {
    const result = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (result.FunctionError) {
      const answer = result.Payload ? new TextDecoder().decode(result.Payload) : '';
      throw new HookFailed(`hook ${functionName} failed (${result.FunctionError}): ${answer.slice(0, 500)}`);
    }
  }
}
