/**
 * Hostile JSON for the fuzz harness, kept as JSON text: a value nested 10 000 deep cannot be a
 * JavaScript object here (building or printing it would overflow the harness's own stack), so
 * every hostile value is text, spliced into an otherwise ordinary document where it belongs.
 */
import fc from 'fast-check';

/** A JSON text and a short name for reports (a 262 145-character string is not printed whole). */
export interface HostileValue {
  readonly label: string;
  readonly json: string;
}

const value = (label: string, json: string): HostileValue => ({ label, json });

/** Lengths around the limits that matter: names, descriptions, expressions, causes, payloads. */
const LONG_LENGTHS = [65, 81, 129, 141, 171, 257, 1_025, 2_049, 4_097, 32_769, 65_537, 262_145, 409_601];
/** Depths around DynamoDB's 32 levels, the local engine's limit and beyond what a stack survives. */
const DEPTHS = [8, 32, 33, 40, 100, 999, 1_000, 1_001, 2_000, 5_000, 10_000];

const numbers = fc
  .constantFrom(
    '0',
    '-0',
    '-1',
    '0.5',
    '1e308',
    '-1e308',
    '1e400',
    '5e-324',
    '1e-200',
    '9007199254740993',
    '123456789012345678901234567890',
    '99.9999999',
  )
  .map((text) => value(`number ${text}`, text));

const specialStrings = fc
  .constantFrom(
    '',
    ' ',
    'baton',
    'aws.states',
    '__proto__',
    'constructor',
    '$LATEST',
    '../../etc/passwd',
    '%s%n',
    // A definitionSubstitutions placeholder, as a value: it must stay text.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the point
    '${FunctionArn}',
    'arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:x',
    '\u0000',
    '\ud800',
    '😀🏳️‍🌈',
    'ｆｕｌｌｗｉｄｔｈ',
    'مرحبا',
    'a.b.c',
    '*',
    'NaN',
  )
  .map((text) => value(`string ${JSON.stringify(text)}`, JSON.stringify(text)));

const longStrings = fc
  .record({ length: fc.constantFrom(...LONG_LENGTHS), unit: fc.constantFrom('x', 'é', '😀', '"', '\\') })
  .map(({ length, unit }) =>
    value(`string ${JSON.stringify(unit)}×${length}`, JSON.stringify(unit.repeat(length).slice(0, length))),
  );

const literals = fc.constantFrom('true', 'false', 'null').map((text) => value(text, text));

const smallJson = fc
  .jsonValue({ maxDepth: 3, depthSize: 'small' })
  .map((json) => value(`json ${JSON.stringify(json).slice(0, 40)}`, JSON.stringify(json)));

/** `[[[…]]]`, `{"a":{"a":…}}` or DynamoDB's `{"M":{"a":{"M":…}}}`, `depth` levels deep. */
export function nestedJson(depth: number, shape: 'array' | 'object' | 'dynamodb-map'): string {
  switch (shape) {
    case 'array':
      return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    case 'object':
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'dynamodb-map':
      return `${'{"M":{"a":'.repeat(depth)}{"S":"x"}${'}}'.repeat(depth)}`;
  }
}

const deep = fc
  .record({
    depth: fc.constantFrom(...DEPTHS),
    shape: fc.constantFrom<'array' | 'object' | 'dynamodb-map'>('array', 'object', 'dynamodb-map'),
  })
  .map(({ depth, shape }) => value(`nested ${shape} ${depth} deep`, nestedJson(depth, shape)));

const wide = fc
  .record({ width: fc.constantFrom(100, 5_000, 20_000), shape: fc.constantFrom('array', 'object') })
  .map(({ width, shape }) =>
    value(
      `${shape} of ${width}`,
      shape === 'array'
        ? `[${Array.from({ length: width }, () => '0').join(',')}]`
        : `{${Array.from({ length: width }, (_, index) => `"k${index}":${index}`).join(',')}}`,
    ),
  );

/** Any hostile value: numeric extremes, odd and huge strings, wrong types, deep or wide documents. */
export const hostileValue: fc.Arbitrary<HostileValue> = fc.oneof(
  { arbitrary: numbers, weight: 3 },
  { arbitrary: specialStrings, weight: 3 },
  { arbitrary: longStrings, weight: 2 },
  { arbitrary: literals, weight: 2 },
  { arbitrary: smallJson, weight: 2 },
  { arbitrary: deep, weight: 2 },
  { arbitrary: wide, weight: 1 },
);

