/**
 * Memory of this process together with the processes it started — the functions' execution
 * environments — read from Linux's /proc. RSS counts the pages they share (Node's code) once per
 * process; PSS divides each shared page among its sharers, so the PSS of a tree is what it costs.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface TreeMemory {
  /** This process and its descendants. */
  readonly processes: number;
  readonly rssMiB: number;
  readonly pssMiB: number;
}

export function processTreeMemory(root = process.pid): TreeMemory {
  const pids = descendants(root);
  return {
    processes: pids.length,
    rssMiB: sum(pids.map((pid) => kibibytes(`/proc/${pid}/status`, 'VmRSS'))) / 1024,
    pssMiB: sum(pids.map((pid) => kibibytes(`/proc/${pid}/smaps_rollup`, 'Pss'))) / 1024,
  };
}

function descendants(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return [pid, ...children.flatMap((child) => descendants(child))];
}

/** A `<field>: <n> kB` line of a /proc file; 0 for a process that ended meanwhile. */
function kibibytes(file: string, field: string): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
