/**
 * How soon the `baton` command answers: `baton --help` run as the compiled CLI (`bin/baton.js`,
 * what `npx baton` runs) beside a bare Node process, and `npx baton --help` beside `npx node -e 0`
 * (npm's own share: npx resolving a local command before it runs anything).
 */
import { medianOf, timeToExit } from './process-timing';
import { report } from './report';

const RUNS = 9;

report(
  'cli.baseline.node_start',
  await medianOf(RUNS, () => timeToExit(process.execPath, ['-e', '0'])),
  'ms',
);
report(
  'cli.help',
  await medianOf(RUNS, () => timeToExit(process.execPath, ['bin/baton.js', '--help'])),
  'ms',
);
report('cli.baseline.npx_node', await medianOf(RUNS, () => timeToExit('npx', ['node', '-e', '0'])), 'ms');
report('cli.npx_help', await medianOf(RUNS, () => timeToExit('npx', ['baton', '--help'])), 'ms');
