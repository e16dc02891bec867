/**
 * Baton's functions bundled for the embedded runtime as the CDK construct bundles them for Lambda
 * (`functionBundling`: CommonJS, the AWS SDK external), in one esbuild call for all of them. The
 * bundles are written inside the repository's `node_modules`, so that the external `@aws-sdk/*`
 * resolves from there as Lambda's runtime provides it, wherever the data directory is.
 *
 * Not minified (unlike the deployed bundles): stack traces in the local logs stay readable, and a
 * plain bundle starts as fast as a minified one (measured: ≈ 0.2–0.3 s either way).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, stop } from 'esbuild';
import { functionBundling } from '../topology/function-bundling';
import type { FunctionDefinition } from '../topology/functions';
import { repositoryRoot } from '../topology/repository-root';

const BUNDLES_DIRECTORY = join(repositoryRoot, 'node_modules', '.cache', 'baton', 'functions');

/** Raised at start when a function's entry cannot be bundled (a missing file, a syntax error…). */
export class FunctionBundlingFailed extends Error {
  override readonly name = 'FunctionBundlingFailed';
}

export interface FunctionBundles {
  /** The URL a function's execution environment imports its handler from. */
  moduleUrl(functionId: string): string;
  /** Deletes the bundles (the runtime is closing). */
  remove(): Promise<void>;
}

/** Builds under way in this process: esbuild's service process is stopped once there are none. */
let buildsUnderWay = 0;

export async function bundleFunctions(definitions: readonly FunctionDefinition[]): Promise<FunctionBundles> {
  removeBundlesOfEndedProcesses();
  // One directory per runtime: runtimes of several processes (test files) build side by side.
  const directory = join(BUNDLES_DIRECTORY, `${process.pid}-${randomBytes(6).toString('hex')}`);
  buildsUnderWay += 1;
  try {
    await build({
      entryPoints: Object.fromEntries(
        definitions.map((definition) => [definition.id, join(repositoryRoot, definition.entry)]),
      ),
      outdir: directory,
      outExtension: { '.js': functionBundling.extension },
      bundle: true,
      format: functionBundling.format,
      platform: functionBundling.platform,
      target: functionBundling.target,
      mainFields: [...functionBundling.mainFields],
      external: [...functionBundling.external],
      logLevel: 'silent',
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new FunctionBundlingFailed(`the functions could not be bundled: ${reason}`, { cause: error });
  } finally {
    buildsUnderWay -= 1;
    // The service would otherwise live as long as the runtime, holding memory it no longer needs.
    if (buildsUnderWay === 0) await stop();
  }
  return {
    moduleUrl: (functionId) =>
      pathToFileURL(join(directory, `${functionId}${functionBundling.extension}`)).href,
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/** A runtime that was killed leaves its bundles behind: they go once its process is gone. */
function removeBundlesOfEndedProcesses(): void {
  let names: string[];
  try {
    names = readdirSync(BUNDLES_DIRECTORY);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && !isRunning(pid))
      rmSync(join(BUNDLES_DIRECTORY, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
