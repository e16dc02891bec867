/**
 * Every request schema bounds what it accepts (fast-check): requests by event and workflow inputs,
 * mutated with the values a fuzzer tries — numeric extremes, long strings, wide maps, deep nesting
 * — are either refused with errors that say which bound, or accepted within what the ledger can
 * store and a workflow and an event can carry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { events } from '../../lambdas/core/events/catalog';
import {
  MAX_AMOUNT,
  MAX_DIMENSIONS,
  nonNegativeAmounts,
  positiveAmounts,
} from '../../lambdas/core/events/primitives';
import { validate } from '../../lambdas/core/events/validation';
import { inventoryDeclaration } from '../../lambdas/core/inventory/inventory-declaration';

/** DynamoDB's numbers: 0, or a magnitude from 1e-130 to 1e126 (kept a little inside). */
const storable = (n: number) => n === 0 || (Math.abs(n) >= 1e-129 && Math.abs(n) <= 9.9e125);
/** What one accepted request may weigh: it is stored on an item (400 KB) and carried in events (256 KB). */
const MAX_ACCEPTED_BYTES = 128 * 1024;

const extremeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 2,
  1e-200,
  5e-324,
  -0,
  0,
  1e12,
  1e12 + 0.001,
  0.0001,
  0.001,
  99.9999999,
);
const longString = fc.constantFrom('x'.repeat(129), 'y'.repeat(5000), '', 'ok');
/** A mutation: a hostile value for one leaf, or extra keys on an object. */
const hostile = fc.oneof(
  extremeNumber,
  fc.double(),
  longString,
  fc.dictionary(fc.string({ maxLength: 3 }), extremeNumber, { maxKeys: 60 }),
  fc.array(extremeNumber, { maxLength: 300 }),
  fc.integer({ min: 1, max: 40 }).map(deepNesting),
);

function deepNesting(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { nested: value };
  return value;
}

/** Every path to a leaf of a JSON value, as keys. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [path];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : Object.entries(value);
  return [path, ...entries.flatMap(([key, item]) => leafPaths(item, [...path, key]))];
}

function replaced(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head as string] = replaced(copy[head as string], rest, replacement);
  return copy;
}

/** An input built from a valid example by replacing one to three of its parts with hostile values. */
function mutationsOf(example: unknown) {
  const paths = leafPaths(example);
  return fc
    .array(fc.tuple(fc.constantFrom(...paths), hostile), { minLength: 1, maxLength: 3 })
    .map((changes) =>
      changes.reduce((value, [path, replacement]) => replaced(value, path, replacement), example),
    );
}

function numbersIn(value: unknown): number[] {
  const found: number[] = [];
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'number') found.push(item);
    else if (typeof item === 'object' && item !== null) stack.push(...Object.values(item));
  }
  return found;
}

function expectWithinBounds(schema: z.ZodMiniType, input: unknown): void {
  const result = validate(schema, input, '(input)');
  if (!result.ok) {
    // Refused: every error says where, and what, within a bounded answer.
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.length).toBeLessThanOrEqual(21);
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(0);
    return;
  }
  for (const n of numbersIn(result.value)) expect(storable(n), `${n} cannot be stored`).toBe(true);
  expect(JSON.stringify(result.value).length).toBeLessThanOrEqual(MAX_ACCEPTED_BYTES);
}

const requests = Object.values(events).filter((definition) => definition.origin === 'request');
const workflowInputs = [
  {
    name: 'declare-inventory',
    schema: inventoryDeclaration,
    example: {
      pools: [events.ResourcePoolChanged.example, { ...events.ResourcePoolChanged.example, poolId: 'b' }],
      quotas: [events.TenantQuotaChanged.example],
    },
  },
];

