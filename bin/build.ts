/**
 * `npm run build` (and `prepare`, so `npm ci` runs it): compiles what Baton runs into `dist/` —
 * the `baton` command with the embedded runtime (`dist/cli/`), `baton/testing` (`dist/testing/`),
 * the product's functions (`dist/functions/`) and the console's page (`dist/console/`). `--watch`
 * (`npm run build:watch`) rebuilds each as its sources change. Targets named (`cli`, `testing`,
 * `functions`, `console`) are built alone.
 */
import { readFileSync } from 'node:fs';
import { runBuild, watchBuild } from '../lib/build/build-target';
import { cliTarget, testingTarget } from '../lib/build/compiled-targets';
import { consoleSizes, consoleTarget } from '../lib/build/console-build';
import { functionsTarget } from '../lib/embedded/function-bundles';
import { localSubstitutions } from '../lib/embedded/runtime';
import { parseAslDefinition, substitute } from '../lib/topology/asl-definition';
import { functions } from '../lib/topology/functions';
import { productWorkflowDirectory, workflowsIn } from '../lib/topology/workflows';

const targets = [cliTarget, testingTarget, functionsTarget, consoleTarget];
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const named = args.filter((arg) => arg !== '--watch');
const unknown = named.filter((name) => !targets.some((target) => target.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown build target ${unknown.join(', ')}: expected ${targets.map((t) => t.name).join(', ')}`,
  );
  process.exit(1);
}
const chosen = named.length > 0 ? targets.filter((target) => named.includes(target.name)) : targets;

if (watch) {
  for (const target of chosen) await watchBuild(target, (message) => console.log(message));
  console.log(`watching the sources of ${chosen.map((target) => target.name).join(', ')} (Ctrl-C to stop)`);
} else {
  for (const target of chosen) console.log(`${target.name} built in ${await runBuild(target)} ms`);
  if (chosen.includes(consoleTarget)) console.log(consoleSizes());
  if (named.length === 0) console.log(`workflows checked in ${checkProductWorkflows()} ms`);
}

/**
 * The product's workflows checked as the runtime loads them (substituted, then validated), so that
 * the first start finds them checked already: asl-validator takes ≈ 250 ms a file.
 */
function checkProductWorkflows(): number {
  const started = Date.now();
  const substitutions = localSubstitutions(functions.map((definition) => definition.id));
  for (const { file } of workflowsIn(productWorkflowDirectory))
    parseAslDefinition(substitute(readFileSync(file, 'utf8'), substitutions, file), file);
  return Date.now() - started;
}
