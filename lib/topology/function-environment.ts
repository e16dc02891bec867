/**
 * The variables a function is given: those Baton offers that its environment schema declares,
 * in the cloud (the CDK construct) and in the embedded runtime alike.
 */
import { loadEnvironment } from '../../lambdas/config/environment';
import type { FunctionDefinition } from './functions';

/**
 * The variables Baton offers that a function's environment schema declares: a function gets only
 * what it reads, and a schema asking for something Baton does not offer is refused (the synth, or
 * the embedded runtime's start, fails).
 */
export function declaredEnvironment(
  definition: FunctionDefinition,
  offered: Record<string, string>,
): Record<string, string> {
  let declared: unknown;
  try {
    declared = loadEnvironment(definition.environment, offered);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`function ${definition.id} reads variables Baton does not offer (${reason})`, {
      cause: error,
    });
  }
  return Object.fromEntries(
    Object.entries(offered).filter(
      ([name]) => typeof declared === 'object' && declared !== null && name in declared,
    ),
  );
}
