/** The CDK app: `cdk synth -c stage=<stage>` (default `dev`) gives the stack `Baton-<stage>`. */
import { App } from 'aws-cdk-lib';
import { BatonStack } from '../lib/baton-stack';
import { applyNagPacks } from '../lib/nag';
import { parseStage } from '../lib/stage';

const app = new App();
const stage = parseStage(app.node.tryGetContext('stage') ?? 'dev');
new BatonStack(app, `Baton-${stage}`, { stage });
applyNagPacks(app);
