/**
 * One cap on execution environments across every function (each is a process): a pool takes a
 * place before it starts one and gives it back when it ends. At the cap, the environment idle
 * the longest, of any function, is ended to make room; with none idle, the next environment to
 * finish its invocation is ended instead of kept warm, unless its own function has work waiting.
 */

/** What the budget asks of a pool: how long its longest-idle environment has been idle, and to end it. */
export interface IdleEnvironments {
  /** When its longest-idle environment went idle (ms since the epoch), if it has one. */
  idleSince(): number | undefined;
  endLongestIdle(): void;
}

interface PlaceRequest {
  grant(): void;
  /** Whether its pool still has an invocation that needs the place (one may have been served warm meanwhile). */
  stillWanted(): boolean;
}

export class EnvironmentBudget {
  private used = 0;
  private readonly waiting: PlaceRequest[] = [];
  private readonly pools = new Set<IdleEnvironments>();

  constructor(readonly max: number) {}

  /** Environments alive or starting, across every function. */
  get size(): number {
    return this.used;
  }

  /** Whether a function waits for a place: a finished environment should end rather than idle. */
  get wanted(): boolean {
    return this.waiting.some((request) => request.stillWanted());
  }

  register(pool: IdleEnvironments): void {
    this.pools.add(pool);
  }

  /** A pool retired or closed: none of its environments is idle any more. */
  unregister(pool: IdleEnvironments): void {
    this.pools.delete(pool);
  }

  /** Resolves once a place is taken: at once below the cap, else when an environment ends. */
  take(stillWanted: () => boolean): Promise<void> {
    if (this.used < this.max) {
      this.used += 1;
      return Promise.resolve();
    }
    const place = Promise.withResolvers<void>();
    this.waiting.push({ grant: place.resolve, stillWanted });
    this.endLongestIdle();
    return place.promise;
  }

  /** An environment ended (or never started): its place goes to the first waiting, else is free. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.used -= 1;
  }

  private endLongestIdle(): void {
    let longest: IdleEnvironments | undefined;
    let since = Number.POSITIVE_INFINITY;
    for (const pool of this.pools) {
      const idleSince = pool.idleSince();
      if (idleSince !== undefined && idleSince < since) {
        longest = pool;
        since = idleSince;
      }
    }
    longest?.endLongestIdle();
  }
}
