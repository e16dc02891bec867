/**
 * ASL as both runtimes read it: `${Key}` substitutions resolved (CDK's `definitionSubstitutions`),
 * validated with asl-validator, and walked state by state through Parallel branches and Map
 * processors (state names are unique in a whole state machine).
 */
import aslValidator from 'asl-validator';

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
  const { isValid, errorsText } = aslValidator(structuredClone(definition), {
    checkArn: true,
    checkPaths: true,
  });
  if (!isValid) throw new InvalidWorkflowDefinition(`${file}: invalid ASL: ${errorsText('; ')}`);
  if (definition.QueryLanguage === 'JSONata') {
    throw new InvalidWorkflowDefinition(
      `${file}: Baton workflows use JSONPath (the embedded engine runs no JSONata)`,
    );
  }
  return definition;
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
