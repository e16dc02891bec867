/**
 * Throttling of the Lambda control plane, to rehearse it: a share of calls at random (the throttle
 * rate, `--lambda-throttle-rate`), or the next calls of one operation (`throttleNext`, for tests).
 * The API asks before a call touches the fleet, so a throttled call changes nothing.
 */

/** The control-plane operations the API serves (and that `throttleNext` can aim at). */
export const LAMBDA_OPERATIONS = [
  'CreateFunction',
  'GetFunction',
  'PublishVersion',
  'ListVersionsByFunction',
  'CreateAlias',
  'GetAlias',
  'UpdateAlias',
  'ListAliases',
  'PutFunctionConcurrency',
  'Invoke',
] as const;
export type LambdaOperation = (typeof LAMBDA_OPERATIONS)[number];

export class LambdaThrottle {
  private rate = 0;
  private throttled = 0;
  private readonly orders: { operation: LambdaOperation | undefined; remaining: number }[] = [];

  /** @param throttleRate the share of calls throttled at random, 0–1 */
  constructor(throttleRate = 0) {
    this.throttleRate = throttleRate;
  }

  /** The share of calls answered `TooManyRequestsException` at random, 0–1. */
  get throttleRate(): number {
    return this.rate;
  }

  set throttleRate(rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('throttleRate must be a number from 0 to 1');
    this.rate = rate;
  }

  /** Throttles the next `count` calls (of `operation` only, if given), whatever the rate. */
  throttleNext(count: number, operation?: LambdaOperation): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError('count must be a whole number of at least 1');
    if (operation !== undefined && !LAMBDA_OPERATIONS.includes(operation))
      throw new RangeError(`unknown Lambda operation ${operation}`);
    this.orders.push({ operation, remaining: count });
  }

  /** Calls answered as throttled since start. */
  get throttledCalls(): number {
    return this.throttled;
  }

  /** Whether this call is throttled; a throttled call must then change nothing. */
  takeThrottle(operation: LambdaOperation): boolean {
    const order = this.orders.find(
      (candidate) => candidate.operation === undefined || candidate.operation === operation,
    );
    if (order) {
      order.remaining -= 1;
      if (order.remaining === 0) this.orders.splice(this.orders.indexOf(order), 1);
    }
    const throttled = order !== undefined || (this.rate > 0 && Math.random() < this.rate);
    if (throttled) this.throttled += 1;
    return throttled;
  }
}
