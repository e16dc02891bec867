/**
 * The `baton` command compiled: `bin/baton.ts` and everything it loads (the commands, the embedded
 * runtime, the console's server) bundled into `dist/cli/`, the npm packages left as imports. Each
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

/** Read by the build itself rather than bundled: a change to them must rebuild too. */
const BUILD_INPUTS = [
  'lib/build/cli-build.ts',
  'lib/build/build-target.ts',
  'lib/build/build-manifest.js',
  'package-lock.json',
];

export const cliTarget: BuildTarget = {
  name: 'cli',
  options: () => ({
    entryPoints: {
      baton: join(repositoryRoot, 'bin', 'baton.ts'),
      'ledger-store-worker': join(repositoryRoot, 'lib', 'embedded', 'ledger-store-worker.js'),
      'function-process': join(repositoryRoot, 'lib', 'embedded', 'function-process.js'),
    },
    outdir: CLI_BUILD_DIRECTORY,
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
    removeOlderChunks(new Set(result.outputFiles.map((file) => basename(file.path))));
    writeBuildManifest(CLI_BUILD_DIRECTORY, startedAt, [
      ...Object.keys(result.metafile.inputs),
      ...BUILD_INPUTS,
    ]);
  },
};

/** Chunks are named by their content: those of earlier builds would otherwise pile up. */
function removeOlderChunks(current: ReadonlySet<string>): void {
  for (const name of readdirSync(CLI_BUILD_DIRECTORY)) {
    if (name.endsWith('.js') && !current.has(name)) rmSync(join(CLI_BUILD_DIRECTORY, name), { force: true });
  }
}
