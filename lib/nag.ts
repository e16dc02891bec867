/**
 * cdk-nag, the v3 way: rule packs are CDK validation plugins that run at synth and report into the
 * cloud assembly's validation report. Findings are acknowledged one by one, next to the resource
 * they concern, with `Validations.of(construct).acknowledge({ id, reason })`.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/** The packs every Baton app is checked against. */
export const NAG_PACK_NAMES = ['AwsSolutions', 'Serverless'] as const;

export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
