/**
 * Each handler bundled as CDK bundles it (`functionBundling`: minified, tree-shaken), its size,
 * and the time a fresh Node process takes to import it (cold-start module init) with Lambda's
 * environment (so that what runs at init is what runs in AWS, tracing on), in three variants:
 * ESM with the AWS SDK external (the format of before), CommonJS with the SDK external (what Baton
 * deploys), and CommonJS with the SDK bundled. Beside them, in the same run:
 * an empty module (baseline), the three SDK clients alone, external and bundled, and what the
 * first call that reaches AWS adds to a cold start (the SDK clients and the Tracer, loaded on
 * first use), and per variant the median handler's init and its cold request (init, then the
 * first call to AWS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { functionBundling } from '../../lib/topology/function-bundling';
import { functions } from '../../lib/topology/functions';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { percentile, report } from './report';

const IMPORTS_PER_MODULE = 7;
// Inside the project, so bundles resolve the external `@aws-sdk/*` as Lambda's runtime provides it.
const outDir = mkdtempSync(join(repositoryRoot, 'node_modules', '.baton-bundles-'));

/** What Lambda's Node.js runtime sets (tracing is on where `AWS_EXECUTION_ENV` is), and a handler's own. */
const lambdaEnvironment = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_FUNCTION_NAME: 'baton-bench-handler',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  LAMBDA_TASK_ROOT: outDir,
  _HANDLER: 'index.handler',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'baton-bench',
  TABLE_NAME: 'baton-bench-ledger',
  EVENT_BUS_NAME: 'baton-bench',
};

/** Median time (ms) of `script` run in fresh processes, from its start to its `performance.now()` print. */
function medianMs(script: string): number {
  const samples = Array.from({ length: IMPORTS_PER_MODULE }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: repositoryRoot,
        env: { PATH: process.env.PATH, ...lambdaEnvironment },
      }).toString(),
    ),
  ).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const importOf = (file: string) => `await import(${JSON.stringify(pathToFileURL(file).href)})`;
/** Cold-start module init: the time to import the module. */
const medianImportMs = (file: string) =>
  medianMs(`const t = performance.now(); ${importOf(file)}; console.log(performance.now() - t);`);

/** What the ESM bundles of before carried: `require` for the CommonJS in them (bound to the bundle's URL). */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

interface Variant {
  readonly name: string;
  readonly format: 'esm' | 'cjs';
  readonly external: readonly string[];
}
const variants: readonly Variant[] = [
  { name: 'esm_sdk_external', format: 'esm', external: ['@aws-sdk/*'] },
  { name: 'cjs_sdk_external', format: 'cjs', external: ['@aws-sdk/*'] },
  { name: 'cjs_sdk_bundled', format: 'cjs', external: [] },
];

async function bundle(entry: string, outfile: string, variant: Variant): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: functionBundling.platform,
    target: functionBundling.target,
    format: variant.format,
    mainFields: [...functionBundling.mainFields],
    minify: true,
    external: [...variant.external],
    banner: variant.format === 'esm' ? { js: ESM_REQUIRE_SHIM } : {},
    logLevel: 'error',
  });
  return outfile;
}

const extension = (variant: Variant) => (variant.format === 'esm' ? '.mjs' : '.cjs');

const empty = join(outDir, 'empty.mjs');
writeFileSync(empty, 'export const handler = async () => null;\n');
report('handler.baseline.init', medianImportMs(empty), 'ms');

// What any handler using these clients loaded before its first call: the floor of a Baton cold start.
const sdkClients = join(outDir, 'sdk-clients.mjs');
writeFileSync(
  sdkClients,
  "import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb'; import '@aws-sdk/client-eventbridge';\n",
);
report('handler.baseline_sdk_clients.esm_sdk_external.init', medianImportMs(sdkClients), 'ms');
for (const variant of variants.slice(1)) {
  const file = await bundle(
    sdkClients,
    join(outDir, `sdk-clients-${variant.name}${extension(variant)}`),
    variant,
  );
  report(`handler.baseline_sdk_clients.${variant.name}.init`, medianImportMs(file), 'ms');
}

// What the first call that reaches AWS adds: the shared clients built (the SDK and the Tracer loaded).
const firstCall = join(outDir, 'first-aws-call.ts');
writeFileSync(
  firstCall,
  `import { sharedDocumentClient, sharedEventBridgeClient } from ${JSON.stringify(join(repositoryRoot, 'lambdas/adapters/aws-clients'))};\n` +
    'export const clients = () => Promise.all([sharedDocumentClient(), sharedEventBridgeClient()]);\n',
);
const firstCallMs = new Map<string, number>();
for (const variant of variants) {
  const file = await bundle(
    firstCall,
    join(outDir, `first-aws-call-${variant.name}${extension(variant)}`),
    variant,
  );
  const ms = medianMs(
    `const { clients } = ${importOf(file)}; const t = performance.now(); await clients(); console.log(performance.now() - t);`,
  );
  firstCallMs.set(variant.name, ms);
  report(`handler.first_aws_call.${variant.name}`, ms, 'ms');
}

const initsMs = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
for (const definition of functions) {
  for (const variant of variants) {
    const file = await bundle(
      join(repositoryRoot, definition.entry),
      join(outDir, `${definition.id}-${variant.name}${extension(variant)}`),
      variant,
    );
    const ms = medianImportMs(file);
    initsMs.get(variant.name)?.push(ms);
    report(`handler.${definition.id}.${variant.name}.bundle`, statSync(file).size / 1024, 'KiB');
    report(`handler.${definition.id}.${variant.name}.init`, ms, 'ms');
  }
}
// The variants compared: a handler's init, and its cold request (init, then the first call to AWS).
for (const variant of variants) {
  const init = percentile(initsMs.get(variant.name) ?? [], 50);
  report(`handler.median_init.${variant.name}`, init, 'ms');
  report(`handler.cold_request.${variant.name}`, init + (firstCallMs.get(variant.name) ?? Number.NaN), 'ms');
}
rmSync(outDir, { recursive: true, force: true });
