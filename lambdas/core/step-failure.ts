/** Why a workflow step failed, as a Catch hands it on (through its `ResultPath`). */
import * as z from 'zod/mini';

/**
 * Step Functions' error name and cause. Not bounded here: Step Functions bounds a cause (32 KB),
 * and refusing one would turn a rollback or a move's revert into a failure.
 */
export const stepFailure = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export type StepFailure = Readonly<z.output<typeof stepFailure>>;
