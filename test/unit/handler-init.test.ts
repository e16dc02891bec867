/**
 * A handler's module init (its cold start) loads neither the AWS SDK nor the Tracer's X-Ray SDK:
 * both are loaded by the first call that needs them (see `runtime-wiring` and `activeTracer`).
 * Each handler is imported in turn in a process of its own, which notes every package resolved.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functions } from '../../lib/topology/functions';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { runInLambdaEnvironment } from './lambda-like-process';

const LOADED_ON_FIRST_USE = /^(@aws-sdk\/|@smithy\/|aws-xray-sdk-core$|@aws-lambda-powertools\/tracer$)/;

/** The packages each module's import resolved (beyond those of the modules imported before it). */
async function packagesLoadedBy(entries: readonly string[]): Promise<Record<string, string[]>> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        const name = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url)?.[1];
        if (name) loaded.add(name);
        return resolved;
      },
    });
    const byEntry = {};
    for (const entry of ${JSON.stringify(entries)}) {
      loaded.clear();
      await import(entry);
      byEntry[entry] = [...loaded];
    }
    console.log(JSON.stringify(byEntry));
  `;
  // Lambda's environment, tracing on: what runs at init there runs here.
  const stdout = await runInLambdaEnvironment(script, {
    TABLE_NAME: 'baton-test-ledger',
    EVENT_BUS_NAME: 'baton-test',
  });
  return JSON.parse(stdout);
}

describe('handler module init', () => {
  it('loads no AWS SDK and no X-Ray SDK in any handler', async () => {
    const entries = functions.map((definition) => join(repositoryRoot, definition.entry));
    const loaded = await packagesLoadedBy(entries);

    for (const entry of entries) {
      expect(loaded[entry], entry).toBeDefined();
      expect(
        loaded[entry]?.filter((name) => LOADED_ON_FIRST_USE.test(name)),
        entry,
      ).toEqual([]);
    }
  });
});
