/**
 * Amazon EventBridge event patterns: validation and matching.
 *
 * The semantics follow aws/event-ruler, the engine behind EventBridge (`Ruler.matchesRule`, which compiles with
 * `JsonRuleCompiler` and matches with array consistency). Where the EventBridge user guide and event-ruler disagree,
 * event-ruler wins because it is what the service runs; the divergences are called out where they happen.
 *
 * A pattern is compiled once into "sub-rules" (the disjunctive normal form produced by `$or`), each a list of
 * field conditions keyed by the dot-joined path of the field. Matching flattens only the parts of the event the
 * pattern can look at, then searches for one event value per field such that all chosen values are
 * array-consistent (never taken from different elements of the same event array).
 *
 * Pure module: no I/O, no AWS SDK.
 */

/** An EventBridge event pattern: a JSON object whose leaves are arrays of values or match expressions. */
export type EventPattern = Record<string, unknown>;

/** Decides whether one event matches a compiled pattern. */
export type EventMatcher = (event: unknown) => boolean;

/**
 * Thrown for a pattern EventBridge would refuse. The name mirrors the EventBridge API's exception so callers
 * can treat a local rejection and a service rejection the same way.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  /** The reason on its own, without the "Event pattern is not valid" preamble. */
  readonly reason: string;

  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

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

// ---------------------------------------------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------------------------------------------

/** A JSON scalar as found at a leaf of an event. */
type Scalar = string | number | boolean | null;

/** Tests one event leaf value. */
type ValueMatcher = (value: Scalar) => boolean;

/** Marks `{"exists": false}`, which is satisfied by the absence of the field rather than by a value. */
const ABSENT = Symbol('exists:false');
type Condition = ValueMatcher | typeof ABSENT;

/** What one field of a sub-rule accepts: any of the value matchers, or absence when it carries exists:false. */
interface FieldTest {
  readonly matchers: readonly ValueMatcher[];
  readonly matchesAbsence: boolean;
}

interface FieldCondition extends FieldTest {
  /** Dot-joined path, as event-ruler flattens both patterns and events. */
  readonly path: string;
}

/** The fields of one `$or` branch, sorted by path. All must match. */
type SubRule = readonly FieldCondition[];

/** A sub-rule under construction: later keys replace earlier ones with the same path, as in event-ruler. */
type Branch = Map<string, FieldTest>;

const OR_KEYWORD = '$or';
const EQUALS_IGNORE_CASE = 'equals-ignore-case';

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

// Reasons reused in several places. The wording is event-ruler's, quirks included, so that messages read like the
// ones EventBridge returns.
const ONLY_ONE_KEY = 'Only one key allowed in match expression';
const TOO_MANY_NUMERIC_ELEMENTS = 'Too many elements in numeric expression';
const ANYTHING_BUT_OPERAND = 'Value of anything-but must be an array or single string/number value.';

function invalid(reason: string): InvalidEventPatternError {
  return new InvalidEventPatternError(reason);
}

// ---------------------------------------------------------------------------------------------------------------
// Pattern structure: objects, arrays of values, `$or`
// ---------------------------------------------------------------------------------------------------------------

function assertPatternObject(pattern: unknown): asserts pattern is EventPattern {
  if (!isJsonObject(pattern)) {
    throw invalid('Filter is not an object');
  }
}

