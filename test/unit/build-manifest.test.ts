/**
 * Whether a build can be used: not when it was never made, when its settings changed, or when a
 * file it was made from changed or went after it started — so that no one runs code older than
 * its sources without being told.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { staleBuild, writeBuildManifest } from '../../lib/build/build-manifest.js';
import { repositoryRoot } from '../../lib/topology/repository-root';

const directories: string[] = [];
function scratch(): { build: string; source: string } {
  const directory = mkdtempSync(join(tmpdir(), 'baton-manifest-'));
  directories.push(directory);
  const source = join(directory, 'source.ts');
  writeFileSync(source, 'export {};\n');
  return { build: directory, source };
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

describe('staleBuild', () => {
  it('is undefined while no source changed since the build started', () => {
    const { build, source } = scratch();
    utimesSync(source, secondsAgo(60), secondsAgo(60));
    writeBuildManifest(build, Date.now(), [source], 'settings');
    expect(staleBuild(build, 'settings')).toBeUndefined();
  });

  it('names a source edited after the build started (even while it ran), or removed', () => {
    const { build, source } = scratch();
    writeBuildManifest(build, secondsAgo(5).getTime(), [source, join(build, 'node_modules', 'x.js')]);
    expect(staleBuild(build)).toMatch(/source\.ts changed$/);
    rmSync(source);
    expect(staleBuild(build)).toMatch(/source\.ts was removed$/);
  });

  it('says so when it was never built, or built with other settings', () => {
    const { build, source } = scratch();
    expect(staleBuild(build)).toBe('not built');
    writeBuildManifest(build, Date.now(), [source], 'esm');
    expect(staleBuild(build, 'cjs')).toBe('settings changed');
  });

  it('trusts the build an installed Baton shipped with (no .git): npm unpacks its sources with fresh dates', async () => {
    const installed = mkdtempSync(join(tmpdir(), 'baton-installed-'));
    directories.push(installed);
    mkdirSync(join(installed, 'lib', 'build'), { recursive: true });
    const module = join(installed, 'lib', 'build', 'build-manifest.js');
    copyFileSync(join(repositoryRoot, 'lib', 'build', 'build-manifest.js'), module);
    writeFileSync(join(installed, 'package-lock.json'), '{}');
    const { staleBuild: staleInstalled, writeBuildManifest: record } = await import(
      pathToFileURL(module).href
    );
    const build = join(installed, 'dist');
    mkdirSync(build);
    record(build, secondsAgo(5).getTime(), ['package-lock.json']);
    expect(staleInstalled(build)).toBeUndefined();
    // The same files in a source checkout: the newer source is named.
    mkdirSync(join(installed, '.git'));
    expect(staleInstalled(build)).toBe('package-lock.json changed');
  });
});
