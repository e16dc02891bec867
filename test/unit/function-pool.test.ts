/**
 * A function's pool of execution environments within the runtime's budget: an environment that
 * cannot be started (the process refused: out of memory, too many processes) fails its own
 * invocation and gives its place back; the runtime goes on.
 */
import { describe, expect, it } from 'vitest';
import { EnvironmentBudget } from '../../lib/embedded/environment-budget';
import { FunctionPool } from '../../lib/embedded/function-pool';

describe('a function pool', () => {
  it('fails the invocation whose environment cannot start, and gives its place back', async () => {
    const budget = new EnvironmentBudget(1);
    const refused = () => {
      throw new Error('spawn refused: ENOMEM');
    };
    const pool = new FunctionPool(refused, { maxEnvironments: 2, idleMs: 1000 }, budget);
    await expect(pool.invoke({})).rejects.toThrow('spawn refused: ENOMEM');
    expect(budget.size).toBe(0);
    // The only place is free again: the next invocation is refused the same way, not left waiting.
    await expect(pool.invoke({})).rejects.toThrow('spawn refused: ENOMEM');
    expect(budget.size).toBe(0);
  });
});
