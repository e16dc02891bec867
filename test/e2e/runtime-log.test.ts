/**
 * The runtime's own log, through the real CLI: `baton dev` says one line as each execution starts
 * and one as it ends (workflow, execution name, status, duration, the error of a failure), and
 * nothing of the kind with `--quiet`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntimeProcess } from './runtime-process';

const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'baton-log-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const inventory = JSON.stringify({
  pools: [{ poolId: 'log-pool', kind: 'storage', capacity: { gib: 10 }, state: 'active' }],
});
const TIME = '\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

describe('baton dev', () => {
  it('logs each execution as it starts and as it ends', async () => {
    const runtime = await startRuntimeProcess(freshDirectory());
    const succeeded = await runtime.baton(
      'run',
      'declare-inventory',
      '--name',
      'log-ok',
      '--input',
      inventory,
      '--wait',
    );
    expect(succeeded.code).toBe(0);
    const failed = await runtime.baton(
      'run',
      'declare-inventory',
      '--name',
      'log-bad',
      '--input',
      '{}',
      '--wait',
    );
    expect(failed.code).toBe(1);
    const { output } = await runtime.stop('SIGTERM');
    expect(output).toMatch(new RegExp(`^\\[baton\\] ${TIME} declare-inventory log-ok started$`, 'm'));
    expect(output).toMatch(
      new RegExp(`^\\[baton\\] ${TIME} declare-inventory log-ok SUCCEEDED in \\d+ ms$`, 'm'),
    );
    expect(output).toMatch(
      new RegExp(
        `^\\[baton\\] ${TIME} declare-inventory log-bad FAILED in \\d+ ms \\(InvalidRequest\\)$`,
        'm',
      ),
    );
    // One line each: a start and an end per execution, nothing more about them.
    expect(output.match(/ log-ok /g)).toHaveLength(2);
  });

  it('says nothing of its executions with --quiet', async () => {
    const runtime = await startRuntimeProcess(freshDirectory(), '--quiet');
    const succeeded = await runtime.baton(
      'run',
      'declare-inventory',
      '--name',
      'log-quiet',
      '--input',
      inventory,
      '--wait',
    );
    expect(succeeded.code).toBe(0);
    const { output } = await runtime.stop('SIGTERM');
    expect(output).toContain('ready on');
    expect(output).not.toContain('log-quiet');
  });
});
