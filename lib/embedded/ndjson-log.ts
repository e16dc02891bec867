import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** An append-only file of JSON lines; writes are buffered and flushed on close. */
export class NdjsonLog {
  private readonly stream: WriteStream | undefined;

  /** With no path, records are dropped (an in-memory runtime keeps no files). */
  constructor(path: string | undefined) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.stream = createWriteStream(path, { flags: 'a' });
    }
  }

  /** Dropped once the log is closed: work a shutdown did not wait for may still report. */
  append(record: unknown): void {
    if (this.stream?.writableEnded === false) this.stream.write(`${JSON.stringify(record)}\n`);
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}
