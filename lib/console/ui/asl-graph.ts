/**
 * An ASL definition as a graph laid out for drawing: states as nodes, Map and Parallel states as
 * clusters holding their iterator or branches, edges for Next, Choices, Default and Catch. Pure:
 * no DOM, so the layout is unit-tested in Node and drawn by the page as SVG.
 */
import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre';

type LayoutGraph = Graph<GraphLabel, NodeLabel, EdgeLabel>;

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'branch';

export interface GraphNode {
  /** The state's name (ASL names are unique across a whole machine), or a marker's `::` id. */
  readonly id: string;
  readonly label: string;
  /** The state's `Type`, or `Start`/`End`/`Join` for the markers the drawing adds. */
  readonly type: string;
  /** Top-left corner and size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphCluster {
  readonly id: string;
  /** The Map or Parallel state it belongs to. */
  readonly state: string;
  readonly label: string;
  readonly kind: 'Map' | 'Parallel' | 'Branch';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string | undefined;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly GraphNode[];
  /** Outer clusters first, so a drawing in this order puts inner ones on top. */
  readonly clusters: readonly GraphCluster[];
  readonly edges: readonly GraphEdge[];
}

export const START_NODE = '::start';
export const END_NODE = '::end';

/** The part of ASL the drawing reads; anything else in the definition is ignored. */
interface AslScope {
  readonly StartAt?: unknown;
  readonly States?: unknown;
}

interface AslState {
  readonly Type?: unknown;
  readonly Next?: unknown;
  readonly End?: unknown;
  readonly Default?: unknown;
  readonly Choices?: unknown;
  readonly Catch?: unknown;
  readonly Branches?: unknown;
  readonly Iterator?: unknown;
  readonly ItemProcessor?: unknown;
}

/** A definition the drawing cannot read: not an object with `StartAt` and `States`. */
export class UnreadableDefinition extends Error {
  override readonly name = 'UnreadableDefinition';
}

const NODE_HEIGHT = 32;
const CHOICE_HEIGHT = 52;
const MARKER_SIZE = 18;
const JOIN_SIZE = 10;
const CHARACTER_WIDTH = 7;

interface Built {
  graph: LayoutGraph;
  types: Map<string, string>;
  clusterInfo: Map<string, Omit<GraphCluster, 'x' | 'y' | 'width' | 'height'>>;
  clusterOrder: string[];
  edgeKinds: Map<string, { kind: EdgeKind; label?: string | undefined }>;
}

/** Lays out a state machine's definition (its ASL, parsed) as nodes, clusters and routed edges. */
export function layoutDefinition(definition: unknown): GraphLayout {
  const graph: LayoutGraph = new Graph<GraphLabel, NodeLabel, EdgeLabel>({
    compound: true,
    multigraph: true,
  });
  graph.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const built: Built = {
    graph,
    types: new Map(),
    clusterInfo: new Map(),
    clusterOrder: [],
    edgeKinds: new Map(),
  };
  const top = asScope(definition, 'the definition');
  addMarker(built, START_NODE, 'Start', MARKER_SIZE);
  addMarker(built, END_NODE, 'End', MARKER_SIZE);
  const ends = addScope(built, top, undefined);
  addEdge(built, START_NODE, String(top.StartAt), 'next');
  for (const end of ends) addEdge(built, end, END_NODE, 'next');
  layout(graph);
  return collect(built);
}

function asScope(value: unknown, where: string): AslScope {
  if (typeof value !== 'object' || value === null)
    throw new UnreadableDefinition(`${where} is not an object`);
  const scope = value as AslScope;
  if (typeof scope.StartAt !== 'string' || typeof scope.States !== 'object' || scope.States === null)
    throw new UnreadableDefinition(`${where} has no StartAt and States`);
  return scope;
}

function addMarker(built: Built, id: string, type: string, size: number, parent?: string): void {
  built.graph.setNode(id, { width: size, height: size });
  built.types.set(id, type);
  if (parent) built.graph.setParent(id, parent);
}

/** Adds a scope's states under `parent`; returns the states that end the scope (to join after it). */
function addScope(built: Built, scope: AslScope, parent: string | undefined): string[] {
  const states = Object.entries(scope.States as Record<string, AslState>);
  const ends: string[] = [];
  for (const [name, state] of states) {
    const type = typeof state.Type === 'string' ? state.Type : 'Unknown';
    built.types.set(name, type);
    const exit = type === 'Map' || type === 'Parallel' ? addGroup(built, name, type, state, parent) : name;
    if (exit === name) {
      built.graph.setNode(name, nodeSize(name, type));
      if (parent) built.graph.setParent(name, parent);
    }
    for (const [to, kind, label] of transitions(state)) addEdge(built, exit, to, kind, label);
    if (state.End === true || type === 'Succeed' || type === 'Fail') ends.push(exit);
  }
  return ends;
}

/**
 * A Map or Parallel state as a cluster: the state's own node on top, its iterator (or each branch
 * in a cluster of its own) inside, and a small join node below that its own transitions leave
 * from (dagre routes edges between leaf nodes only). Returns the join's id.
 */
