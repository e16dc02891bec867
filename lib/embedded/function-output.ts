/**
 * Where a function's standard output goes, line by line, as Lambda sends it to CloudWatch Logs:
 * an EMF document (`emf-metrics.ts`) is kept in the metrics log (`metrics.ndjson` under the data
 * directory) and summed for the console; every other line is the runtime's own output, as before.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type MetricsCollector, readEmfDocument } from './emf-metrics';
import type { NdjsonLog } from './ndjson-log';

export class FunctionOutput {
  constructor(
    private readonly metricsLog: NdjsonLog,
    private readonly collector: MetricsCollector,
    private readonly passThrough: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Reads a process's output: lines split across chunks are read whole, the last one at its end. */
  follow(output: Readable): void {
    createInterface({ input: output, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      this.line(line),
    );
  }

  line(line: string): void {
    const emf = readEmfDocument(line);
    if (!emf) {
      this.passThrough(line);
      return;
    }
    // Kept as the function wrote it: what CloudWatch Logs would hold.
    this.metricsLog.append(emf.document);
    this.collector.add(emf.values);
  }
}
