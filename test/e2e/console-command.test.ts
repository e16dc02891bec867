/**
 * `baton console` as a user runs it against a stage — here the embedded runtime standing in for
 * one, through `--endpoint`: the same pages read the ledger and Step Functions, and the pages'
 * stream carries each execution's start and end, seen by listing the workflows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Capacity, ConsoleEvent, ConsoleSession } from '../../lib/console/console-api';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let child: ChildProcess;
let consoleUrl: string;

beforeAll(async () => {
  t = await startTestRuntime();
  child = spawn(
    process.execPath,
    [join(repositoryRoot, 'bin', 'baton.js'), '--endpoint', t.runtime.url, 'console', '--port', '0'],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  consoleUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const found = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`baton console exited ${code}: ${output}`)));
  });
});
afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await t.stop();
});

it('serves the pages of a stage, and streams its executions as they start and end', async () => {
  const session = (await (await fetch(`${consoleUrl}/console/api/session`)).json()) as ConsoleSession;
  expect(session).toMatchObject({ mode: 'stage', stage: 'local' });
  expect(session.workflows.map((workflow) => workflow.workflowId)).toContain('declare-inventory');

  const changes: ConsoleEvent[] = [];
  const stream = httpRequest(`${consoleUrl}/console/api/stream`, (response) => {
    response.setEncoding('utf8');
    let buffer = '';
    response.on('data', (chunk: string) => {
      buffer += chunk;
      for (const match of buffer.matchAll(/event: bus\ndata: (.*)\n\n/g))
        changes.push(JSON.parse(match[1] ?? '{}') as ConsoleEvent);
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    });
  });
  stream.end();
  // The console's first round of listing learns what exists; what happens after is news.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const declared = await t.run('declare-inventory', {
    pools: [{ poolId: 'staged', kind: 'compute', capacity: { vcpu: 8 }, labels: {}, state: 'active' }],
  });
  expect(declared.status).toBe('SUCCEEDED');

  const capacity = (await (await fetch(`${consoleUrl}/console/api/capacity`)).json()) as Capacity;
  expect(capacity.pools).toEqual([expect.objectContaining({ poolId: 'staged', capacity: { vcpu: 8 } })]);

  const deadline = Date.now() + 10_000;
  while (
    !changes.some(
      (change) => (change.detail as { executionArn?: string }).executionArn === declared.executionArn,
    )
  ) {
    if (Date.now() > deadline) throw new Error(`no status change for ${declared.executionArn}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(changes.at(-1)).toMatchObject({
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: { executionArn: declared.executionArn, status: 'SUCCEEDED' },
  });
  stream.destroy();
});
