/**
 * What a workflow needs from AWS, read from its ASL: the state machine role is granted exactly
 * this, and a definition that reaches outside Baton fails the synth instead of failing an
 * execution with AccessDenied. The embedded runtime applies the same checks when it loads a file.
 */
import { type AslStates, allStates, InvalidWorkflowDefinition } from './asl-definition';

export { InvalidWorkflowDefinition };

/** The `definitionSubstitutions` keys a workflow may use, by what they name. */
export interface WorkflowBindings {
  /** Substitution key → function id, e.g. `DeclarePoolFunctionArn` → `declare-pool`. */
  readonly functionKeys: ReadonlyMap<string, string>;
  /** Keys that name Baton's bus, e.g. `EventBusName`. */
  readonly eventBusKeys: readonly string[];
  /** Keys that name the ledger table, e.g. `TableName`. */
  readonly tableKeys: readonly string[];
}

export interface WorkflowRequirements {
  /** The top-level `TimeoutSeconds`: every Baton workflow has one. */
  readonly timeoutSeconds: number;
  /** Functions whose substitution key appears in the definition. */
  readonly invokedFunctionIds: ReadonlySet<string>;
  /** Whether a task calls `events:putEvents` (on Baton's bus, the only bus it may name). */
  readonly publishesEvents: boolean;
  /** IAM actions its DynamoDB tasks call on the ledger table, e.g. `dynamodb:GetItem`. */
  readonly ledgerActions: ReadonlySet<string>;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const LAMBDA_INVOKE = /^arn:[\w-]+:states:::lambda:invoke(?:\.waitForTaskToken)?$/;
const PUT_EVENTS = /^arn:[\w-]+:states:::events:putEvents(?:\.waitForTaskToken)?$/;
const DYNAMODB_TASK = /^arn:[\w-]+:states:::(?:aws-sdk:)?dynamodb:(\w+)$/;
const SUPPORTED_INTEGRATIONS =
  'lambda:invoke or a function ARN, events:putEvents, dynamodb:* and aws-sdk:dynamodb:* (optionally .waitForTaskToken)';

type Json = Record<string, unknown>;

/** Reads and checks a workflow definition; throws {@link InvalidWorkflowDefinition} naming the problem. */
export function workflowRequirements(
  workflowId: string,
  definition: string,
  bindings: WorkflowBindings,
): WorkflowRequirements {
  const invalid = (problem: string) => new InvalidWorkflowDefinition(`workflow ${workflowId} ${problem}`);
  const asl = parseDefinition(definition, invalid);
  const timeoutSeconds = asl.TimeoutSeconds;
  if (typeof timeoutSeconds !== 'number' || !Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) {
    throw invalid(
      'has no top-level "TimeoutSeconds": add a positive integer so that a stuck execution ends ' +
        'instead of running for up to a year',
    );
  }

  const known = [...bindings.functionKeys.keys(), ...bindings.eventBusKeys, ...bindings.tableKeys];
  const placeholders = new Set([...definition.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''));
  const unknown = [...placeholders].filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw invalid(
      `uses unknown substitutions ${unknown.map(placeholder).join(', ')}; known: ${known.join(', ')}`,
    );
  }

  const functionKeys = [...bindings.functionKeys.keys()];
  const requireBinding = (value: unknown, keys: readonly string[], what: string): void => {
    if (!keys.some((key) => value === placeholder(key))) {
      throw invalid(`${what} is ${JSON.stringify(value)}; use ${keys.map(placeholder).join(' or ')}`);
    }
  };
  let publishesEvents = false;
  const ledgerActions = new Set<string>();
  for (const [stateName, task] of allStates(asl as unknown as AslStates)) {
    if (task.Type !== 'Task') continue;
    const where = `in task ${stateName}`;
    const resource = String(task.Resource);
    const parameters: Json = isJson(task.Parameters) ? task.Parameters : {};
    const dynamodbApi = DYNAMODB_TASK.exec(resource)?.[1];
    if (LAMBDA_INVOKE.test(resource)) {
      requireBinding(parameters.FunctionName, functionKeys, `${where}: FunctionName`);
    } else if (resource.startsWith('${')) {
      requireBinding(resource, functionKeys, `${where}: Resource`);
    } else if (PUT_EVENTS.test(resource)) {
      publishesEvents = true;
      const entries = Array.isArray(parameters.Entries) ? parameters.Entries : [];
      if (entries.length === 0) throw invalid(`${where}: list Entries literally, each naming Baton's bus`);
      const busNames = entries.map((entry) => (isJson(entry) ? entry.EventBusName : undefined));
      for (const busName of busNames) {
        requireBinding(busName, bindings.eventBusKeys, `${where}: EventBusName`);
      }
    } else if (dynamodbApi) {
      ledgerActions.add(`dynamodb:${dynamodbApi.charAt(0).toUpperCase()}${dynamodbApi.slice(1)}`);
      const tableNames = valuesOf('TableName', parameters);
      if (tableNames.length === 0) throw invalid(`${where}: name the ledger table with a literal TableName`);
      for (const tableName of tableNames) {
        requireBinding(tableName, bindings.tableKeys, `${where}: TableName`);
      }
    } else {
      throw invalid(
        `${where}: ${resource} is not an integration Baton grants; use ${SUPPORTED_INTEGRATIONS}`,
      );
    }
  }

  const invokedFunctionIds = new Set(
    [...placeholders].flatMap((key) => {
      const functionId = bindings.functionKeys.get(key);
      return functionId === undefined ? [] : [functionId];
    }),
  );
  return { timeoutSeconds, invokedFunctionIds, publishesEvents, ledgerActions };
}

function parseDefinition(definition: string, invalid: (problem: string) => Error): Json {
  let asl: unknown;
  try {
    asl = JSON.parse(definition);
  } catch (error) {
    throw invalid(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isJson(asl)) throw invalid('must be a JSON object');
  return asl;
}

/** The values of every `key` field at any depth (TransactItems nest their TableName). */
function valuesOf(key: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOf(key, item));
  if (!isJson(value)) return [];
  return Object.entries(value).flatMap(([field, nested]) =>
    field === key ? [nested] : valuesOf(key, nested),
  );
}

function placeholder(key: string): string {
  return `\${${key}}`;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
