/** How the page writes amounts, shares, times and durations. */
import type { Amounts } from '../console-api';

export function formatAmounts(amounts: Amounts): string {
  const entries = Object.entries(amounts);
  return entries.length === 0
    ? '—'
    : entries.map(([dimension, value]) => `${dimension} ${formatNumber(value)}`).join(' · ');
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour12: false });
}

/** `1h 02m`, `3m 05s`, `42s`; `ended` once the time has passed. */
export function formatCountdown(until: string | undefined, now: number): string {
  if (!until) return '—';
  const left = Math.round((Date.parse(until) - now) / 1000);
  if (Number.isNaN(left)) return '—';
  if (left <= 0) return 'ended';
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = left % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** A JSON string shown indented when it parses, as it is otherwise. */
export function prettyJson(text: string | undefined): string {
  if (text === undefined) return '—';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
