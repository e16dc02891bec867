/** What `baton emit` does, loaded when it runs (options and help: `../commands/emit.ts`). */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { findEventByDetailType } from '../../../lambdas/core/events/catalog';
import { type ConnectionOptions, connect } from '../connection';
import { readJsonArgument } from '../json-argument';
import { print } from '../output';

export async function emitEvent(
  detailType: string,
  options: { detail: string; source: string },
  command: Command,
) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const detail = readJsonArgument(options.detail, '--detail');
  const connection = connect(global);
  const response = await connection.eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: connection.busName,
          Source: options.source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  const entry = response.Entries?.[0];
  if (entry?.ErrorCode) {
    process.exitCode = 1;
    print(
      global,
      { error: entry.ErrorCode, message: entry.ErrorMessage },
      `${entry.ErrorCode}: ${entry.ErrorMessage}`,
    );
    return;
  }
  const known = findEventByDetailType(detailType) !== undefined;
  print(
    global,
    { eventId: entry?.EventId, detailType, known },
    `event ${entry?.EventId} put on ${connection.busName}${known ? '' : ` (note: ${detailType} is not in Baton's catalog)`}`,
  );
}
