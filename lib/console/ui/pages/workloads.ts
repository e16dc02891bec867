/**
 * Workloads: each tenant's resources as a utilisation map (a cell per resource, its workloads
 * inside, anti-affinity groups by colour), pending workloads with their reasons, and a rebalance
 * dry run drawn before/after with an apply button.
 */
import { useState } from 'preact/hooks';
import type {
  PendingWorkloadView,
  PlannedMoveView,
  RebalanceAsk,
  RebalancePreview,
  ResourceView,
  StartedExecution,
  Workloads,
} from '../../console-api';
import { getJson, postJson } from '../console-client';
import { formatAmounts, formatNumber, formatPercent } from '../figures';
import { html } from '../html';
import { useLiveData } from '../live-stream';
import { concernsWorkloads } from '../relevance';
import { hrefTo } from '../router';
import { ErrorNote, Loading } from './shared';

/**
 * Workloads drawn inside one cell; the rest is a count. With 10 000 workloads on 1 000 resources
 * this keeps the map to a bounded number of elements per cell (a cell is read for its shape, its
 * utilisation and its groups; the full list is one hover away in the cell's title).
 */
export const MARKS_PER_CELL = 8;
/**
 * Cells drawn per tenant before "show all", the hottest first: what an operator looks for, and a
 * first render that stays small whatever the fleet (1 000 resources: 10 tenants × 24 cells).
 */
export const FIRST_CELLS = 24;
const GROUP_COLOURS = 8;

export function WorkloadsPage() {
  const workloads = useLiveData(() => getJson<Workloads>('/workloads'), concernsWorkloads, 'workloads');
  if (!workloads.data) return html`<${Loading} error=${workloads.error} />`;
  const { tenants, pending } = workloads.data;
  return html`
    <section data-testid="page-workloads">
      <${ErrorNote} error=${workloads.error} />
      ${tenants.length === 0 && html`<p class="muted">No tenant has resources yet.</p>`}
      ${tenants.map(
        (tenant) => html`<div key=${tenant.tenantId} data-testid="tenant-map" data-tenant=${tenant.tenantId}>
          <h2>${tenant.tenantId} <span class="count">${tenant.resources.length} resources · ${countWorkloads(tenant.resources)} workloads</span></h2>
          <${TenantMap} resources=${tenant.resources} />
        </div>`,
      )}
      <h2>Pending <span class="count">${pending.length}</span></h2>
      <${PendingTable} pending=${pending} />
      <${Rebalance} tenants=${tenants.map((tenant) => tenant.tenantId)} resources=${tenants.flatMap((tenant) => tenant.resources)} />
    </section>`;
}

const countWorkloads = (resources: readonly ResourceView[]) =>
  resources.reduce((total, resource) => total + resource.workloads.length, 0);

function TenantMap(props: { resources: readonly ResourceView[] }) {
  const [showAll, setShowAll] = useState(false);
  const hottest = props.resources.length > FIRST_CELLS && !showAll;
  const shown = hottest
    ? [...props.resources].sort((a, b) => b.utilisation - a.utilisation).slice(0, FIRST_CELLS)
    : props.resources;
  return html`<${ResourceMap} resources=${shown} />
    ${
      hottest &&
      html`<button class="show-all" data-testid="show-all-resources" onClick=${() => setShowAll(true)}>
      The ${FIRST_CELLS} busiest shown: show all ${props.resources.length}
    </button>`
    }`;
}

function ResourceMap(props: { resources: readonly ResourceView[] }) {
  return html`<div class="resource-map">
    ${props.resources.map(
      (resource) => html`<${ResourceCell} key=${resource.resourceId} resource=${resource} />`,
    )}
  </div>`;
}

