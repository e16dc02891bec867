/**
 * The simulated Lambda fleet of the embedded runtime: functions, their published versions,
 * aliases and reserved concurrency, held to Lambda's own rules so that rollout code meets here
 * the refusals it would meet in AWS. No code runs and none is stored (only its SHA-256 and
 * size). State only: `lambda-api.ts` puts it on the wire.
 *
 * Deviations from Lambda, because there is no code to update: `publishVersion` always makes a
 * new version (Lambda returns the last one when `$LATEST` has not changed since).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { AwsError } from './aws-error';
import { LOCAL_ACCOUNT, LOCAL_REGION, localArn } from './local-aws';

const LATEST = '$LATEST';

/** The control-plane operations the fleet serves (and that `throttleNext` can aim at). */
export const LAMBDA_OPERATIONS = [
  'CreateFunction',
  'GetFunction',
  'PublishVersion',
  'ListVersionsByFunction',
  'CreateAlias',
  'GetAlias',
  'UpdateAlias',
  'ListAliases',
  'PutFunctionConcurrency',
  'Invoke',
] as const;
export type LambdaOperation = (typeof LAMBDA_OPERATIONS)[number];

/** An account has 1000 concurrent executions, of which reservations must leave 100 unreserved. */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED_CONCURRENCY = 100;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_SECONDS = 3;
/** SHA-256 of no bytes: the code of a function created without any. */
const EMPTY_CODE_SHA256 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;
const VERSION_NUMBER = /^[0-9]+$/;
/** What Lambda accepts as FunctionName: a name, a partial ARN or a full ARN, maybe qualified. */
const FUNCTION_REFERENCE =
  /^(?:arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(?<account>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9-_]+)(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$/;

const versionSchema = z.object({
  version: z.string(),
  description: z.string(),
  runtime: z.optional(z.string()),
  role: z.optional(z.string()),
  handler: z.optional(z.string()),
  memorySize: z.int(),
  timeout: z.int(),
  codeSha256: z.string(),
  codeSize: z.int(),
  lastModified: z.string(),
  revisionId: z.string(),
});
const aliasSchema = z.object({
  name: z.string(),
  functionVersion: z.string(),
  description: z.string(),
  /** At most one entry: the second version and the share of traffic it gets. */
  additionalVersionWeights: z.record(z.string(), z.number()),
  revisionId: z.string(),
});
const functionSchema = z.object({
  name: z.string(),
  latest: versionSchema,
  published: z.array(versionSchema),
  aliases: z.array(aliasSchema),
  reservedConcurrency: z.optional(z.int()),
});
/** The fleet as persisted in `lambda-fleet.json`. */
const fleetSnapshotSchema = z.object({ functions: z.array(functionSchema) });
export type FleetSnapshot = z.infer<typeof fleetSnapshotSchema>;

type VersionState = z.infer<typeof versionSchema>;
type AliasState = z.infer<typeof aliasSchema>;
type FunctionState = z.infer<typeof functionSchema>;

/** One version of a function (`$LATEST` or a published number), as GetFunction describes it. */
export interface FunctionVersion extends VersionState {
  readonly functionName: string;
  /** Reserved concurrency is the function's, whatever the version. */
  readonly reservedConcurrency: number | undefined;
}

export interface FunctionAlias extends AliasState {
  readonly functionName: string;
}

/** What CreateFunction settles; the rest takes Lambda's defaults. */
export interface FunctionSettings {
  readonly description?: string;
  readonly runtime?: string;
  readonly role?: string;
  readonly handler?: string;
  readonly memorySize?: number;
  readonly timeout?: number;
  readonly codeSha256?: string;
  readonly codeSize?: number;
}

/** An alias's target. On update, what is left out keeps its value; `{}` weights clear the routing. */
export interface AliasSettings {
  readonly functionVersion?: string;
  readonly description?: string;
  readonly additionalVersionWeights?: Readonly<Record<string, number>>;
}

export interface LambdaFleetOptions {
  readonly snapshot?: FleetSnapshot;
  /** Called after every change, with the whole fleet (to persist it). */
  readonly onChange?: (snapshot: FleetSnapshot) => void;
  /** Share of calls answered as throttled, 0–1. Default 0. */
  readonly throttleRate?: number;
}

export class LambdaFleet {
  private readonly functions = new Map<string, FunctionState>();
  private readonly onChange: (snapshot: FleetSnapshot) => void;
  private rate = 0;
  private throttled = 0;
  private readonly throttleOrders: { operation: LambdaOperation | undefined; remaining: number }[] = [];

  constructor(options: LambdaFleetOptions = {}) {
    for (const fn of options.snapshot?.functions ?? []) this.functions.set(fn.name, structuredClone(fn));
    this.onChange = options.onChange ?? (() => {});
    this.throttleRate = options.throttleRate ?? 0;
  }

  /** The share of calls answered `TooManyRequestsException` at random, 0–1. */
  get throttleRate(): number {
    return this.rate;
  }

  set throttleRate(rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('throttleRate must be a number from 0 to 1');
    this.rate = rate;
  }

  /** Throttles the next `count` calls (of `operation` only, if given), whatever the rate. */
  throttleNext(count: number, operation?: LambdaOperation): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError('count must be a whole number of at least 1');
    if (operation !== undefined && !LAMBDA_OPERATIONS.includes(operation))
      throw new RangeError(`unknown Lambda operation ${operation}`);
    this.throttleOrders.push({ operation, remaining: count });
  }

  /** Calls answered as throttled since start. */
  get throttledCalls(): number {
    return this.throttled;
  }

  /** Whether this call is throttled; a throttled call must then change nothing. */
  takeThrottle(operation: LambdaOperation): boolean {
    const order = this.throttleOrders.find(
      (candidate) => candidate.operation === undefined || candidate.operation === operation,
    );
    if (order) {
      order.remaining -= 1;
      if (order.remaining === 0) this.throttleOrders.splice(this.throttleOrders.indexOf(order), 1);
    }
    const throttled = order !== undefined || (this.rate > 0 && Math.random() < this.rate);
    if (throttled) this.throttled += 1;
    return throttled;
  }

  snapshot(): FleetSnapshot {
    return { functions: structuredClone([...this.functions.values()]) };
  }

  createFunction(reference: string, settings: FunctionSettings = {}): FunctionVersion {
    const name = unqualifiedName(reference);
    if (this.functions.has(name))
      throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
    const memorySize = settings.memorySize ?? DEFAULT_MEMORY_MB;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)
      throw invalidParameter(`MemorySize ${memorySize} must be a whole number of MB from 128 to 10240`);
    const timeout = settings.timeout ?? DEFAULT_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900)
      throw invalidParameter(`Timeout ${timeout} must be a whole number of seconds from 1 to 900`);
    const fn: FunctionState = {
      name,
      latest: {
        version: LATEST,
        description: settings.description ?? '',
        runtime: settings.runtime,
        role: settings.role,
        handler: settings.handler,
        memorySize,
        timeout,
        codeSha256: settings.codeSha256 ?? EMPTY_CODE_SHA256,
        codeSize: settings.codeSize ?? 0,
        lastModified: lambdaTimestamp(),
        revisionId: randomUUID(),
      },
      published: [],
      aliases: [],
    };
    this.functions.set(name, fn);
    this.changed();
    return versionView(fn, fn.latest);
  }

  /**
   * A version of a function: `$LATEST` unless a qualifier (a version number or an alias, in
   * the reference or given apart) names another; an alias gives the version it points at.
   */
  version(reference: string, qualifier?: string): FunctionVersion {
    const parsed = parseFunctionReference(reference);
    if (qualifier !== undefined && parsed.qualifier !== undefined && qualifier !== parsed.qualifier)
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    const fn = this.lookup(parsed.name, reference);
    const wanted = qualifier ?? parsed.qualifier ?? LATEST;
    const alias = fn.aliases.find((candidate) => candidate.name === wanted);
    const version = findVersion(fn, alias ? alias.functionVersion : wanted);
    if (!version) throw functionNotFound(functionArn(fn.name, wanted));
    return versionView(fn, version);
  }

  /** `$LATEST`, then the published versions in order. */
  versions(reference: string): FunctionVersion[] {
    const fn = this.lookup(unqualifiedName(reference), reference);
    return [fn.latest, ...fn.published].map((version) => versionView(fn, version));
  }

  /**
   * Publishes `$LATEST` as the next version number. `revisionId` and `codeSha256`, when given,
   * must be `$LATEST`'s (a compare-and-swap against a concurrent change).
   */
  publishVersion(
    reference: string,
    options: { description?: string; revisionId?: string; codeSha256?: string } = {},
  ): FunctionVersion {
    const fn = this.lookup(unqualifiedName(reference), reference);
    if (options.revisionId !== undefined && options.revisionId !== fn.latest.revisionId)
      throw revisionMismatch('GetFunction');
    if (options.codeSha256 !== undefined && options.codeSha256 !== fn.latest.codeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const published: VersionState = {
      ...fn.latest,
      version: String(fn.published.length + 1),
      description: options.description ?? fn.latest.description,
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
    };
    fn.published.push(published);
    this.changed();
    return versionView(fn, published);
  }

  createAlias(reference: string, name: string, settings: AliasSettings): FunctionAlias {
    const fn = this.lookup(unqualifiedName(reference), reference);
    if (!ALIAS_NAME.test(name))
      throw invalidParameter(
        `Alias name ${name} must be 1–128 of a-z, A-Z, 0-9, - and _, and not only digits`,
      );
    if (fn.aliases.some((alias) => alias.name === name))
      throw new AwsError(
        'ResourceConflictException',
        `Alias already exists: ${functionArn(fn.name, name)}`,
        409,
      );
    if (settings.functionVersion === undefined) throw invalidParameter('FunctionVersion is required');
    const alias: AliasState = {
      name,
      functionVersion: settings.functionVersion,
      description: settings.description ?? '',
      additionalVersionWeights: { ...settings.additionalVersionWeights },
      revisionId: randomUUID(),
    };
    checkRouting(fn, alias);
    fn.aliases.push(alias);
    this.changed();
    return aliasView(fn, alias);
  }

  alias(reference: string, name: string): FunctionAlias {
    const fn = this.lookup(unqualifiedName(reference), reference);
    return aliasView(fn, findAlias(fn, name));
  }

  /** The function's aliases, by name; only those routing to `functionVersion` if given. */
  aliases(reference: string, functionVersion?: string): FunctionAlias[] {
    const fn = this.lookup(unqualifiedName(reference), reference);
    return fn.aliases
      .filter(
        (alias) =>
          functionVersion === undefined ||
          alias.functionVersion === functionVersion ||
          Object.hasOwn(alias.additionalVersionWeights, functionVersion),
      )
      .map((alias) => aliasView(fn, alias))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Changes an alias; with `revisionId`, only if it is still the alias's current one. */
  updateAlias(
    reference: string,
    name: string,
    settings: AliasSettings & { revisionId?: string },
  ): FunctionAlias {
    const fn = this.lookup(unqualifiedName(reference), reference);
    const current = findAlias(fn, name);
    if (settings.revisionId !== undefined && settings.revisionId !== current.revisionId)
      throw revisionMismatch('GetAlias');
    const updated: AliasState = {
      name,
      functionVersion: settings.functionVersion ?? current.functionVersion,
      description: settings.description ?? current.description,
      additionalVersionWeights: {
        ...(settings.additionalVersionWeights ?? current.additionalVersionWeights),
      },
      revisionId: randomUUID(),
    };
    checkRouting(fn, updated);
    fn.aliases.splice(fn.aliases.indexOf(current), 1, updated);
    this.changed();
    return aliasView(fn, updated);
  }

  /** Reserves concurrency for a function, within what the account can spare. */
  putReservedConcurrency(reference: string, reserved: number): number {
    const fn = this.lookup(unqualifiedName(reference), reference);
    if (!Number.isInteger(reserved) || reserved < 0)
      throw invalidParameter(`ReservedConcurrentExecutions ${reserved} must be a whole number of 0 or more`);
    const reservedElsewhere = [...this.functions.values()]
      .filter((other) => other !== fn)
      .reduce((sum, other) => sum + (other.reservedConcurrency ?? 0), 0);
    if (ACCOUNT_CONCURRENCY - reservedElsewhere - reserved < MIN_UNRESERVED_CONCURRENCY) {
      throw invalidParameter(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
      );
    }
    fn.reservedConcurrency = reserved;
    fn.latest.revisionId = randomUUID();
    this.changed();
    return reserved;
  }

  private lookup(name: string, reference: string): FunctionState {
    const fn = this.functions.get(name);
    if (!fn) throw functionNotFound(reference.startsWith('arn:') ? reference : functionArn(name));
    return fn;
  }

  private changed(): void {
    this.onChange(this.snapshot());
  }
}

/**
 * A fleet persisted in `file` (read at start, rewritten after every change), or in memory
 * when `file` is undefined.
 */
export function openLambdaFleet(
  file: string | undefined,
  options: Omit<LambdaFleetOptions, 'snapshot' | 'onChange'> = {},
): LambdaFleet {
  if (!file) return new LambdaFleet(options);
  const snapshot = existsSync(file) ? readSnapshot(file) : undefined;
  mkdirSync(dirname(file), { recursive: true });
  return new LambdaFleet({
    ...options,
    snapshot,
    // Written whole and renamed into place: a crash mid-write leaves the previous fleet.
    onChange: (next) => {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    },
  });
}

/** Raised at start when `lambda-fleet.json` cannot be read back. */
export class UnreadableFleetFile extends Error {
  override readonly name = 'UnreadableFleetFile';
}

function readSnapshot(file: string): FleetSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UnreadableFleetFile(`${file} is not JSON (${String(error)}); delete it to start afresh`);
  }
  const result = fleetSnapshotSchema.safeParse(parsed);
  if (!result.success)
    throw new UnreadableFleetFile(
      `${file} is not a Lambda fleet (${result.error.message}); delete it to start afresh`,
    );
  return result.data;
}

