/**
 * Baton compiled: the `baton` command (`bin/baton.ts`, into `dist/cli/`) and `baton/testing`
 * (`lib/testing/start-baton.ts`, into `dist/testing/`), each bundled with everything it loads (the
 * commands, the embedded runtime, the console's server), the npm packages left as imports. Each
 * command's action is a lazy `import()`, which esbuild's splitting turns into a chunk of its own,
 * so `baton --help` loads commander and the commands' options, not the SDK, the engine or dynalite.
 *
 * The store's thread and the functions' processes are entries too: the runtime starts them from
 * `new URL('./ledger-store-worker.js', import.meta.url)` (and `./function-process.js`), which finds
 * them beside the chunks. Every file stays two levels below the repository root, as the sources
 * are, so the paths the code derives from its own location (`repositoryRoot`, `dist/console/`) hold.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repositoryRoot } from '../topology/repository-root';
import { writeBuildManifest } from './build-manifest.js';
import { type BuildTarget, writeOutputFiles } from './build-target';

export const CLI_BUILD_DIRECTORY = join(repositoryRoot, 'dist', 'cli');
export const TESTING_BUILD_DIRECTORY = join(repositoryRoot, 'dist', 'testing');

/** Read by the build itself rather than bundled: a change to them must rebuild too. */
const BUILD_INPUTS = [
  'lib/build/compiled-targets.ts',
  'lib/build/build-target.ts',
  'lib/build/build-manifest.js',
  'package-lock.json',
];

export const cliTarget = compiledTarget('cli', CLI_BUILD_DIRECTORY, { baton: 'bin/baton.ts' });
export const testingTarget = compiledTarget('testing', TESTING_BUILD_DIRECTORY, {
  'start-baton': 'lib/testing/start-baton.ts',
});

function compiledTarget(name: string, directory: string, entries: Record<string, string>): BuildTarget {
  return {
    name,
    options: () => ({
      entryPoints: Object.fromEntries(
        Object.entries({
          ...entries,
          'ledger-store-worker': 'lib/embedded/ledger-store-worker.js',
          'function-process': 'lib/embedded/function-process.js',
        }).map(([entry, file]) => [entry, join(repositoryRoot, file)]),
      ),
      outdir: directory,
      bundle: true,
      splitting: true,
      chunkNames: '[name]-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node22',
      packages: 'external',
      logLevel: 'warning',
    }),
    written: (result, startedAt) => {
      writeOutputFiles(result);
      removeOlderChunks(directory, new Set(result.outputFiles.map((file) => basename(file.path))));
      writeBuildManifest(directory, startedAt, [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS]);
    },
  };
}

/** Chunks are named by their content: those of earlier builds would otherwise pile up. */
function removeOlderChunks(directory: string, current: ReadonlySet<string>): void {
  for (const name of readdirSync(directory)) {
    if (name.endsWith('.js') && !current.has(name)) rmSync(join(directory, name), { force: true });
  }
}
