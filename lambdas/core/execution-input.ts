/** What an execution was started with, read back from a status-change event. */

/** A string field of the execution's JSON input (a request id, a rollout id), if it has one. */
export function executionInputField(input: string | null | undefined, field: string): string | undefined {
  try {
    const parsed = JSON.parse(input ?? 'null') as Record<string, unknown> | null;
    const value = parsed?.[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
