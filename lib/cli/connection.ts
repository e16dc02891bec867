/**
 * Where a CLI command sends its calls: the embedded runtime by default, any endpoint with
 * `--endpoint`, or a deployed Baton (`--stage <name>` and the standard AWS credential chain).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListStateMachinesCommand, SFNClient, type StateMachineListItem } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_PORT, LEDGER_TABLE_NAME, LOCAL_REGION, LOCAL_STAGE, LOOPBACK } from '../embedded/local-aws';
import { batonName } from '../topology/resource-names';
import { closestName } from './closest-name';

export interface ConnectionOptions {
  endpoint?: string;
  stage?: string;
  region?: string;
  /** The ledger table of a deployed stage (its stack output `TableName`). */
  table?: string;
}

export interface Connection {
  readonly stage: string;
  readonly busName: string;
  readonly eventBridge: EventBridgeClient;
  readonly sfn: SFNClient;
  /** Lambda's control plane: the simulated fleet locally, your functions in a deployed stage. */
  readonly lambda: LambdaClient;
  readonly ledger: DynamoDBDocumentClient;
  /** The ledger table's name: known locally, given with `--table` for a deployed stage. */
  ledgerTableName(): string;
  /** Every state machine of this stage (`baton-<stage>-*`), across all pages. */
  stageStateMachines(): Promise<StateMachineListItem[]>;
  /** The ARN of a workflow's state machine in this stage, found by its name. */
  stateMachineArn(workflowId: string): Promise<string>;
}

/** Raised when a deployed stage needs an option the embedded runtime does not. */
export class MissingOption extends Error {
  override readonly name = 'MissingOption';
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
    lambda: new LambdaClient(config),
    ledger: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
    ledgerTableName: () => {
      if (options.table) return options.table;
      if (local) return LEDGER_TABLE_NAME;
      throw new MissingOption(
        `stage ${stage}: give the ledger table with --table (the stack output TableName)`,
      );
    },
    stageStateMachines,
    stateMachineArn: async (workflowId) => {
      const wanted = batonName(stage, workflowId);
      const machines = await stageStateMachines();
      const found = machines.find((machine) => machine.name === wanted);
      if (found?.stateMachineArn) return found.stateMachineArn;
      const prefix = `${batonName(stage)}-`;
      const workflows = machines.map((machine) => (machine.name ?? '').slice(prefix.length)).sort();
      const meant = closestName(workflowId, workflows);
      throw new UnknownWorkflow(
        [
          `no workflow "${workflowId}" in stage ${stage} (state machine ${wanted} not found)`,
          ...(meant ? [`did you mean ${meant}?`] : []),
          `its workflows: ${workflows.join(', ') || '(none)'}`,
        ].join('; '),
      );
    },
  };
}
