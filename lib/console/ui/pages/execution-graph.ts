/** One execution drawn from its ASL as SVG: the path taken and the failing state coloured, states clickable. */
import { useMemo } from 'preact/hooks';
import type { HistoryEventView } from '../../console-api';
import { type GraphEdge, type GraphLayout, type GraphNode, layoutDefinition } from '../asl-graph';
import { type ExecutionPath, edgeKey, traceExecution } from '../execution-path';
import { html } from '../html';

/** The layout and the path taken, or why the definition cannot be drawn (the rest of the page still shows). */
export function useExecutionGraph(
  definition: unknown,
  history: readonly HistoryEventView[],
): { layout: GraphLayout; path: ExecutionPath } | { error: Error } {
  const layout = useMemo(() => {
    try {
      return layoutDefinition(definition);
    } catch (error) {
      return error as Error;
    }
  }, [definition]);
  return useMemo(
    () =>
      layout instanceof Error ? { error: layout } : { layout, path: traceExecution(history, layout.edges) },
    [history, layout],
  );
}

export function ExecutionGraph(props: {
  layout: GraphLayout;
  path: ExecutionPath;
  selected: string | undefined;
  onSelect: (state: string) => void;
}) {
  const { layout, path } = props;
  return html`<div class="graph-frame">
    <svg data-testid="execution-graph" width=${layout.width} height=${layout.height} viewBox=${`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="execution graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
        </marker>
        <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head taken" />
        </marker>
      </defs>
      ${layout.clusters.map(
        (
          cluster,
        ) => html`<g class=${`cluster cluster-${cluster.kind.toLowerCase()}`} data-testid="graph-cluster" data-state=${cluster.state}>
          <rect x=${cluster.x} y=${cluster.y} width=${cluster.width} height=${cluster.height} rx="6" />
          <text x=${cluster.x + 8} y=${cluster.y + 14} class="cluster-label">${cluster.kind === 'Branch' ? cluster.label : `${cluster.kind}`}</text>
        </g>`,
      )}
      ${layout.edges.map((edge, index) => html`<${Edge} key=${index} edge=${edge} taken=${path.taken.has(edgeKey(edge.from, edge.to))} />`)}
      ${layout.nodes.map(
        (node) =>
          html`<${Node} key=${node.id} node=${node} outcome=${path.states.get(node.id)?.outcome} selected=${props.selected === node.id} onSelect=${props.onSelect} />`,
      )}
    </svg>
  </div>`;
}

function Edge(props: { edge: GraphEdge; taken: boolean }) {
  const { edge } = props;
  if (edge.points.length === 0) return null;
  const d = edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`).join(' ');
  const middle = edge.points[Math.floor(edge.points.length / 2)];
  return html`<g class=${`edge ${edge.kind}${props.taken ? ' taken' : ''}`} data-testid="graph-edge" data-from=${edge.from} data-to=${edge.to} data-kind=${edge.kind} data-taken=${String(props.taken)}>
    <path d=${d} marker-end=${props.taken ? 'url(#arrow-taken)' : 'url(#arrow)'} />
    ${edge.label && middle && html`<text x=${middle.x + 4} y=${middle.y - 3} class="edge-label">${shorten(edge.label)}</text>`}
  </g>`;
}

function Node(props: {
  node: GraphNode;
  outcome: string | undefined;
  selected: boolean;
  onSelect: (state: string) => void;
}) {
  const { node } = props;
  const className = `node type-${node.type.toLowerCase()} ${props.outcome ? `outcome-${props.outcome}` : 'unvisited'}${props.selected ? ' selected' : ''}`;
  const cx = node.x + node.width / 2;
  const cy = node.y + node.height / 2;
  if (node.type === 'Start' || node.type === 'End' || node.type === 'Join')
    return html`<g class=${className} data-testid="graph-marker" data-state=${node.id}><circle cx=${cx} cy=${cy} r=${node.width / 2} /><title>${node.label}</title></g>`;
  const shape =
    node.type === 'Choice'
      ? html`<polygon points=${`${cx},${node.y} ${node.x + node.width},${cy} ${cx},${node.y + node.height} ${node.x},${cy}`} />`
      : html`<rect x=${node.x} y=${node.y} width=${node.width} height=${node.height} rx="4" />`;
  return html`<g class=${className} data-testid="graph-node" data-state=${node.id} data-type=${node.type} data-outcome=${props.outcome ?? 'unvisited'} onClick=${() => props.onSelect(node.id)}>
    ${shape}
    <text x=${cx} y=${cy + 4} text-anchor="middle">${node.label}</text>
    <title>${node.type}: ${node.label}</title>
  </g>`;
}

const shorten = (label: string) => (label.length > 28 ? `${label.slice(0, 27)}…` : label);
