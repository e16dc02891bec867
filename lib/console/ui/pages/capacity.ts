/** Capacity: pools and quotas as bars per dimension, allocations with their lease, rejections explained. */
import { useState } from 'preact/hooks';
import type { AllocationView, Capacity, PoolView, QuotaView, RejectionView } from '../../console-api';
import { useNow } from '../clock';
import { getJson } from '../console-client';
import { formatAmounts, formatCountdown, formatTime } from '../figures';
import { html } from '../html';
import { useLiveData } from '../live-stream';
import { concernsCapacity } from '../relevance';
import { ErrorNote, Loading, UsageBar } from './shared';

/** Rows drawn before "show all": a table of thousands is read by filtering, not by scrolling. */
export const FIRST_ROWS = 200;

export function CapacityPage() {
  const capacity = useLiveData(() => getJson<Capacity>('/capacity'), concernsCapacity, 'capacity');
  if (!capacity.data) return html`<${Loading} error=${capacity.error} />`;
  const { pools, quotas, allocations, rejections } = capacity.data;
  return html`
    <section data-testid="page-capacity">
      <${ErrorNote} error=${capacity.error} />
      <h2>Pools <span class="count">${pools.length}</span></h2>
      <div class="cards">${pools.map((pool) => html`<${PoolCard} key=${pool.poolId} pool=${pool} />`)}</div>
      <h2>Tenant quotas <span class="count">${quotas.length}</span></h2>
      <div class="cards">${quotas.map((quota) => html`<${QuotaCard} key=${quota.tenantId} quota=${quota} />`)}</div>
      <h2>Allocations <span class="count">${allocations.length}</span></h2>
      <${AllocationTable} allocations=${allocations} />
      <h2>Rejected requests <span class="count">${rejections.length}</span></h2>
      <${RejectionTable} rejections=${rejections} />
    </section>`;
}

function PoolCard(props: { pool: PoolView }) {
  const { pool } = props;
  const dimensions = [...new Set([...Object.keys(pool.capacity), ...Object.keys(pool.used)])];
  return html`<div class=${`card pool-${pool.state}`} data-testid="pool-card" data-pool=${pool.poolId} data-state=${pool.state}>
    <div class="card-title">
      <b>${pool.poolId}</b> <span class="muted">${pool.kind}</span>
      <span class=${`badge ${pool.state}`} data-testid="pool-state">${pool.state}</span>
      ${pool.overCapacity.length > 0 && html`<span class="badge failed" data-testid="over-capacity">over capacity: ${pool.overCapacity.join(', ')}</span>`}
    </div>
    ${dimensions.map(
      (dimension) =>
        html`<${UsageBar} dimension=${dimension} used=${pool.used[dimension] ?? 0} capacity=${pool.capacity[dimension] ?? 0} flagged=${pool.overCapacity.includes(dimension)} />`,
    )}
    <div class="labels">${Object.entries(pool.labels).map(([key, value]) => html`<span class="label">${key}=${value}</span>`)}</div>
  </div>`;
}

function QuotaCard(props: { quota: QuotaView }) {
  const { quota } = props;
  return html`<div class="card" data-testid="quota-card" data-tenant=${quota.tenantId}>
    <div class="card-title"><b>${quota.tenantId}</b>
      ${quota.overLimit.length > 0 && html`<span class="badge failed">over limit: ${quota.overLimit.join(', ')}</span>`}
    </div>
    ${Object.keys(quota.limits).map(
      (dimension) =>
        html`<${UsageBar} dimension=${dimension} used=${quota.used[dimension] ?? 0} capacity=${quota.limits[dimension] ?? 0} flagged=${quota.overLimit.includes(dimension)} />`,
    )}
  </div>`;
}

function AllocationTable(props: { allocations: readonly AllocationView[] }) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? props.allocations : props.allocations.slice(0, FIRST_ROWS);
  return html`<table class="grid" data-testid="allocations">
    <thead><tr><th>allocation</th><th>tenant</th><th>pool</th><th>kind</th><th>amount</th><th>status</th><th>created</th><th>lease ends in</th></tr></thead>
    <tbody>${shown.map((allocation) => html`<${AllocationRow} key=${allocation.allocationId} allocation=${allocation} />`)}</tbody>
    ${
      shown.length < props.allocations.length &&
      html`<tfoot><tr><td colspan="8"><button data-testid="show-all-allocations" onClick=${() => setShowAll(true)}>Show all ${props.allocations.length}</button></td></tr></tfoot>`
    }
  </table>`;
}

function AllocationRow(props: { allocation: AllocationView }) {
  const { allocation } = props;
  return html`<tr data-testid="allocation-row" data-allocation=${allocation.allocationId}>
    <td class="mono">${allocation.allocationId}</td>
    <td>${allocation.tenantId}</td>
    <td>${allocation.poolId}</td>
    <td>${allocation.kind}</td>
    <td>${formatAmounts(allocation.amount)}</td>
    <td><span class=${`badge ${allocation.status.toLowerCase()}`}>${allocation.status}</span></td>
    <td>${formatTime(allocation.createdAt)}</td>
    <td>${allocation.status === 'ACTIVE' && allocation.expiresAt ? html`<${Countdown} until=${allocation.expiresAt} />` : '—'}</td>
  </tr>`;
}

/** Only this cell re-renders each second, not the table. */
export function Countdown(props: { until: string }) {
  const now = useNow();
  return html`<span data-testid="countdown">${formatCountdown(props.until, now)}</span>`;
}

function RejectionTable(props: { rejections: readonly RejectionView[] }) {
  if (props.rejections.length === 0) return html`<p class="muted">None.</p>`;
  return html`<table class="grid" data-testid="rejections">
    <thead><tr><th>at</th><th>request</th><th>tenant</th><th>reason</th><th>explanation</th></tr></thead>
    <tbody>
      ${props.rejections.slice(0, FIRST_ROWS).map(
        (rejection) => html`<tr data-testid="rejection-row">
          <td>${formatTime(rejection.at)}</td>
          <td class="mono">${rejection.requestId}</td>
          <td>${rejection.tenantId}</td>
          <td><span class="badge failed">${rejection.reason}</span></td>
          <td>${rejection.explanation}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
