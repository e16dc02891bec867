/**
 * The quick fuzz run of `npm test`: about a thousand generated requests, events and workflow
 * inputs against a fresh runtime in its own process, judged by the harness's oracle (answers in
 * AWS's shape within 2 s, no 5xx, executions ended with named errors, the runtime alive and the
 * ledger auditing clean). `npm run fuzz` runs the same harness for as long as asked.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from './fuzz-report';
import { runFuzz } from './run-fuzz';

const QUICK_RUN_CASES = 1_000;
/** Fixed, so that `npm test` replays the same cases; `BATON_FUZZ_SEED` explores others. */
const SEED = Number(process.env.BATON_FUZZ_SEED ?? 20_261_203);

describe('the front door, fuzzed', () => {
  it(`answers ${QUICK_RUN_CASES} hostile requests, events and workflow inputs as AWS would, and stays whole`, async () => {
    const report = await runFuzz({ cases: QUICK_RUN_CASES, seed: SEED });
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.cases).toBe(QUICK_RUN_CASES);
  }, 300_000);
});
