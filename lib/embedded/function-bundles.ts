/**
 * Baton's functions bundled for the embedded runtime as the CDK construct bundles them for Lambda
 * (`functionBundling`: CommonJS, the AWS SDK external), in one esbuild call for all of them.
 *
 * The product's functions are bundled ahead, by `npm run build` (which `npm ci` runs), into
 * `dist/functions/`: a start uses those bundles when no source they were made from changed since,
 * and otherwise bundles them there again first (so the next start is quick again). Functions a
 * test or benchmark brings of its own (beside the product's or instead) are bundled for that
 * runtime alone, into a directory of its own deleted when it closes. Both sit inside the repository, so that the external `@aws-sdk/*`
 * resolves from its `node_modules` as Lambda's runtime provides it, wherever the data directory is.
 *
 * Not minified (unlike the deployed bundles): stack traces in the local logs stay readable, and a
 * plain bundle starts as fast as a minified one (measured: ≈ 0.2–0.3 s either way).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, stop } from 'esbuild';
import { staleBuild, writeBuildManifest } from '../build/build-manifest.js';
import { type BuildTarget, runBuild, writeOutputFiles } from '../build/build-target';
import { functionBundling } from '../topology/function-bundling';
import { type FunctionDefinition, functions as productFunctions } from '../topology/functions';
import { repositoryRoot } from '../topology/repository-root';
import { isProcessRunning } from './process-liveness';

/** Where `npm run build` puts the product's functions. */
export const FUNCTION_BUILD_DIRECTORY = join(repositoryRoot, 'dist', 'functions');
const RUNTIME_BUNDLES_DIRECTORY = join(repositoryRoot, 'node_modules', '.cache', 'baton', 'functions');
/**
 * What the bundles depend on besides their sources: the bundling settings (another helper may
 * change them) and which function lives in which file. A change to either bundles them again.
 */
const BUNDLE_SETTINGS = JSON.stringify({
  functionBundling,
  entries: productFunctions.map(({ id, entry }) => [id, entry]),
});
/** Read by the build itself rather than bundled: a change to them must rebuild too. */
const BUILD_INPUTS = [
  'lib/embedded/function-bundles.ts',
  'lib/build/build-target.ts',
  'lib/build/build-manifest.js',
  'package-lock.json',
];

/** Raised at start when a function's entry cannot be bundled (a missing file, a syntax error…). */
export class FunctionBundlingFailed extends Error {
  override readonly name = 'FunctionBundlingFailed';
}

export interface FunctionBundles {
  /** The URL a function's execution environment imports its handler from. */
  moduleUrl(functionId: string): string;
  /** Deletes the bundles made for this runtime alone (the runtime is closing). */
  remove(): Promise<void>;
}

/** The product's functions, into `dist/functions/` (`npm run build`, `build:watch`). */
export const functionsTarget: BuildTarget = {
  name: 'functions',
  options: () => ({ ...bundleOptions(productFunctions, FUNCTION_BUILD_DIRECTORY), logLevel: 'warning' }),
  written: (result, startedAt) => {
    writeOutputFiles(result);
    writeBuildManifest(
      FUNCTION_BUILD_DIRECTORY,
      startedAt,
      [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS],
      BUNDLE_SETTINGS,
    );
  },
};

/** Builds under way in this process: esbuild's service process is stopped once there are none. */
let buildsUnderWay = 0;

export async function bundleFunctions(definitions: readonly FunctionDefinition[]): Promise<FunctionBundles> {
  if (definitions.some(isProductFunction)) {
    const stale = staleBuild(FUNCTION_BUILD_DIRECTORY, BUNDLE_SETTINGS);
    if (stale) {
      const ms = await withEsbuild(() => runBuild(functionsTarget));
      console.error(`[baton] bundled the functions again (${stale} since the last build) in ${ms} ms`);
    }
  }
  const own = definitions.filter((definition) => !isProductFunction(definition));
  if (own.length === 0) {
    return {
      moduleUrl: (functionId) => bundleUrl(FUNCTION_BUILD_DIRECTORY, functionId),
      remove: async () => {},
    };
  }
  removeBundlesOfEndedProcesses();
  // One directory per runtime: runtimes of several processes (test files) build side by side.
  const directory = join(RUNTIME_BUNDLES_DIRECTORY, `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await withEsbuild(() => build(bundleOptions(own, directory)));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const ownIds = new Set(own.map((definition) => definition.id));
  return {
    moduleUrl: (functionId) =>
      bundleUrl(ownIds.has(functionId) ? directory : FUNCTION_BUILD_DIRECTORY, functionId),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

function isProductFunction(definition: FunctionDefinition): boolean {
  return productFunctions.some(
    (product) => product.id === definition.id && product.entry === definition.entry,
  );
}

function bundleUrl(directory: string, functionId: string): string {
  return pathToFileURL(join(directory, `${functionId}${functionBundling.extension}`)).href;
}

function bundleOptions(definitions: readonly FunctionDefinition[], outdir: string): BuildOptions {
  return {
    entryPoints: Object.fromEntries(
      definitions.map((definition) => [definition.id, join(repositoryRoot, definition.entry)]),
    ),
    outdir,
    outExtension: { '.js': functionBundling.extension },
    bundle: true,
    format: functionBundling.format,
    platform: functionBundling.platform,
    target: functionBundling.target,
    mainFields: [...functionBundling.mainFields],
    external: [...functionBundling.external],
    logLevel: 'silent',
  };
}

/** Runs an esbuild build in a runtime: a failure is FunctionBundlingFailed, and esbuild's service ends after. */
async function withEsbuild<T>(work: () => Promise<T>): Promise<T> {
  buildsUnderWay += 1;
  try {
    return await work();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FunctionBundlingFailed(`the functions could not be bundled: ${reason}`, { cause: error });
  } finally {
    buildsUnderWay -= 1;
    // The service would otherwise live as long as the runtime, holding memory it no longer needs.
    if (buildsUnderWay === 0) await stop();
  }
}

/** A runtime that was killed leaves its bundles behind: they go once its process is gone. */
function removeBundlesOfEndedProcesses(): void {
  let names: string[];
  try {
    names = readdirSync(RUNTIME_BUNDLES_DIRECTORY);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && !isProcessRunning(pid))
      rmSync(join(RUNTIME_BUNDLES_DIRECTORY, name), { recursive: true, force: true });
  }
}
