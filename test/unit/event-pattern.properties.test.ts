/** Invariants of the EventBridge matcher, checked over generated patterns and events (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesEventPattern } from '../../lib/embedded/event-pattern/event-pattern';

const ascii = fc.string({ unit: fc.constantFrom(...'abcABC-_.:/ 019'), minLength: 0, maxLength: 8 });
const nonEmptyAscii = fc.string({ unit: fc.constantFrom(...'abcABC-_.:/ 019'), minLength: 1, maxLength: 8 });
const match = (pattern: Record<string, unknown>, detail: Record<string, unknown>) =>
  matchesEventPattern({ detail: pattern }, { source: 'test', detail });

describe('event pattern invariants', () => {
  it('prefix matches exactly the strings that start with it', () => {
    fc.assert(
      fc.property(nonEmptyAscii, ascii, (prefix, value) => {
        expect(match({ f: [{ prefix }] }, { f: value })).toBe(value.startsWith(prefix));
      }),
    );
  });

  it('suffix matches exactly the strings that end with it', () => {
    fc.assert(
      fc.property(nonEmptyAscii, ascii, (suffix, value) => {
        expect(match({ f: [{ suffix }] }, { f: value })).toBe(value.endsWith(suffix));
      }),
    );
  });

  it('anything-but a value is the complement of that value, for a present string', () => {
    fc.assert(
      fc.property(ascii, ascii, (excluded, value) => {
        expect(match({ f: [{ 'anything-but': excluded }] }, { f: value })).toBe(value !== excluded);
        expect(match({ f: [{ 'anything-but': excluded }] }, { f: value })).toBe(
          !match({ f: [excluded] }, { f: value }),
        );
      }),
    );
  });

  it('equals-ignore-case compares ASCII without case', () => {
    fc.assert(
      fc.property(ascii, ascii, (expected, value) => {
        expect(match({ f: [{ 'equals-ignore-case': expected }] }, { f: value })).toBe(
          value.toLowerCase() === expected.toLowerCase(),
        );
      }),
    );
  });

  it('a numeric range matches exactly the numbers inside it', () => {
    const integer = fc.integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(
      fc.property(integer, integer, integer, (a, b, value) => {
        fc.pre(a < b);
        expect(match({ f: [{ numeric: ['>=', a, '<', b] }] }, { f: value })).toBe(value >= a && value < b);
      }),
    );
  });

  it('a value matches an event array when any element equals it', () => {
    fc.assert(
      fc.property(ascii, fc.array(ascii, { maxLength: 5 }), (wanted, values) => {
        expect(match({ f: [wanted] }, { f: values })).toBe(values.includes(wanted));
      }),
    );
  });

  it('$or matches when either of its patterns does', () => {
    const leaf = fc.record({ field: fc.constantFrom('a', 'b', 'c'), value: fc.constantFrom('x', 'y') });
    const event = fc.record({
      a: fc.constantFrom('x', 'y'),
      b: fc.constantFrom('x', 'y'),
      c: fc.constantFrom('x', 'y'),
    });
    fc.assert(
      fc.property(leaf, leaf, event, (left, right, detail) => {
        const first = { [left.field]: [left.value] };
        const second = { [right.field]: [right.value] };
        fc.pre(JSON.stringify(first) !== JSON.stringify(second));
        expect(match({ $or: [first, second] }, detail)).toBe(match(first, detail) || match(second, detail));
      }),
    );
  });
});
