/**
 * Baton's workflows: each is one ASL file in `state-machines/`, deployed as the state machine
 * `baton-<stage>-<id>` and run as-is by the embedded runtime.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repositoryRoot } from './repository-root';

export interface WorkflowDefinition {
  /** The workflow id, e.g. `allocate-resources`; the file is `<id>.asl.json`. */
  readonly id: string;
  /** Absolute path of the ASL file. */
  readonly file: string;
}

export const WORKFLOW_FILE_SUFFIX = '.asl.json';

/** Every `*.asl.json` in a directory is a workflow; adding a file adds a workflow. */
export function workflowsIn(directory: string): WorkflowDefinition[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith(WORKFLOW_FILE_SUFFIX))
    .sort()
    .map((file) => ({ id: basename(file, WORKFLOW_FILE_SUFFIX), file: join(directory, file) }));
}

export const productWorkflowDirectory = join(repositoryRoot, 'state-machines');
