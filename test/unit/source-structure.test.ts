/**
 * The shape of the source tree: no import cycle among the modules of `bin/`, `lib/` and
 * `lambdas/`, and no module there over 400 lines unless its first comment says why. Imports are
 * read from the text (TypeScript 7 has no JS API, and esbuild's metafile drops type-only imports):
 * static imports and re-exports, type-only ones included — a cycle of types is still a cycle of
 * meaning — and dynamic `import('…')` of a literal path, which loads a module as surely, only later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';
import {
  cyclesOf,
  describeCycle,
  importedSpecifiers,
  leadingComment,
  lineCount,
  MAX_LINES,
  OVERSIZE_MARKER,
} from './source-structure';

const SOURCE_ROOTS = ['bin', 'lib', 'lambdas'];
const SIZE_RULED_ROOTS = ['lib', 'lambdas'];
const MODULE = /\.tsx?$/;
/** Path aliases of `tsconfig.json`. */
const ALIASES: Readonly<Record<string, string>> = { 'baton/testing': 'lib/testing/start-baton.ts' };

function modulesUnder(directory: string): string[] {
  return readdirSync(join(repositoryRoot, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && MODULE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(repositoryRoot, join(entry.parentPath, entry.name)))
    .sort();
}

/** The module a specifier names, relative to the repository, or `undefined` for a package. */
function resolveSpecifier(from: string, specifier: string, modules: ReadonlySet<string>): string | undefined {
  const aliased = ALIASES[specifier];
  if (aliased) return aliased;
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(repositoryRoot, resolve(repositoryRoot, dirname(from), specifier));
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) =>
    modules.has(candidate),
  );
}

function importGraph(): Map<string, string[]> {
  const modules = SOURCE_ROOTS.flatMap(modulesUnder);
  const known = new Set(modules);
  return new Map(
    modules.map((module) => {
      const text = readFileSync(join(repositoryRoot, module), 'utf8');
      const targets = importedSpecifiers(text).flatMap((specifier) => {
        const target = resolveSpecifier(module, specifier, known);
        return target ? [target] : [];
      });
      return [module, [...new Set(targets)]];
    }),
  );
}

describe('the source tree', () => {
  it('has no import cycle among bin/, lib/ and lambdas/', () => {
    const cycles = cyclesOf(importGraph()).map(describeCycle);
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it(`has no module in lib/ or lambdas/ over ${MAX_LINES} lines unless its first comment says "${OVERSIZE_MARKER} …"`, () => {
    const oversized = SIZE_RULED_ROOTS.flatMap(modulesUnder).flatMap((module) => {
      const text = readFileSync(join(repositoryRoot, module), 'utf8');
      const lines = lineCount(text);
      if (lines <= MAX_LINES || leadingComment(text).includes(OVERSIZE_MARKER)) return [];
      return [`${module} (${lines} lines)`];
    });
    expect(oversized, `over ${MAX_LINES} lines with no reason given:\n${oversized.join('\n')}`).toEqual([]);
  });
});

describe('the checks on the source tree', () => {
  it('reads every kind of import: type-only, multi-line, side effect, re-export and dynamic', () => {
    const text = [
      "import type { Cooldown } from './cooldown';",
      'import {',
      '  type ClusterUsage,',
      '  NOWHERE,',
      "} from './cluster-usage';",
      "import * as z from 'zod/mini';",
      "import './register';",
      "export type { Refusal } from './refusal';",
      "export * from './everything';",
      "const { Tracer } = await import('@aws-lambda-powertools/tracer');",
      "export const from = 'not an import';",
    ].join('\n');
    expect(importedSpecifiers(text).sort()).toEqual(
      [
        './cooldown',
        './cluster-usage',
        'zod/mini',
        './register',
        './refusal',
        './everything',
        '@aws-lambda-powertools/tracer',
      ].sort(),
    );
  });

  it('names each cycle by a shortest way round and the rest of its tangle', () => {
    const graph = new Map([
      ['plan.ts', ['cooldown.ts', 'journal.ts', 'leaf.ts']],
      ['cooldown.ts', ['plan.ts']],
      ['journal.ts', ['cooldown.ts']],
      ['leaf.ts', []],
      ['self.ts', ['self.ts']],
    ]);
    expect(cyclesOf(graph).map(describeCycle)).toEqual([
      'cooldown.ts → plan.ts → cooldown.ts (tangled with journal.ts)',
      'self.ts → self.ts',
    ]);
    expect(
      cyclesOf(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('takes a reason for a long module only from its first comment', () => {
    const reason = `/**\n * ${OVERSIZE_MARKER} its seven operators share one matcher.\n */\nexport const x = 1;\n`;
    expect(leadingComment(reason)).toContain(OVERSIZE_MARKER);
    expect(leadingComment(`// ${OVERSIZE_MARKER} one table.\n// Why.\nconst x = 1;\n`)).toContain(
      OVERSIZE_MARKER,
    );
    expect(leadingComment(`export const x = 1;\n/** ${OVERSIZE_MARKER} nothing. */\n`)).toBe('');
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });
});
