/**
 * The console's page bundled into `dist/console/` (the server reads it there): index.html, app.js
 * (minified) and app.css, the three files its server serves.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_BUILD_DIRECTORY } from '../console/console-assets';
import { repositoryRoot } from '../topology/repository-root';
import { writeFileAtomically } from './build-manifest.js';
import type { BuildTarget } from './build-target';

const source = join(repositoryRoot, 'lib', 'console', 'ui');

export const consoleTarget: BuildTarget = {
  name: 'console',
  options: () => ({
    entryPoints: { app: join(source, 'main.ts'), 'app-style': join(source, 'app.css') },
    outdir: CONSOLE_BUILD_DIRECTORY,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    legalComments: 'none',
    logLevel: 'warning',
  }),
  written: (result) => {
    mkdirSync(CONSOLE_BUILD_DIRECTORY, { recursive: true });
    // The stylesheet entry is named apart from any CSS app.js itself would emit; it is served as app.css.
    const served: Record<string, string> = { 'app.js': 'app.js', 'app-style.css': 'app.css' };
    for (const file of result.outputFiles) {
      const name = served[basename(file.path)];
      if (name) writeFileAtomically(join(CONSOLE_BUILD_DIRECTORY, name), file.contents);
    }
    copyFileSync(join(source, 'index.html'), join(CONSOLE_BUILD_DIRECTORY, 'index.html'));
  },
};

/** Each file's size, raw and gzip (what a browser downloads). */
export function consoleSizes(): string {
  return ['app.js', 'app.css', 'index.html']
    .map((file) => {
      const bytes = readFileSync(join(CONSOLE_BUILD_DIRECTORY, file));
      return `${file}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzip`;
    })
    .join('\n');
}
