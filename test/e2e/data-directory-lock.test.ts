/**
 * One runtime per data directory: a second one, in another process or in the same, is refused
 * with `DataDirectoryInUse` naming the directory — it used to crash deep in the store with
 * `Database is closed` — and the first goes on undisturbed; a directory left by a runtime whose
 * process is gone is taken over.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirectoryInUse } from '../../lib/embedded/data-directory-lock';
import { startBaton } from '../../lib/testing/start-baton';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { startRuntimeProcess } from './runtime-process';

const run = promisify(execFile);
const directories: string[] = [];
function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'baton-lock-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('a data directory', () => {
  it('held by a runtime in another process: DataDirectoryInUse, through the API and `baton dev`', async () => {
    const dataDirectory = freshDirectory();
    const first = await startRuntimeProcess(dataDirectory);
    try {
      const written = readdirSync(dataDirectory).sort();
      await expect(startBaton({ dataDirectory })).rejects.toThrow(DataDirectoryInUse);
      await expect(startBaton({ dataDirectory })).rejects.toThrow(
        `the data directory ${resolve(dataDirectory)} is in use by the Baton runtime of process`,
      );
      const second = await run(
        process.execPath,
        [join(repositoryRoot, 'bin', 'baton.js'), 'dev', '--port', '0', '--data-dir', dataDirectory],
        { cwd: repositoryRoot },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(second).toMatchObject({ code: 1 });
      expect((second as { stderr: string }).stderr).toContain(
        `DataDirectoryInUse: the data directory ${resolve(dataDirectory)}`,
      );
      expect((second as { stderr: string }).stderr).not.toContain('Database is closed');
      // The refused runtimes wrote nothing there, and the first still answers.
      expect(readdirSync(dataDirectory).sort()).toEqual(written);
      const { stateMachines } = await first.sfn.send(new ListStateMachinesCommand({}));
      expect(stateMachines?.length).toBeGreaterThan(0);
    } finally {
      await first.stop('SIGTERM');
    }
  });

  it('held by a runtime of this process: refused until that one closes', async () => {
    const dataDirectory = freshDirectory();
    const first = await startBaton({ dataDirectory });
    await expect(startBaton({ dataDirectory })).rejects.toThrow(
      /in use by the Baton runtime of process \d+ \(this one\)/,
    );
    await first.stop();
    const next = await startBaton({ dataDirectory });
    await next.stop();
  });

  it('left by a runtime whose process is gone: taken over', async () => {
    const dataDirectory = freshDirectory();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dataDirectory, 'runtime.pid'), `${gone}\n`);
    const baton = await startBaton({ dataDirectory });
    await baton.stop();
    expect(existsSync(join(dataDirectory, 'runtime.pid'))).toBe(false);
  });

  it("left by this process's pid from before a restart (a container's pid 1 again): taken over", async () => {
    const dataDirectory = freshDirectory();
    writeFileSync(join(dataDirectory, 'runtime.pid'), `${process.pid}\n`);
    const baton = await startBaton({ dataDirectory });
    await baton.stop();
  });

  it('let go by a start that failed (its port in use), so that the next start can have it', async () => {
    const dataDirectory = freshDirectory();
    const busy = createServer();
    await new Promise<void>((listening) => busy.listen(0, '127.0.0.1', listening));
    try {
      const { port } = busy.address() as AddressInfo;
      await expect(startBaton({ dataDirectory, port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(existsSync(join(dataDirectory, 'runtime.pid'))).toBe(false);
      const next = await startBaton({ dataDirectory });
      await next.stop();
    } finally {
      busy.close();
    }
  });
});
