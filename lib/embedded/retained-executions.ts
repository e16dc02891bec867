/**
 * The execution records the engine keeps, held to the retention — a number of records and of
 * their characters (inputs, outputs, causes, histories) — oldest finished first out, as AWS keeps
 * them for 90 days. A running record is never dropped, nor the newest finished one however large,
 * nor, for a while, those a restore ended: their recovery reads them.
 */
import type { Retention } from './execution-journal';
import type { ExecutionRecord } from './execution-record';

/** How long the records a restore ended are kept whatever the retention: their recovery runs within seconds. */
const KEPT_FOR_RECOVERY_MS = 10 * 60_000;

export class RetainedExecutions {
  private readonly records = new Map<string, ExecutionRecord>();
  /** The characters each finished record keeps, and their sum, held to the retention. */
  private readonly finishedCharacters = new Map<string, number>();
  private retainedCharacters = 0;
  /** The records a restore ended ABORTED: kept a while whatever their age, for their recovery reads them. */
  private readonly endedAtRestore = new Set<ExecutionRecord>();

  constructor(private readonly retention: Retention) {}

  get(executionArn: string): ExecutionRecord | undefined {
    return this.records.get(executionArn);
  }

  /** Every record kept, oldest start first. */
  all(): ExecutionRecord[] {
    return [...this.records.values()];
  }

  /** Keeps a record (a new execution, or one the journal had); a finished one counts at once. */
  add(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
    this.countFinished(record);
  }

  /** Counts a record that has just ended against the retention. */
  countFinished(record: ExecutionRecord): void {
    if (record.status === 'RUNNING' || this.finishedCharacters.has(record.executionArn)) return;
    const characters = recordCharacters(record);
    this.finishedCharacters.set(record.executionArn, characters);
    this.retainedCharacters += characters;
  }

  /** Keeps the records a restore ended for a while, whatever the retention: their recovery reads them. */
  spareForRecovery(records: readonly ExecutionRecord[]): void {
    for (const record of records) this.endedAtRestore.add(record);
    setTimeout(() => this.endedAtRestore.clear(), KEPT_FOR_RECOVERY_MS).unref();
  }

  /** Drops the oldest finished records beyond the retention, never a running or a `spared` one. */
  evictOldest(spared: ReadonlySet<ExecutionRecord> = new Set()): void {
    const { maxExecutions, maxCharacters } = this.retention;
    // The newest finished record stays, however large.
    const over = () =>
      this.records.size > maxExecutions ||
      (this.retainedCharacters > maxCharacters && this.finishedCharacters.size > 1);
    if (!over()) return;
    for (const [arn, record] of this.records) {
      if (!over()) return;
      if (record.status === 'RUNNING' || spared.has(record) || this.endedAtRestore.has(record)) continue;
      this.records.delete(arn);
      this.retainedCharacters -= this.finishedCharacters.get(arn) ?? 0;
      this.finishedCharacters.delete(arn);
    }
  }
}

/** What a finished record holds, in characters: its input, output, cause and history. */
function recordCharacters(record: ExecutionRecord): number {
  const { input, output, cause, history } = record;
  return input.length + (output?.length ?? 0) + (cause?.length ?? 0) + (history.json?.length ?? 0);
}
