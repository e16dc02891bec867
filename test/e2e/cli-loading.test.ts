/**
 * The compiled `baton` loads only what a command needs: its help, and any command's help, load
 * commander and the options, not the AWS SDK, the workflow engine, dynalite, CDK or esbuild
 * (each action is imported when its command runs). Watched with Node's module hooks, through the
 * real `bin/baton.js`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), 'baton-loading-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A preload that writes every module URL the process resolves to `BATON_LOADED_LOG` at exit. */
const recorder = join(directory, 'record-loads.mjs');
writeFileSync(
  recorder,
  `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const loaded = [];
registerHooks({ resolve(specifier, context, next) { const resolved = next(specifier, context); loaded.push(resolved.url); return resolved; } });
process.on('exit', () => writeFileSync(process.env.BATON_LOADED_LOG, loaded.join('\\n')));
`,
);

/** The npm packages `baton …args` loaded, whether the command succeeded or not. */
async function packagesLoadedBy(...args: string[]): Promise<string[]> {
  const log = join(directory, `${args.length}-${args[0]}.log`);
  await run(
    process.execPath,
    ['--import', pathToFileURL(recorder).href, join(repositoryRoot, 'bin', 'baton.js'), ...args],
    {
      cwd: repositoryRoot,
      env: { ...process.env, BATON_LOADED_LOG: log },
    },
  ).catch(() => undefined);
  const packages = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.includes('/node_modules/'))
    .map((url) => {
      const [scope = '', name = ''] = url
        .slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length)
        .split('/');
      return scope.startsWith('@') ? `${scope}/${name}` : scope;
    });
  return [...new Set(packages)].sort();
}

describe('baton, compiled', () => {
  // A source edited since the last build makes the first run build the CLI again (esbuild): that
  // run is not the one measured.
  beforeAll(() =>
    run(process.execPath, [join(repositoryRoot, 'bin', 'baton.js'), '--version'], { cwd: repositoryRoot }),
  );

  it('answers --help with commander alone', async () => {
    expect(await packagesLoadedBy('--help')).toEqual(['commander']);
  });

  it("answers a command's help without loading what the command does", async () => {
    for (const command of ['dev', 'emit', 'state', 'rollout']) {
      expect(await packagesLoadedBy(command, '--help')).toEqual(['commander']);
    }
  });

  it('loads what a command does when it runs', async () => {
    // Nothing listens on port 9: the command fails, having loaded the SDK client it sends with.
    const loaded = await packagesLoadedBy(
      '--endpoint',
      'http://127.0.0.1:9',
      'test-pattern',
      '--pattern',
      '{}',
      '--event',
      '{}',
    );
    expect(loaded).toContain('@aws-sdk/client-eventbridge');
  });
});
