/**
 * A fuzz run: a fresh runtime in its own process, given a little of everything to work on (the
 * catalog's pool and quota, the rollout example's function and alias, a scratch table); then
 * the generated cases one after another, each answer judged as it comes; executions judged as
 * they end; at the end every execution still running is stopped and must end, the runtime must
 * settle, `baton audit` must be clean and a known-good workflow must succeed. A runtime that
 * dies is counted and replaced. The run is seeded: the same seed gives the same cases, and a
 * failing case is replayed by its path and shrunk.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { events } from '../../lambdas/core/events/catalog';
import { auditWorkloads } from '../../lambdas/core/workloads/audit-workloads';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { type DoorOutcome, sendToDoor } from './door-client';
import {
  type DoorContext,
  exampleEvent,
  FUZZ_TABLE,
  ROLLOUT_ALIAS,
  ROLLOUT_FUNCTION,
  ROLLOUT_HOOK_FUNCTION,
  ROLLOUT_VERSIONS,
  stateMachineArn,
  workflowIds,
} from './door-operations';
import { buildRequest, describeCase, type Family, type FuzzCase, fuzzCase } from './fuzz-cases';
import { answerProblem, classify, executionProblem, type OutcomeClass } from './fuzz-oracle';
import { FuzzedRuntime, type RuntimeDeath } from './fuzzed-runtime';

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** The fuzzed runtime's `--time-scale`: bakes, callback deadlines and schedules shrink by it. */
  readonly timeScale?: number;
  /** How long an answer may take. Default 2 s. */
  readonly deadlineMs?: number;
  /** How long executions get to end by themselves after the last case. Default 10 s. */
  readonly graceMs?: number;
  /** Replay the first failing case and shrink it. Default true. */
  readonly shrink?: boolean;
  readonly progress?: (line: string) => void;
}

export type FailureKind =
  | 'answer'
  | 'runtime-death'
  | 'not-alive'
  | 'execution'
  | 'stuck-execution'
  | 'not-settled'
  | 'audit';

export interface FuzzFailure {
  readonly kind: FailureKind;
  readonly message: string;
  /** The case that caused it, when known: its index in the run and its fast-check path. */
  readonly caseIndex?: number;
  readonly case?: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly families: Readonly<Record<Family, number>>;
  readonly outcomes: Readonly<Record<OutcomeClass, number>>;
  readonly executions: {
    judged: number;
    succeeded: number;
    failedNamed: number;
    stoppedAtEnd: number;
    /** How many ended with each error (or status, for those with none). */
    errors: Record<string, number>;
  };
  readonly runtimeDeaths: number;
  /** The answer that took longest, and its case. */
  readonly slowestAnswer: { readonly ms: number; readonly case: string };
  readonly failures: readonly FuzzFailure[];
  readonly shrunk?: { readonly path: string; readonly case: string; readonly problem: string };
  readonly durationMs: number;
}

const DEFAULT_DEADLINE_MS = 2_000;
const DEFAULT_TIME_SCALE = 1_000;
const DEFAULT_GRACE_MS = 10_000;
/** Executions are judged this often, well before `--max-executions` could drop a finished one. */
const JUDGE_EVERY_CASES = 100;
const STOPPED_END_MS = 5_000;
const SETTLE_MS = 30_000;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const run = new FuzzRun(options);
  try {
    return await run.execute();
  } finally {
    await run.close();
  }
}

class FuzzRun {
  private runtime!: FuzzedRuntime;
  private clients!: ReturnType<typeof sdkClients>;
  private readonly deadlineMs: number;
  private readonly failures: FuzzFailure[] = [];
  private readonly families: Record<Family, number> = { request: 0, event: 0, workflow: 0 };
  private readonly outcomes: Record<OutcomeClass, number> = {
    '2xx': 0,
    '4xx': 0,
    '5xx': 0,
    hang: 0,
    dropped: 0,
    other: 0,
  };
  private readonly executions = {
    judged: 0,
    succeeded: 0,
    failedNamed: 0,
    stoppedAtEnd: 0,
    errors: {} as Record<string, number>,
  };
  private readonly judged = new Set<string>();
  private executionArns: string[] = [];
  private readonly functionNames = [ROLLOUT_FUNCTION, ROLLOUT_HOOK_FUNCTION];
  /** Which case sent a detail or an input, to name the case behind an execution. */
  private readonly caseOfPayload = new Map<string, number>();
  private readonly casesByIndex: string[] = [];
  private deaths = 0;
  private index = 0;
  private slowest = { ms: 0, case: '' };

