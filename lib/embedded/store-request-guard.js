/**
 * DynamoDB's own limits, checked on the store's thread before a request reaches dynalite, which
 * does not check them and fails badly without them: a body of `null`, or a null inside a map or
 * list, throws inside dynalite; a tag without a key makes LevelDB throw and end the thread; an
 * attribute nested 5 000 deep overflows its stack; a 3.9 MB key condition keeps it busy for
 * seconds. Each is refused as DynamoDB refuses it, in dynalite's own shape.
 *
 * Plain JavaScript, as the worker that imports it (`ledger-store-worker.js`).
 */
import { exceedsJsonDepth } from './json-depth.js';

/** "DynamoDB supports nested attributes up to 32 levels deep" (DynamoDB quotas): maps and lists. */
export const MAX_ATTRIBUTE_DEPTH = 32;
/** "The maximum length of any expression string is 4 KB" (DynamoDB quotas), in bytes of UTF-8. */
export const MAX_EXPRESSION_BYTES = 4096;
/**
 * A request's own nesting around its attribute values (RequestItems, a table, a list, a put, an
 * item) is a handful of levels, and each attribute level is two (the value and its map or list):
 * nothing valid is nested deeper than this, so the text is refused before it is parsed.
 */
const MAX_REQUEST_JSON_DEPTH = 8 + 2 * (MAX_ATTRIBUTE_DEPTH + 1);
/** TagResource's tags (DynamoDB API reference, Tag): a Key of 1–128 characters, a Value of 0–256. */
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

const EXPRESSIONS = [
  'ConditionExpression',
  'KeyConditionExpression',
  'FilterExpression',
  'ProjectionExpression',
  'UpdateExpression',
];
const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/**
 * Why DynamoDB would refuse this request before acting on it, as `{__type, message}`, or
 * undefined when it is for dynalite to judge (including JSON dynalite cannot parse: it answers
 * that itself, as DynamoDB does).
 */
export function refusal(body) {
  if (body.length === 0) return undefined;
  if (exceedsJsonDepth(body, MAX_REQUEST_JSON_DEPTH)) return nestingRefusal();
  let request;
  try {
    request = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(request)) return serialization('Start of structure expected');
  // A null member of the request is an absent one, which dynalite handles; a null deeper is not.
  if (Object.values(request).some(holdsNull)) return serialization('Unexpected null value in a map or list');
  if (attributeDepth(request) > MAX_ATTRIBUTE_DEPTH) return nestingRefusal();
  for (const [name, expression] of expressionsOf(request)) {
    const size = Buffer.byteLength(expression);
    if (size > MAX_EXPRESSION_BYTES) {
      return validation(
        `Invalid ${name}: Expression size has exceeded the maximum allowed size; expression size: ${size}`,
      );
    }
  }
  const tagProblem = Array.isArray(request.Tags) ? request.Tags.map(problemOfTag).find(Boolean) : undefined;
  if (tagProblem) return validation(`1 validation error detected: ${tagProblem}`);
  return undefined;
}

function serialization(message) {
  return { __type: 'com.amazon.coral.service#SerializationException', message };
}

function validation(message) {
  return { __type: 'com.amazon.coral.validate#ValidationException', message };
}

function nestingRefusal() {
  return validation('Nesting Levels have exceeded supported limits');
}

/** The expressions of a request: its own, and those of each table of a BatchGetItem. */
function* expressionsOf(request) {
  const holders = [request];
  if (isObject(request.RequestItems)) holders.push(...Object.values(request.RequestItems).filter(isObject));
  for (const holder of holders)
    for (const name of EXPRESSIONS) if (typeof holder[name] === 'string') yield [name, holder[name]];
}

/**
 * The most maps and lists nested in any attribute value of the request. The text's own depth is
 * bounded before this runs, so the recursion is too.
 */
function attributeDepth(value) {
  if (Array.isArray(value)) return Math.max(0, ...value.map(attributeDepth));
  if (!isObject(value)) return 0;
  const keys = Object.keys(value);
  const [type] = keys;
  if (keys.length === 1 && ATTRIBUTE_TYPES.has(type)) {
    if (type === 'M' && isObject(value.M))
      return 1 + Math.max(0, ...Object.values(value.M).map(attributeDepth));
    if (type === 'L' && Array.isArray(value.L)) return 1 + Math.max(0, ...value.L.map(attributeDepth));
    return 0;
  }
  return Math.max(0, ...Object.values(value).map(attributeDepth));
}

function problemOfTag(tag, index) {
  const member = `'tags.${index + 1}.member`;
  if (!isObject(tag) || typeof tag.Key !== 'string' || tag.Key.length === 0)
    return `Value at ${member}.key' failed to satisfy constraint: Member must not be null`;
  if (tag.Key.length > MAX_TAG_KEY_LENGTH)
    return `Value at ${member}.key' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAG_KEY_LENGTH}`;
  if (typeof tag.Value !== 'string')
    return `Value at ${member}.value' failed to satisfy constraint: Member must not be null`;
  if (tag.Value.length > MAX_TAG_VALUE_LENGTH)
    return `Value at ${member}.value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAG_VALUE_LENGTH}`;
  return undefined;
}

function holdsNull(value) {
  if (value === null) return true;
  return typeof value === 'object' && Object.values(value).some(holdsNull);
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
