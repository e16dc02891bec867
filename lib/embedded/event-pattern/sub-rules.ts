/**
 * A pattern's structure — objects, arrays of values and `$or` — read into its sub-rules. `$or` stays here with the
 * objects it nests in, as each reads the other.
 */
import { isJsonArray, isJsonObject } from './json-values';
import { compileValue } from './match-expressions';
import { InvalidEventPatternError, invalid } from './pattern-error';
import { ABSENT, type EventPattern, type FieldTest, type SubRule, type ValueMatcher } from './pattern-forms';

/** A sub-rule under construction: later keys replace earlier ones with the same path, as in event-ruler. */
type Branch = Map<string, FieldTest>;

const OR_KEYWORD = '$or';

/** event-ruler refuses a single sub-rule with more fields than this. */
const MAXIMUM_RULE_SIZE = 256;

/**
 * Each `$or` multiplies the sub-rules of the branches around it, so a pattern within EventBridge's 4 096
 * characters can expand to more sub-rules than memory holds. EventBridge documents no bound on the expansion;
 * this matcher refuses one past this many sub-rules rather than exhaust the process.
 */
const MAXIMUM_SUB_RULES = 1024;

/** Keys event-ruler refuses inside `$or` branches, so that `"$or": [{"prefix": ...}]` stays a legacy field. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

export function assertPatternObject(pattern: unknown): asserts pattern is EventPattern {
  if (!isJsonObject(pattern)) {
    throw invalid('Filter is not an object');
  }
}

export function compileSubRules(pattern: EventPattern): SubRule[] {
  const branches = parseBranchesWithLegacyFallback(pattern);
  return branches.map(toSubRule);
}

/**
 * event-ruler first reads `$or` as the OR primitive; when that reading fails it re-reads the whole pattern with
 * `$or` as an ordinary field name, so that patterns written before `$or` existed keep working. If both readings
 * fail, the first (more helpful) reason is reported.
 */
function parseBranchesWithLegacyFallback(pattern: EventPattern): Branch[] {
  try {
    return parseBranches(pattern, true);
  } catch (error) {
    if (!(error instanceof InvalidEventPatternError)) {
      throw error;
    }
    try {
      return parseBranches(pattern, false);
    } catch {
      throw error;
    }
  }
}

function parseBranches(pattern: EventPattern, orIsPrimitive: boolean): Branch[] {
  const branches: Branch[] = [];
  parseObject(pattern, { orIsPrimitive, insideOr: false, path: undefined }, branches);
  return branches;
}

interface ParseScope {
  /** False for the legacy reading in which `$or` is a plain field name. */
  readonly orIsPrimitive: boolean;
  readonly insideOr: boolean;
  /** Dot-joined path of the object being read; undefined at the root. */
  readonly path: string | undefined;
}

function parseObject(object: Record<string, unknown>, scope: ParseScope, branches: Branch[]): void {
  const keys = Object.keys(object);
  if (keys.length === 0) {
    throw invalid('Empty objects are not allowed');
  }
  for (const key of keys) {
    const value = object[key];
    if (scope.orIsPrimitive && key === OR_KEYWORD) {
      parseOr(value, { ...scope, insideOr: true }, branches);
      continue;
    }
    if (scope.insideOr && RESERVED_IN_OR.has(key)) {
      throw invalid(`${key} is Ruler reserved fieldName which cannot be used inside ${OR_KEYWORD}.`);
    }
    const path = joinPath(scope.path, key);
    if (isJsonArray(value)) {
      setField(branches, path, compileFieldTest(value));
    } else if (isJsonObject(value)) {
      parseObject(value, { ...scope, path }, branches);
    } else {
      throw invalid(`"${key}" must be an object or an array`);
    }
  }
}

/**
 * Forks every branch built so far once per `$or` element, mirroring event-ruler's expansion so that key overriding
 * and nesting behave the same: `branches` is replaced in place by the cross product.
 */
function parseOr(value: unknown, scope: ParseScope, branches: Branch[]): void {
  if (!isJsonArray(value)) {
    throw invalid(`It must be an Array followed with ${OR_KEYWORD}.`);
  }
  const before = branches.map((branch) => new Map(branch));
  branches.length = 0;
  for (const element of value) {
    if (!isJsonObject(element)) {
      throw invalid(`Only JSON object is allowed in array of ${OR_KEYWORD} relationship.`);
    }
    const forked =
      before.length === 0 ? [new Map<string, FieldTest>()] : before.map((branch) => new Map(branch));
    parseObject(element, scope, forked);
    branches.push(...forked);
    // Checked as the product grows, so that no more than the bound is ever built.
    if (branches.length > MAXIMUM_SUB_RULES) {
      throw invalid(
        `The ${OR_KEYWORD} combinations expand to more than ${MAXIMUM_SUB_RULES} sub-rules, more than the local matcher evaluates`,
      );
    }
  }
  if (value.length < 2) {
    throw invalid(`There must have at least 2 Objects in ${OR_KEYWORD} relationship.`);
  }
}

function setField(branches: Branch[], path: string, test: FieldTest): void {
  if (branches.length === 0) {
    branches.push(new Map());
  }
  for (const branch of branches) {
    branch.set(path, test);
  }
}

function toSubRule(branch: Branch): SubRule {
  if (branch.size > MAXIMUM_RULE_SIZE) {
    throw invalid(`Size of rule exceeds max value of ${MAXIMUM_RULE_SIZE}`);
  }
  // event-ruler walks a rule's fields in sorted key order; exists:false is judged against the array elements
  // chosen for the fields before it, so the order is part of the semantics.
  return [...branch.entries()]
    .map(([path, test]) => ({ path, ...test }))
    .sort((left, right) => compareStrings(left.path, right.path));
}

function compileFieldTest(values: readonly unknown[]): FieldTest {
  const matchers: ValueMatcher[] = [];
  let matchesAbsence = false;
  for (const value of values) {
    const condition = compileValue(value);
    if (condition === ABSENT) {
      matchesAbsence = true;
    } else {
      matchers.push(condition);
    }
  }
  if (values.length === 0) {
    throw invalid('Empty arrays are not allowed');
  }
  return { matchers, matchesAbsence };
}

function joinPath(parent: string | undefined, key: string): string {
  return parent === undefined ? key : `${parent}.${key}`;
}

/** UTF-16 code-unit order, which is Java's `String.compareTo`. */
function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
