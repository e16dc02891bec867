/**
 * The CDK app: `cdk synth -c stage=<stage>` (default `dev`) gives the stack `Baton-<stage>`;
 * `-c rolloutTargets=checkout,payments-*` names the functions rollouts may touch (none by
 * default: least privilege until a stage says what it rolls out).
 */
import { App } from 'aws-cdk-lib';
import { BatonStack } from '../lib/baton-stack';
import { applyNagPacks } from '../lib/nag';
import { parseStage } from '../lib/stage';

const app = new App();
const stage = parseStage(app.node.tryGetContext('stage') ?? 'dev');
const rolloutTargets: string | undefined = app.node.tryGetContext('rolloutTargets');
new BatonStack(app, `Baton-${stage}`, {
  stage,
  orchestrator: rolloutTargets
    ? { rolloutTargets: rolloutTargets.split(',').map((name) => name.trim()) }
    : {},
});
applyNagPacks(app);
