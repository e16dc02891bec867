/** The console's ASL drawing: every state a node, Map/Parallel as clusters around their states, every transition an edge. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeRule,
  END_NODE,
  type GraphLayout,
  layoutDefinition,
  START_NODE,
  UnreadableDefinition,
} from '../../lib/console/ui/asl-graph';
import { productWorkflowDirectory } from '../../lib/topology/workflows';

const workflow = (id: string) =>
  JSON.parse(readFileSync(join(productWorkflowDirectory, `${id}.asl.json`), 'utf8')) as unknown;

const edgesOf = (layout: GraphLayout, kind?: string) =>
  layout.edges.filter((edge) => !kind || edge.kind === kind).map((edge) => `${edge.from}→${edge.to}`);

const inside = (outer: { x: number; y: number; width: number; height: number }, inner: typeof outer) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;

describe('layoutDefinition', () => {
  it('draws roll-out-service: each state once, choices, defaults and dashed catches as edges', () => {
    const layout = layoutDefinition(workflow('roll-out-service'));
    const states = layout.nodes.filter((node) => !node.id.startsWith('::')).map((node) => node.id);
    expect(states.sort()).toEqual(
      Object.keys((workflow('roll-out-service') as { States: object }).States).sort(),
    );
    expect(layout.nodes.find((node) => node.id === 'AfterShift')?.type).toBe('Choice');
    expect(edgesOf(layout, 'catch')).toContain('Shift→RollBack');
    expect(edgesOf(layout, 'default')).toContain('AfterShift→Bake');
    expect(edgesOf(layout, 'choice')).toEqual(
      expect.arrayContaining(['AfterShift→Pause', 'AfterShift→Shift']),
    );
    expect(edgesOf(layout)).toContain(`${START_NODE}→Start`);
    expect(edgesOf(layout)).toEqual(
      expect.arrayContaining([`Ended→${END_NODE}`, `RolloutFailed→${END_NODE}`]),
    );
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
  });

  it('draws rebalance-workloads’ Map inside a Map as nested clusters holding their iterator', () => {
    const layout = layoutDefinition(workflow('rebalance-workloads'));
    const outer = layout.clusters.find((cluster) => cluster.state === 'ApplyWaves');
    const inner = layout.clusters.find((cluster) => cluster.state === 'ApplyWave');
    if (!outer || !inner) throw new Error('both Map clusters are drawn');
    expect(inside(outer, inner)).toBe(true);
    for (const state of ['BeginMove', 'RequestMove', 'FinishMove', 'RevertMove'])
      expect(inside(inner, layout.nodes.find((node) => node.id === state) ?? outer)).toBe(true);
    expect(inside(outer, layout.nodes.find((node) => node.id === 'ReportMoves') ?? outer)).toBe(false);
    // The Map's own transition leaves from its join, below its states.
    expect(edgesOf(layout)).toContain('ApplyWaves::join→ReportMoves');
    expect(edgesOf(layout, 'branch')).toContain('ApplyWave→BeginMove');
  });

  it('draws each branch of a Parallel in a cluster of its own', () => {
    const layout = layoutDefinition({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
          ],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    expect(layout.clusters.map((cluster) => cluster.kind)).toEqual(['Parallel', 'Branch', 'Branch']);
    const [, left, right] = layout.clusters;
    const node = (id: string) => layout.nodes.find((candidate) => candidate.id === id);
    expect(left && inside(left, node('Left') ?? left)).toBe(true);
    expect(right && inside(right, node('Right') ?? right)).toBe(true);
    expect(edgesOf(layout)).toEqual(
      expect.arrayContaining(['Left→Both::join', 'Right→Both::join', 'Both::join→Done']),
    );
  });

  it('draws a transition to a state that does not exist to a node that says so', () => {
    const layout = layoutDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(layout.nodes.find((node) => node.id === 'Nowhere')?.type).toBe('Missing');
  });

  it('names a definition it cannot read', () => {
    expect(() => layoutDefinition({ States: {} })).toThrow(UnreadableDefinition);
    expect(() => layoutDefinition(null)).toThrow(UnreadableDefinition);
  });
});

describe('describeRule', () => {
  it('says a simple rule in a few words, a compound one by its number', () => {
    expect(describeRule({ Variable: '$.status', StringEquals: 'REJECTED', Next: 'X' }, 0)).toBe(
      '$.status == "REJECTED"',
    );
    expect(describeRule({ Variable: '$.n', NumericGreaterThanEquals: 3, Next: 'X' }, 0)).toBe('$.n >= 3');
    expect(describeRule({ And: [], Next: 'X' }, 2)).toBe('rule 3');
  });
});
