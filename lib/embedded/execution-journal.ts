/**
 * The embedded runtime's execution records, kept under the data directory so that they survive
 * it (`executions.ndjson`): a line when an execution starts (its input) and one when it ends (its
 * outcome and its whole history). Lines are written synchronously, in order, so that an execution
 * the runtime has answered for is on disk before anything else happens; a line torn by a crash is
 * skipped when the file is read back. The file is rewritten with only the records kept (the
 * newest `maxExecutions`) at start and whenever it has grown by as many again.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionStatus } from './workflow-engine';

/** What is kept of an execution that has ended. */
export interface JournalEnd {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly stopDate: number;
  readonly output?: string | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  /** The history's events, as one JSON array. */
  readonly history: string;
}

/** An execution as the journal has it: its start, and its end once it has ended. */
export interface JournalEntry {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  readonly end?: JournalEnd | undefined;
}

type StartLine = { started: Omit<JournalEntry, 'end'> };
type EndLine = { ended: Omit<JournalEnd, 'history'> & { executionArn: string }; history: unknown };

export class ExecutionJournal {
  private fd: number | undefined;
  private linesSinceCompaction = 0;

  /**
   * Opens the journal at `path` (nothing is kept when it is undefined) and reads back what it
   * holds, oldest start first. `maxExecutions` sets how much it may grow before it is compacted.
   */
  constructor(
    private readonly path: string | undefined,
    private readonly maxExecutions: number,
  ) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a');
    }
  }

  /** The executions the file holds, oldest start first; an end without its start is dropped. */
  read(): JournalEntry[] {
    if (!this.path || !existsSync(this.path)) return [];
    const entries = new Map<string, JournalEntry>();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const parsed = parseLine(line);
      if (!parsed) continue;
      if ('started' in parsed) entries.set(parsed.started.executionArn, parsed.started);
      else {
        const { executionArn, ...end } = parsed.ended;
        const entry = entries.get(executionArn);
        if (entry)
          entries.set(executionArn, { ...entry, end: { ...end, history: JSON.stringify(parsed.history) } });
      }
    }
    return [...entries.values()];
  }

  started(entry: Omit<JournalEntry, 'end'>): void {
    this.write(`${JSON.stringify({ started: entry } satisfies StartLine)}\n`);
  }

  ended(executionArn: string, end: JournalEnd): void {
    this.write(endLine(executionArn, end));
  }

  /** Whether the file has grown enough since it was last rewritten to be rewritten again. */
  get wantsCompaction(): boolean {
    return this.linesSinceCompaction > 2 * this.maxExecutions;
  }

  /** Rewrites the file with these executions only (written aside, then renamed over it). */
  compact(entries: Iterable<JournalEntry>): void {
    const { path, fd: current } = this;
    if (!path || current === undefined) return;
    this.linesSinceCompaction = 0;
    this.tolerate(() => {
      const aside = `${path}.compacting`;
      const fd = openSync(aside, 'w');
      try {
        for (const { end, ...start } of entries) {
          writeSync(fd, `${JSON.stringify({ started: start } satisfies StartLine)}\n`);
          if (end) writeSync(fd, endLine(start.executionArn, end));
        }
      } finally {
        closeSync(fd);
      }
      renameSync(aside, path);
      closeSync(current);
      this.fd = openSync(path, 'a');
    });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(line: string): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.tolerate(() => writeSync(fd, line));
    this.linesSinceCompaction += 1;
  }

  /**
   * A disk that fails (full, gone) costs the records their survival, not the runtime its work:
   * the failure is reported and the executions go on.
   */
  private tolerate(write: () => void): void {
    try {
      write();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      console.error(`[baton] ${this.path} could not be written; executions go on: ${failure.message}`);
    }
  }
}

/** The history goes in as the JSON it already is, not parsed and written again. */
function endLine(executionArn: string, { history, ...end }: JournalEnd): string {
  return `{"ended":${JSON.stringify({ executionArn, ...end })},"history":${history}}\n`;
}

function parseLine(line: string): StartLine | EndLine | undefined {
  if (line.length === 0) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<StartLine & EndLine>;
    if (typeof parsed.started?.executionArn === 'string') return parsed as StartLine;
    if (typeof parsed.ended?.executionArn === 'string' && Array.isArray(parsed.history))
      return parsed as EndLine;
  } catch {
    // Torn by a crash mid-write: the execution's other line, if any, still counts.
  }
  return undefined;
}
