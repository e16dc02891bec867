import { InvalidArgumentError } from 'commander';

/** Parses an option that must be a whole number of at least 1 (commander reports the error). */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return parsed;
}

/** Parses a TCP port: 0 (pick a free one) to 65535. */
export function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return parsed;
}

/** Parses a strictly positive finite number (e.g. a time scale of 0.5 or 60). */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a number greater than 0');
  return parsed;
}

/** Parses a whole number of 0 or more (e.g. a delay in ms). */
export function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError('expected a whole number of 0 or more');
  return parsed;
}

/** Parses a share from 0 to 1 (e.g. a failure rate of 0.1). */
export function fraction(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError('expected a number from 0 to 1');
  return parsed;
}
