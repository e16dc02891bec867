/**
 * One thing `npm run build` makes (the console's page, the CLI with the runtime, the functions'
 * bundles), built once or rebuilt on every change (`npm run build:watch`) by the same code: esbuild
 * hands over what it produced and the target writes it, atomically, with the manifest that says
 * which sources it was made from.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BuildOptions, type BuildResult, build, context } from 'esbuild';
import { writeFileAtomically } from './build-manifest.js';

export interface BuildTarget {
  readonly name: string;
  /** esbuild's options; the build adds `write: false` and `metafile: true`. */
  options(): BuildOptions;
  /** Writes esbuild's output files and the target's manifest; `startedAt` is before esbuild read anything. */
  written(result: BuildResult<{ write: false; metafile: true }>, startedAt: number): void;
}

/** Builds `target` once; resolves with how long it took (ms). */
export async function runBuild(target: BuildTarget): Promise<number> {
  const startedAt = Date.now();
  const result = await build({ ...target.options(), write: false, metafile: true });
  target.written(result, startedAt);
  return Date.now() - startedAt;
}

/** Rebuilds `target` whenever one of its sources changes, until the process ends. */
export async function watchBuild(target: BuildTarget, onBuilt: (message: string) => void): Promise<void> {
  let startedAt = Date.now();
  const watcher = await context({
    ...target.options(),
    write: false,
    metafile: true,
    plugins: [
      {
        name: 'baton-manifest',
        setup(plugin) {
          plugin.onStart(() => {
            startedAt = Date.now();
          });
          plugin.onEnd((result) => {
            // A failed build keeps the last good output (esbuild has printed why).
            if (result.errors.length > 0 || !result.metafile || !result.outputFiles) return;
            target.written(result as BuildResult<{ write: false; metafile: true }>, startedAt);
            onBuilt(`${target.name} built in ${Date.now() - startedAt} ms`);
          });
        },
      },
    ],
  });
  await watcher.watch();
}

/** Writes esbuild's output files, each atomically (a running process may be loading the old one). */
export function writeOutputFiles(result: BuildResult<{ write: false }>): void {
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileAtomically(file.path, file.contents);
  }
}
