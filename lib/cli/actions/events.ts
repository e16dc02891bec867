/** What `baton events` does, loaded when it runs (options and help: `../commands/events.ts`). */
import { closeSync, existsSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { printLine } from '../output';

export async function printEvents(
  options: { dataDir: string; type?: string; limit: number; follow?: boolean },
  command: Command,
) {
  const global = command.optsWithGlobals<{ json?: boolean }>();
  const file = join(options.dataDir, 'events.ndjson');
  if (!existsSync(file) && !options.follow) {
    console.error(`no event log at ${file}: start Baton with \`npm start\` first`);
    process.exitCode = 1;
    return;
  }
  const types = options.type ? new Set(options.type.split(',').map((type) => type.trim())) : undefined;
  const shows = (event: LoggedEvent) => !types || types.has(event['detail-type']);
  const show = (event: LoggedEvent) => {
    if (!shows(event)) return;
    printLine(
      global,
      event,
      `${event.time} ${event.source.padEnd(16)} ${event['detail-type'].padEnd(28)} ${JSON.stringify(event.detail)}`,
    );
  };
  const { events, position } = readCompleteLines(file, 0);
  const shown = events.filter(shows);
  for (const event of shown.slice(-options.limit)) show(event);
  if (options.follow) await follow(file, position, show);
}

interface LoggedEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  detail: unknown;
}

/** Events from `start` up to the last complete line (the runtime may be writing the next one). */
function readCompleteLines(file: string, start: number): { events: LoggedEvent[]; position: number } {
  const size = existsSync(file) ? statSync(file).size : 0;
  if (size <= start) return { events: [], position: start };
  const buffer = Buffer.alloc(size - start);
  const descriptor = openSync(file, 'r');
  try {
    readSync(descriptor, buffer, 0, buffer.length, start);
  } finally {
    closeSync(descriptor);
  }
  const complete = buffer.lastIndexOf(0x0a) + 1;
  const events = buffer
    .subarray(0, complete)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LoggedEvent);
  return { events, position: start + complete };
}

function follow(file: string, from: number, onEvent: (event: LoggedEvent) => void): Promise<void> {
  let position = from;
  watchFile(file, { interval: 200 }, () => {
    const next = readCompleteLines(file, position);
    position = next.position;
    for (const event of next.events) onEvent(event);
  });
  return new Promise((resolve) => {
    process.once('SIGINT', () => {
      unwatchFile(file);
      resolve();
    });
  });
}