function ResourceCell(props: { resource: ResourceView }) {
  const { resource } = props;
  const { utilisation } = resource;
  const marks = resource.workloads.slice(0, MARKS_PER_CELL);
  const hidden = resource.workloads.length - marks.length;
  return html`<div
    class=${`cell ${heat(utilisation)}${resource.released ? ' released' : ''}`}
    data-testid="resource-cell"
    data-resource=${resource.resourceId}
    title=${`${resource.resourceId} (${resource.poolId})\nused ${formatAmounts(resource.used)} of ${formatAmounts(resource.capacity)}`}
  >
    <div class="cell-head"><span class="mono">${resource.resourceId}</span><b>${formatPercent(utilisation)}</b></div>
    <div class="marks">
      ${marks.map(
        (workload) => html`<span
          class=${`mark${workload.antiAffinityGroup ? ` group-${groupColour(workload.antiAffinityGroup)}` : ''}${workload.movingTo ? ' moving' : ''}`}
          data-testid="workload-mark"
          title=${`${workload.workloadId} ${formatAmounts(workload.demand)}${workload.antiAffinityGroup ? ` · anti-affinity ${workload.antiAffinityGroup}` : ''}${workload.movingTo ? ` · moving to ${workload.movingTo}` : ''}`}
        ></span>`,
      )}
      ${hidden > 0 && html`<span class="more">+${hidden}</span>`}
    </div>
  </div>`;
}

const heat = (utilisation: number) =>
  utilisation > 1 ? 'over' : utilisation >= 0.85 ? 'hot' : utilisation >= 0.5 ? 'warm' : 'cool';

/** The same group always gets the same colour (a small string hash). */
function groupColour(group: string): number {
  let hash = 0;
  for (const character of group) hash = (hash * 31 + character.charCodeAt(0)) | 0;
  return Math.abs(hash) % GROUP_COLOURS;
}

