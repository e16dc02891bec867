/**
 * The README's source map ("How it fits together") is how a newcomer finds their way: every path it
 * names exists, and every folder of `lambdas/` and `lib/` is named in it, so a move or a new folder
 * that leaves the map behind fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';

const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');

function sourceMapRows(): string[] {
  const section = readme.split('\n## How it fits together\n')[1]?.split('\n### ')[0] ?? '';
  return section.split('\n').filter((line) => line.startsWith('| `'));
}

/** Paths in backticks that look like the tree's (a folder or a file with an extension). */
function pathsNamedIn(rows: readonly string[]): string[] {
  return rows
    .flatMap((row) => [...row.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] ?? ''))
    .filter((path) => /^(lambdas|lib|bin|state-machines|test|docs)(\/|$)/.test(path));
}

function foldersUnder(root: string, depth: number): string[] {
  if (depth === 0) return [];
  return readdirSync(join(repositoryRoot, root), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const folder = `${root}/${entry.name}`;
      return [folder, ...foldersUnder(folder, depth - 1)];
    });
}

describe("the README's source map", () => {
  const rows = sourceMapRows();
  const named = pathsNamedIn(rows);

  it('is found, and names paths', () => {
    expect(rows.length).toBeGreaterThan(10);
    expect(named.length).toBeGreaterThan(20);
  });

  it('names only paths that exist', () => {
    expect(named.filter((path) => !existsSync(join(repositoryRoot, path)))).toEqual([]);
  });

  it('names every folder of lambdas/ and lib/ (two levels down)', () => {
    const mentioned = (folder: string) =>
      named.some((path) => path.replace(/\/$/, '') === folder || path.startsWith(`${folder}/`));
    const folders = [...foldersUnder('lambdas', 2), ...foldersUnder('lib', 2)];
    expect(folders.filter((folder) => !mentioned(folder))).toEqual([]);
  });
});
