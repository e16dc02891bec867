/**
 * The `definitionSubstitutions` every workflow is deployed with: one ARN per function plus Baton's
 * bus and ledger table. The names here are the only `${…}` an ASL file may use.
 */
import { functionArnSubstitution } from '../topology/functions';
import type { WorkflowBindings } from './workflow-requirements';

const EVENT_BUS_KEYS = ['EventBusName', 'EventBusArn'] as const;
const TABLE_KEYS = ['TableName', 'TableArn'] as const;

/** What the substitutions point at: deploy-time tokens in CDK, sample ARNs in tests. */
export interface WorkflowTargets {
  /** Function id → function ARN. */
  readonly functionArns: ReadonlyMap<string, string>;
  readonly eventBusName: string;
  readonly eventBusArn: string;
  readonly tableName: string;
  readonly tableArn: string;
}

export function workflowSubstitutions(targets: WorkflowTargets): Record<string, string> {
  return {
    ...Object.fromEntries([...targets.functionArns].map(([id, arn]) => [functionArnSubstitution(id), arn])),
    EventBusName: targets.eventBusName,
    EventBusArn: targets.eventBusArn,
    TableName: targets.tableName,
    TableArn: targets.tableArn,
  } satisfies Record<(typeof EVENT_BUS_KEYS)[number] | (typeof TABLE_KEYS)[number], string>;
}

/** Which substitution key names what, for checking a definition against these substitutions. */
export function workflowBindings(functionIds: Iterable<string>): WorkflowBindings {
  return {
    functionKeys: new Map([...functionIds].map((id) => [functionArnSubstitution(id), id])),
    eventBusKeys: EVENT_BUS_KEYS,
    tableKeys: TABLE_KEYS,
  };
}