function PendingTable(props: { pending: readonly PendingWorkloadView[] }) {
  if (props.pending.length === 0) return html`<p class="muted">None: every workload is placed.</p>`;
  return html`<table class="grid" data-testid="pending">
    <thead><tr><th>workload</th><th>tenant</th><th>demand</th><th>why it is pending</th></tr></thead>
    <tbody>
      ${props.pending.slice(0, 200).map(
        (workload) => html`<tr data-testid="pending-row">
          <td class="mono">${workload.workloadId}</td><td>${workload.tenantId}</td>
          <td>${formatAmounts(workload.demand)}</td><td>${workload.reason}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Rebalance(props: { tenants: readonly string[]; resources: readonly ResourceView[] }) {
  const [ask, setAsk] = useState<RebalanceAsk>({ strategy: 'spread', maxMoves: 50 });
  const [preview, setPreview] = useState<RebalancePreview | undefined>();
  const [applied, setApplied] = useState<StartedExecution | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const dryRun = () =>
    act(async () => {
      setApplied(undefined);
      setPreview(await postJson<RebalancePreview>('/rebalance/plan', ask));
    });
  const apply = () => act(async () => setApplied(await postJson<StartedExecution>('/rebalance/apply', ask)));
  return html`<div class="panel" data-testid="rebalance">
    <h2>Rebalance</h2>
    <div class="toolbar">
      <label>strategy <select data-testid="rebalance-strategy" value=${ask.strategy} onChange=${(event: Event) => setAsk({ ...ask, strategy: (event.target as HTMLSelectElement).value as 'spread' | 'binpack' })}>
        <option value="spread">spread</option><option value="binpack">binpack</option>
      </select></label>
      <label>max moves <input type="number" min="1" data-testid="rebalance-max-moves" value=${ask.maxMoves} onInput=${(event: Event) => setAsk({ ...ask, maxMoves: Number((event.target as HTMLInputElement).value) })} /></label>
      <label>tenant <select data-testid="rebalance-tenant" value=${ask.tenantId ?? ''} onChange=${(event: Event) => setAsk({ ...ask, tenantId: (event.target as HTMLSelectElement).value || undefined })}>
        <option value="">all</option>${props.tenants.map((tenant) => html`<option value=${tenant}>${tenant}</option>`)}
      </select></label>
      <button data-testid="rebalance-dry-run" disabled=${busy} onClick=${dryRun}>Dry run</button>
      ${preview && html`<button class="primary" data-testid="rebalance-apply" disabled=${busy || preview.moves.length === 0} onClick=${apply}>Apply ${preview.moves.length} moves</button>`}
    </div>
    <${ErrorNote} error=${error} />
    ${applied && html`<p data-testid="rebalance-applied">Applying: <a href=${hrefTo('executions', [applied.executionArn])}>${applied.executionArn}</a></p>`}
    ${preview && html`<${RebalancePreviewView} preview=${preview} resources=${props.resources} />`}
  </div>`;
}

function RebalancePreviewView(props: { preview: RebalancePreview; resources: readonly ResourceView[] }) {
  const { preview } = props;
  const touched = new Set(preview.moves.flatMap((move) => [move.from, move.to]));
  const involved = props.resources.filter((resource) => touched.has(resource.resourceId));
  const after = resourcesAfter(involved, preview.moves);
  return html`<div data-testid="rebalance-preview">
    <p>${preview.explanation}</p>
    <${PlanMetrics} metrics=${preview.metrics} />
    ${
      involved.length > 0 &&
      html`<div class="columns">
      <div><h3>Before</h3><${ResourceMap} resources=${involved} /></div>
      <div><h3>After</h3><${ResourceMap} resources=${after} /></div>
    </div>`
    }
    <table class="grid" data-testid="rebalance-moves">
      <thead><tr><th>wave</th><th>workload</th><th>tenant</th><th>from</th><th>to</th><th>why</th></tr></thead>
      <tbody>${preview.moves.map(
        (move) => html`<tr data-testid="rebalance-move">
          <td class="number">${move.wave}</td><td class="mono">${move.workloadId}</td><td>${move.tenantId}</td>
          <td class="mono">${move.from}</td><td class="mono">${move.to}</td><td>${move.reason}</td>
        </tr>`,
      )}</tbody>
    </table>
  </div>`;
}

/** The plan's figures, a `…Before`/`…After` pair on one row. */
function PlanMetrics(props: { metrics: Readonly<Record<string, number>> }) {
  const rows = new Map<string, { before?: number; after?: number; value?: number }>();
  for (const [name, value] of Object.entries(props.metrics)) {
    const paired = /^(.*)(Before|After)$/.exec(name);
    const row = rows.get(paired?.[1] ?? name) ?? {};
    if (paired?.[2] === 'Before') row.before = value;
    else if (paired?.[2] === 'After') row.after = value;
    else row.value = value;
    rows.set(paired?.[1] ?? name, row);
  }
  const show = (value: number | undefined) => (value === undefined ? '' : formatNumber(value));
  return html`<table class="grid compact plan-metrics" data-testid="rebalance-metrics">
    <thead><tr><th>figure</th><th class="number">before</th><th class="number">after</th></tr></thead>
    <tbody>${[...rows].map(
      ([name, row]) =>
        html`<tr><td>${name}</td>${
          row.value === undefined
            ? html`<td class="number">${show(row.before)}</td><td class="number">${show(row.after)}</td>`
            : html`<td class="number" colspan="2">${show(row.value)}</td>`
        }</tr>`,
    )}</tbody>
  </table>`;
}

/** The resources as they will be once the planned moves are made: each moved workload and its demand on its target. */
export function resourcesAfter(
  resources: readonly ResourceView[],
  moves: readonly PlannedMoveView[],
): ResourceView[] {
  const destination = new Map(moves.map((move) => [move.workloadId, move.to]));
  const moving = resources.flatMap((resource) =>
    resource.workloads.filter((workload) => destination.has(workload.workloadId)),
  );
  return resources.map((resource) => {
    const workloads = [
      ...resource.workloads.filter((workload) => !destination.has(workload.workloadId)),
      ...moving.filter((workload) => destination.get(workload.workloadId) === resource.resourceId),
    ];
    const used: Record<string, number> = {};
    for (const workload of workloads)
      for (const [dimension, amount] of Object.entries(workload.demand))
        used[dimension] = (used[dimension] ?? 0) + amount;
    const shares = Object.entries(resource.capacity).map(([dimension, capacity]) =>
      capacity > 0 ? (used[dimension] ?? 0) / capacity : 0,
    );
    return { ...resource, workloads, used, utilisation: Math.max(0, ...shares) };
  });
}
