/**
 * Each handler bundled as CDK bundles it (esbuild: ESM, minified, `@aws-sdk/*` external), its
 * size, and the time a fresh Node process takes to import it (cold-start module init), beside
 * an empty module imported the same way (baseline).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionBundling } from '../../lib/topology/function-bundling';
import { functions } from '../../lib/topology/functions';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { report } from './report';

const IMPORTS_PER_MODULE = 7;
// Inside the project, so bundles resolve the external `@aws-sdk/*` as Lambda's runtime provides it.
const outDir = mkdtempSync(join(repositoryRoot, 'node_modules', '.baton-bundles-'));

/** Median import time (ms) of a module in a fresh process, with a handler's environment. */
function medianImportMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const samples = Array.from({ length: IMPORTS_PER_MODULE }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          TABLE_NAME: 'baton-bench-ledger',
          EVENT_BUS_NAME: 'baton-bench',
          AWS_REGION: 'us-east-1',
        },
      }).toString(),
    ),
  ).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const empty = join(outDir, 'empty.mjs');
writeFileSync(empty, 'export const handler = async () => null;\n');
report('handler.baseline.init', medianImportMs(empty), 'ms');
// What Lambda's runtime loads for any handler using these clients: the floor of a Baton cold start.
const sdkOnly = join(outDir, 'sdk-clients.mjs');
writeFileSync(
  sdkOnly,
  "import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb'; import '@aws-sdk/client-eventbridge';\n",
);
report('handler.baseline_sdk_clients.init', medianImportMs(sdkOnly), 'ms');

for (const definition of functions) {
  const outfile = join(outDir, `${definition.id}.mjs`);
  await build({
    entryPoints: [join(repositoryRoot, definition.entry)],
    outfile,
    bundle: true,
    platform: functionBundling.platform,
    target: functionBundling.target,
    format: functionBundling.format,
    mainFields: [...functionBundling.mainFields],
    minify: true,
    external: [...functionBundling.external],
    banner: { js: functionBundling.banner },
    logLevel: 'error',
  });
  report(`handler.${definition.id}.bundle`, statSync(outfile).size / 1024, 'KiB');
  report(`handler.${definition.id}.init`, medianImportMs(outfile), 'ms');
}
rmSync(outDir, { recursive: true, force: true });
