/**
 * The events the console shows: the latest ones kept in a ring, and every new one handed to the
 * console's listeners (the live stream, and the read cache that a change makes stale).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ConsoleEvent } from './console-api';

/** Events kept for the events page and the overview (the event log on disk keeps them all). */
export const RECENT_EVENTS = 1000;
/** How much of the end of the event log a start reads back into the ring. */
const TAIL_BYTES = 1024 * 1024;

export interface EventFeed {
  /** The latest events the filter accepts, newest first. */
  latest(limit: number, accepts?: (event: ConsoleEvent) => boolean): ConsoleEvent[];
  /** Calls `listener` with every new event; the returned function stops it. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}

export class RecentEvents implements EventFeed {
  private readonly ring: ConsoleEvent[] = [];
  private readonly listeners = new Set<(event: ConsoleEvent) => void>();

  constructor(private readonly capacity = RECENT_EVENTS) {}

  add(event: ConsoleEvent): void {
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(event);
  }

  latest(limit: number, accepts: (event: ConsoleEvent) => boolean = () => true): ConsoleEvent[] {
    const found: ConsoleEvent[] = [];
    for (let at = this.ring.length - 1; at >= 0 && found.length < limit; at -= 1) {
      const event = this.ring[at];
      if (event && accepts(event)) found.push(event);
    }
    return found;
  }

  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The last events of an event log (`events.ndjson`), oldest first: the end of the file only, so a
 * start costs the same however long the log has grown. A torn or foreign line is skipped.
 */
export function eventLogTail(path: string | undefined, count = RECENT_EVENTS): ConsoleEvent[] {
  if (!path) return [];
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return [];
  }
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const file = openSync(path, 'r');
  try {
    readSync(file, buffer, 0, length, size - length);
  } finally {
    closeSync(file);
  }
  const lines = buffer.toString('utf8').split('\n');
  // Unless the whole file was read, the first line is cut.
  if (length < size) lines.shift();
  return lines.flatMap(parseEvent).slice(-count);
}

function parseEvent(line: string): ConsoleEvent[] {
  if (line.trim() === '') return [];
  try {
    const event = JSON.parse(line) as Partial<ConsoleEvent> | null;
    return typeof event?.id === 'string' && typeof event['detail-type'] === 'string'
      ? [event as ConsoleEvent]
      : [];
  } catch {
    return [];
  }
}
