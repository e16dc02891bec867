import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships no messages by default ("Invalid input"); a rejected request must say what to fix.
z.config(en());

/** An id chosen by the caller (request, pool, tenant, workload…): printable, no spaces, at most 128 chars. */
export const identifier = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:/@-]+$/));

/** A capacity dimension name such as `vcpu` or `memoryGiB`. */
export const dimensionName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/));

const finiteNumber = z.number().check(z.refine(Number.isFinite, 'must be a finite number'));

/** Amounts of capacity requested or demanded: every dimension strictly positive. */
export const positiveAmounts = z
  .record(dimensionName, finiteNumber.check(z.positive()))
  .check(z.refine((amounts) => Object.keys(amounts).length > 0, 'must name at least one dimension'));

/** Capacities and limits: every dimension zero or more (zero closes a dimension). */
export const nonNegativeAmounts = z
  .record(dimensionName, finiteNumber.check(z.nonnegative()))
  .check(z.refine((amounts) => Object.keys(amounts).length > 0, 'must name at least one dimension'));

/** Labels on pools and resources, and label selectors in requests. */
export const labels = z.record(
  z.string().check(z.minLength(1), z.maxLength(63)),
  z.string().check(z.maxLength(256)),
);

export const placementStrategy = z.enum(['binpack', 'spread']);

/** An RFC 3339 timestamp. */
export const timestamp = z.iso.datetime({ offset: true });

/** An opaque Step Functions task token carried in a request so that a waiting workflow can resume. */
export const taskToken = z.string().check(z.minLength(1), z.maxLength(2048));