/** Text that is not JSON, or JSON that is not an object: bodies no service can read. */
export const malformedJsonText: fc.Arbitrary<HostileValue> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '{"a":',
      '[1,2',
      'nul',
      '{"a":1}}',
      "{'a':1}",
      '{"a":NaN}',
      '\u0000',
      '{"a":1,}',
      '\ufeff{}',
    )
    .map((text) => value(`malformed ${JSON.stringify(text)}`, text)),
  fc.constantFrom('null', '[]', '0', '"text"', 'true').map((text) => value(`JSON ${text}`, text)),
  fc.string({ maxLength: 64 }).map((text) => value(`text ${JSON.stringify(text).slice(0, 40)}`, text)),
);

/** One change to a seed document: a member replaced, deleted or added, or the whole of it replaced. */
export interface Mutation {
  readonly kind: 'replace' | 'delete' | 'add' | 'whole';
  /** Which member (or which object, to add to), taken modulo how many there are. */
  readonly at: number;
  /** The name of an added member. */
  readonly key: string;
  readonly value: HostileValue;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add', 'whole'),
  at: fc.nat(64),
  key: fc.constantFrom('extra', '__proto__', 'constructor', 'taskToken', 'x'.repeat(300)),
  value: hostileValue,
});

/**
 * Up to three mutations. A third of the time none: the seed itself, which must work and which
 * takes a workflow past its validation to the states behind it.
 */
export const mutations: fc.Arbitrary<Mutation[]> = fc.oneof(
  { arbitrary: fc.constant<Mutation[]>([]), weight: 1 },
  { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }), weight: 2 },
);

/** Now and then a hostile value, mostly none: for a member that would otherwise refuse most cases. */
export const rarelyHostile: fc.Arbitrary<HostileValue | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 9 },
  { arbitrary: hostileValue, weight: 1 },
);

/** A marker for a hostile value in a document: {@link spliceJson} replaces it with the value's text. */
export function hostileSlot(index: number): string {
  return `\u0001hostile:${index}\u0001`;
}

/** `document` as JSON text, each {@link hostileSlot} replaced by the text of its hostile value. */
export function spliceJson(document: unknown, values: readonly HostileValue[]): string {
  let text = JSON.stringify(document) ?? 'null';
  values.forEach((hostile, index) => {
    text = text.replace(JSON.stringify(hostileSlot(index)), () => hostile.json);
  });
  return text;
}

/**
 * The seed with the mutations applied, as JSON text. Hostile values are spliced in as text
 * through slots, so the seed itself is the only thing ever serialised.
 */
export function mutatedJson(seed: unknown, changes: readonly Mutation[]): string {
  const whole = changes.find((change) => change.kind === 'whole');
  if (whole) return whole.value.json;
  const document = structuredClone(seed);
  const spliced: HostileValue[] = [];
  const slotFor = (hostile: HostileValue) => {
    spliced.push(hostile);
    return hostileSlot(spliced.length - 1);
  };
  for (const change of changes) {
    if (change.kind === 'add') {
      const objects = containers(document).filter((container) => !Array.isArray(container));
      const target = objects[change.at % Math.max(1, objects.length)];
      // defineProperty, so that an added `__proto__` is a member like any other.
      if (target)
        Object.defineProperty(target, change.key, {
          value: slotFor(change.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      continue;
    }
    const slots = members(document);
    const slot = slots[change.at % Math.max(1, slots.length)];
    if (!slot) continue;
    if (change.kind === 'delete') {
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else delete slot.parent[slot.key];
    } else {
      (slot.parent as Record<string, unknown>)[slot.key] = slotFor(change.value);
    }
  }
  return spliceJson(document, spliced);
}

type Container = Record<string, unknown> | unknown[];

function containers(value: unknown): Container[] {
  if (typeof value !== 'object' || value === null) return [];
  const own = value as Container;
  return [own, ...Object.values(own).flatMap(containers)];
}

function members(value: unknown): { parent: Container; key: string }[] {
  return containers(value).flatMap((parent) => Object.keys(parent).map((key) => ({ parent, key })));
}