describe('request schemas', () => {
  it.each(requests.map((definition) => [definition.detailType, definition] as const))(
    '%s: accepts only what can be stored and carried',
    (_, definition) => {
      fc.assert(
        fc.property(mutationsOf(definition.example), (detail) =>
          expectWithinBounds(definition.schema, detail),
        ),
        { numRuns: 300 },
      );
    },
  );

  it.each(workflowInputs.map((input) => [input.name, input] as const))(
    '%s input: accepts only what can be stored and carried',
    (_, { schema, example }) => {
      fc.assert(
        fc.property(mutationsOf(example), (input) => expectWithinBounds(schema, input)),
        { numRuns: 300 },
      );
    },
  );

  it.each([
    ['positive', positiveAmounts],
    ['non-negative', nonNegativeAmounts],
  ])(
    '%s amounts: accepted ones are whole thousandths up to %s, on at most the dimension limit',
    (_, schema) => {
      fc.assert(
        fc.property(
          fc.dictionary(
            fc.constantFrom('vcpu', 'memoryGiB', 'gpu', 'disk', 'x1', 'x2'),
            fc.oneof(extremeNumber, fc.double()),
            {
              minKeys: 1,
              maxKeys: 6,
            },
          ),
          (amounts) => {
            const result = validate(schema, amounts, '(amounts)');
            if (!result.ok) return;
            for (const value of Object.values(result.value)) {
              expect(value).toBeLessThanOrEqual(MAX_AMOUNT);
              expect(Math.round(value * 1000) / 1000).toBe(value);
            }
            expect(Object.keys(result.value).length).toBeLessThanOrEqual(MAX_DIMENSIONS);
          },
        ),
        { numRuns: 2000 },
      );
    },
  );

  it.each([
    ['1e308', 1e308, /<=1000000000000/],
    ['2^53 + 2', 2 ** 53 + 2, /<=1000000000000/],
    ['1e-200', 1e-200, /thousandths/],
    ['5e-324', 5e-324, /thousandths/],
  ])('refuses an amount of %s, naming the bound', (_, value, message) => {
    const result = validate(positiveAmounts, { vcpu: value }, '(amount)');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]).toMatchObject({ path: 'vcpu', message: expect.stringMatching(message) });
  });

  it(`refuses more than ${MAX_DIMENSIONS} dimensions`, () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_DIMENSIONS + 1 }, (_, i) => [`d${i}`, 1]));
    expect(validate(positiveAmounts, wide, '(amount)')).toMatchObject({
      ok: false,
      errors: [{ message: `must name at most ${MAX_DIMENSIONS} dimensions` }],
    });
  });

  it('answers a request that breaks a rule thousands of times with a bounded list of errors', () => {
    const pools = Array.from({ length: 400 }, (_, i) => ({
      poolId: `p${i}`,
      kind: 'k',
      capacity: { vcpu: -1 },
      state: 'x',
    }));
    const result = validate(inventoryDeclaration, { pools }, '(input)');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(21);
      expect(result.errors.at(-1)?.message).toMatch(/^and \d+ more errors$/);
    }
  });
});

describe('the audit at the bounds', () => {
  it('sums the largest amounts exactly: no drift from rounding, and a thousandth of drift is seen', () => {
    fc.assert(
      fc.property(
        // A tenant holds at most its limit (at most 1e12): 200 allocations of up to 5e9, in thousandths.
        fc.array(fc.integer({ min: 1, max: 5e12 }), { minLength: 1, maxLength: 200 }),
        (thousandths) => {
          const amounts = thousandths.map((count) => count / 1000);
          const allocations = amounts.map((vcpu, index) => ({
            allocationId: `a${index}`,
            requestId: `r${index}`,
            tenantId: 't',
            poolId: `p${index}`,
            kind: 'k',
            amount: { vcpu },
            status: 'ACTIVE' as const,
            createdAt: '2026-11-28T00:00:00Z',
          }));
          const pools = amounts.map((vcpu, index) => ({
            poolId: `p${index}`,
            capacity: { vcpu: 1e12 },
            state: 'active',
            used: { vcpu },
          }));
          // The store adds exactly: the tenant's usage is the exact decimal sum, as DynamoDB keeps it.
          const exact = thousandths.reduce((sum, count) => sum + BigInt(count), 0n);
          const used = Number(exact) / 1000;
          const snapshot = {
            pools,
            quotas: [{ tenantId: 't', limits: { vcpu: 1e12 }, used: { vcpu: used } }],
            allocations,
          };
          expect(auditLedger(snapshot)).toEqual([]);
          const drifted = {
            ...snapshot,
            quotas: [{ tenantId: 't', limits: { vcpu: 1e12 }, used: { vcpu: used + 0.001 } }],
          };
          expect(auditLedger(drifted).map((drift) => drift.holder)).toEqual(['tenant t']);
        },
      ),
    );
  });
});
