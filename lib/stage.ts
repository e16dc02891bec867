/**
 * A stage names one deployment of Baton (`dev`, `prod`, `pr-42`). Every physical name embeds it
 * (`baton-<stage>`, `baton-<stage>-<workflow>`), so it is checked before anything is named.
 */

const STAGE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Keeps `baton-<stage>-<id>` within Lambda's and EventBridge's 64-character name limits. */
export const MAX_STAGE_LENGTH = 20;

/** Thrown at synth for a stage that would make invalid or clashing resource names. */
export class InvalidStage extends Error {
  override readonly name = 'InvalidStage';
}

/** Returns `value` when it is a valid stage name, or throws {@link InvalidStage} saying why not. */
export function parseStage(value: unknown): string {
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value) || value.length > MAX_STAGE_LENGTH) {
    throw new InvalidStage(
      `stage ${JSON.stringify(value)} is invalid: use 1 to ${MAX_STAGE_LENGTH} lowercase letters, digits ` +
        `and single inner hyphens, e.g. "dev" or "pr-42" (cdk synth -c stage=dev)`,
    );
  }
  return value;
}
