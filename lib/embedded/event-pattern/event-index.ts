/**
 * The event side: the leaves of an event that a compiled pattern can look at, by dot-joined path, each with its
 * place in the event's arrays.
 */
import { isJsonArray, isJsonObject, isScalar } from './json-values';
import type { Scalar, SubRule } from './pattern-forms';

/** Which array (numbered in document order) and which element of it a leaf sits in. */
export type ArrayPosition = readonly [arrayId: number, index: number];

/** The positions of a leaf in every enclosing array, outermost first. */
export type Membership = readonly ArrayPosition[];

export interface Leaf {
  readonly value: Scalar;
  readonly membership: Membership;
}

/** Leaves of the event by dot-joined path. */
export type EventIndex = ReadonlyMap<string, readonly Leaf[]>;

/**
 * The paths a compiled pattern looks at, as a trie of their dot-separated segments, walked from the pattern side
 * so that matching never builds path strings. Building it is linear in the length of the paths.
 */
export interface PathNode {
  /** The field path when a condition looks at exactly this prefix. */
  field: string | undefined;
  /** The nodes one segment below. */
  readonly children: Map<string, PathNode>;
  /**
   * Whether a path goes two or more segments below: only then can an event key holding a dot lead somewhere,
   * because event-ruler joins keys with dots (`{"b": {"c": 1}}` and `{"b.c": 1}` reach the same path).
   */
  reachesDeeper: boolean;
}

export const NO_LEAVES: readonly Leaf[] = [];
export const NO_MEMBERSHIP: Membership = [];

export function buildPathTrie(subRules: readonly SubRule[]): PathNode {
  const root: PathNode = { field: undefined, children: new Map(), reachesDeeper: false };
  for (const { path } of subRules.flat()) {
    const segments = path.split('.');
    let node = root;
    for (const [index, segment] of segments.entries()) {
      if (index < segments.length - 1) node.reachesDeeper = true;
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { field: undefined, children: new Map(), reachesDeeper: false };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.field = path;
  }
  return root;
}

/** The node an event key holding dots leads to from `node`, segment by segment, if the trie has it. */
function descendByDottedKey(node: PathNode, key: string): PathNode | undefined {
  let reached: PathNode | undefined = node;
  for (const segment of key.split('.')) {
    reached = reached.children.get(segment);
    if (reached === undefined) {
      return undefined;
    }
  }
  return reached;
}

/**
 * Flattens the event as event-ruler does: keys are joined with dots, arrays are crushed into their parent's path,
 * and every scalar, null included, is a leaf. Empty arrays and empty objects contribute nothing, so they count as
 * absent. Only the paths in the trie are visited.
 */
class EventIndexer {
  readonly leaves = new Map<string, Leaf[]>();
  private nextArrayId = 0;

  visitObject(object: Record<string, unknown>, node: PathNode, membership: Membership): void {
    for (const [segment, child] of node.children) {
      if (Object.hasOwn(object, segment)) {
        this.visit(object[segment], child, membership);
      }
    }
    if (!node.reachesDeeper) {
      return;
    }
    for (const key of Object.keys(object)) {
      const reached = key.includes('.') ? descendByDottedKey(node, key) : undefined;
      if (reached !== undefined) {
        this.visit(object[key], reached, membership);
      }
    }
  }

  private visit(value: unknown, node: PathNode, membership: Membership): void {
    if (isJsonArray(value)) {
      this.visitArray(value, node, membership);
    } else if (isJsonObject(value)) {
      this.visitObject(value, node, membership);
    } else if (node.field !== undefined && isScalar(value)) {
      this.addLeaf(node.field, { value, membership });
    }
  }

  private visitArray(array: readonly unknown[], node: PathNode, membership: Membership): void {
    const arrayId = this.nextArrayId++;
    for (let index = 0; index < array.length; index++) {
      const element = array[index];
      // Only structured elements record their position: two scalars of one array can never be two different
      // fields, so event-ruler does not track them.
      const isStructured = isJsonArray(element) || isJsonObject(element);
      this.visit(element, node, isStructured ? [...membership, [arrayId, index]] : membership);
    }
  }

  private addLeaf(path: string, leaf: Leaf): void {
    const list = this.leaves.get(path);
    if (list === undefined) {
      this.leaves.set(path, [leaf]);
    } else {
      list.push(leaf);
    }
  }
}

export function indexEvent(event: Record<string, unknown>, paths: PathNode): EventIndex {
  const indexer = new EventIndexer();
  indexer.visitObject(event, paths, NO_MEMBERSHIP);
  return indexer.leaves;
}
