/** A console request answered with an error: its HTTP status and a name a user can act on. */
export class ConsoleRequestError extends Error {
  constructor(
    readonly status: number,
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}
