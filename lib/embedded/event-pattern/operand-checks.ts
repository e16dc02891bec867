/** Checks on a match expression's operand, each refusing with the reason event-ruler gives. */
import { isFiniteNumber, isJsonArray, isJsonObject } from './json-values';
import { invalid } from './pattern-error';

export function requireString(value: unknown, reason: string): string {
  if (typeof value !== 'string') {
    throw invalid(reason);
  }
  return value;
}

export function requireNumber(value: unknown, reason: string): number {
  if (!isFiniteNumber(value)) {
    throw invalid(reason);
  }
  return value;
}

export function requireNoMore(rest: readonly unknown[], reason: string): void {
  if (rest.length > 0) {
    throw invalid(reason);
  }
}

/** How event-ruler's JSON parser would print the token at this spot; undefined stands for the closing `]`. */
export function tokenText(value: unknown): string {
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