function addGroup(
  built: Built,
  name: string,
  type: 'Map' | 'Parallel',
  state: AslState,
  parent?: string,
): string {
  const group = `${name}::group`;
  const join = `${name}::join`;
  built.graph.setNode(group, { label: name, width: 0, height: 0 });
  if (parent) built.graph.setParent(group, parent);
  built.clusterInfo.set(group, { id: group, state: name, label: name, kind: type });
  built.clusterOrder.push(group);
  built.graph.setNode(name, nodeSize(name, type));
  built.graph.setParent(name, group);
  addMarker(built, join, 'Join', JOIN_SIZE, group);
  const scopes =
    type === 'Parallel'
      ? (Array.isArray(state.Branches) ? state.Branches : []).map((branch, index) => ({ branch, index }))
      : [{ branch: state.ItemProcessor ?? state.Iterator, index: -1 }];
  for (const { branch, index } of scopes) {
    const scope = asScope(branch, `${name}'s ${index < 0 ? 'iterator' : `branch ${index + 1}`}`);
    let inner = group;
    if (index >= 0) {
      inner = `${name}::branch:${index}`;
      built.graph.setNode(inner, { width: 0, height: 0 });
      built.graph.setParent(inner, group);
      built.clusterInfo.set(inner, { id: inner, state: name, label: `branch ${index + 1}`, kind: 'Branch' });
      built.clusterOrder.push(inner);
    }
    addEdge(built, name, String(scope.StartAt), 'branch');
    for (const end of addScope(built, scope, inner)) addEdge(built, end, join, 'next');
  }
  return join;
}

function nodeSize(name: string, type: string): { width: number; height: number } {
  const width = Math.max(96, name.length * CHARACTER_WIDTH + 28);
  // A Choice is drawn as a diamond around its name: wider and taller than its text.
  return type === 'Choice' ? { width: width + 36, height: CHOICE_HEIGHT } : { width, height: NODE_HEIGHT };
}

function transitions(state: AslState): [string, EdgeKind, string | undefined][] {
  const found: [string, EdgeKind, string | undefined][] = [];
  if (typeof state.Next === 'string') found.push([state.Next, 'next', undefined]);
  if (Array.isArray(state.Choices))
    state.Choices.forEach((choice: { Next?: unknown }, index) => {
      if (typeof choice?.Next === 'string') found.push([choice.Next, 'choice', describeRule(choice, index)]);
    });
  if (typeof state.Default === 'string') found.push([state.Default, 'default', 'default']);
  if (Array.isArray(state.Catch))
    for (const catcher of state.Catch as { Next?: unknown; ErrorEquals?: unknown }[])
      if (typeof catcher?.Next === 'string')
        found.push([
          catcher.Next,
          'catch',
          Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.join(', ') : 'catch',
        ]);
  return found;
}

const COMPARATOR =
  /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;
const SYMBOL: Record<string, string> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
  Matches: '~',
};

/** A Choice rule in a few words (`$.status == "REJECTED"`), or `rule N` when it is compound. */
export function describeRule(rule: object, index: number): string {
  const entries = Object.entries(rule);
  const variable = entries.find(([key]) => key === 'Variable')?.[1];
  for (const [key, value] of entries) {
    const match = COMPARATOR.exec(key);
    if (match && typeof variable === 'string')
      return `${variable} ${SYMBOL[match[2] ?? ''] ?? match[2]} ${JSON.stringify(value)}`;
    if (key === 'IsPresent' && typeof variable === 'string')
      return `${variable} ${value ? 'present' : 'absent'}`;
  }
  return `rule ${index + 1}`;
}

function addEdge(built: Built, from: string, to: string, kind: EdgeKind, label?: string): void {
  const name = `${kind}:${built.edgeKinds.size}`;
  built.edgeKinds.set(name, { kind, label });
  // A transition to a state that does not exist is drawn to a node that says so, not dropped.
  if (!built.graph.hasNode(to)) {
    built.graph.setNode(to, nodeSize(to, 'Missing'));
    built.types.set(to, 'Missing');
  }
  // Labels are drawn at the middle of the route; dagre leaves them room when they have a size.
  const labelSize = label
    ? { width: Math.min(label.length, 28) * 6, height: 14, labelpos: 'c' as const }
    : {};
  built.graph.setEdge(from, to, labelSize, name);
}

function collect(built: Built): GraphLayout {
  const { graph } = built;
  const nodes: GraphNode[] = [];
  for (const id of graph.nodes()) {
    if (built.clusterInfo.has(id)) continue;
    const node = graph.node(id);
    const name = id.endsWith('::join') ? id.slice(0, -'::join'.length) : id;
    nodes.push({
      id,
      label: built.types.get(id) === 'Join' ? name : id,
      type: built.types.get(id) ?? 'Unknown',
      ...box(node),
    });
  }
  const clusters = built.clusterOrder.map((id) => {
    const info = built.clusterInfo.get(id);
    if (!info) throw new Error(`cluster ${id} was not recorded`);
    return { ...info, ...box(graph.node(id)) };
  });
  const edges = graph.edges().map((edge) => {
    const kind = built.edgeKinds.get(edge.name ?? '') ?? { kind: 'next' as const };
    const label = graph.edge(edge);
    return {
      from: edge.v,
      to: edge.w,
      kind: kind.kind,
      label: kind.label,
      points: (label.points ?? []).map(({ x, y }) => ({ x, y })),
    };
  });
  const size = graph.graph();
  return { width: size.width ?? 0, height: size.height ?? 0, nodes, clusters, edges };
}

function box(node: { x?: number; y?: number; width: number; height: number }) {
  return {
    x: (node.x ?? 0) - node.width / 2,
    y: (node.y ?? 0) - node.height / 2,
    width: node.width,
    height: node.height,
  };
}
