import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../lib/topology/functions';
import { InvalidWorkflowDefinition, workflowRequirements } from '../../lib/topology/workflow-requirements';
import { workflowBindings } from '../../lib/topology/workflow-substitutions';
import { fixtureFunction, fixtureWorkflows } from '../fixtures/fixture-topology';

const bindings = workflowBindings([...functions.map((definition) => definition.id), fixtureFunction.id]);

/** A one-task workflow around `task`, without a top-level timeout when `timeoutSeconds` is null. */
function workflowWith(task: Record<string, unknown>, timeoutSeconds: number | null = 60): string {
  return JSON.stringify({
    StartAt: 'Only',
    ...(timeoutSeconds === null ? {} : { TimeoutSeconds: timeoutSeconds }),
    States: { Only: { Type: 'Task', End: true, ...task } },
  });
}

/** `${key}`, as an ASL file spells a substitution. */
const substitution = (key: string) => `\${${key}}`;

const invokeFixture = {
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: substitution('FixtureFunctionArn') },
};

describe('workflowRequirements', () => {
  it('reads what the fixture workflow needs from its ASL', () => {
    const fixture = fixtureWorkflows.find((workflow) => workflow.id === 'fixture');
    if (!fixture) throw new Error('the fixture workflow is missing');
    expect(workflowRequirements('fixture', readFileSync(fixture.file, 'utf8'), bindings)).toEqual({
      timeoutSeconds: 600,
      invokedFunctionIds: new Set(['fixture']),
      publishesEvents: true,
      ledgerActions: new Set(['dynamodb:PutItem', 'dynamodb:GetItem']),
    });
  });

  it('finds tasks nested in Parallel branches and Map processors', () => {
    const definition = JSON.stringify({
      StartAt: 'Fan',
      TimeoutSeconds: 60,
      States: {
        Fan: {
          Type: 'Parallel',
          End: true,
          Branches: [
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  End: true,
                  ItemProcessor: {
                    StartAt: 'Read',
                    States: {
                      Read: {
                        Type: 'Task',
                        End: true,
                        Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
                        Parameters: { TableName: substitution('TableName') },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    expect(workflowRequirements('nested', definition, bindings).ledgerActions).toEqual(
      new Set(['dynamodb:Query']),
    );
  });

  it('refuses a workflow without a top-level TimeoutSeconds', () => {
    expect(() => workflowRequirements('endless', workflowWith(invokeFixture, null), bindings)).toThrow(
      /workflow endless has no top-level "TimeoutSeconds"/,
    );
  });

  it('refuses a substitution nobody provides', () => {
    const typo = { ...invokeFixture, Parameters: { FunctionName: substitution('FixtureFunctonArn') } };
    expect(() => workflowRequirements('typo', workflowWith(typo), bindings)).toThrow(
      /uses unknown substitutions \$\{FixtureFunctonArn\}/,
    );
  });

  it.each([
    [
      'a function Baton does not own',
      { ...invokeFixture, Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:other' } },
    ],
    [
      'another bus',
      {
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: { Entries: [{ EventBusName: 'default', Source: 'x', DetailType: 'y', Detail: {} }] },
      },
    ],
    [
      'another table',
      { Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'other', Key: {} } },
    ],
    [
      'a table chosen at run time',
      { Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { 'TableName.$': '$.t' } },
    ],
    [
      'an integration Baton does not grant',
      { Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: {} },
    ],
  ])('refuses a task that reaches %s', (_, task) => {
    expect(() => workflowRequirements('outside', workflowWith(task), bindings)).toThrow(
      InvalidWorkflowDefinition,
    );
  });
});
