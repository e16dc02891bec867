import { createReadStream, existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { print } from '../output';

interface LoggedEvent {
  id: string;
  time: string;
  source: string;
  'detail-type': string;
  detail: unknown;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("print the embedded runtime's event log (every event put on the local bus)")
    .option('--data-dir <dir>', 'the runtime data directory', '.baton')
    .option('--type <detail-type>', 'only events of this detail-type')
    .option('--limit <n>', 'only the last n events', '50')
    .option('--follow', 'keep printing new events as they arrive (Ctrl-C to stop)')
    .action(
      async (
        options: { dataDir: string; type?: string; limit: string; follow?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<{ json?: boolean }>();
        const file = join(options.dataDir, 'events.ndjson');
        const show = (event: LoggedEvent) =>
          print(
            { json: false },
            event,
            global.json
              ? JSON.stringify(event)
              : `${event.time} ${event.source.padEnd(16)} ${event['detail-type'].padEnd(28)} ${JSON.stringify(event.detail)}`,
          );
        const wanted = (event: LoggedEvent) => !options.type || event['detail-type'] === options.type;
        if (!existsSync(file)) {
          if (!options.follow) {
            console.error(`no event log at ${file}: start Baton with \`npm start\` first`);
            process.exitCode = 1;
            return;
          }
        } else {
          const { events, size } = await readFrom(file, 0);
          for (const event of events.filter(wanted).slice(-Number(options.limit))) show(event);
          if (options.follow) await follow(file, size, (event) => wanted(event) && show(event));
          return;
        }
        await follow(file, 0, (event) => wanted(event) && show(event));
      },
    );
}

async function readFrom(file: string, start: number): Promise<{ events: LoggedEvent[]; size: number }> {
  const size = existsSync(file) ? statSync(file).size : 0;
  const events: LoggedEvent[] = [];
  if (size <= start) return { events, size: start };
  const lines = createInterface({ input: createReadStream(file, { start, end: size - 1 }) });
  for await (const line of lines) if (line.trim()) events.push(JSON.parse(line) as LoggedEvent);
  return { events, size };
}

function follow(file: string, from: number, onEvent: (event: LoggedEvent) => void): Promise<void> {
  let position = from;
  let reading = Promise.resolve();
  watchFile(file, { interval: 200 }, () => {
    reading = reading.then(async () => {
      const { events, size } = await readFrom(file, position);
      position = size;
      for (const event of events) onEvent(event);
    });
  });
  return new Promise((resolve) => {
    process.once('SIGINT', () => {
      unwatchFile(file);
      resolve();
    });
  });
}
