/**
 * `baton function`: Lambda functions, their versions and aliases, through Lambda's own API. The
 * embedded runtime answers with its simulated fleet, so rollouts can be rehearsed on one machine.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { lazyAction } from '../lazy-action';
import { fraction } from '../option-parsers';

export function registerFunction(program: Command): void {
  const fn = program
    .command('function')
    .description('Lambda functions, versions and aliases (the simulated fleet in the embedded runtime)');

  fn.command('create')
    .description(
      'create a simulated function in the embedded runtime (in AWS a function needs code and a role: deploy it instead)',
    )
    .argument('<name>', 'the function name')
    .option('--description <text>', 'the function description')
    .action(lazyAction(async () => (await import('../actions/function')).createFunction));

  fn.command('publish')
    .description('publish $LATEST as a new version (PublishVersion)')
    .argument('<name>', 'the function name or ARN')
    .option('--description <text>', 'the version description')
    .action(lazyAction(async () => (await import('../actions/function')).publishVersion));

  fn.command('alias')
    .description(
      'point an alias at a version, creating it if need be; without --weight all its traffic goes to that version',
    )
    .argument('<name>', 'the function name or ARN')
    .argument('<alias>', 'the alias name, e.g. live')
    .requiredOption('--version <version>', 'the version the alias points at')
    .option(
      '--weight <version=share>',
      'send a share (0–1) of the traffic to one other published version, e.g. 2=0.1',
      versionWeight,
    )
    .option('--description <text>', 'the alias description')
    .action(lazyAction(async () => (await import('../actions/function')).pointAlias));

  fn.command('show')
    .description('a function: its versions, and each alias with its version, routing weights and RevisionId')
    .argument('<name>', 'the function name or ARN')
    .action(lazyAction(async () => (await import('../actions/function')).showFunction));
}

/** Parses `--weight 2=0.1`: one version and the share of traffic it gets. */
function versionWeight(value: string): Record<string, number> {
  const [, version, share] = /^([0-9]+)=(.+)$/.exec(value) ?? [];
  if (version === undefined || share === undefined)
    throw new InvalidArgumentError('expected <version>=<share>, e.g. 2=0.1');
  return { [version]: fraction(share) };
}
