/**
 * Where a CLI command sends its calls: the embedded runtime by default, any endpoint with
 * `--endpoint`, or a deployed Baton (`--stage <name>` and the standard AWS credential chain).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient, type StateMachineListItem } from '@aws-sdk/client-sfn';
import { LOCAL_REGION, LOCAL_STAGE } from '../embedded/local-aws';
import { DEFAULT_PORT, LOOPBACK } from '../embedded/runtime';
import { batonName } from '../topology/resource-names';

export interface ConnectionOptions {
  endpoint?: string;
  stage?: string;
  region?: string;
}

export interface Connection {
  readonly stage: string;
  readonly busName: string;
  readonly eventBridge: EventBridgeClient;
  readonly sfn: SFNClient;
  /** Every state machine of this stage (`baton-<stage>-*`), across all pages. */
  stageStateMachines(): Promise<StateMachineListItem[]>;
  /** The ARN of a workflow's state machine in this stage, found by its name. */
  stateMachineArn(workflowId: string): Promise<string>;
}

/** Raised when a command names a workflow that this stage does not have. */
export class UnknownWorkflow extends Error {
  override readonly name = 'UnknownWorkflow';
}

export function connect(options: ConnectionOptions): Connection {
  const stage = options.stage ?? LOCAL_STAGE;
  const endpoint =
    options.endpoint ?? (stage === LOCAL_STAGE ? `http://${LOOPBACK}:${DEFAULT_PORT}` : undefined);
  const local = stage === LOCAL_STAGE || options.endpoint !== undefined;
  const config = {
    ...(endpoint ? { endpoint } : {}),
    ...(options.region ? { region: options.region } : local ? { region: LOCAL_REGION } : {}),
    // The embedded runtime checks no signatures; a deployed stage uses the real credential chain.
    ...(local ? { credentials: { accessKeyId: 'baton-local', secretAccessKey: 'baton-local' } } : {}),
  };
  const sfn = new SFNClient(config);
  const stageStateMachines = async (): Promise<StateMachineListItem[]> => {
    const machines: StateMachineListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
      machines.push(...(page.stateMachines ?? []).filter((m) => m.name?.startsWith(`${batonName(stage)}-`)));
      nextToken = page.nextToken;
    } while (nextToken);
    return machines;
  };
  return {
    stage,
    busName: batonName(stage),
    eventBridge: new EventBridgeClient(config),
    sfn,
    stageStateMachines,
    stateMachineArn: async (workflowId) => {
      const wanted = batonName(stage, workflowId);
      const found = (await stageStateMachines()).find((machine) => machine.name === wanted);
      if (found?.stateMachineArn) return found.stateMachineArn;
      throw new UnknownWorkflow(
        `no workflow "${workflowId}" in stage ${stage} (state machine ${wanted} not found)`,
      );
    },
  };
}
