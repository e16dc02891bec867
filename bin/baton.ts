/** Entry of the `baton` command (bin/baton.js loads it with tsx). */
import { batonProgram } from '../lib/cli/program';

try {
  await batonProgram().parseAsync();
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  // Named errors (SDK exceptions, InvalidJsonArgument, UnknownWorkflow…) tell the user what to fix.
  console.error(`${failure.name}: ${failure.message}`);
  process.exitCode = 1;
}