export function functionArn(name: string, qualifier?: string): string {
  return localArn('lambda', `function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`);
}

/** Splits a FunctionName as Lambda reads it; an ARN of another account or region names no function here. */
export function parseFunctionReference(reference: string): { name: string; qualifier: string | undefined } {
  const groups = FUNCTION_REFERENCE.exec(reference)?.groups;
  const name = groups?.name;
  if (!groups || !name || !FUNCTION_NAME.test(name)) {
    throw invalidParameter(
      `FunctionName ${reference} must be a function name (1–64 of a-z, A-Z, 0-9, - and _) or its ARN`,
    );
  }
  if (
    (groups.region !== undefined && groups.region !== LOCAL_REGION) ||
    (groups.account !== undefined && groups.account !== LOCAL_ACCOUNT)
  )
    throw functionNotFound(reference);
  return { name, qualifier: groups.qualifier };
}

function unqualifiedName(reference: string): string {
  const { name, qualifier } = parseFunctionReference(reference);
  if (qualifier !== undefined)
    throw invalidParameter(`FunctionName ${reference} must not be qualified here: name the function alone`);
  return name;
}

function findVersion(fn: FunctionState, version: string): VersionState | undefined {
  return version === LATEST ? fn.latest : fn.published.find((candidate) => candidate.version === version);
}

