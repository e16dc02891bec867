/**
 * `npm run bench`: runs every `*.bench.ts` here in a fresh process, one after another (they
 * measure time and memory, so they never share a process or the CPU), printing their JSON lines.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv[2];
const benches = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.bench.ts') && (!only || file.includes(only)))
  .sort();
let failed = 0;
for (const bench of benches) {
  const { status } = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, bench)],
    {
      stdio: 'inherit',
    },
  );
  if (status !== 0) {
    failed += 1;
    console.error(`${bench} failed with exit code ${status}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
