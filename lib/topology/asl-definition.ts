/**
 * ASL as both runtimes read it: `${Key}` substitutions resolved (CDK's `definitionSubstitutions`),
 * validated with asl-validator, and walked state by state through Parallel branches and Map
 * processors (state names are unique in a whole state machine).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type aslValidatorFunction from 'asl-validator';
import { repositoryRoot } from './repository-root';

/**
 * Definitions asl-validator found valid, one empty file each, named by a hash of the validator's
 * version, the options it was given and the definition's text: asl-validator compiles its JSON Schema afresh at every call
 * (a new Ajv, ≈ 250 ms each), which made it most of the runtime's start. A definition checked
 * once is not checked again until its text (or the validator, or its options) changes.
 */
const VALID_DEFINITIONS_DIRECTORY = join(repositoryRoot, 'node_modules', '.cache', 'baton', 'valid-asl');
const ASL_VALIDATOR_OPTIONS = { checkArn: true, checkPaths: true };
/** Loaded on first use: a start whose definitions were all checked before never loads it (nor Ajv). */
const require = createRequire(import.meta.url);

export type AslState = Record<string, unknown> & { Type: string };
export interface AslStates {
  StartAt: string;
  States: Record<string, AslState>;
}
export type AslDefinition = AslStates & { TimeoutSeconds?: number; Comment?: string; QueryLanguage?: string };

/**
 * Raised when a workflow file cannot be used: bad JSON, invalid ASL, an unknown substitution, a
 * missing timeout, an integration Baton does not grant — at synth and when the runtime loads it.
 */
export class InvalidWorkflowDefinition extends Error {
  override readonly name = 'InvalidWorkflowDefinition';
}

/** Replaces each `${Key}` with its value; an unknown key is an error, as in CloudFormation. */
export function substitute(
  text: string,
  substitutions: Readonly<Record<string, string>>,
  file: string,
): string {
  return text.replace(/\$\{([A-Za-z0-9_.:-]+)\}/g, (_, key: string) => {
    const value = substitutions[key];
    if (value === undefined) throw new InvalidWorkflowDefinition(`${file}: no substitution for \${${key}}`);
    return value;
  });
}

export function parseAslDefinition(text: string, file: string): AslDefinition {
  let definition: AslDefinition;
  try {
    definition = JSON.parse(text) as AslDefinition;
  } catch (error) {
    throw new InvalidWorkflowDefinition(`${file}: not JSON (${(error as Error).message})`);
  }
  checkAsl(definition, text, file);
  if (definition.QueryLanguage === 'JSONata') {
    throw new InvalidWorkflowDefinition(
      `${file}: Baton workflows use JSONPath (the embedded engine runs no JSONata)`,
    );
  }
  return definition;
}

function checkAsl(definition: AslDefinition, text: string, file: string): void {
  const validatorVersion = (require('asl-validator/package.json') as { version: string }).version;
  const key = createHash('sha256')
    .update(`${validatorVersion}\n${JSON.stringify(ASL_VALIDATOR_OPTIONS)}\n${text}`)
    .digest('hex');
  const marker = join(VALID_DEFINITIONS_DIRECTORY, key);
  if (existsSync(marker)) return;
  const aslValidator = require('asl-validator') as typeof aslValidatorFunction;
  const { isValid, errorsText } = aslValidator(structuredClone(definition), ASL_VALIDATOR_OPTIONS);
  if (!isValid) throw new InvalidWorkflowDefinition(`${file}: invalid ASL: ${errorsText('; ')}`);
  try {
    mkdirSync(VALID_DEFINITIONS_DIRECTORY, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // A read-only checkout still validates, at every load.
  }
}

/** Every state of a definition, nested ones included, with its name (tolerates malformed input). */
export function* allStates(machine: AslStates): Generator<[string, AslState]> {
  const states: unknown = machine?.States;
  if (typeof states !== 'object' || states === null) return;
  for (const [name, state] of Object.entries(states as Record<string, unknown>)) {
    if (typeof state !== 'object' || state === null || Array.isArray(state)) continue;
    yield [name, state as AslState];
    for (const nested of nestedMachines(state as AslState)) yield* allStates(nested);
  }
}

/** The state machines inside a Parallel (its branches) or a Map (its item processor). */
export function nestedMachines(state: AslState): AslStates[] {
  const candidates =
    state.Type === 'Parallel'
      ? Array.isArray(state.Branches)
        ? state.Branches
        : []
      : state.Type === 'Map'
        ? [state.ItemProcessor ?? state.Iterator]
        : [];
  return candidates.filter((nested): nested is AslStates => typeof nested === 'object' && nested !== null);
}
