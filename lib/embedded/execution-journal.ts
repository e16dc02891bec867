/**
 * The embedded runtime's execution records, kept under the data directory so that they survive
 * it (`executions.ndjson`): a line when an execution starts (its input) and one when it ends (its
 * outcome and its whole history). Lines are appended synchronously, in order, so that an execution
 * the runtime has answered for is on disk before anything else happens; a line torn by a crash is
 * skipped when the file is read back, line by line (the file may be larger than any one string).
 * The file is rewritten with only the records kept at start and whenever it has grown by as many
 * again (records or characters); the rewrite goes aside in the background, lines appended
 * meanwhile follow it, and it replaces the file in one rename.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExecutionStatus } from './execution-record';

/** How many finished records are kept, and how many characters of them (inputs, outputs, histories). */
export interface Retention {
  readonly maxExecutions: number;
  readonly maxCharacters: number;
}

/** Bytes read from the file at a time. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Lines gathered before the background rewrite writes them. */
const REWRITE_BATCH_BYTES = 1024 * 1024;

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
  private charactersSinceCompaction = 0;
  /** While a rewrite runs, the lines appended meanwhile, for it to append before it takes over. */
  private appendedDuringRewrite: string[] | undefined;
  /** The rewrite under way, if any. */
  private rewriting: Promise<void> | undefined;

  /**
   * Opens the journal at `path` (nothing is kept when it is undefined). The retention sets how
   * much it may grow before it is compacted.
   */
  constructor(
    private readonly path: string | undefined,
    private readonly retention: Retention,
  ) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a');
      // A line torn by a crash is ended, so that the next line is not glued to it and lost.
      if (!endsWithNewline(path)) this.tolerate(() => writeSync(this.fd as number, '\n'));
    }
  }

  /** The executions the file holds, oldest start first; an end without its start is dropped. */
  read(): JournalEntry[] {
    if (!this.path || !existsSync(this.path)) return [];
    const entries = new Map<string, JournalEntry>();
    for (const line of readLines(this.path)) {
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
    const { maxExecutions, maxCharacters } = this.retention;
    return (
      this.rewriting === undefined &&
      (this.linesSinceCompaction > 2 * maxExecutions || this.charactersSinceCompaction > 2 * maxCharacters)
    );
  }

  /**
   * Rewrites the file with these executions only, in the background: written aside, then the
   * lines appended meanwhile, then renamed over it. One rewrite at a time.
   */
  compact(entries: Iterable<JournalEntry>): void {
    const { path } = this;
    if (!path || this.fd === undefined || this.rewriting) return;
    this.linesSinceCompaction = 0;
    this.charactersSinceCompaction = 0;
    this.appendedDuringRewrite = [];
    const kept = [...entries];
    this.rewriting = this.rewrite(path, kept)
      .catch((error: unknown) => this.report(error))
      .finally(() => {
        this.appendedDuringRewrite = undefined;
        this.rewriting = undefined;
      });
  }

  /** Waits for a rewrite under way (tests, and close). */
  async settled(): Promise<void> {
    await this.rewriting;
  }

  async close(): Promise<void> {
    await this.rewriting;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private async rewrite(path: string, kept: readonly JournalEntry[]): Promise<void> {
    const aside = `${path}.compacting`;
    let swapped = false;
    try {
      await writeEntries(aside, kept);
      swapped = this.swapIn(aside, path);
    } finally {
      // The journal as it stands stays the journal; what was written aside goes.
      if (!swapped) rmSync(aside, { force: true });
    }
  }

  /**
   * Appends the lines written meanwhile to the rewritten file and renames it over the journal;
   * `false` if the journal was closed meanwhile. Synchronous: no line can slip between the two files.
   */
  private swapIn(aside: string, path: string): boolean {
    const current = this.fd;
    if (current === undefined) return false;
    const fd = openSync(aside, 'a');
    try {
      for (const line of this.appendedDuringRewrite ?? []) writeSync(fd, line);
      renameSync(aside, path);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    closeSync(current);
    this.fd = fd;
    return true;
  }

  private write(line: string): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.tolerate(() => writeSync(fd, line));
    this.appendedDuringRewrite?.push(line);
    this.linesSinceCompaction += 1;
    this.charactersSinceCompaction += line.length;
  }

  private report(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    console.error(`[baton] ${this.path} could not be written; executions go on: ${failure.message}`);
  }

  /**
   * A disk that fails (full, gone) costs the records their survival, not the runtime its work:
   * the failure is reported and the executions go on.
   */
  private tolerate(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.report(error);
    }
  }
}

/** Writes the entries' lines to a new file, a batch at a time, without blocking the event loop. */
async function writeEntries(path: string, entries: readonly JournalEntry[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    let batch: string[] = [];
    let batchBytes = 0;
    for (const { end, ...start } of entries) {
      const lines = [`${JSON.stringify({ started: start } satisfies StartLine)}\n`];
      if (end) lines.push(endLine(start.executionArn, end));
      batch.push(...lines);
      batchBytes += lines.reduce((sum, line) => sum + line.length, 0);
      if (batchBytes >= REWRITE_BATCH_BYTES) {
        await file.write(batch.join(''));
        batch = [];
        batchBytes = 0;
      }
    }
    await file.write(batch.join(''));
  } finally {
    await file.close();
  }
}

/** The history goes in as the JSON it already is, not parsed and written again. */
function endLine(executionArn: string, { history, ...end }: JournalEnd): string {
  return `{"ended":${JSON.stringify({ executionArn, ...end })},"history":${history}}\n`;
}

/** Whether the file is empty or ends with a newline. */
function endsWithNewline(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 10;
  } finally {
    closeSync(fd);
  }
}

/** The file's lines, read a chunk at a time: no string ever holds more than one line. */
export function* readLines(path: string, chunkBytes = READ_CHUNK_BYTES): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(chunkBytes);
    let partial: Buffer[] = [];
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      let from = 0;
      for (
        let newline = chunk.indexOf(10, from);
        newline !== -1 && newline < read;
        newline = chunk.indexOf(10, from)
      ) {
        partial.push(chunk.subarray(from, newline));
        yield Buffer.concat(partial).toString('utf8');
        partial = [];
        from = newline + 1;
      }
      if (from < read) partial.push(Buffer.from(chunk.subarray(from, read)));
    }
    if (partial.length > 0) yield Buffer.concat(partial).toString('utf8');
  } finally {
    closeSync(fd);
  }
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
