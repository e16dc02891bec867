import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { BatonStack } from '../../lib/baton-stack';
import { applyNagPacks } from '../../lib/nag';
import { withFixtures } from './fixture-topology-props';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/** Synthesizes the app with the nag packs and lists what they report as `severity rule path`. */
function nagFindings(app: App): string[] {
  const packNames = applyNagPacks(app);
  const assembly = app.synth();
  const report: ValidationReport = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  );
  return report.pluginReports
    .filter((plugin) => packNames.includes(plugin.pluginName))
    .flatMap((plugin) => plugin.violations)
    .flatMap((violation) =>
      violation.violatingConstructs.map(
        (construct) => `${violation.severity} ${violation.ruleName} ${construct.constructPath}`,
      ),
    );
}

function testApp(): App {
  return new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      // Report instead of throwing, so that a failure lists every finding at once.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
    builtinCloudFormationValidation: false,
  });
}

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it.each([
    ['the product stack', undefined],
    ['the stack with the test workflows and routes', withFixtures],
  ])('has no unacknowledged error or warning in %s', (_, orchestrator) => {
    const app = testApp();
    const stack = new BatonStack(app, 'Baton-test', { stage: 'test', orchestrator });
    expect(nagFindings(app)).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('reports findings that nobody acknowledged (the packs do run)', () => {
    const app = testApp();
    new Queue(new Stack(app, 'Careless'), 'Queue');
    expect(nagFindings(app)).toEqual(
      expect.arrayContaining([
        'error AwsSolutions-SQS4 Careless/Queue/Resource',
        'error Serverless-SQSRedrivePolicy Careless/Queue/Resource',
      ]),
    );
  });
});
