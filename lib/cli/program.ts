/** The `baton` command line: every command talks AWS APIs, to the embedded runtime by default. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { repositoryRoot } from '../topology/repository-root';
import { registerConsole } from './commands/console';
import { registerDev } from './commands/dev';
import { registerEmit } from './commands/emit';
import { registerEvents } from './commands/events';
import { registerExecutions } from './commands/executions';
import { registerFunction } from './commands/function';
import { registerHistory } from './commands/history';
import { registerLedger } from './commands/ledger';
import { registerPlan } from './commands/plan';
import { registerRollout } from './commands/rollout';
import { registerRun } from './commands/run';
import { registerTestPattern } from './commands/test-pattern';

export function batonProgram(): Command {
  const program = new Command('baton')
    .description('Baton: event-driven orchestration of resources, workloads and service rollouts on AWS')
    .option('--endpoint <url>', 'send API calls here (default: the embedded runtime, http://127.0.0.1:4010)')
    .option('--stage <stage>', 'the Baton stage; any stage but "local" uses your AWS credentials', 'local')
    .option('--region <region>', 'AWS region of a deployed stage')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nbaton --version (or -V) prints the version.')
    .showHelpAfterError()
    // Each command's help lists these too (its commands inherit the setting): they apply to every one.
    .configureHelp({ showGlobalOptions: true });
  for (const register of [
    registerDev,
    registerConsole,
    registerEmit,
    registerRun,
    registerExecutions,
    registerHistory,
    registerEvents,
    registerTestPattern,
    registerLedger,
    registerPlan,
    registerRollout,
    registerFunction,
  ]) {
    register(program);
  }
  return program;
}

/**
 * Baton's version, which `baton --version` prints. Not commander's `.version()`: that takes
 * `--version` anywhere on the line, and `baton function alias … --version 1` names a function version.
 */
export function batonVersion(): string {
  return (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
}
