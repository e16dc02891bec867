/** Wall times of whole processes, for the start benchmarks: spawn to a line of output, or to exit. */
import { spawn } from 'node:child_process';
import { repositoryRoot } from '../../lib/topology/repository-root';

/**
 * Milliseconds from spawning `command` to the first stdout chunk containing `marker`; the process
 * is then interrupted (SIGINT, as Ctrl-C) and awaited, so that the next start finds it gone.
 */
export async function timeToOutput(
  command: string,
  args: readonly string[],
  marker: string,
): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('exit', () => resolve());
    child.once('error', reject);
  });
  const elapsed = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve(performance.now() - started);
    });
    exited.then(
      () => reject(new Error(`${command} ${args.join(' ')} ended before printing ${marker}`)),
      reject,
    );
  });
  child.kill('SIGINT');
  await exited;
  return elapsed;
}

/** Milliseconds from spawning `command` to its exit (which must be 0). */
export async function timeToExit(command: string, args: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: repositoryRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('exit', resolve);
    child.once('error', reject);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

/** The median of `runs` samples taken one after another. */
export async function medianOf(runs: number, sample: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await sample());
  return values.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? Number.NaN;
}
