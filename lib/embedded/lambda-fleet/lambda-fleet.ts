/**
 * The simulated Lambda fleet of the embedded runtime: functions, their published versions,
 * aliases and reserved concurrency, held to Lambda's own rules so that rollout code meets here
 * the refusals it would meet in AWS. No code runs and none is stored (only its SHA-256 and
 * size). The model only: it refuses in its own terms (`fleet-refusals.ts`), `lambda-api.ts` puts
 * it on the wire, `fleet-file.ts` keeps it, `throttling.ts` throttles the calls to it.
 *
 * Deviations from Lambda, because there is no code to update: `publishVersion` always makes a
 * new version (Lambda returns the last one when `$LATEST` has not changed since).
 */
import { randomUUID } from 'node:crypto';
import {
  AliasAlreadyExists,
  AliasNotFound,
  FunctionAlreadyExists,
  FunctionNotFound,
  InvalidParameterValue,
  RevisionMismatch,
} from './fleet-refusals';
import type { AliasState, FleetSnapshot, FunctionState, VersionState } from './fleet-snapshot';
import { functionArn, parseFunctionReference, unqualifiedName } from './function-arns';

const LATEST = '$LATEST';

/** An account has 1000 concurrent executions, of which reservations must leave 100 unreserved. */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED_CONCURRENCY = 100;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_SECONDS = 3;
/** SHA-256 of no bytes: the code of a function created without any. */
const EMPTY_CODE_SHA256 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;
const VERSION_NUMBER = /^[0-9]+$/;

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
  readonly snapshot?: FleetSnapshot | undefined;
  /** Called after every change, with the whole fleet (to persist it). */
  readonly onChange?: (snapshot: FleetSnapshot) => void;
}

export class LambdaFleet {
  private readonly functions = new Map<string, FunctionState>();
  private readonly onChange: (snapshot: FleetSnapshot) => void;

  constructor(options: LambdaFleetOptions = {}) {
    for (const fn of options.snapshot?.functions ?? []) this.functions.set(fn.name, structuredClone(fn));
    this.onChange = options.onChange ?? (() => {});
  }

  snapshot(): FleetSnapshot {
    return { functions: structuredClone([...this.functions.values()]) };
  }

  createFunction(reference: string, settings: FunctionSettings = {}): FunctionVersion {
    const name = unqualifiedName(reference);
    if (this.functions.has(name)) throw new FunctionAlreadyExists(name);
    const memorySize = settings.memorySize ?? DEFAULT_MEMORY_MB;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)
      throw new InvalidParameterValue(
        `MemorySize ${memorySize} must be a whole number of MB from 128 to 10240`,
      );
    const timeout = settings.timeout ?? DEFAULT_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900)
      throw new InvalidParameterValue(`Timeout ${timeout} must be a whole number of seconds from 1 to 900`);
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
      throw new InvalidParameterValue(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    const fn = this.lookup(parsed.name, reference);
    const wanted = qualifier ?? parsed.qualifier ?? LATEST;
    const alias = fn.aliases.find((candidate) => candidate.name === wanted);
    const version = findVersion(fn, alias ? alias.functionVersion : wanted);
    if (!version) throw new FunctionNotFound(functionArn(fn.name, wanted));
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
      throw new RevisionMismatch('function');
    if (options.codeSha256 !== undefined && options.codeSha256 !== fn.latest.codeSha256) {
      throw new InvalidParameterValue(
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
      throw new InvalidParameterValue(
        `Alias name ${name} must be 1–128 of a-z, A-Z, 0-9, - and _, and not only digits`,
      );
    if (fn.aliases.some((alias) => alias.name === name))
      throw new AliasAlreadyExists(functionArn(fn.name, name));
    if (settings.functionVersion === undefined)
      throw new InvalidParameterValue('FunctionVersion is required');
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
      throw new RevisionMismatch('alias');
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
      throw new InvalidParameterValue(
        `ReservedConcurrentExecutions ${reserved} must be a whole number of 0 or more`,
      );
    const reservedElsewhere = [...this.functions.values()]
      .filter((other) => other !== fn)
      .reduce((sum, other) => sum + (other.reservedConcurrency ?? 0), 0);
    if (ACCOUNT_CONCURRENCY - reservedElsewhere - reserved < MIN_UNRESERVED_CONCURRENCY) {
      throw new InvalidParameterValue(
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
    if (!fn) throw new FunctionNotFound(reference.startsWith('arn:') ? reference : functionArn(name));
    return fn;
  }

  private changed(): void {
    this.onChange(this.snapshot());
  }
}

function findVersion(fn: FunctionState, version: string): VersionState | undefined {
  return version === LATEST ? fn.latest : fn.published.find((candidate) => candidate.version === version);
}

function findAlias(fn: FunctionState, name: string): AliasState {
  const alias = fn.aliases.find((candidate) => candidate.name === name);
  if (!alias) throw new AliasNotFound(functionArn(fn.name, name));
  return alias;
}

/**
 * Lambda's routing rules: an alias points at a version that exists and may send a share of its
 * traffic to one other, published version.
 */
function checkRouting(fn: FunctionState, alias: AliasState): void {
  if (!findVersion(fn, alias.functionVersion))
    throw new InvalidParameterValue(
      `FunctionVersion ${alias.functionVersion} does not exist for function ${fn.name}`,
    );
  const routes = Object.entries(alias.additionalVersionWeights);
  if (routes.length > 1) {
    throw new InvalidParameterValue(
      `An alias routes to at most two versions: AdditionalVersionWeights takes one version, not ${routes.length} (${routes.map(([version]) => version).join(', ')})`,
    );
  }
  for (const [version, weight] of routes) {
    if (!(weight >= 0 && weight <= 1))
      throw new InvalidParameterValue(
        `The weight of version ${version} is ${weight}; weights are from 0.0 to 1.0`,
      );
    if (version === LATEST || alias.functionVersion === LATEST)
      throw new InvalidParameterValue(
        '$LATEST is not supported for an alias pointing to more than 1 version',
      );
    if (!VERSION_NUMBER.test(version))
      throw new InvalidParameterValue(
        `AdditionalVersionWeights names ${version}, which is not a version number`,
      );
    if (version === alias.functionVersion) {
      throw new InvalidParameterValue(
        `Version ${version} is the alias's FunctionVersion already: AdditionalVersionWeights must name another version`,
      );
    }
    if (!findVersion(fn, version))
      throw new InvalidParameterValue(
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

/** Lambda's LastModified form: `2026-01-31T12:00:00.000+0000`. */
function lambdaTimestamp(): string {
  return new Date().toISOString().replace('Z', '+0000');
}
