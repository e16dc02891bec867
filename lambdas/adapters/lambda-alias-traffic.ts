/**
 * Alias traffic through Lambda's control plane (`@aws-sdk/client-lambda`): the same calls reach
 * AWS or the embedded runtime's simulated fleet. Throttling (429) is retried by the SDK with
 * jittered backoff; what is still throttled after that fails the step, which the workflow
 * retries again.
 */
import {
  GetAliasCommand,
  GetFunctionCommand,
  type LambdaClient,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { AliasDrift } from '../core/rollouts/errors';
import type { AliasRouting, AliasTraffic } from '../core/rollouts/rollout';

/** The SDK's standard retry mode, with room for a throttled control plane: give its client this many attempts. */
export const CONTROL_PLANE_ATTEMPTS = 6;

export class LambdaAliasTraffic implements AliasTraffic {
  constructor(private readonly lambda: LambdaClient) {}

  async alias(functionName: string, alias: string): Promise<AliasRouting | undefined> {
    try {
      const found = await this.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
      return {
        functionVersion: found.FunctionVersion ?? '',
        weights: found.RoutingConfig?.AdditionalVersionWeights ?? {},
        revisionId: found.RevisionId ?? '',
      };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async hasVersion(functionName: string, version: string): Promise<boolean> {
    try {
      await this.lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: version }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  async route(
    functionName: string,
    alias: string,
    routing: { primary: string; additional?: { version: string; weight: number } | undefined },
    revisionId: string,
  ): Promise<string> {
    try {
      const updated = await this.lambda.send(
        new UpdateAliasCommand({
          FunctionName: functionName,
          Name: alias,
          FunctionVersion: routing.primary,
          RoutingConfig: {
            AdditionalVersionWeights: routing.additional
              ? { [routing.additional.version]: routing.additional.weight }
              : {},
          },
          RevisionId: revisionId,
        }),
      );
      return updated.RevisionId ?? '';
    } catch (error) {
      if ((error as Error).name === 'PreconditionFailedException') {
        throw new AliasDrift(`revision ${revisionId} is no longer the alias's`, { cause: error });
      }
      throw error;
    }
  }
}