function compileSubRules(pattern: EventPattern): SubRule[] {
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

function compileValue(value: unknown): Condition {
  if (isJsonObject(value)) {
    return compileMatchExpression(value);
  }
  if (typeof value === 'string') {
    // event-ruler turns a literal that parses as an IP address into a one-address range, so "::1" also matches
    // "0:0:0:0:0:0:0:1". Use {"exactly": ...} for a plain string comparison.
    const address = parseIpAddress(value);
    return address === undefined ? equalTo(value) : ipRangeMatcher({ low: address, high: address });
  }
  if (isFiniteNumber(value) || typeof value === 'boolean' || value === null) {
    // Numbers compare by value (300 matches 300.0 and 3e2), as event-ruler adds a numeric-equality matcher.
    return equalTo(value);
  }
  throw invalid('Match value must be String, number, true, false, or null');
}

// ---------------------------------------------------------------------------------------------------------------
// Match expressions: {"prefix": ...}, {"numeric": [...]}, {"anything-but": ...}, ...
// ---------------------------------------------------------------------------------------------------------------

interface Operator {
  readonly compile: (operand: unknown) => Condition;
  /** Reason reported when the expression object has more than one key. */
  readonly extraKeyReason: string;
}

const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  [
    'exactly',
    {
      compile: (operand) => equalTo(requireString(operand, 'exact match pattern must be a string')),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  ['prefix', { compile: (operand) => compileAffix(operand, 'prefix'), extraKeyReason: ONLY_ONE_KEY }],
  ['suffix', { compile: (operand) => compileAffix(operand, 'suffix'), extraKeyReason: ONLY_ONE_KEY }],
  ['numeric', { compile: compileNumeric, extraKeyReason: TOO_MANY_NUMERIC_ELEMENTS }],
  ['anything-but', { compile: compileAnythingBut, extraKeyReason: TOO_MANY_NUMERIC_ELEMENTS }],
  ['exists', { compile: compileExists, extraKeyReason: ONLY_ONE_KEY }],
  [
    'cidr',
    {
      // The "prefix" wording is event-ruler's own message for a non-string cidr operand.
      compile: (operand) =>
        ipRangeMatcher(parseCidr(requireString(operand, 'prefix match pattern must be a string'))),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  [
    EQUALS_IGNORE_CASE,
    {
      compile: (operand) =>
        stringMatcher(
          caseInsensitive(
            requireString(operand, 'equals-ignore-case match pattern must be a string'),
            'whole',
          ),
        ),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  [
    'wildcard',
    {
      compile: (operand) =>
        stringMatcher(compileWildcard(requireString(operand, 'wildcard match pattern must be a string'))),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
]);

function compileMatchExpression(expression: Record<string, unknown>): Condition {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid('Match expression name not found');
  }
  const operator = OPERATORS.get(name);
  if (operator === undefined) {
    throw invalid(`Unrecognized match type ${name}`);
  }
  const condition = operator.compile(expression[name]);
  if (otherKeys.length > 0) {
    throw invalid(operator.extraKeyReason);
  }
  return condition;
}

/** `{"prefix": "abc"}`, `{"prefix": {"equals-ignore-case": "abc"}}` and the suffix forms. */
function compileAffix(operand: unknown, kind: 'prefix' | 'suffix'): ValueMatcher {
  if (isJsonObject(operand)) {
    return stringMatcher(caseInsensitive(readNestedIgnoreCase(operand, kind), kind));
  }
  const affix = requireString(operand, `${kind} match pattern must be a string`);
  return kind === 'prefix'
    ? stringMatcher((value) => value.startsWith(affix))
    : stringMatcher((value) => value.endsWith(affix));
}

function readNestedIgnoreCase(expression: Record<string, unknown>, kind: 'prefix' | 'suffix'): string {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid(`${capitalize(kind)} expression name not found`);
  }
  if (name !== EQUALS_IGNORE_CASE) {
    throw invalid(`Unsupported ${kind} pattern: ${name}`);
  }
  const text = requireString(expression[name], 'equals-ignore-case match pattern must be a string');
  if (otherKeys.length > 0) {
    throw invalid(ONLY_ONE_KEY);
  }
  return text;
}

function compileExists(operand: unknown): Condition {
  if (operand === true) {
    // Any leaf value counts, null included; objects and empty arrays have no leaf at this path.
    return () => true;
  }
  if (operand === false) {
    return ABSENT;
  }
  throw invalid('exists match pattern must be either true or false.');
}

// ----- numeric ---------------------------------------------------------------------------------------------------

interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/**
 * `["=", n]`, `[">", n]`, `[">=", n]`, `["<", n]`, `["<=", n]`, or a lower bound followed by an upper bound, in
 * that order (`[">", 0, "<=", 5]`). Only JSON numbers match.
 */
function compileNumeric(operand: unknown): ValueMatcher {
  if (!isJsonArray(operand)) {
    throw invalid('Value of numeric must be an array.');
  }
  const [operator, value, ...rest] = operand;
  if (typeof operator !== 'string') {
    throw invalid(`Invalid member in numeric match: ${tokenText(operator)}`);
  }
  switch (operator) {
    case '=': {
      const exact = requireNumber(value, 'Value of equals must be numeric');
      requireNoMore(rest, TOO_MANY_NUMERIC_ELEMENTS);
      return numericMatcher({ value: exact, inclusive: true }, { value: exact, inclusive: true });
    }
    case '>':
    case '>=': {
      const lower = {
        value: requireNumber(value, `Value of ${operator} must be numeric`),
        inclusive: operator === '>=',
      };
      if (rest.length === 0) {
        return numericMatcher(lower, undefined);
      }
      const upper = readUpperBound(rest);
      if (!(lower.value < upper.value)) {
        throw invalid('Bottom must be less than top');
      }
      return numericMatcher(lower, upper);
    }
    case '<':
    case '<=': {
      const upper = {
        value: requireNumber(value, `Value of ${operator} must be numeric`),
        inclusive: operator === '<=',
      };
      requireNoMore(rest, TOO_MANY_NUMERIC_ELEMENTS);
      return numericMatcher(undefined, upper);
    }
    default:
      throw invalid(`Unrecognized numeric range operator: ${operator}`);
  }
}

function readUpperBound(terms: readonly unknown[]): Bound {
  const [operator, value, ...rest] = terms;
  if (typeof operator !== 'string') {
    throw invalid(`Bad value in numeric range: ${tokenText(operator)}`);
  }
  if (operator !== '<' && operator !== '<=') {
    throw invalid(`Bad numeric range operator: ${operator}`);
  }
  const bound = {
    value: requireNumber(value, `Value of ${operator} must be numeric`),
    inclusive: operator === '<=',
  };
  requireNoMore(rest, 'Too many terms in numeric range expression');
  return bound;
}

function numericMatcher(lower: Bound | undefined, upper: Bound | undefined): ValueMatcher {
  return (value) =>
    isFiniteNumber(value) &&
    (lower === undefined || value > lower.value || (lower.inclusive && value === lower.value)) &&
    (upper === undefined || value < upper.value || (upper.inclusive && value === upper.value));
}

// ----- anything-but ----------------------------------------------------------------------------------------------

/**
 * `{"anything-but": ...}` matches every present value except the excluded ones. A value of another type than the
 * excluded ones is not excluded (anything-but "x" matches 5, null and true; anything-but [1, 2] matches "1"),
 * because event-ruler only compares like with like. A missing field never matches.
 */
function compileAnythingBut(operand: unknown): ValueMatcher {
  if (isJsonObject(operand)) {
    return compileAnythingButModifier(operand);
  }
  if (isJsonArray(operand)) {
    return excludeValues(readAnythingButList(operand));
  }
  if (typeof operand === 'string' || isFiniteNumber(operand)) {
    return excludeValues([operand]);
  }
  throw invalid(ANYTHING_BUT_OPERAND);
}

function readAnythingButList(list: readonly unknown[]): (string | number)[] {
  const values: (string | number)[] = [];
  for (const item of list) {
    if (typeof item !== 'string' && !isFiniteNumber(item)) {
      throw invalid('Inside anything but list, start|null|boolean is not supported.');
    }
    values.push(item);
  }
  const hasStrings = values.some((value) => typeof value === 'string');
  const hasNumbers = values.some((value) => typeof value === 'number');
  if (hasStrings === hasNumbers) {
    throw invalid(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  return values;
}

function excludeValues(values: readonly (string | number)[]): ValueMatcher {
  // A Set compares numbers by value (0 and -0 alike) and never equates "1" with 1.
  const excluded = new Set<Scalar>(values);
  return (value) => !excluded.has(value);
}

/** How `{"anything-but": {"<modifier>": text | [texts]}}` tests one excluded text against a string value. */
interface ExclusionModifier {
  readonly compile: (text: string) => (value: string) => boolean;
  readonly nonStringReason: string;
  readonly rejectsEmpty: boolean;
}

const EXCLUSION_MODIFIERS: ReadonlyMap<string, ExclusionModifier> = new Map<string, ExclusionModifier>([
  [
    EQUALS_IGNORE_CASE,
    {
      compile: (text) => caseInsensitive(text, 'whole'),
      nonStringReason:
        'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
      rejectsEmpty: false,
    },
  ],
  [
    'prefix',
    {
      compile: (text) => (value) => value.startsWith(text),
      nonStringReason: 'prefix/suffix match pattern must be a string',
      rejectsEmpty: true,
    },
  ],
  [
    'suffix',
    {
      compile: (text) => (value) => value.endsWith(text),
      nonStringReason: 'prefix/suffix match pattern must be a string',
      rejectsEmpty: true,
    },
  ],
  [
    'wildcard',
    {
      compile: compileWildcard,
      nonStringReason: 'wildcard match pattern must be a string',
      rejectsEmpty: false,
    },
  ],
]);

function compileAnythingButModifier(expression: Record<string, unknown>): ValueMatcher {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid('Anything-But expression name not found');
  }
  const modifier = EXCLUSION_MODIFIERS.get(name);
  if (modifier === undefined) {
    throw invalid(`Unsupported anything-but pattern: ${name}`);
  }
  const tests = readExclusionTexts(expression[name], modifier).map(modifier.compile);
  if (otherKeys.length > 0) {
    throw invalid(TOO_MANY_NUMERIC_ELEMENTS);
  }
  // Only strings can start with, end with, equal or glob-match a string: other types are never excluded.
  return (value) => typeof value !== 'string' || !tests.some((excludes) => excludes(value));
}

function readExclusionTexts(operand: unknown, modifier: ExclusionModifier): string[] {
  let texts: string[];
  if (isJsonArray(operand)) {
    texts = operand.map((item) => requireString(item, modifier.nonStringReason));
    if (texts.length === 0) {
      // event-ruler has no defined behaviour for an empty exclusion list (it cannot build the matcher), so refuse it.
      throw invalid('Inside anything-but list, at least one value is required');
    }
  } else if (typeof operand === 'string') {
    texts = [operand];
  } else if (isFiniteNumber(operand)) {
    throw invalid(modifier.nonStringReason);
  } else {
    throw invalid(ANYTHING_BUT_OPERAND);
  }
  if (modifier.rejectsEmpty && texts.includes('')) {
    throw invalid('Null prefix/suffix not allowed');
  }
  return texts;
}

// ---------------------------------------------------------------------------------------------------------------
// String matchers
// ---------------------------------------------------------------------------------------------------------------

function equalTo(expected: Scalar): ValueMatcher {
  return (value) => value === expected;
}

/** Lifts a string test to a value matcher that is false for every non-string value. */
function stringMatcher(test: (value: string) => boolean): ValueMatcher {
  return (value) => typeof value === 'string' && test(value);
}

/**
 * Case-insensitive comparison as event-ruler does it: each UTF-16 unit of the pattern matches its lower-case or
 * its upper-case form (Locale.ROOT, which JavaScript's locale-free case mapping agrees with). This is not the same
 * as lower-casing both sides: "ß" matches "SS", and the Kelvin sign does not match "k".
 */
function caseInsensitive(text: string, anchoring: 'whole' | 'prefix' | 'suffix'): (value: string) => boolean {
  let source = '';
  for (let position = 0; position < text.length; position++) {
    const unit = text.charAt(position);
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  const start = anchoring === 'suffix' ? '' : '^';
  const end = anchoring === 'prefix' ? '' : '$';
  const expression = new RegExp(`${start}${source}${end}`);
  return (value) => expression.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A wildcard pattern split at its unescaped `*`s: the value must be the literals in order, with anything between. */
interface Wildcard {
  readonly literals: readonly string[];
}

function compileWildcard(text: string): (value: string) => boolean {
  const wildcard = parseWildcard(text);
  return (value) => matchesWildcard(wildcard, value);
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash. Any
 * other escape, and `**`, are refused. Error positions are UTF-8 byte offsets into the quoted string, as
 * event-ruler reports them.
 */
function parseWildcard(text: string): Wildcard {
  const literals: string[] = [];
  let literal = '';
  for (let position = 0; position < text.length; position++) {
    const character = text.charAt(position);
    if (character === '*') {
      if (text.charAt(position + 1) === '*') {
        throw invalid(`Consecutive wildcard characters at pos ${quotedBytePosition(text, position)}`);
      }
      literals.push(literal);
      literal = '';
    } else if (character === '\\') {
      const escaped = text.charAt(position + 1);
      if (escaped !== '*' && escaped !== '\\') {
        throw invalid(`Invalid escape character at pos ${quotedBytePosition(text, position)}`);
      }
      literal += escaped;
      position++;
    } else {
      literal += character;
    }
  }
  literals.push(literal);
  return { literals };
}

/**
 * Star-only globs need no backtracking: the first literal must be a prefix, the last a suffix, and each middle
 * literal can take its leftmost occurrence. Linear in the value, unlike a regular expression with many `.*`.
 */
function matchesWildcard({ literals }: Wildcard, value: string): boolean {
  const head = literals[0] ?? '';
  if (literals.length === 1) {
    return value === head;
  }
  const tail = literals[literals.length - 1] ?? '';
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail)) {
    return false;
  }
  const end = value.length - tail.length;
  let position = head.length;
  for (const literal of literals.slice(1, -1)) {
    const found = value.indexOf(literal, position);
    if (found === -1 || found + literal.length > end) {
      return false;
    }
    position = found + literal.length;
  }
  return true;
}

function quotedBytePosition(text: string, position: number): number {
  return 1 + utf8Length(text.slice(0, position));
}

function utf8Length(text: string): number {
  let length = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    length += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return length;
}

// ---------------------------------------------------------------------------------------------------------------
// IP addresses and CIDR blocks
// ---------------------------------------------------------------------------------------------------------------

/** Address bytes: 4 for IPv4, 16 for IPv6. */
type IpAddress = readonly number[];

interface IpRange {
  readonly low: IpAddress;
  readonly high: IpAddress;
}

// event-ruler only treats text of these shapes as addresses (so host names are never looked up).
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipRangeMatcher(range: IpRange): ValueMatcher {
  return stringMatcher((value) => {
    const address = parseIpAddress(value);
    return address !== undefined && isWithin(address, range);
  });
}

function isWithin(address: IpAddress, { low, high }: IpRange): boolean {
  // IPv4 and IPv6 never match each other.
  return address.length === low.length && compareBytes(address, low) >= 0 && compareBytes(address, high) <= 0;
}

function compareBytes(left: IpAddress, right: IpAddress): number {
  for (let position = 0; position < left.length; position++) {
    const difference = (left[position] ?? 0) - (right[position] ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}

function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The bytes of an IPv4 or IPv6 literal, or undefined when `text` is not one. */
function parseIpAddress(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) {
    return parseIpv4(text);
  }
  if (IPV6_SHAPE.test(text)) {
    return parseIpv6(text);
  }
  return undefined;
}

function parseIpv4(text: string): IpAddress | undefined {
  const address: number[] = [];
  for (const octet of text.split('.')) {
    // Octets with leading zeros are ambiguous (octal or decimal?) and current JDKs refuse them.
    if (octet.length > 3 || (octet.length > 1 && octet.startsWith('0'))) {
      return undefined;
    }
    const value = Number(octet);
    if (value > 255) {
      return undefined;
    }
    address.push(value);
  }
  return address;
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const [head = '', tail] = halves;
  const headGroups = splitGroups(head);
  const tailGroups = tail === undefined ? [] : splitGroups(tail);
  if (headGroups === undefined || tailGroups === undefined) {
    return undefined;
  }
  const explicitGroups = headGroups.length + tailGroups.length;
  const compressed = tail !== undefined;
  if (compressed ? explicitGroups > 7 : explicitGroups !== 8) {
    return undefined;
  }
  const groups = [...headGroups, ...new Array<number>(8 - explicitGroups).fill(0), ...tailGroups];
  const address = groups.flatMap((group) => [group >> 8, group & 0xff]);
  // Like java.net.InetAddress, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
  const isIpv4Mapped =
    address.slice(0, 10).every((byte) => byte === 0) && address[10] === 0xff && address[11] === 0xff;
  return isIpv4Mapped ? address.slice(12) : address;
}

function splitGroups(text: string): number[] | undefined {
  if (text === '') {
    return [];
  }
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!IPV6_GROUP.test(group)) {
      return undefined;
    }
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/**
 * `address/bits`. The address need not be the network address (host bits are ignored). Follows event-ruler's
 * checks, including its refusal of /32 for IPv4 and /128 for IPv6 (use the bare address instead).
 */
function parseCidr(text: string): IpRange {
  const parts = splitLikeJava(text, '/');
  const [addressText, maskText] = parts;
  if (parts.length !== 2 || addressText === undefined || maskText === undefined) {
    throw invalid("Malformed CIDR, one '/' required");
  }
  const maskBits = parseJavaInt(maskText);
  if (maskBits === undefined) {
    throw invalid('Malformed CIDR, mask bits must be an integer');
  }
  if (maskBits < 0) {
    throw invalid('Malformed CIDR, mask bits must not be negative');
  }
  if (!looksLikeIpAddress(addressText)) {
    throw invalid(`Nonstandard IP address: ${addressText}`);
  }
  const address = parseIpAddress(addressText);
  if (address === undefined) {
    throw invalid(`Invalid IP address: ${addressText}`);
  }
  if (address.length === 4 && maskBits > 31) {
    throw invalid('IPv4 mask bits must be < 32');
  }
  if (address.length === 16 && maskBits > 127) {
    throw invalid('IPv6 mask bits must be < 128');
  }
  return {
    low: address.map((byte, index) => byte & networkMask(index, maskBits)),
    high: address.map((byte, index) => byte | (~networkMask(index, maskBits) & 0xff)),
  };
}

/** The fixed (network) bits of byte `index` under a `/maskBits` prefix. */
function networkMask(index: number, maskBits: number): number {
  const fixedBits = Math.min(8, Math.max(0, maskBits - index * 8));
  return (0xff << (8 - fixedBits)) & 0xff;
}

/** `String.split` as Java does it: trailing empty strings are dropped. */
function splitLikeJava(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}

/** `Integer.parseInt` for ASCII input: optional sign, decimal digits, 32-bit range. */
function parseJavaInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value >= -(2 ** 31) && value <= 2 ** 31 - 1 ? value : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Event side: flattening and array-consistent search
// ---------------------------------------------------------------------------------------------------------------

/** Which array (numbered in document order) and which element of it a leaf sits in. */
type ArrayPosition = readonly [arrayId: number, index: number];

/** The positions of a leaf in every enclosing array, outermost first. */
type Membership = readonly ArrayPosition[];

interface Leaf {
  readonly value: Scalar;
  readonly membership: Membership;
}

/** Leaves of the event by dot-joined path. */
type EventIndex = ReadonlyMap<string, readonly Leaf[]>;

/**
 * The paths a compiled pattern looks at, as a trie of their dot-separated segments, walked from the pattern side
 * so that matching never builds path strings. Building it is linear in the length of the paths.
 */
interface PathNode {
  /** The field path when a condition looks at exactly this prefix. */
  field: string | undefined;
  /** The nodes one segment below. */
  readonly children: Map<string, PathNode>;
  /**
   * Whether a path goes two or more segments below: only then can an event key holding a dot lead somewhere,
   * because event-ruler joins keys with dots (`{"b": {"c": 1}}` and `{"b.c": 1}` reach the same path).
   */
  reachesDeeper: boolean;
}

const NO_LEAVES: readonly Leaf[] = [];
const NO_MEMBERSHIP: Membership = [];

function buildPathTrie(subRules: readonly SubRule[]): PathNode {
  const root: PathNode = { field: undefined, children: new Map(), reachesDeeper: false };
  for (const { path } of subRules.flat()) {
    const segments = path.split('.');
    let node = root;
    for (const [index, segment] of segments.entries()) {
      if (index < segments.length - 1) node.reachesDeeper = true;
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { field: undefined, children: new Map(), reachesDeeper: false };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.field = path;
  }
  return root;
}

/** The node an event key holding dots leads to from `node`, segment by segment, if the trie has it. */
function descendByDottedKey(node: PathNode, key: string): PathNode | undefined {
  let reached: PathNode | undefined = node;
  for (const segment of key.split('.')) {
    reached = reached.children.get(segment);
    if (reached === undefined) {
      return undefined;
    }
  }
  return reached;
}

/**
 * Flattens the event as event-ruler does: keys are joined with dots, arrays are crushed into their parent's path,
 * and every scalar, null included, is a leaf. Empty arrays and empty objects contribute nothing, so they count as
 * absent. Only the paths in the trie are visited.
 */
class EventIndexer {
  readonly leaves = new Map<string, Leaf[]>();
  private nextArrayId = 0;

  visitObject(object: Record<string, unknown>, node: PathNode, membership: Membership): void {
    for (const [segment, child] of node.children) {
      if (Object.hasOwn(object, segment)) {
        this.visit(object[segment], child, membership);
      }
    }
    if (!node.reachesDeeper) {
      return;
    }
    for (const key of Object.keys(object)) {
      const reached = key.includes('.') ? descendByDottedKey(node, key) : undefined;
      if (reached !== undefined) {
        this.visit(object[key], reached, membership);
      }
    }
  }

  private visit(value: unknown, node: PathNode, membership: Membership): void {
    if (isJsonArray(value)) {
      this.visitArray(value, node, membership);
    } else if (isJsonObject(value)) {
      this.visitObject(value, node, membership);
    } else if (node.field !== undefined && isScalar(value)) {
      this.addLeaf(node.field, { value, membership });
    }
  }

  private visitArray(array: readonly unknown[], node: PathNode, membership: Membership): void {
    const arrayId = this.nextArrayId++;
    for (let index = 0; index < array.length; index++) {
      const element = array[index];
      // Only structured elements record their position: two scalars of one array can never be two different
      // fields, so event-ruler does not track them.
      const isStructured = isJsonArray(element) || isJsonObject(element);
      this.visit(element, node, isStructured ? [...membership, [arrayId, index]] : membership);
    }
  }

  private addLeaf(path: string, leaf: Leaf): void {
    const list = this.leaves.get(path);
    if (list === undefined) {
      this.leaves.set(path, [leaf]);
    } else {
      list.push(leaf);
    }
  }
}

function indexEvent(event: Record<string, unknown>, paths: PathNode): EventIndex {
  const indexer = new EventIndexer();
  indexer.visitObject(event, paths, NO_MEMBERSHIP);
  return indexer.leaves;
}

/**
 * True when every field of the sub-rule is satisfied by leaves that are array-consistent with one another: a rule
 * never combines fields from different elements of the same event array. Fields are taken in sorted order and
 * exists:false holds when no leaf of the field is consistent with the elements chosen so far.
 */
function matchesSubRule(subRule: SubRule, index: EventIndex): boolean {
  const candidates: (readonly Leaf[])[] = [];
  for (const condition of subRule) {
    const matching = acceptedLeaves(condition, index.get(condition.path) ?? NO_LEAVES);
    if (matching.length === 0 && !condition.matchesAbsence) {
      return false;
    }
    candidates.push(matching);
  }
  return searchConsistent({ subRule, candidates, index }, 0, NO_MEMBERSHIP);
}

function acceptedLeaves(condition: FieldCondition, leaves: readonly Leaf[]): Leaf[] {
  const accepted: Leaf[] = [];
  for (const leaf of leaves) {
    for (const matcher of condition.matchers) {
      if (matcher(leaf.value)) {
        accepted.push(leaf);
        break;
      }
    }
  }
  return accepted;
}

interface Search {
  readonly subRule: SubRule;
  /** For each condition, the leaves whose value it accepts. */
  readonly candidates: readonly (readonly Leaf[])[];
  readonly index: EventIndex;
}

function searchConsistent(search: Search, position: number, membership: Membership): boolean {
  const condition = search.subRule[position];
  if (condition === undefined) {
    return true;
  }
  for (const leaf of search.candidates[position] ?? NO_LEAVES) {
    const merged = mergeMembership(membership, leaf.membership);
    if (merged !== undefined && searchConsistent(search, position + 1, merged)) {
      return true;
    }
  }
  return (
    condition.matchesAbsence &&
    isAbsent(search.index.get(condition.path) ?? NO_LEAVES, membership) &&
    searchConsistent(search, position + 1, membership)
  );
}

function isAbsent(leaves: readonly Leaf[], membership: Membership): boolean {
  return leaves.every((leaf) => mergeMembership(membership, leaf.membership) === undefined);
}

/** The union of two memberships, or undefined when they place the match in different elements of one array. */
function mergeMembership(soFar: Membership, field: Membership): Membership | undefined {
  if (field.length === 0) {
    return soFar;
  }
  if (soFar.length === 0) {
    return field;
  }
  let merged: ArrayPosition[] | undefined;
  for (const position of field) {
    const [arrayId, index] = position;
    const known = soFar.find(([knownArrayId]) => knownArrayId === arrayId);
    if (known === undefined) {
      merged ??= [...soFar];
      merged.push(position);
    } else if (known[1] !== index) {
      return undefined;
    }
  }
  return merged ?? soFar;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJsonArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function requireString(value: unknown, reason: string): string {
  if (typeof value !== 'string') {
    throw invalid(reason);
  }
  return value;
}

function requireNumber(value: unknown, reason: string): number {
  if (!isFiniteNumber(value)) {
    throw invalid(reason);
  }
  return value;
}

function requireNoMore(rest: readonly unknown[], reason: string): void {
  if (rest.length > 0) {
    throw invalid(reason);
  }
}

/** How event-ruler's JSON parser would print the token at this spot; undefined stands for the closing `]`. */
function tokenText(value: unknown): string {
  if (value === undefined) {
    return ']';
  }
  if (isJsonArray(value)) {
    return '[';
  }
  if (isJsonObject(value)) {
    return '{';
  }
  return String(value);
}

function joinPath(parent: string | undefined, key: string): string {
  return parent === undefined ? key : `${parent}.${key}`;
}

/** UTF-16 code-unit order, which is Java's `String.compareTo`. */
function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