  constructor(private readonly options: FuzzOptions) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  }

  async execute(): Promise<FuzzReport> {
    const started = performance.now();
    await this.startRuntime();
    const result = await fc.check(
      fc.asyncProperty(fuzzCase, async (generated) => {
        await this.runCase(generated);
        return true;
      }),
      { seed: this.options.seed, numRuns: this.options.cases },
    );
    if (result.failed) throw new Error(`the fuzz loop itself failed: ${String(result.errorInstance)}`);
    await this.finish();
    const shrunk = this.options.shrink === false ? undefined : await this.shrinkFirstFailure();
    return {
      seed: this.options.seed,
      cases: this.index,
      families: this.families,
      outcomes: this.outcomes,
      executions: this.executions,
      runtimeDeaths: this.deaths,
      slowestAnswer: this.slowest,
      failures: this.failures,
      ...(shrunk ? { shrunk } : {}),
      durationMs: performance.now() - started,
    };
  }

  async close(): Promise<void> {
    this.clients?.destroy();
    await this.runtime?.close();
  }

  private get context(): DoorContext {
    return {
      executionArns: this.executionArns,
      taskTokens: this.runtime.taskTokens,
      functionNames: this.functionNames,
    };
  }

  private async startRuntime(): Promise<void> {
    this.runtime = await FuzzedRuntime.start(this.options.timeScale ?? DEFAULT_TIME_SCALE);
    this.clients?.destroy();
    this.clients = sdkClients(this.runtime.url);
    this.executionArns = [];
    this.judged.clear();
    await bootstrap(this.clients);
  }

  private async runCase(generated: FuzzCase): Promise<void> {
    const index = this.index++;
    const description = describeCase(generated);
    this.casesByIndex[index] = description;
    this.families[generated.family] += 1;
    const problem = await this.send(generated, index);
    if (problem) this.fail({ kind: 'answer', message: problem, caseIndex: index, case: description });
    if (!this.runtime.alive)
      await this.replaceRuntime(index, description, describeDeath(this.runtime.deathReport));
    // A runtime that stops answering (its event loop blocked) is as good as dead: counted, replaced.
    else if (problem && !(await this.checkAlive(`after case ${index}`)))
      await this.replaceRuntime(index, description, 'the runtime stopped answering ordinary calls');
    if ((index + 1) % JUDGE_EVERY_CASES === 0) {
      await this.judgeEndedExecutions();
      await this.checkAlive(`after case ${index}`);
      this.options.progress?.(`${index + 1} cases, ${this.failures.length} failures`);
    }
  }

  /** Sends one case; returns what is wrong with its answer, if anything. */
  private async send(generated: FuzzCase, index: number): Promise<string | undefined> {
    const built = buildRequest(generated, this.context);
    for (const payload of built.payloads) this.caseOfPayload.set(payload, index);
    const outcome = await sendToDoor(this.runtime.url, built.request, this.deadlineMs);
    this.outcomes[classify(outcome)] += 1;
    if (outcome.kind === 'answered' && outcome.elapsedMs > this.slowest.ms)
      this.slowest = { ms: outcome.elapsedMs, case: this.casesByIndex[index] ?? describeCase(generated) };
    this.noteExecution(generated, outcome);
    const method = 'method' in built.request ? built.request.method : '';
    return answerProblem(outcome, built.service, method);
  }

  private noteExecution(generated: FuzzCase, outcome: DoorOutcome): void {
    if (generated.family !== 'workflow' || outcome.kind !== 'answered' || outcome.status !== 200) return;
    const arn = (JSON.parse(outcome.body) as { executionArn?: unknown }).executionArn;
    if (typeof arn === 'string') this.executionArns.push(arn);
  }

  private async replaceRuntime(index: number, description: string, why: string): Promise<void> {
    this.deaths += 1;
    this.fail({ kind: 'runtime-death', message: why, caseIndex: index, case: description });
    await this.runtime.kill();
    await this.startRuntime();
  }

  /** Whether the runtime answers an ordinary call of each service it serves. */
  private async checkAlive(when: string): Promise<boolean> {
    if (!this.runtime.alive) return false;
    let alive = true;
    const probes: [string, () => Promise<unknown>][] = [
      ['Step Functions', () => this.clients.sfn.send(new ListStateMachinesCommand({}))],
      [
        'DynamoDB',
        () => this.clients.dynamoDb.send(new DescribeTableCommand({ TableName: LEDGER_TABLE_NAME })),
      ],
      ['Lambda', () => this.clients.lambda.send(new GetFunctionCommand({ FunctionName: ROLLOUT_FUNCTION }))],
      [
        'EventBridge',
        () =>
          this.clients.eventBridge.send(
            new TestEventPatternCommand({
              EventPattern: '{"source":["x"]}',
              Event: JSON.stringify(exampleEvent),
            }),
          ),
      ],
    ];
    for (const [service, probe] of probes) {
      const problem = await withDeadline(probe(), this.deadlineMs).then(
        () => undefined,
        (error: Error) => `${error.name}: ${error.message}`,
      );
      if (problem) {
        alive = false;
        this.fail({ kind: 'not-alive', message: `${when}, ${service} failed an ordinary call: ${problem}` });
      }
    }
    return alive;
  }

  /** Every execution that has ended since the last look, judged once; returns those still running. */
  private async judgeEndedExecutions(): Promise<ExecutionListItem[]> {
    try {
      return await this.judgeEndedExecutionsOrThrow();
    } catch (error) {
      this.fail({ kind: 'not-alive', message: `executions could not be listed: ${String(error)}` });
      return [];
    }
  }

  private async judgeEndedExecutionsOrThrow(): Promise<ExecutionListItem[]> {
    const running: ExecutionListItem[] = [];
    for (const execution of await this.listExecutions()) {
      const arn = execution.executionArn ?? '';
      if (execution.status === 'RUNNING') {
        running.push(execution);
        continue;
      }
      if (this.judged.has(arn)) continue;
      this.judged.add(arn);
      const described = await this.clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      this.executions.judged += 1;
      const problem = executionProblem(described);
      if (described.status === 'SUCCEEDED') this.executions.succeeded += 1;
      else if (!problem && described.status !== 'ABORTED') this.executions.failedNamed += 1;
      if (described.status !== 'SUCCEEDED') {
        const error = described.error || String(described.status);
        this.executions.errors[error] = (this.executions.errors[error] ?? 0) + 1;
      }
      if (problem) {
        const caseIndex = this.caseOfPayload.get(described.input ?? '');
        this.fail({
          kind: 'execution',
          message: `${arn}: ${problem}`,
          ...(caseIndex === undefined ? {} : { caseIndex, case: this.casesByIndex[caseIndex] }),
        });
      }
    }
    return running;
  }

  private async listExecutions(): Promise<ExecutionListItem[]> {
    const all: ExecutionListItem[] = [];
    for (const workflowId of workflowIds) {
      let nextToken: string | undefined;
      do {
        const page = await this.clients.sfn.send(
          new ListExecutionsCommand({
            stateMachineArn: stateMachineArn(workflowId),
            maxResults: 1000,
            nextToken,
          }),
        );
        all.push(...(page.executions ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return all;
  }

  /** The end of the run: executions end, the runtime settles, the ledger audits clean, it still works. */
  private async finish(): Promise<void> {
    if (!this.runtime.alive) return;
    const graceEnds = Date.now() + (this.options.graceMs ?? DEFAULT_GRACE_MS);
    let running = await this.judgeEndedExecutions();
    while (running.length > 0 && Date.now() < graceEnds) {
      await sleep(500);
      running = await this.judgeEndedExecutions();
    }
    // Still running: waiting for a callback, a bake or a retry. Stopped, each must end promptly.
    for (const execution of running) {
      this.executions.stoppedAtEnd += 1;
      await this.clients.sfn
        .send(new StopExecutionCommand({ executionArn: execution.executionArn, cause: 'the fuzz run ended' }))
        .catch(() => undefined);
    }
    const stopDeadline = Date.now() + STOPPED_END_MS;
    running = await this.judgeEndedExecutions();
    while (running.length > 0 && Date.now() < stopDeadline) {
      await sleep(200);
      running = await this.judgeEndedExecutions();
    }
    for (const execution of running)
      this.fail({
        kind: 'stuck-execution',
        message: `${execution.executionArn} still RUNNING ${STOPPED_END_MS} ms after StopExecution`,
      });
    if (!(await this.runtime.settle(SETTLE_MS)))
      this.fail({
        kind: 'not-settled',
        message: `deliveries or invocations still in flight after ${SETTLE_MS} ms`,
      });
    await this.judgeEndedExecutions();
    for (const [step, check] of [
      ['the audit', () => this.audit()],
      ['the last health check', () => this.checkAlive('at the end')],
      ['the known-good workflow', () => this.runKnownGoodWorkflow()],
    ] as const) {
      await check().catch((error: unknown) =>
        this.fail({ kind: 'not-alive', message: `${step} could not run: ${String(error)}` }),
      );
    }
  }

  private async audit(): Promise<void> {
    const snapshot = await readLedgerSnapshot(this.clients.ledger, LEDGER_TABLE_NAME);
    const drift = [
      ...auditLedger(snapshot).map(
        (d) => `${d.holder} ${d.dimension} recorded ${d.recorded}, allocations hold ${d.allocated}`,
      ),
      ...auditWorkloads(snapshot.resources, snapshot.workloads),
    ];
    for (const line of drift) this.fail({ kind: 'audit', message: line });
  }

  private async runKnownGoodWorkflow(): Promise<void> {
    const { executionArn } = await this.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn('declare-inventory'),
        input: JSON.stringify({ pools: [{ ...events.ResourcePoolChanged.example, poolId: 'fuzz-final' }] }),
      }),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { status, error, cause } = await this.clients.sfn.send(
        new DescribeExecutionCommand({ executionArn }),
      );
      if (status === 'SUCCEEDED') return;
      if (status !== 'RUNNING' || Date.now() > deadline) {
        this.fail({
          kind: 'not-alive',
          message: `a known-good declare-inventory ended ${status} ${error}: ${cause}`,
        });
        return;
      }
      await sleep(100);
    }
  }

  /** Replays the first case whose answer failed, by its path, and lets fast-check shrink it. */
  private async shrinkFirstFailure(): Promise<FuzzReport['shrunk']> {
    const first = this.failures.find(
      (failure) => failure.caseIndex !== undefined && failure.kind !== 'execution',
    );
    if (first?.caseIndex === undefined) return undefined;
    if (!this.runtime.alive) await this.startRuntime();
    const result = await fc.check(
      fc.asyncProperty(fuzzCase, async (generated) => {
        const problem = await this.send(generated, -1);
        if (!this.runtime.alive) {
          const death = describeDeath(this.runtime.deathReport);
          await this.runtime.kill();
          await this.startRuntime();
          throw new Error(`the runtime died: ${death}`);
        }
        if (problem) throw new Error(problem);
      }),
      { seed: this.options.seed, path: String(first.caseIndex), interruptAfterTimeLimit: 120_000 },
    );
    if (!result.failed || result.counterexample === null) return undefined;
    const [counterexample] = result.counterexample;
    return {
      path: result.counterexamplePath ?? String(first.caseIndex),
      case: describeCase(counterexample),
      problem: String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance),
    };
  }

  private fail(failure: FuzzFailure): void {
    this.failures.push(failure);
  }
}

