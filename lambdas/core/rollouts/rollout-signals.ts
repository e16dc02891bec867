/**
 * How a signal (pause, resume, promote, abort, an alarm, a superseding rollout) reaches a
 * rollout with no polling: it is left on the rollout's record, and whoever sees it next with a
 * gate open — the signal's sender if the rollout waits at a gate now, or the rollout when it
 * opens its next gate — takes it (one taker only) and answers that gate's task token.
 */
import { InvalidRequest } from '../errors';
import type { Fact } from '../events/define-event';
import type { TaskAnswer, TaskAnswerer } from '../ports';
import { GATE_ERRORS, RolloutEnded } from './errors';
import {
  ENDED_STATUSES,
  type Gate,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutSignal,
} from './rollout';
import { pausedFact } from './rollout-facts';

/**
 * An operator's control: refused when it cannot apply to the rollout as it stands. A control
 * delivered already (its event delivered again after its first delivery failed later on) is not
 * refused: it took effect. Announces nothing itself: a pause is announced when the rollout holds
 * at its pause gate, not before (it may end first).
 */
export async function controlRollout(
  ledger: RolloutLedger,
  answers: TaskAnswerer,
  rolloutId: string,
  action: 'pause' | 'resume' | 'promote' | 'abort',
  signalId: string,
): Promise<void> {
  const record = await ledger.rollout(rolloutId);
  if (!record) throw new InvalidRequest(`rolloutId: no rollout ${rolloutId}`);
  if (record.lastSignalId === signalId) return;
  if (record.signal?.signalId !== signalId) {
    if (ENDED_STATUSES.has(record.status)) {
      throw new InvalidRequest(`rolloutId: rollout ${rolloutId} has ended (${record.status})`);
    }
    if (action === 'resume' && record.status !== 'PAUSED') {
      throw new InvalidRequest(`action: rollout ${rolloutId} is not paused`);
    }
    if (action === 'pause' && record.status === 'PAUSED') {
      throw new InvalidRequest(`action: rollout ${rolloutId} is paused already`);
    }
  }
  const { left, record: now } = await deliverSignal(ledger, answers, rolloutId, { signalId, kind: action });
  if (!left) {
    throw new InvalidRequest(
      `action: rollout ${rolloutId} is ending (${now.signal?.kind ?? 'an ending'} received first); ${action} cannot apply`,
    );
  }
}

/** What an alarm's rollback carries as evidence (with the step and weight it reached). */
export interface AlarmEvidence {
  readonly alarmName: string;
  readonly stateReason: string;
  /** When the alarm changed state (ISO): how long its rollback took is measured from here. */
  readonly alarmChangedAt: string;
}

/** An alarm went to ALARM: every running rollout that watches it rolls back, with the evidence. */
export async function alarmRollouts(
  ledger: RolloutLedger,
  answers: TaskAnswerer,
  alarm: { alarmName: string; reason?: string | undefined; changedAt: string },
  signalId: string,
): Promise<void> {
  for (const rolloutId of await ledger.rolloutsWatching(alarm.alarmName)) {
    const record = await ledger.rollout(rolloutId);
    if (!record || ENDED_STATUSES.has(record.status)) continue;
    await deliverSignal(ledger, answers, rolloutId, {
      signalId,
      kind: 'alarm',
      // The rollback adds the step and weight it reached.
      evidence: {
        alarmName: alarm.alarmName,
        stateReason: alarm.reason ?? '',
        alarmChangedAt: alarm.changedAt,
      } satisfies AlarmEvidence,
    });
  }
}

/** Leaves a signal and answers the gate open now, if any; whether it was left (see `leaveSignal`). */
export async function deliverSignal(
  ledger: RolloutLedger,
  answers: TaskAnswerer,
  rolloutId: string,
  signal: RolloutSignal,
): Promise<{ left: boolean; record: RolloutRecord }> {
  const delivery = await ledger.leaveSignal(rolloutId, signal);
  if (delivery.left && delivery.record.gate) {
    await answerGate(ledger, answers, delivery.record, delivery.record.gate);
  }
  return delivery;
}

/**
 * Opens a gate; a signal already waiting answers it at once. A pause gate opened by a requested
 * pause announces it: the rollout holds its weights from now on (a drift pause was announced when
 * the drift was found).
 */
export async function openGate(
  ledger: RolloutLedger,
  answers: TaskAnswerer,
  rolloutId: string,
  gate: Gate,
  now: Date,
): Promise<Fact[]> {
  const record = await ledger.openGate(rolloutId, gate, now);
  if (!record) throw new RolloutEnded(`rollout ${rolloutId} has ended: it opens no gate`);
  await answerGate(ledger, answers, record, gate);
  if (gate.kind !== 'pause' || record.drift) return [];
  return [
    pausedFact(rolloutId, 'Requested', `paused on request at step ${record.step} of ${record.steps.length}`),
  ];
}

async function answerGate(ledger: RolloutLedger, answers: TaskAnswerer, record: RolloutRecord, gate: Gate) {
  const signal = record.signal;
  if (!signal || !(await ledger.takeSignal(record.rolloutId, signal.signalId))) return;
  let delivered: boolean;
  try {
    delivered = await answers.answer(gate.token, gateAnswer(signal));
  } catch (error) {
    // Put back for the next taker; an ending signal left meanwhile wins over it.
    await ledger.leaveSignal(record.rolloutId, signal);
    throw error;
  }
  if (delivered) return;
  // That gate had closed meanwhile (its bake ended): the signal waits for the next one — which
  // may have opened already, having found no signal, so it is answered here.
  const { left, record: now } = await ledger.leaveSignal(record.rolloutId, signal);
  if (left && now.gate && now.gate.token !== gate.token) await answerGate(ledger, answers, now, now.gate);
}

/** An ending signal (abort, alarm, supersede) still waiting, taken; for a rollout about to succeed. */
export async function takeEndingSignal(
  ledger: RolloutLedger,
  rolloutId: string,
): Promise<RolloutSignal | undefined> {
  const signal = (await ledger.rollout(rolloutId))?.signal;
  if (!signal || !(signal.kind in GATE_ERRORS)) return undefined;
  return (await ledger.takeSignal(rolloutId, signal.signalId)) ? signal : undefined;
}

function gateAnswer(signal: RolloutSignal): TaskAnswer {
  switch (signal.kind) {
    case 'pause':
    case 'resume':
    case 'promote':
      return { ok: true, output: { signal: signal.kind } };
    case 'abort':
    case 'alarm':
    case 'supersede':
      return { ok: false, error: GATE_ERRORS[signal.kind], cause: JSON.stringify(signal.evidence ?? {}) };
  }
}
