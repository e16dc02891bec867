/** What a handler loads on first use is loaded once, and a failed load is tried again (a warm Lambda environment must recover). */
import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../lambdas/cold-start/load-once';

describe('loadOnce', () => {
  it('loads once for every caller, at the same time or later', async () => {
    let loads = 0;
    const client = loadOnce(async () => ({ id: ++loads }));
    const [first, second] = await Promise.all([client(), client()]);
    expect(await client()).toBe(first);
    expect(second).toBe(first);
    expect(loads).toBe(1);
  });

  it('tries again after a load that failed, instead of answering its failure for ever', async () => {
    let loads = 0;
    const client = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('module not found');
      return 'client';
    });
    await expect(client()).rejects.toThrow('module not found');
    await expect(client()).resolves.toBe('client');
    expect(loads).toBe(2);
  });
});
