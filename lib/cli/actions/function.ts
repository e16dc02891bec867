/** What `baton function …` does, loaded when it runs (options and help: `../commands/function.ts`). */
import {
  type AliasConfiguration,
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  PublishVersionCommand,
  paginateListAliases,
  paginateListVersionsByFunction,
  ResourceNotFoundException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import type { Command } from 'commander';
import { LOCAL_STAGE, localRoleArn } from '../../embedded/local-aws';
import { type ConnectionOptions, connect } from '../connection';
import { print } from '../output';

export async function createFunction(name: string, options: { description?: string }, command: Command) {
  const global = command.optsWithGlobals<GlobalOptions>();
  const connection = connect(global);
  if (connection.stage !== LOCAL_STAGE)
    console.error(`note: stage ${connection.stage} is AWS, which wants code and a role; its answer follows`);
  const { $metadata, ...created } = await connection.lambda.send(
    // The fleet runs no code: no package, and a role that exists nowhere.
    new CreateFunctionCommand({
      FunctionName: name,
      Description: options.description,
      Role: localRoleArn(name),
      Code: {},
    }),
  );
  print(global, created, `created ${created.FunctionName} (${created.FunctionArn})`);
}

export async function publishVersion(name: string, options: { description?: string }, command: Command) {
  const global = command.optsWithGlobals<GlobalOptions>();
  const { $metadata, ...version } = await connect(global).lambda.send(
    new PublishVersionCommand({ FunctionName: name, Description: options.description }),
  );
  print(global, version, `published ${version.FunctionName} version ${version.Version}`);
}

export async function pointAlias(
  name: string,
  alias: string,
  options: { version: string; weight?: Record<string, number>; description?: string },
  command: Command,
) {
  const global = command.optsWithGlobals<GlobalOptions>();
  const { lambda } = connect(global);
  const target = {
    FunctionName: name,
    Name: alias,
    FunctionVersion: options.version,
    Description: options.description,
    RoutingConfig: { AdditionalVersionWeights: options.weight ?? {} },
  };
  const current = await lambda
    .send(new GetAliasCommand({ FunctionName: name, Name: alias }))
    .catch((error: unknown) => {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    });
  // Updated only if nobody changed it since it was read (a rollout may be moving it).
  const { $metadata, ...result } = current
    ? await lambda.send(new UpdateAliasCommand({ ...target, RevisionId: current.RevisionId }))
    : await lambda.send(new CreateAliasCommand(target));
  print(global, result, `${current ? 'updated' : 'created'} ${describeAlias(result)}`);
}

export async function showFunction(name: string, _options: unknown, command: Command) {
  const global = command.optsWithGlobals<GlobalOptions>();
  const { lambda } = connect(global);
  const { Configuration: configuration, Concurrency: concurrency } = await lambda.send(
    new GetFunctionCommand({ FunctionName: name }),
  );
  const versions = [];
  for await (const page of paginateListVersionsByFunction({ client: lambda }, { FunctionName: name }))
    versions.push(...(page.Versions ?? []));
  const aliases = [];
  for await (const page of paginateListAliases({ client: lambda }, { FunctionName: name }))
    aliases.push(...(page.Aliases ?? []));
  const reserved = concurrency?.ReservedConcurrentExecutions;
  print(
    global,
    { configuration, reservedConcurrency: reserved, versions, aliases },
    [
      `${configuration?.FunctionName} (${configuration?.FunctionArn})`,
      ...(reserved === undefined ? [] : [`  reserved concurrency: ${reserved}`]),
      `versions (${versions.length})`,
      ...versions.map(
        (version) =>
          `  ${version.Version?.padEnd(8)} revision ${version.RevisionId}${version.Description ? `  ${version.Description}` : ''}`,
      ),
      `aliases (${aliases.length})`,
      ...aliases.map((alias) => `  ${describeAlias(alias)}`),
    ].join('\n'),
  );
}

type GlobalOptions = ConnectionOptions & { json?: boolean };

/** `live → 1 (90%), 2 (10%), revision …` */
function describeAlias(alias: AliasConfiguration): string {
  const additional = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const primaryShare = 1 - additional.reduce((sum, [, weight]) => sum + weight, 0);
  const routes = [[alias.FunctionVersion ?? '?', primaryShare] as const, ...additional].map(
    ([version, share]) => `${version} (${Number((share * 100).toFixed(2))}%)`,
  );
  return `${alias.Name} → ${routes.join(', ')}, revision ${alias.RevisionId}`;
}
