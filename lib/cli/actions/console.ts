/** What `baton console` does, loaded when it runs (options and help: `../commands/console.ts`). */
import type { Command } from 'commander';
import { RecentEvents } from '../../console/event-feed';
import { followExecutionChanges } from '../../console/execution-changes';
import { openWebConsole, serveWebConsole } from '../../console/web-console';
import { type ConnectionOptions, connect } from '../connection';

export async function serveConsole(options: { port: number }, command: Command) {
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
}
