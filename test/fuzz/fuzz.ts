/**
 * `npm run fuzz -- --cases N --seed S [--time-scale X]`: a long fuzz run of the front door,
 * printing its figures and every failure with the seed and path that replay it. Exits 1 on any
 * failure.
 */
import { parseArgs } from 'node:util';
import { formatReport } from './fuzz-report';
import { runFuzz } from './run-fuzz';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    'time-scale': { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const cases = Number(values.cases);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed))
  throw new RangeError('--cases and --seed must be whole numbers');
console.log(`fuzz: seed ${seed}, ${cases} cases`);
const report = await runFuzz({
  cases,
  seed,
  shrink: !values['no-shrink'],
  ...(values['time-scale'] === undefined ? {} : { timeScale: Number(values['time-scale']) }),
  progress: (line) => console.log(`fuzz: ${line}`),
});
console.log(formatReport(report));
process.exitCode = report.failures.length > 0 ? 1 : 0;
