/**
 * `npm run build:console` (and `prepare`, so `npm ci` builds it): bundles the console's page into
 * dist/console/ (the server reads them there) — index.html, app.js (minified) and app.css — the three files its server serves.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CONSOLE_BUILD_DIRECTORY as consoleAssetDirectory } from '../lib/console/console-assets';

const source = join(import.meta.dirname, '../lib/console/ui');

rmSync(consoleAssetDirectory, { recursive: true, force: true });
mkdirSync(consoleAssetDirectory, { recursive: true });
await build({
  entryPoints: { app: join(source, 'main.ts'), 'app-style': join(source, 'app.css') },
  outdir: consoleAssetDirectory,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(consoleAssetDirectory, 'app-style.css'), join(consoleAssetDirectory, 'app.css'));
rmSync(join(consoleAssetDirectory, 'app-style.css'));
copyFileSync(join(source, 'index.html'), join(consoleAssetDirectory, 'index.html'));

for (const file of ['app.js', 'app.css', 'index.html']) {
  const bytes = readFileSync(join(consoleAssetDirectory, file));
  console.log(
    `${file}: ${(bytes.length / 1024).toFixed(1)} KiB, ${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzip`,
  );
}
