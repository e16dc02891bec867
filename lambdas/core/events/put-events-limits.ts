/**
 * EventBridge's limits on one `PutEvents` request, and how it sizes an entry: the publisher
 * batches by them and the embedded bus enforces them, so both count alike.
 */

export const MAX_ENTRIES_PER_PUT = 10;
/** The total size of the entries of one request. */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

/**
 * An entry's size as EventBridge counts it: the UTF-8 bytes of `Source`, `DetailType`, `Detail`
 * and each of `Resources`, and 14 for the time. Anything not a string counts nothing (the entry
 * is refused for it elsewhere).
 */
export function entrySize(entry: unknown): number {
  if (typeof entry !== 'object' || entry === null) return 0;
  const { Source, DetailType, Detail, Resources } = entry as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(Resources) ? Resources.reduce((sum: number, r) => sum + text(r), 0) : 0;
  return 14 + text(Source) + text(DetailType) + text(Detail) + resources;
}
