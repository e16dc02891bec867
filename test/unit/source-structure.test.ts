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
/** TypeScript, and the few plain JavaScript modules that run where nothing compiles (a worker, a child process). */
const MODULE = /\.(tsx?|[mc]?js)$/;
/** Path aliases of `tsconfig.json`. */
const ALIASES: Readonly<Record<string, string>> = { 'baton/testing': 'lib/testing/start-baton.ts' };

function modulesUnder(directory: string): string[] {
  return readdirSync(join(repositoryRoot, directory), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && MODULE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(repositoryRoot, join(entry.parentPath, entry.name)))
    .sort();
}

/** A relative import of something other than a module (JSON, the console's CSS): no edge. */
const NOT_A_MODULE = /\.(json|css|html)$/;

/**
 * The module a specifier names, relative to the repository; `null` for a package or a file that is
 * not a module; `undefined` for a relative path that names nothing, which the graph would
 * otherwise lose silently. A `.js` specifier names that module, or else its `.ts` source, as
 * TypeScript resolves it.
 */
function resolveSpecifier(
  from: string,
  specifier: string,
  modules: ReadonlySet<string>,
): string | null | undefined {
  const aliased = ALIASES[specifier];
  if (aliased) return aliased;
  if (!specifier.startsWith('.') || NOT_A_MODULE.test(specifier)) return null;
  const base = relative(repositoryRoot, resolve(repositoryRoot, dirname(from), specifier));
  const source = base.replace(/\.[mc]?js$/, '');
  return [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    `${base}.js`,
    join(base, 'index.ts'),
    `${source}.ts`,
    `${source}.tsx`,
  ].find((candidate) => modules.has(candidate));
}

interface ImportGraph {
  readonly edges: Map<string, string[]>;
  /** `<module>: <specifier>` for each relative import that names no module. */
  readonly unresolved: string[];
}

function importGraph(): ImportGraph {
  const modules = SOURCE_ROOTS.flatMap(modulesUnder);
  const known = new Set(modules);
  const unresolved: string[] = [];
  const edges = new Map(
    modules.map((module) => {
      const text = readFileSync(join(repositoryRoot, module), 'utf8');
      const targets = importedSpecifiers(text).flatMap((specifier) => {
        const target = resolveSpecifier(module, specifier, known);
        if (target === undefined) unresolved.push(`${module}: ${specifier}`);
        return target ? [target] : [];
      });
      return [module, [...new Set(targets)]];
    }),
  );
  return { edges, unresolved };
}

describe('the source tree', () => {
  it('has no import cycle among bin/, lib/ and lambdas/', () => {
    const { edges, unresolved } = importGraph();
    // A specifier read wrongly would drop an edge, and with it maybe a cycle.
    expect(unresolved, 'relative imports that name no module').toEqual([]);
    const cycles = cyclesOf(edges).map(describeCycle);
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
