/** Small pieces every page uses: loading, error notes, a usage bar. */
import { formatNumber, formatPercent } from '../figures';
import { html } from '../html';

export function Loading(props: { error?: Error | undefined }) {
  return props.error
    ? html`<${ErrorNote} error=${props.error} />`
    : html`<p class="muted" data-testid="loading">Loading…</p>`;
}

export function ErrorNote(props: { error?: Error | undefined }) {
  if (!props.error) return null;
  return html`<p class="error" role="alert" data-testid="error">${props.error.message}</p>`;
}

/** Use against capacity on one dimension; a share above 1 (after a shrink) is drawn full and flagged. */
export function UsageBar(props: { dimension: string; used: number; capacity: number; flagged?: boolean }) {
  const share = props.capacity > 0 ? props.used / props.capacity : props.used > 0 ? Infinity : 0;
  const over = props.flagged || share > 1;
  return html`<div class="usage" data-testid="usage-bar" data-dimension=${props.dimension} data-over=${String(over)}>
    <span class="usage-label">${props.dimension}</span>
    <span class="bar"><span class=${over ? 'fill over' : share > 0.85 ? 'fill high' : 'fill'} style=${{ width: `${Math.min(share, 1) * 100}%` }}></span></span>
    <span class="usage-figures">${formatNumber(props.used)} / ${formatNumber(props.capacity)} (${Number.isFinite(share) ? formatPercent(share) : '∞'})${over ? ' over' : ''}</span>
  </div>`;
}
