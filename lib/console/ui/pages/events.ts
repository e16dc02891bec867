/**
 * Events: the bus's events live, filtered by an EventBridge pattern the user types. The server
 * matches (with the bus's own matcher); the page reloads the matching list as events arrive.
 */
import { useEffect, useState } from 'preact/hooks';
import type { RecentEvents } from '../../console-api';
import { getJson } from '../console-client';
import { formatTime } from '../figures';
import { html } from '../html';
import { useLiveData } from '../live-stream';
import { concernsAnything } from '../relevance';
import { ErrorNote, Loading } from './shared';

const LIMIT = '200';
const TYPING_PAUSE_MS = 300;

export function EventsPage() {
  const [draft, setDraft] = useState('');
  const [pattern, setPattern] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setPattern(draft.trim()), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [draft]);
  const events = useLiveData(
    () => getJson<RecentEvents>('/events', { pattern: pattern || undefined, limit: LIMIT }),
    concernsAnything,
    `events:${pattern}`,
  );
  return html`<section data-testid="page-events">
    <label class="pattern">EventBridge pattern (empty: every event)
      <textarea data-testid="event-pattern" rows="3" spellcheck="false" placeholder='{"source": ["baton"], "detail-type": [{"prefix": "ServiceRollout"}]}'
        value=${draft} onInput=${(event: Event) => setDraft((event.target as HTMLTextAreaElement).value)}></textarea>
    </label>
    ${events.error && html`<div data-testid="event-pattern-error"><${ErrorNote} error=${events.error} /></div>`}
    ${
      !events.data
        ? html`<${Loading} />`
        : html`<p class="muted" data-testid="event-count" data-pattern=${pattern}>${events.data.events.length} events${pattern ? ' matching' : ''}</p>
        <table class="grid" data-testid="events">
          <thead><tr><th>time</th><th>source</th><th>detail-type</th><th>detail</th></tr></thead>
          <tbody>
            ${events.data.events.map(
              (
                event,
              ) => html`<tr key=${event.id} data-testid="event-row" data-detail-type=${event['detail-type']} data-source=${event.source}>
                <td>${formatTime(event.time)}</td><td>${event.source}</td><td><b>${event['detail-type']}</b></td>
                <td class="mono clip">${JSON.stringify(event.detail)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}
