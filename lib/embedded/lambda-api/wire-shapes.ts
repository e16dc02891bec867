/** Lambda's answers as its API model shapes them: a function's or an alias's configuration, a page of a list. */
import { functionArn } from '../lambda-fleet/function-arns';
import type { FunctionAlias, FunctionVersion } from '../lambda-fleet/lambda-fleet';
import { invalidParameter } from './wire-errors';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 10_000;

export function functionConfiguration(fn: FunctionVersion, arn: string): Record<string, unknown> {
  return {
    FunctionName: fn.functionName,
    FunctionArn: arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.codeSha256,
    Version: fn.version,
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

export function aliasConfiguration(alias: FunctionAlias): Record<string, unknown> {
  const weights = alias.additionalVersionWeights;
  return {
    AliasArn: functionArn(alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
    RevisionId: alias.revisionId,
  };
}

/** One page of a list; the marker names the last item returned, so a growing list pages right. */
export function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  key: string,
  idOf: (item: T) => string,
  render: (item: T) => unknown,
): Record<string, unknown> {
  const maxItemsText = query.get('MaxItems');
  const maxItems = maxItemsText === null ? DEFAULT_PAGE_SIZE : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_PAGE_SIZE)
    throw invalidParameter(`MaxItems ${maxItemsText} must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  let start = 0;
  const marker = query.get('Marker');
  if (marker !== null) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    const index = items.findIndex((item) => idOf(item) === after);
    if (index < 0) throw invalidParameter(`Marker ${marker} is not from this list`);
    start = index + 1;
  }
  const pageItems = items.slice(start, start + maxItems);
  const last = pageItems.at(-1);
  const more = start + maxItems < items.length && last !== undefined;
  return {
    [key]: pageItems.map(render),
    ...(more ? { NextMarker: Buffer.from(idOf(last)).toString('base64url') } : {}),
  };
}
