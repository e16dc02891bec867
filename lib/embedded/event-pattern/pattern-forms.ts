/**
 * An event pattern's two forms: as written (a JSON object) and compiled, into "sub-rules" (the disjunctive normal
 * form produced by `$or`), each a list of field conditions keyed by the dot-joined path of the field.
 */

/** An EventBridge event pattern: a JSON object whose leaves are arrays of values or match expressions. */
export type EventPattern = Record<string, unknown>;

/** Decides whether one event matches a compiled pattern. */
export type EventMatcher = (event: unknown) => boolean;

/** A JSON scalar as found at a leaf of an event. */
export type Scalar = string | number | boolean | null;

/** Tests one event leaf value. */
export type ValueMatcher = (value: Scalar) => boolean;

/** Marks `{"exists": false}`, which is satisfied by the absence of the field rather than by a value. */
export const ABSENT = Symbol('exists:false');
export type Condition = ValueMatcher | typeof ABSENT;

/** What one field of a sub-rule accepts: any of the value matchers, or absence when it carries exists:false. */
export interface FieldTest {
  readonly matchers: readonly ValueMatcher[];
  readonly matchesAbsence: boolean;
}

export interface FieldCondition extends FieldTest {
  /** Dot-joined path, as event-ruler flattens both patterns and events. */
  readonly path: string;
}

/** The fields of one `$or` branch, sorted by path. All must match. */
export type SubRule = readonly FieldCondition[];
