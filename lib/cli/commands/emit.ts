import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { findEventByDetailType } from '../../../lambdas/core/events/catalog';
import { type ConnectionOptions, connect } from '../connection';
import { readJsonArgument } from '../json-argument';
import { print } from '../output';

export function registerEmit(program: Command): void {
  program
    .command('emit')
    .description("put one event on Baton's bus (PutEvents), e.g. a request such as ResourcePoolChanged")
    .argument('<detail-type>', 'the detail-type, e.g. ResourcePoolChanged')
    .requiredOption('--detail <json|@file>', 'the event detail as JSON, or @path to a JSON file')
    .option('--source <source>', 'the event source (requests may use any source but "baton")', 'baton.cli')
    .action(async (detailType: string, options: { detail: string; source: string }, command: Command) => {
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
    });
}
