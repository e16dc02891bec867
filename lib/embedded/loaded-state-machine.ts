/**
 * A workflow file loaded as the engine runs it: held to the rules `cdk synth` holds it to, its
 * substitutions made, its Task states bound to the runtime's local services, and handed to an
 * aws-local-stepfunctions `StateMachine`.
 */
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { parseAslDefinition, substitute } from '../topology/asl-definition';
import { batonName } from '../topology/resource-names';
import { type WorkflowBindings, workflowRequirements } from '../topology/workflow-requirements';
import type { WorkflowDefinition } from '../topology/workflows';
import { type EngineDefinition, toEngineDefinition } from './engine-definition';
import { LOCAL_STAGE, localArn, localRoleArn } from './local-aws';
import { bindTask, type LocalServices, type TaskBinding } from './task-bindings';

export interface LoadedStateMachine {
  readonly workflowId: string;
  readonly name: string;
  readonly arn: string;
  readonly definition: string;
  readonly createdAt: Date;
  readonly roleArn: string;
  readonly engine: StateMachine;
  readonly bindings: ReadonlyMap<string, TaskBinding>;
  readonly prepared: EngineDefinition;
}

/** What a workflow file is loaded with. */
export interface StateMachineSources {
  readonly substitutions: Readonly<Record<string, string>>;
  /** What the substitution keys name, to hold each file to the same rules as `cdk synth`. */
  readonly bindings: WorkflowBindings;
  readonly services: LocalServices;
}

export function loadStateMachine(
  workflow: WorkflowDefinition,
  sources: StateMachineSources,
): LoadedStateMachine {
  const source = readFileSync(workflow.file, 'utf8');
  workflowRequirements(workflow.id, source, sources.bindings);
  const text = substitute(source, sources.substitutions, workflow.file);
  const prepared = toEngineDefinition(parseAslDefinition(text, workflow.file));
  const bindings = new Map(
    [...prepared.sites.values()].map((site) => [site.name, bindTask(site, sources.services)] as const),
  );
  const name = batonName(LOCAL_STAGE, workflow.id);
  return {
    workflowId: workflow.id,
    name,
    arn: localArn('states', `stateMachine:${name}`),
    definition: text,
    createdAt: new Date(),
    roleArn: localRoleArn(name),
    // Validated above against the file as written; the rewritten copy holds local-only resources.
    engine: new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } }),
    bindings,
    prepared,
  };
}
