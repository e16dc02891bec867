/** Capacity arithmetic over dimension maps (`{ vcpu: 8, memoryGiB: 32 }`); an absent dimension is 0. */
import * as z from 'zod/mini';

/**
 * Amounts as the ledger stores them: a number per dimension. Not held to a request's bounds
 * (`positiveAmounts`): usage is a running sum, and a capacity or limit may be 0.
 */
export const storedAmounts = z.record(z.string(), z.number());
export type Amounts = Readonly<z.output<typeof storedAmounts>>;

export function amountOf(amounts: Amounts, dimension: string): number {
  return amounts[dimension] ?? 0;
}

/**
 * The dimensions of `requested` that do not fit in `limit` once `used` is taken. Written as
 * `used > limit - requested`, the very arithmetic of the ledger's write condition, so that a
 * choice and its reservation never disagree by a rounding error.
 */
export function dimensionsShort(requested: Amounts, used: Amounts, limit: Amounts): string[] {
  return Object.keys(requested).filter(
    (dimension) => amountOf(used, dimension) > amountOf(limit, dimension) - amountOf(requested, dimension),
  );
}

/**
 * The dimensions in which `used` exceeds `limit` — a dimension the limit does not name is 0, so
 * a pool or quota declared again without a dimension its allocations use is over in it.
 */
export function dimensionsOver(used: Amounts, limit: Amounts): string[] {
  return Object.keys(used).filter((dimension) => amountOf(used, dimension) > amountOf(limit, dimension));
}

/** Mean utilisation over the requested dimensions if `requested` were added to `used`. */
export function utilisationAfter(requested: Amounts, used: Amounts, capacity: Amounts): number {
  const dimensions = Object.keys(requested);
  const total = dimensions.reduce((sum, dimension) => {
    const cap = amountOf(capacity, dimension);
    return sum + (cap === 0 ? 1 : (amountOf(used, dimension) + amountOf(requested, dimension)) / cap);
  }, 0);
  return dimensions.length === 0 ? 0 : total / dimensions.length;
}

/**
 * Amounts are whole thousandths (the request schemas refuse finer ones), and the store adds them
 * exactly. Sums taken here in floating point drift by rounding instead — by more than a millionth
 * once amounts reach millions of millions — so totals are compared in whole thousandths: equal
 * when they round to the same count, any real difference (a thousandth or more) seen.
 */
export function inThousandths(amount: number): number {
  return Math.round(amount * 1000);
}

/** The sum of amounts in whole thousandths: exact for every total the ledger can hold (below 2^53). */
export function sumInThousandths(amounts: readonly number[]): number {
  return amounts.reduce((sum, amount) => sum + inThousandths(amount), 0);
}
