/**
 * One runtime per data directory: the store's LevelDB, the journal and the logs under it are
 * written by one process at a time. A runtime holds its directory with a file naming its process
 * (`runtime.pid`), created only if absent; a second runtime — in another process or the same —
 * is refused with `DataDirectoryInUse` before it touches anything, instead of failing deep in the
 * store (`Database is closed`). A file left by a process that no longer runs (killed, crashed)
 * is taken over.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessRunning } from './process-liveness';

const LOCK_FILE = 'runtime.pid';
/** A holder's file is created, then its number written: one found empty is looked at again shortly. */
const ATTEMPTS = 5;
const EMPTY_FILE_WAIT_MS = 20;
/**
 * The directories this process's runtimes hold: a file naming this process's pid is stale unless
 * listed here (a container's runtime is often pid 1 again after a crash).
 */
const heldHere = new Set<string>();

/** Raised at start when another live runtime holds the data directory. */
export class DataDirectoryInUse extends Error {
  override readonly name = 'DataDirectoryInUse';
}

export interface DataDirectoryHold {
  /** Lets another runtime have the directory (this one has closed). */
  release(): void;
}

export function holdDataDirectory(directory: string): DataDirectoryHold {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, LOCK_FILE);
  const key = resolve(directory);
  let holder: number | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(key);
      return {
        release: () => {
          heldHere.delete(key);
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    holder = holderOf(file);
    const live =
      holder === process.pid ? heldHere.has(key) : holder !== undefined && isProcessRunning(holder);
    if (holder === undefined)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EMPTY_FILE_WAIT_MS);
    else if (live) break;
    else takeOver(file, holder);
  }
  throw new DataDirectoryInUse(
    `the data directory ${resolve(directory)} is in use by the Baton runtime of ${
      holder === undefined
        ? 'another process'
        : `process ${holder}${holder === process.pid ? ' (this one)' : ''}`
    }: stop that one, or give this one a directory of its own (--data-dir); if no runtime runs there, delete ${file}`,
  );
}

/**
 * Removes a dead holder's file by renaming it aside first: of two runtimes taking over at once,
 * one rename wins, and the other cannot delete the file the winner writes next.
 */
function takeOver(file: string, deadHolder: number): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  // Renamed just after another runtime took the directory over: its file goes back.
  if (holderOf(aside) !== deadHolder) renameSync(aside, file);
  else rmSync(aside, { force: true });
}

/** The process named in the file; undefined when it is being written or holds no number. */
function holderOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
