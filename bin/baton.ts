/** Entry of the `baton` command, compiled into dist/cli/baton.js (`bin/baton.js` runs that). */
import { describeFailure } from '../lib/cli/describe-failure';
import { batonProgram, batonVersion } from '../lib/cli/program';

try {
  const [first] = process.argv.slice(2);
  if (first === '--version' || first === '-V') console.log(batonVersion());
  else await batonProgram().parseAsync();
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  // Named errors (SDK exceptions, InvalidJsonArgument, UnknownWorkflow…) tell the user what to fix.
  console.error(describeFailure(failure));
  process.exitCode = 1;
}