function findAlias(fn: FunctionState, name: string): AliasState {
  const alias = fn.aliases.find((candidate) => candidate.name === name);
  if (!alias)
    throw new AwsError('ResourceNotFoundException', `Alias not found: ${functionArn(fn.name, name)}`, 404);
  return alias;
}

/**
 * Lambda's routing rules: an alias points at a version that exists and may send a share of its
 * traffic to one other, published version.
 */
function checkRouting(fn: FunctionState, alias: AliasState): void {
  if (!findVersion(fn, alias.functionVersion))
    throw invalidParameter(`FunctionVersion ${alias.functionVersion} does not exist for function ${fn.name}`);
  const routes = Object.entries(alias.additionalVersionWeights);
  if (routes.length > 1) {
    throw invalidParameter(
      `An alias routes to at most two versions: AdditionalVersionWeights takes one version, not ${routes.length} (${routes.map(([version]) => version).join(', ')})`,
    );
  }
  for (const [version, weight] of routes) {
    if (!(weight >= 0 && weight <= 1))
      throw invalidParameter(`The weight of version ${version} is ${weight}; weights are from 0.0 to 1.0`);
    if (version === LATEST || alias.functionVersion === LATEST)
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    if (!VERSION_NUMBER.test(version))
      throw invalidParameter(`AdditionalVersionWeights names ${version}, which is not a version number`);
    if (version === alias.functionVersion) {
      throw invalidParameter(
        `Version ${version} is the alias's FunctionVersion already: AdditionalVersionWeights must name another version`,
      );
    }
    if (!findVersion(fn, version))
      throw invalidParameter(
        `Version ${version} in AdditionalVersionWeights does not exist for function ${fn.name}`,
      );
  }
}

function versionView(fn: FunctionState, version: VersionState): FunctionVersion {
  return { ...structuredClone(version), functionName: fn.name, reservedConcurrency: fn.reservedConcurrency };
}

function aliasView(fn: FunctionState, alias: AliasState): FunctionAlias {
  return { ...structuredClone(alias), functionName: fn.name };
}

function functionNotFound(arn: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

function revisionMismatch(getter: string): AwsError {
  return new AwsError(
    'PreconditionFailedException',
    `The Revision Id provided does not match the latest Revision Id. Call the ${getter} API to retrieve the latest Revision Id`,
    412,
  );
}

/** Lambda's answer to a value it refuses (a bad weight, an unknown version…). */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message);
}

/** Lambda's LastModified form: `2026-01-31T12:00:00.000+0000`. */
function lambdaTimestamp(): string {
  return new Date().toISOString().replace('Z', '+0000');
}
