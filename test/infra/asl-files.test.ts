import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { substitute } from '../../lib/topology/asl-definition';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { workflowRequirements } from '../../lib/topology/workflow-requirements';
import { workflowBindings, workflowSubstitutions } from '../../lib/topology/workflow-substitutions';
import { withFixtures } from './fixture-topology-props';

const FUNCTION_ARN_PREFIX = 'arn:aws:lambda:eu-west-1:123456789012:function';
const functionIds = withFixtures.functions.map((definition) => definition.id);

/** What CloudFormation would substitute in a `test` stage, with sample ARNs. */
const sampleSubstitutions = workflowSubstitutions({
  functionArns: new Map(functionIds.map((id) => [id, `${FUNCTION_ARN_PREFIX}:baton-test-${id}`])),
  eventBusName: 'baton-test',
  eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/baton-test',
  tableName: 'Baton-test-BatonLedger-1A2B3C4D5E6F',
  tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/Baton-test-BatonLedger-1A2B3C4D5E6F',
});

function aslErrors(definition: string): string {
  const { isValid, errorsText } = aslValidator(JSON.parse(definition));
  return isValid ? '' : errorsText('\n');
}

/** The product's `state-machines/*.asl.json` and the test fixtures'. */
const aslFiles = withFixtures.workflows.map((workflow) => ({
  ...workflow,
  path: relative(repositoryRoot, workflow.file),
  definition: readFileSync(workflow.file, 'utf8'),
}));

describe.each(aslFiles)('$path', ({ id, path, definition }) => {
  it('is valid ASL as written, substitution placeholders included', () => {
    expect(aslErrors(definition)).toBe('');
  });

  it('is valid ASL once every substitution is replaced by a sample ARN', () => {
    // `substitute` fails on a placeholder without a value, as CloudFormation does.
    expect(aslErrors(substitute(definition, sampleSubstitutions, path))).toBe('');
  });

  it('has a top-level timeout and only uses integrations Baton grants', () => {
    expect(() => workflowRequirements(id, definition, workflowBindings(functionIds))).not.toThrow();
  });
});
