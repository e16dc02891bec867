/**
 * The page's one `EventSource` on the bus. Pages subscribe with what they find relevant and reload
 * their data when it comes (debounced) — on a timer only against a deployed stage, whose bus the
 * console cannot hear; after a reconnection every page reloads, since events may have passed while
 * the stream was down.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ConsoleEvent, STREAM_EVENT } from '../console-api';
import { API, currentSession } from './console-client';

type Listener = { onEvent: (event: ConsoleEvent) => void; onResync: () => void };
type StreamState = 'connecting' | 'live' | 'reconnecting';

const listeners = new Set<Listener>();
const stateListeners = new Set<(state: StreamState) => void>();
let source: EventSource | undefined;
let state: StreamState = 'connecting';
let everOpened = false;

function openStream(): void {
  if (source) return;
  source = new EventSource(`${API}/stream`);
  source.addEventListener(STREAM_EVENT, (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as ConsoleEvent;
    for (const listener of listeners) listener.onEvent(event);
  });
  source.addEventListener('open', () => {
    if (everOpened) for (const listener of listeners) listener.onResync();
    everOpened = true;
    setState('live');
  });
  source.addEventListener('error', () => {
    setState('reconnecting');
    // An answer other than 200 (a restart's 503, 429 TooManyStreams) closes an EventSource for
    // good: open a new one a moment later.
    if (source?.readyState === EventSource.CLOSED) {
      source = undefined;
      setTimeout(openStream, REOPEN_DELAY_MS);
    }
  });
}

/** How soon a stream the server refused is asked for again. */
const REOPEN_DELAY_MS = 2000;
/**
 * Against a deployed stage the console hears of executions starting and ending only (the stage's
 * bus cannot be read from outside AWS): a rollout's step or a placement made inside a running
 * execution sends no news, so there each page also reloads now and then.
 */
const STAGE_RELOAD_MS = 5000;

function setState(next: StreamState): void {
  state = next;
  for (const listener of stateListeners) listener(state);
}

export function subscribe(listener: Listener): () => void {
  openStream();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useStreamState(): StreamState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    openStream();
    stateListeners.add(setCurrent);
    return () => stateListeners.delete(setCurrent);
  }, []);
  return current;
}

/** Every bus event as it comes (the overview's and the events page's live lists). */
export function useBusEvents(onEvent: (event: ConsoleEvent) => void): void {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => subscribe({ onEvent: (event) => latest.current(event), onResync: () => {} }), []);
}

export interface LiveData<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly reload: () => void;
}

const RELOAD_DEBOUNCE_MS = 120;

/**
 * Loads `load()` now, and again when a relevant event arrives: events in a burst (a rollout's step
 * and its facts) make one reload; one that arrives during a load makes another after it, so the
 * page always ends up showing what the server had after the last event.
 */
export function useLiveData<T>(
  load: () => Promise<T>,
  relevant: (event: ConsoleEvent) => boolean,
  key: string,
): LiveData<T> {
  // Kept with the key it was loaded for: data of a former key (the pattern before an edit) is never shown as the new one's.
  const [result, setResult] = useState<{ key: string; data: T | undefined; error: Error | undefined }>({
    key,
    data: undefined,
    error: undefined,
  });
  const control = useRef({ reload: () => {} });
  useEffect(() => {
    let cancelled = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const data = await load();
        if (!cancelled) setResult({ key, data, error: undefined });
      } catch (error) {
        if (!cancelled)
          setResult((previous) => ({
            key,
            data: previous.key === key ? previous.data : undefined,
            error: error as Error,
          }));
      } finally {
        inFlight = false;
        if (again && !cancelled) {
          again = false;
          void run();
        }
      }
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(run, RELOAD_DEBOUNCE_MS);
    };
    control.current.reload = () => void run();
    void run();
    const unsubscribe = subscribe({ onEvent: (event) => relevant(event) && soon(), onResync: soon });
    const stageReloads = currentSession().mode === 'stage' ? setInterval(soon, STAGE_RELOAD_MS) : undefined;
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearInterval(stageReloads);
      unsubscribe();
    };
    // `key` names what is loaded: a new key loads afresh; `load` and `relevant` follow it.
  }, [key]);
  const current = result.key === key ? result : { data: undefined, error: undefined };
  return { data: current.data, error: current.error, reload: () => control.current.reload() };
}