function sdkClients(url: string) {
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fuzz', secretAccessKey: 'fuzz' },
    maxAttempts: 1,
    // The harness's own calls never wait for ever on a runtime that stopped answering.
    requestHandler: { requestTimeout: 10_000 },
  };
  const dynamoDb = new DynamoDBClient(config);
  const clients = {
    sfn: new SFNClient(config),
    eventBridge: new EventBridgeClient(config),
    lambda: new LambdaClient(config),
    dynamoDb,
    ledger: DynamoDBDocumentClient.from(dynamoDb),
    destroy: () => {
      for (const client of [clients.sfn, clients.eventBridge, clients.lambda, dynamoDb]) client.destroy();
    },
  };
  return clients;
}

/** Gives a fresh runtime something to work on, as a user would through the SDK. */
async function bootstrap(clients: ReturnType<typeof sdkClients>): Promise<void> {
  const { executionArn } = await clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('declare-inventory'),
      input: JSON.stringify({
        pools: [
          events.ResourcePoolChanged.example,
          { ...events.ResourcePoolChanged.example, poolId: 'eu-west-1-compute-b' },
        ],
        quotas: [events.TenantQuotaChanged.example],
      }),
    }),
  );
  await clients.dynamoDb.send(
    new CreateTableCommand({
      TableName: FUZZ_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  for (const name of [ROLLOUT_FUNCTION, ROLLOUT_HOOK_FUNCTION]) {
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs24.x',
        Role: 'arn:aws:iam::000000000000:role/fuzz',
        Handler: 'index.handler',
        Code: { ZipFile: new Uint8Array([1]) },
      }),
    );
  }
  for (let version = 1; version <= ROLLOUT_VERSIONS; version++)
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: ROLLOUT_FUNCTION }));
  await clients.lambda.send(new PublishVersionCommand({ FunctionName: ROLLOUT_HOOK_FUNCTION }));
  await clients.lambda.send(
    new CreateAliasCommand({
      FunctionName: ROLLOUT_FUNCTION,
      Name: ROLLOUT_ALIAS,
      FunctionVersion: String(ROLLOUT_VERSIONS - 1),
    }),
  );
  for (;;) {
    const { status, error, cause } = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'SUCCEEDED') return;
    if (status !== 'RUNNING')
      throw new Error(`the fuzz bootstrap's declare-inventory ended ${status} ${error}: ${cause}`);
    await sleep(50);
  }
}

function describeDeath(death: RuntimeDeath | undefined): string {
  if (!death) return 'the runtime process ended';
  return [
    `exit code ${death.exitCode}${death.signal ? `, signal ${death.signal}` : ''}`,
    death.crash ?? '',
    death.outputTail ? `output: …${death.outputTail.slice(-1_500)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: 'Hang' })),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
