/**
 * `baton console`: the web console against a deployed stage (`--stage`, your AWS credentials) or
 * any endpoint (`--endpoint`), served on loopback. The embedded runtime serves its own at its
 * address; this is for everything else.
 */
import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';
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
    .action(lazyAction(async () => (await import('../actions/console')).serveConsole));
}
