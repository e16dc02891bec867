/**
 * The building blocks of every request schema, each bounded so that whatever they accept can be
 * stored (DynamoDB: numbers of 38 digits within 1e-130..1e126, items of 400 KB, expressions of
 * 4 KB), carried through a workflow (256 KB of state) and announced (256 KB per event) — and says
 * which bound a refused value broke.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships no messages by default ("Invalid input"); a rejected request must say what to fix.
z.config(en());

/** An id chosen by the caller (request, pool, tenant, workload…): printable, no spaces, at most 128 chars. */
export const identifier = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:/@-]+$/));

/** A capacity dimension name such as `vcpu` or `memoryGiB`. */
export const dimensionName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/));

/**
 * The largest amount of one dimension (a pool's capacity, a quota's limit, a request's amount):
 * a million million units is more than any fleet, and keeps every sum exact in thousandths.
 */
export const MAX_AMOUNT = 1e12;
/**
 * Amounts are counted in thousandths (a millicore of a vCPU): a finer amount would be below what
 * the ledger's audit can tell from rounding, and is refused rather than silently rounded.
 */
export const AMOUNT_STEP = 0.001;
/** Dimensions per amount: each adds to the ledger's write conditions (4 KB at most). */
export const MAX_DIMENSIONS = 16;
/** Labels on a pool, or in a selector. */
export const MAX_LABELS = 32;

/** Whether `value` is a whole number of thousandths. */
export function isWholeThousandths(value: number): boolean {
  // value × 1000 is within an ulp of a whole number k < 2^53 exactly when value is k thousandths.
  return Math.round(value * 1000) / 1000 === value;
}

function amount(minimum: 'positive' | 'non-negative') {
  return z
    .number()
    .check(
      minimum === 'positive' ? z.gt(0) : z.gte(0),
      z.lte(MAX_AMOUNT),
      z.refine(isWholeThousandths, `must be a whole number of thousandths (${AMOUNT_STEP})`),
    );
}

function amounts(minimum: 'positive' | 'non-negative', description: string) {
  return z.record(dimensionName, amount(minimum)).check(
    z.refine((map) => Object.keys(map).length > 0, 'must name at least one dimension'),
    z.refine(
      (map) => Object.keys(map).length <= MAX_DIMENSIONS,
      `must name at most ${MAX_DIMENSIONS} dimensions`,
    ),
    z.meta({ description, minProperties: 1, maxProperties: MAX_DIMENSIONS }),
  );
}

/** Amounts of capacity requested or demanded: every dimension strictly positive. */
export const positiveAmounts = amounts(
  'positive',
  `Amount per dimension (1 to ${MAX_DIMENSIONS} dimensions): above 0, at most ${MAX_AMOUNT}, in thousandths.`,
);

/** Capacities and limits: every dimension zero or more (zero closes a dimension). */
export const nonNegativeAmounts = amounts(
  'non-negative',
  `Amount per dimension (1 to ${MAX_DIMENSIONS} dimensions): 0 (closed) to ${MAX_AMOUNT}, in thousandths.`,
);

/** Labels on pools and resources, and label selectors in requests. */
export const labels = z
  .record(z.string().check(z.minLength(1), z.maxLength(63)), z.string().check(z.maxLength(256)))
  .check(
    z.refine((map) => Object.keys(map).length <= MAX_LABELS, `must have at most ${MAX_LABELS} labels`),
    z.meta({
      description: `At most ${MAX_LABELS} labels: keys of 1 to 63 characters, values of at most 256.`,
      maxProperties: MAX_LABELS,
    }),
  );

/** A lease of at most ten years: its end must be a date every store and clock can hold. */
export const MAX_LEASE_SECONDS = 315_360_000;

export const leaseSeconds = z
  .int()
  .check(
    z.positive(),
    z.maximum(MAX_LEASE_SECONDS),
    z.describe(`Seconds, from 1 to ${MAX_LEASE_SECONDS} (ten years).`),
  );

export const placementStrategy = z.enum(['binpack', 'spread']);

/** A pool takes allocations while active; a draining one keeps what it holds; a disabled one is out of use. */
export const poolState = z.enum(['active', 'draining', 'disabled']);

/** An RFC 3339 timestamp. */
export const timestamp = z.iso.datetime({ offset: true });

/** An opaque Step Functions task token carried in a request so that a waiting workflow can resume. */
export const taskToken = z.string().check(z.minLength(1), z.maxLength(2048));

/** A free-form document (a provisioner's attributes): kept on a ledger item and carried by facts. */
const MAX_DOCUMENT_BYTES = 8192;
const MAX_DOCUMENT_DEPTH = 8;
const MAX_DOCUMENT_KEYS = 32;
/** DynamoDB stores numbers of magnitude 1e-130 to 1e126 (or 0). */
const STORABLE_NUMBER = { smallest: 1e-129, largest: 9.9e125 };

/** Attributes a provisioner reports: a JSON object that the ledger can store and a fact can carry. */
export const attributes = z.record(z.string().check(z.maxLength(128)), z.unknown()).check(
  z.superRefine((value, context) => {
    const problem = documentProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem, input: value });
  }),
  z.meta({
    description: `At most ${MAX_DOCUMENT_KEYS} attributes, ${MAX_DOCUMENT_BYTES} bytes of JSON, nested at most ${MAX_DOCUMENT_DEPTH} deep; numbers within DynamoDB's range.`,
    maxProperties: MAX_DOCUMENT_KEYS,
  }),
);

/** What makes a document unstorable, checked without recursion (a hostile one may nest deeply). */
function documentProblem(document: Record<string, unknown>): string | undefined {
  if (Object.keys(document).length > MAX_DOCUMENT_KEYS) return `must have at most ${MAX_DOCUMENT_KEYS} keys`;
  const stack: { value: unknown; depth: number }[] = [{ value: document, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'number' && !isStorableNumber(value)) {
      return `holds the number ${value}, which cannot be stored (0, or a magnitude from ${STORABLE_NUMBER.smallest} to ${STORABLE_NUMBER.largest})`;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DOCUMENT_DEPTH) return `must be nested at most ${MAX_DOCUMENT_DEPTH} deep`;
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  const bytes = new TextEncoder().encode(JSON.stringify(document)).length;
  return bytes > MAX_DOCUMENT_BYTES ? `must be at most ${MAX_DOCUMENT_BYTES} bytes of JSON` : undefined;
}

function isStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= STORABLE_NUMBER.smallest && magnitude <= STORABLE_NUMBER.largest);
}
