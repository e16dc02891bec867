/** Runs a script (ESM, through tsx) in a process of its own with Lambda's environment, as a handler's cold start sees it. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../lib/topology/repository-root';

/** Its stdout. Only PATH of this process's environment is passed on; `variables` add to Lambda's. */
export async function runInLambdaEnvironment(
  script: string,
  variables: Record<string, string>,
): Promise<string> {
  return (await runWithOutputs(script, variables)).stdout;
}

/** Its stdout and its stderr (where the Powertools Logger writes warnings and errors, as Lambda collects both). */
export async function runWithOutputs(
  script: string,
  variables: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_REGION: 'us-east-1',
      ...variables,
    },
  });
}
