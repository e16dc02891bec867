/**
 * `baton console`: the web console against a deployed stage (`--stage`, your AWS credentials) or
 * any endpoint (`--endpoint`), served on loopback. The embedded runtime serves its own at its
 * address; this is for everything else.
 */
import type { Command } from 'commander';
import { RecentEvents } from '../../console/event-feed';
import { followExecutionChanges } from '../../console/execution-changes';
import { openWebConsole, serveWebConsole } from '../../console/web-console';
import { type ConnectionOptions, connect } from '../connection';
import { port } from '../option-parsers';

export const DEFAULT_CONSOLE_PORT = 4011;

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description(
      'serve the web console for a deployed stage (--stage, your AWS credentials) or an endpoint, on 127.0.0.1 (the embedded runtime serves its own at its address)',
    )
    .option('--port <port>', 'the port on 127.0.0.1', port, DEFAULT_CONSOLE_PORT)
    .option('--table <name>', 'the ledger table of a deployed stage (stack output TableName)')
    .action(async (options: { port: number }, command: Command) => {
      const global = command.optsWithGlobals<ConnectionOptions>();
      const connection = connect(global);
      // Fails now, with its reason, rather than on the first page.
      connection.ledgerTableName();
      const feed = new RecentEvents();
      const webConsole = openWebConsole({ connection, feed, mode: 'stage' });
      const stopFollowing = followExecutionChanges(connection.sfn, webConsole.reads, feed);
      const { url, server } = await serveWebConsole(webConsole, options.port);
      console.log(
        [
          `Baton console for stage ${connection.stage} on ${url}/`,
          '  pages refresh as the workflows start and end (Step Functions is listed every 2 s); the bus itself is not read',
          'Ctrl-C to stop',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      stopFollowing();
      webConsole.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
}
