/**
 * Named errors that cross the handler boundary. Lambda reports an error's name as its
 * `errorType`, which is what ASL `Retry`/`Catch` clauses match and what a user reads.
 */

/** The input cannot be acted on; the message says what to fix. Nothing was written. */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}

/**
 * A ledger item that does not have its entity's shape (a hand edit, a bug in a writer, an item of
 * an older layout): read at the adapter boundary, it is refused rather than trusted. The message
 * names the item's key, the entity it should be, and what is wrong with it.
 */
export class LedgerItemMalformed extends Error {
  override readonly name = 'LedgerItemMalformed';

  constructor(
    readonly key: string,
    readonly entity: string,
    readonly problems: readonly string[],
  ) {
    super(`ledger item ${key} is not a well-formed ${entity}: ${problems.join('; ')}`);
  }
}
