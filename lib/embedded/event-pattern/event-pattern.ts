/**
 * Amazon EventBridge event patterns: validation and matching.
 *
 * The semantics follow aws/event-ruler, the engine behind EventBridge (`Ruler.matchesRule`, which compiles with
 * `JsonRuleCompiler` and matches with array consistency). Where the EventBridge user guide and event-ruler disagree,
 * event-ruler wins because it is what the service runs; the divergences are called out where they happen.
 *
 * A pattern is compiled once into "sub-rules" (`pattern-forms.ts`; read by `sub-rules.ts`, each operator family in
 * a module of its own: `string-operators.ts`, `wildcard.ts`, `numeric-operator.ts`, `anything-but-operator.ts`,
 * `exists-operator.ts`, `ip-addresses.ts`). Matching flattens only the parts of the event the pattern can look at
 * (`event-index.ts`), then searches for one event value per field such that all chosen values are
 * array-consistent (`array-consistent-match.ts`).
 *
 * Pure module: no I/O, no AWS SDK.
 */
import { matchesSubRule } from './array-consistent-match';
import { buildPathTrie, indexEvent } from './event-index';
import { isJsonObject } from './json-values';
import { InvalidEventPatternError } from './pattern-error';
import type { EventMatcher, EventPattern } from './pattern-forms';
import { assertPatternObject, compileSubRules } from './sub-rules';

export { InvalidEventPatternError } from './pattern-error';
export type { EventMatcher, EventPattern } from './pattern-forms';

/**
 * Checks that `pattern` is a valid EventBridge event pattern.
 *
 * @returns the same object, typed as an {@link EventPattern}
 * @throws InvalidEventPatternError when EventBridge would reject the pattern
 */
export function validateEventPattern(pattern: unknown): EventPattern {
  assertPatternObject(pattern);
  compileSubRules(pattern);
  return pattern;
}

/**
 * Parses and validates a pattern given as JSON text (as `PutRule`'s `EventPattern` takes it).
 *
 * @throws InvalidEventPatternError when the text is not JSON or the pattern is not valid
 */
export function parseEventPattern(json: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new InvalidEventPatternError(error instanceof Error ? error.message : String(error));
  }
  return validateEventPattern(parsed);
}

/**
 * Validates and compiles a pattern once, for matching many events. Compiling does all the parsing (numbers,
 * CIDR blocks, wildcards, case-insensitive forms) so that matching only walks the event.
 *
 * The returned function is pure and safe to share. It returns false for anything that is not a JSON object,
 * since EventBridge events are always objects.
 *
 * @throws InvalidEventPatternError when the pattern is not valid
 */
export function compileEventPattern(pattern: EventPattern): EventMatcher {
  assertPatternObject(pattern);
  const subRules = compileSubRules(pattern);
  const paths = buildPathTrie(subRules);
  return (event) => {
    if (!isJsonObject(event)) {
      return false;
    }
    const index = indexEvent(event, paths);
    return subRules.some((subRule) => matchesSubRule(subRule, index));
  };
}

/**
 * One-off match of `event` against `pattern`. Compiles the pattern on every call: use
 * {@link compileEventPattern} when the same pattern is matched repeatedly.
 *
 * @throws InvalidEventPatternError when the pattern is not valid
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
