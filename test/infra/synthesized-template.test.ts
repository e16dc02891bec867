/**
 * The stack's template as `cdk synth` makes it, kept in `__snapshots__/`: a refactor must leave it
 * as it is, and a change meant to alter what is deployed shows up here for review
 * (`npx vitest run test/infra/synthesized-template.test.ts -u` records it). Asset hashes are left
 * out; they change with any edit to a function's source. Each state machine's definition is kept
 * parsed, so that a change to it reads as a change to its states, not to one long string.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { BatonStack } from '../../lib/baton-stack';

const ASSET_HASH = /[0-9a-f]{64}/g;

function withDefinitionsParsed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDefinitionsParsed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === 'DefinitionString' && typeof inner === 'string'
        ? [key, { parsed: JSON.parse(inner) }]
        : [key, withDefinitionsParsed(inner)],
    ),
  );
}

function synthesizedTemplate(): string {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new BatonStack(app, 'Baton-dev', {
    stage: 'dev',
    orchestrator: { rolloutTargets: ['checkout', 'payments-*'] },
  });
  const template = withDefinitionsParsed(Template.fromStack(stack).toJSON());
  return `${JSON.stringify(template, null, 2).replace(ASSET_HASH, '<asset-hash>')}\n`;
}

it('synthesizes the template recorded for this version', async () => {
  await expect(synthesizedTemplate()).toMatchFileSnapshot('__snapshots__/baton-stack.template.json');
});
