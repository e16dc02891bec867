/**
 * What `source-structure.test.ts` reads from a module's text (its imports, its size, its first
 * comment) and the cycles of an import graph — pure, so that each check can be shown to fail.
 */

export const MAX_LINES = 400;
/** What a module over `MAX_LINES` says in its first comment, followed by the reason. */
export const OVERSIZE_MARKER = 'Over 400 lines because';

/** Biome formats every import and re-export to start its line, so a line-anchored match finds them all. */
const STATIC_IMPORT = /^\s*import\s+(?:type\s+)?[^'";]*?\s+from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const RE_EXPORT = /^\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier the text imports or re-exports from, type-only and dynamic ones included. */
export function importedSpecifiers(text: string): string[] {
  return [STATIC_IMPORT, SIDE_EFFECT_IMPORT, RE_EXPORT, DYNAMIC_IMPORT].flatMap((pattern) =>
    [...text.matchAll(pattern)].flatMap((match) => (match[1] === undefined ? [] : [match[1]])),
  );
}

/** Lines as `wc -l` counts them (a last line without a newline counts too). */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

/** The comment the module opens with (a block, or consecutive line comments), or ''. */
export function leadingComment(text: string): string {
  const block = /^\s*\/\*[\s\S]*?\*\//.exec(text);
  if (block) return block[0];
  const lines = /^(?:\s*\/\/[^\n]*\n?)+/.exec(text);
  return lines ? lines[0] : '';
}

export interface ImportCycle {
  /** A shortest way round, from the first of `modules` back to it: the imports to cut. */
  readonly way: readonly string[];
  /** Every module of the tangle (its strongly connected component), sorted: cutting `way` may leave others. */
  readonly modules: readonly string[];
}

/**
 * The cycles of the graph, one per strongly connected component of more than one module (or a
 * module that imports itself), sorted.
 */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): ImportCycle[] {
  return stronglyConnectedComponents(graph)
    .map((component) => [...component].sort())
    .filter(
      ([first, ...rest]) => first !== undefined && (rest.length > 0 || graph.get(first)?.includes(first)),
    )
    .map((modules) => ({ way: shortestWayRound(graph, modules[0] as string, new Set(modules)), modules }))
    .sort((a, b) => (a.modules[0] ?? '').localeCompare(b.modules[0] ?? ''));
}

/** A cycle as a report names it. */
export function describeCycle({ way, modules }: ImportCycle): string {
  const others = modules.filter((module) => !way.includes(module));
  return others.length === 0 ? way.join(' → ') : `${way.join(' → ')} (tangled with ${others.join(', ')})`;
}

/** Tarjan's algorithm, iterative so that a deep import chain cannot overflow the stack. */
function stronglyConnectedComponents(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; edge: number };
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const target = edges[frame.edge++] as string;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** Breadth first from `start` back to it, inside `members`: `[start, …, start]`. */
function shortestWayRound(
  graph: ReadonlyMap<string, readonly string[]>,
  start: string,
  members: ReadonlySet<string>,
): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const way: string[] = [];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) {
          way.unshift(at);
        }
        return [start, ...way, start];
      }
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, node);
      queue.push(target);
    }
  }
  return [start];
}
