/**
 * cdk-nag, the v3 way: rule packs are CDK validation plugins that run at synth and report into the
 * cloud assembly's `validation-report.json` (and the CLI's output). Findings are acknowledged one
 * by one, next to the resource they concern, with `Validations.of(construct).acknowledge(...)`.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/** Checks the whole app against the AwsSolutions and Serverless packs; returns the packs' names. */
export function applyNagPacks(app: App): readonly string[] {
  const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs.map((pack) => pack.name);
}
