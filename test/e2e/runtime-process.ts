/**
 * The embedded runtime as a user runs it — `baton dev` in a process of its own — so that a test
 * can kill it (SIGKILL) or stop it (SIGTERM) and start it again on the same data directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { repositoryRoot } from '../../lib/topology/repository-root';

const BATON = join(repositoryRoot, 'bin', 'baton.js');
const READY = /ready on (http:\/\/127\.0\.0\.1:\d+)/;
const run = promisify(execFile);

export interface RuntimeProcess {
  readonly url: string;
  readonly sfn: SFNClient;
  readonly eventBridge: EventBridgeClient;
  readonly lambda: LambdaClient;
  readonly ledger: DynamoDBDocumentClient;
  /** Sends the signal; resolves once the process has exited, with how long that took. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ exitedAfterMs: number; output: string }>;
  /** Runs a `baton` command against this runtime. */
  baton(...args: string[]): Promise<{ stdout: string; code: number }>;
}

/** `baton dev` on a free port; resolves once it is ready. */
export async function startRuntimeProcess(
  dataDirectory: string,
  ...options: string[]
): Promise<RuntimeProcess> {
  const child = spawn(
    process.execPath,
    [BATON, 'dev', '--port', '0', '--data-dir', dataDirectory, ...options],
    {
      cwd: repositoryRoot,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = READY.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`baton dev exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const clients = {
    sfn: new SFNClient(config),
    eventBridge: new EventBridgeClient(config),
    lambda: new LambdaClient(config),
    ledger: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  };
  return {
    url,
    ...clients,
    stop: async (signal) => {
      for (const client of Object.values(clients)) client.destroy();
      const started = performance.now();
      const exited = exitOf(child);
      child.kill(signal);
      await exited;
      return { exitedAfterMs: performance.now() - started, output };
    },
    baton: async (...args) => {
      try {
        const { stdout } = await run(process.execPath, [BATON, '--endpoint', url, ...args], {
          cwd: repositoryRoot,
        });
        return { stdout, code: 0 };
      } catch (error) {
        const failure = error as { stdout: string; code: number };
        return { stdout: failure.stdout, code: failure.code };
      }
    },
  };
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
