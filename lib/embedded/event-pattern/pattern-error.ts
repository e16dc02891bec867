/** How a pattern EventBridge would refuse is refused here, with event-ruler's wording. */

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

// Reasons reused in several places. The wording is event-ruler's, quirks included, so that messages read like the
// ones EventBridge returns.
export const ONLY_ONE_KEY = 'Only one key allowed in match expression';
export const TOO_MANY_NUMERIC_ELEMENTS = 'Too many elements in numeric expression';

export function invalid(reason: string): InvalidEventPatternError {
  return new InvalidEventPatternError(reason);
}
