/**
 * Memory of this process together with the functions' execution environments it started
 * (`function-process.js` processes), read from Linux's /proc. RSS counts the pages they share
 * (Node's code) once per process; PSS divides each shared page among its sharers, so the PSS of
 * the whole is what it costs.
 */
import { readdirSync, readFileSync } from 'node:fs';

const ENVIRONMENT_SCRIPT = 'function-process.js';

export interface RuntimeMemory {
  /** Execution environments alive. */
  readonly environments: number;
  /** This process and its environments. */
  readonly rssMiB: number;
  readonly pssMiB: number;
}

export function runtimeMemory(): RuntimeMemory {
  const environments = children(process.pid).filter((pid) =>
    readOrEmpty(`/proc/${pid}/cmdline`).includes(ENVIRONMENT_SCRIPT),
  );
  const pids = [process.pid, ...environments];
  return {
    environments: environments.length,
    rssMiB: sum(pids.map((pid) => kibibytes(`/proc/${pid}/status`, 'VmRSS'))) / 1024,
    pssMiB: sum(pids.map((pid) => kibibytes(`/proc/${pid}/smaps_rollup`, 'Pss'))) / 1024,
  };
}

function children(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readOrEmpty(`/proc/${pid}/task/${task}/children`).split(' ').filter(Boolean).map(Number),
  );
}

/** A `<field>: <n> kB` line of a /proc file; 0 for a process that ended meanwhile. */
function kibibytes(file: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readOrEmpty(file))?.[1] ?? 0);
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
