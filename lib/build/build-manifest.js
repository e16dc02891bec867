/**
 * What a build read, so that whoever runs its output can tell whether the sources changed since:
 * each build directory (`dist/cli/`, `dist/functions/`) holds a `build-manifest.json` with the
 * time the build started and the project files it read. Plain JavaScript, because `bin/baton.js`
 * checks it before anything compiled can be loaded (and the runtime checks it from TypeScript).
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const MANIFEST = 'build-manifest.json';
const REPOSITORY_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Records a build of `directory`: `startedAt` is taken before esbuild read anything, so that a
 * file edited while the build ran counts as newer. `inputs` are paths (absolute or relative to the
 * repository root); those inside `node_modules` are left out (`npm ci` and `npm install` build again).
 */
export function writeBuildManifest(directory, startedAt, inputs, settings = '') {
  const files = [
    ...new Set(inputs.map((input) => relative(REPOSITORY_ROOT, resolve(REPOSITORY_ROOT, input)))),
  ]
    .filter((file) => !file.split(/[\\/]/).includes('node_modules'))
    .sort();
  writeFileAtomically(
    join(directory, MANIFEST),
    `${JSON.stringify({ startedAt, settings, inputs: files })}\n`,
  );
}

/**
 * Why `directory`'s build cannot be used: `"not built"`, `"<file> changed"` (or was removed),
 * `"settings changed"`; `undefined` when it is up to date. Only a source checkout (a `.git` at the
 * root) is checked file by file: an installed Baton is the build it shipped with — npm unpacks
 * files with fresh dates and leaves some inputs out (`package-lock.json`), so they would always
 * look newer, and `node_modules` may not be writable.
 */
export function staleBuild(directory, settings = '') {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(directory, MANIFEST), 'utf8'));
  } catch {
    return 'not built';
  }
  if (!existsSync(join(REPOSITORY_ROOT, '.git'))) return undefined;
  if (manifest.settings !== settings) return 'settings changed';
  for (const file of manifest.inputs) {
    let modified;
    try {
      modified = statSync(join(REPOSITORY_ROOT, file)).mtimeMs;
    } catch {
      return `${file} was removed`;
    }
    if (modified > manifest.startedAt) return `${file} changed`;
  }
  return undefined;
}

/**
 * Writes beside the target, then renames over it: a process reading the file (a runtime loading a
 * bundle, a second build running at the same time) sees the old file or the new one, never half.
 */
export function writeFileAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
