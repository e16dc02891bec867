/** Overview: everything at a glance, and the latest facts streaming in. */
import { useState } from 'preact/hooks';
import type { ConsoleEvent, MetricFigure, Overview, RecentEvents } from '../../console-api';
import { getJson } from '../console-client';
import { formatNumber, formatTime } from '../figures';
import { html } from '../html';
import { useBusEvents, useLiveData } from '../live-stream';
import { concernsAnything } from '../relevance';
import { hrefTo } from '../router';
import { ErrorNote, Loading } from './shared';

const LATEST_FACTS = 30;
const BATON_FACTS = JSON.stringify({ source: ['baton'] });

export function OverviewPage() {
  const overview = useLiveData(() => getJson<Overview>('/overview'), concernsAnything, 'overview');
  const facts = useLatestFacts();
  if (!overview.data) return html`<${Loading} error=${overview.error} />`;
  const { data } = overview;
  return html`
    <section data-testid="page-overview">
      <${ErrorNote} error=${overview.error} />
      <div class="tiles" data-testid="overview-counts">
        <${Tile} label="pools" value=${data.pools} href=${hrefTo('capacity')} />
        <${Tile} label="tenants" value=${data.tenants} href=${hrefTo('capacity')} />
        <${Tile} label="allocations" value=${sum(data.allocations)} detail=${data.allocations} href=${hrefTo('capacity')} />
        <${Tile} label="workloads" value=${data.workloads.placed + data.workloads.pending + data.workloads.moving} detail=${data.workloads} href=${hrefTo('workloads')} />
        <${Tile} label="rollouts" value=${sum(data.rollouts)} detail=${data.rollouts} href=${hrefTo('rollouts')} />
        <${Tile} label="executions" value=${Object.values(data.executions).reduce((total, byStatus) => total + sum(byStatus), 0)} href=${hrefTo('executions')} />
      </div>
      <div class="columns">
        <div>
          <h2>Executions by workflow</h2>
          <${ExecutionCounts} executions=${data.executions} />
          <h2>Metrics</h2>
          <${Metrics} metrics=${data.metrics} />
        </div>
        <div>
          <h2>Latest facts</h2>
          <ol class="facts" data-testid="overview-facts">
            ${facts.map(
              (event) => html`<li key=${event.id} data-testid="fact">
                <time>${formatTime(event.time)}</time> <b>${event['detail-type']}</b>
                <span class="muted"> ${summarise(event.detail)}</span>
              </li>`,
            )}
          </ol>
        </div>
      </div>
    </section>`;
}

function useLatestFacts(): ConsoleEvent[] {
  const initial = useLiveData(
    () => getJson<RecentEvents>('/events', { pattern: BATON_FACTS, limit: String(LATEST_FACTS) }),
    () => false,
    'overview-facts',
  );
  const [streamed, setStreamed] = useState<ConsoleEvent[]>([]);
  useBusEvents((event) => {
    if (event.source === 'baton') setStreamed((previous) => [event, ...previous].slice(0, LATEST_FACTS));
  });
  const seen = new Set(streamed.map((event) => event.id));
  return [...streamed, ...(initial.data?.events ?? []).filter((event) => !seen.has(event.id))].slice(
    0,
    LATEST_FACTS,
  );
}

function Tile(props: { label: string; value: number; detail?: Record<string, number>; href: string }) {
  const detail = Object.entries(props.detail ?? {}).filter(([, count]) => count > 0);
  return html`<a class="tile" href=${props.href} data-testid=${`tile-${props.label}`}>
    <span class="tile-value">${props.value}</span>
    <span class="tile-label">${props.label}</span>
    ${detail.length > 0 && html`<span class="tile-detail">${detail.map(([name, count]) => `${name} ${count}`).join(' · ')}</span>`}
  </a>`;
}

function ExecutionCounts(props: { executions: Overview['executions'] }) {
  const statuses = [
    ...new Set(Object.values(props.executions).flatMap((byStatus) => Object.keys(byStatus))),
  ].sort();
  return html`<table class="grid">
    <thead><tr><th>workflow</th>${statuses.map((status) => html`<th class="number">${status}</th>`)}</tr></thead>
    <tbody>
      ${Object.entries(props.executions).map(
        ([workflow, byStatus]) => html`<tr>
          <td><a href=${hrefTo('executions', [], { workflow })}>${workflow}</a></td>
          ${statuses.map((status) => html`<td class="number">${byStatus[status] ?? 0}</td>`)}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function Metrics(props: { metrics: readonly MetricFigure[] }) {
  if (props.metrics.length === 0) return html`<p class="muted">No metrics yet.</p>`;
  return html`<table class="grid" data-testid="overview-metrics">
    <thead><tr><th>metric</th><th>dimensions</th><th class="number">sum</th><th class="number">count</th><th class="number">last</th><th>unit</th></tr></thead>
    <tbody>
      ${props.metrics.map(
        (metric) => html`<tr>
          <td>${metric.name}</td>
          <td class="muted">${Object.entries(metric.dimensions)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ')}</td>
          <td class="number">${formatNumber(metric.sum)}</td>
          <td class="number">${metric.count}</td>
          <td class="number">${formatNumber(metric.last)}</td>
          <td class="muted">${metric.unit}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

const sum = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((total, count) => total + count, 0);

/** The fact's identifying fields in one line (`rolloutId=r1 step=2`). */
function summarise(detail: unknown): string {
  if (typeof detail !== 'object' || detail === null) return '';
  return Object.entries(detail)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
    .slice(0, 4)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
