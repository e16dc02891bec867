/**
 * Rollouts: per alias, the running rollout's steps as a track (weight reached, the bake's countdown,
 * the gate) with pause / resume / promote / abort, then the ended rollouts with their evidence.
 */
import { useState } from 'preact/hooks';
import { ROLLOUT_ACTIONS, type RolloutAction, type Rollouts, type RolloutView } from '../../console-api';
import { useNow } from '../clock';
import { getJson, postJson } from '../console-client';
import { formatCountdown, formatPercent, formatTime } from '../figures';
import { html } from '../html';
import { useLiveData } from '../live-stream';
import { concernsRollouts } from '../relevance';
import { hrefTo } from '../router';
import { ErrorNote, Loading } from './shared';

const ACTIVE = new Set(['RUNNING', 'PAUSED']);

/** Which actions make sense in a status (the server decides; this only spares a useless click). */
const OFFERED: Record<string, readonly RolloutAction[]> = {
  RUNNING: ['pause', 'promote', 'abort'],
  PAUSED: ['resume', 'promote', 'abort'],
};

export function RolloutsPage() {
  const rollouts = useLiveData(() => getJson<Rollouts>('/rollouts'), concernsRollouts, 'rollouts');
  if (!rollouts.data) return html`<${Loading} error=${rollouts.error} />`;
  const active = rollouts.data.rollouts.filter((rollout) => ACTIVE.has(rollout.status));
  const ended = rollouts.data.rollouts.filter((rollout) => !ACTIVE.has(rollout.status));
  return html`
    <section data-testid="page-rollouts">
      <${ErrorNote} error=${rollouts.error} />
      <h2>Running <span class="count">${active.length}</span></h2>
      ${active.length === 0 && html`<p class="muted">No rollout is running.</p>`}
      ${active.map((rollout) => html`<${RolloutCard} key=${rollout.rolloutId} rollout=${rollout} onActed=${rollouts.reload} />`)}
      <h2>Ended <span class="count">${ended.length}</span></h2>
      <${EndedTable} rollouts=${ended} />
    </section>`;
}

function RolloutCard(props: { rollout: RolloutView; onActed: () => void }) {
  const { rollout } = props;
  const [error, setError] = useState<Error | undefined>();
  const [sending, setSending] = useState<RolloutAction | undefined>();
  const act = async (action: RolloutAction) => {
    setSending(action);
    setError(undefined);
    try {
      await postJson(`/rollouts/${encodeURIComponent(rollout.rolloutId)}/${action}`);
      props.onActed();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSending(undefined);
    }
  };
  const offered = OFFERED[rollout.status] ?? [];
  return html`<div class="card rollout" data-testid="rollout-card" data-rollout=${rollout.rolloutId} data-status=${rollout.status}>
    <div class="card-title">
      <b>${rollout.functionName}:${rollout.alias}</b>
      <span class="muted">v${rollout.fromVersion} → v${rollout.toVersion} · ${rollout.strategy} · ${rollout.rolloutId}</span>
      <span class=${`badge ${rollout.status.toLowerCase()}`} data-testid="rollout-status">${rollout.status}</span>
      <span class="weight" data-testid="rollout-weight" data-weight=${rollout.weight}>${formatPercent(rollout.weight)} on v${rollout.toVersion}</span>
    </div>
    <${StepTrack} rollout=${rollout} />
    <div class="toolbar">
      ${ROLLOUT_ACTIONS.map(
        (action) => html`<button
          class=${action === 'abort' ? 'danger' : ''}
          data-testid=${`rollout-${action}`}
          disabled=${!offered.includes(action) || sending !== undefined}
          onClick=${() => act(action)}
        >${sending === action ? '…' : action}</button>`,
      )}
      ${rollout.alarms.length > 0 && html`<span class="muted">gated by ${rollout.alarms.join(', ')}</span>`}
      ${rollout.executionArn && html`<a href=${hrefTo('executions', [rollout.executionArn])}>execution</a>`}
    </div>
    <${ErrorNote} error=${error} />
  </div>`;
}

function StepTrack(props: { rollout: RolloutView }) {
  const { rollout } = props;
  return html`<ol class="track" data-testid="rollout-steps">
    ${rollout.steps.map((step, index) => {
      const reached = index < rollout.step;
      const current = index === rollout.step - 1;
      return html`<li class=${`step${reached ? ' reached' : ''}${current ? ' current' : ''}`} data-testid="rollout-step" data-reached=${String(reached)}>
        <span class="step-weight">${formatPercent(step.weight)}</span>
        <span class="muted">bake ${step.bakeSeconds}s</span>
        ${current && rollout.gate && html`<${Gate} gate=${rollout.gate} />`}
      </li>`;
    })}
  </ol>`;
}

function Gate(props: { gate: NonNullable<RolloutView['gate']> }) {
  const now = useNow();
  if (props.gate.kind === 'pause')
    return html`<span class="gate paused" data-testid="rollout-gate">paused</span>`;
  return html`<span class="gate" data-testid="rollout-gate">bake <span data-testid="bake-countdown">${formatCountdown(props.gate.endsAt, now)}</span></span>`;
}

function EndedTable(props: { rollouts: readonly RolloutView[] }) {
  if (props.rollouts.length === 0) return html`<p class="muted">None yet.</p>`;
  return html`<table class="grid" data-testid="rollout-history">
    <thead><tr><th>ended</th><th>service</th><th>versions</th><th>outcome</th><th>evidence</th><th>explanation</th></tr></thead>
    <tbody>
      ${props.rollouts.map(
        (
          rollout,
        ) => html`<tr data-testid="rollout-history-row" data-rollout=${rollout.rolloutId} data-status=${rollout.status}>
          <td>${formatTime(rollout.updatedAt)}</td>
          <td>${rollout.functionName}:${rollout.alias} <span class="muted mono">${rollout.rolloutId}</span></td>
          <td>v${rollout.fromVersion} → v${rollout.toVersion}</td>
          <td><span class=${`badge ${rollout.status.toLowerCase()}`}>${rollout.status}</span>${rollout.reason ? html` <span class="muted">${rollout.reason}</span>` : ''}</td>
          <td data-testid="rollout-evidence">${rollout.evidence ? describeEvidence(rollout.evidence) : '—'}</td>
          <td>${rollout.explanation ?? ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** `alarm=checkout-errors · step=2 · weight=50 %`: the evidence's fields, weights as shares. */
function describeEvidence(evidence: Readonly<Record<string, unknown>>): string {
  return Object.entries(evidence)
    .map(([key, value]) =>
      typeof value === 'number' && key.toLowerCase().includes('weight')
        ? `${key}=${formatPercent(value)}`
        : `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
    )
    .join(' · ');
}
