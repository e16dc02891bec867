import { readFileSync } from 'node:fs';
import { App, ArnFormat, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { events } from '../../lambdas/core/events/catalog';
import { eventJsonSchema } from '../../lib/catalog/json-schemas';
import { compileEventPattern, type EventPattern } from '../../lib/embedded/event-pattern/event-pattern';
import { Orchestrator, type OrchestratorProps } from '../../lib/orchestrator';
import { CALLER_ERRORS } from '../../lib/orchestrator/execution-failure-alerts';
import { InvalidStage } from '../../lib/stage';
import { functionArnSubstitution } from '../../lib/topology/functions';
import { routePattern } from '../../lib/topology/routes';
import { schedules } from '../../lib/topology/schedules';
import { fixtureFunction } from '../fixtures/fixture-topology';
import { withFixtures } from './fixture-topology-props';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function synthesize(props: Omit<OrchestratorProps, 'stage'> = withFixtures) {
  const app = new App({
    // Template assertions need no bundle; the CloudFormation schema check runs with the nag test's synth.
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'Test');
  const orchestrator = new Orchestrator(stack, 'Baton', { stage: 'test', ...props });
  return { stack, orchestrator, template: Template.fromStack(stack) };
}

function required<Key, Value>(map: ReadonlyMap<Key, Value>, key: Key): Value {
  const value = map.get(key);
  if (value === undefined) throw new Error(`nothing deployed for ${String(key)}`);
  return value;
}

const { stack, orchestrator, template } = synthesize();
const resolve = (token: unknown) => stack.resolve(token);

function statementsOf(type: string, properties: Record<string, unknown> = {}): Statement[] {
  return Object.values(template.findResources(type, { Properties: properties })).flatMap(
    (resource) => resource.Properties.PolicyDocument.Statement as Statement[],
  );
}

function roleStatements(role: IRole): Statement[] {
  return statementsOf('AWS::IAM::Policy', { Roles: [resolve(role.roleName)] });
}

function actionsOf(statements: readonly Statement[]): string[] {
  return statements.flatMap((statement) => [statement.Action].flat());
}

function singleResourceOf(type: string, properties: Record<string, unknown>): Record<string, unknown> {
  const [resource, ...others] = Object.values(template.findResources(type, { Properties: properties }));
  if (!resource || others.length > 0)
    throw new Error(`expected exactly one ${type} like ${JSON.stringify(properties)}`);
  return resource.Properties;
}

describe('Orchestrator', () => {
  it('keeps the ledger in one on-demand, encrypted, recoverable table that outlives the stack', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'leaseBucket', AttributeType: 'S' },
          { AttributeName: 'expiresAt', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'leases',
            KeySchema: [
              { AttributeName: 'leaseBucket', KeyType: 'HASH' },
              { AttributeName: 'expiresAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('reserves the baton source on its bus to the roles that publish facts', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'baton-test' });
    const busStatements = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (policy) => policy.Properties.Statement as Statement,
    );
    const accountRequests = busStatements.find((statement) => statement.Effect === 'Allow');
    const onlyBatonFacts = busStatements.find((statement) => statement.Effect === 'Deny');
    expect(busStatements).toHaveLength(2);
    expect(accountRequests).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: resolve(orchestrator.bus.eventBusArn),
      Condition: { StringNotEquals: { 'events:source': 'baton' } },
    });
    expect(onlyBatonFacts).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: resolve(orchestrator.bus.eventBusArn),
      Condition: { StringEquals: { 'events:source': 'baton' } },
    });
    // Publishers: functions whose access says so, and workflows whose ASL calls events:putEvents.
    const publishers = [
      ...withFixtures.functions
        .filter((definition) => definition.access.publishFacts)
        .map((definition) => required(orchestrator.functions, definition.id).role),
      ...['fixture', 'fixture-timeouts', 'allocate-resources', 'rebalance-workloads'].map(
        (id) => required(orchestrator.stateMachines, id).role,
      ),
    ].map((role) => resolve(role.roleArn));
    const allowed = onlyBatonFacts?.Condition?.ArnNotEquals?.['aws:PrincipalArn'];
    expect(allowed).toEqual(expect.arrayContaining(publishers));
    expect(allowed).toHaveLength(publishers.length);
    expect(allowed).not.toContainEqual(
      resolve(required(orchestrator.functions, fixtureFunction.id).role.roleArn),
    );
  });

  it('makes one rule per route with the catalog pattern, a dead-letter queue, retries and a maximum age', () => {
    for (const route of withFixtures.routes) {
      const fromAws = route.events.every((name) => events[name].origin === 'aws');
      const rule = singleResourceOf('AWS::Events::Rule', { Name: `baton-test-${route.id}` });
      expect(rule.EventPattern).toEqual(routePattern(route, 'test'));
      // AWS services emit on the default bus, which a rule selects by naming no bus.
      expect(rule.EventBusName).toEqual(fromAws ? undefined : resolve(orchestrator.bus.eventBusName));
      const target =
        route.target.kind === 'workflow'
          ? {
              Arn: resolve(required(orchestrator.stateMachines, route.target.workflowId).stateMachineArn),
              InputPath: '$.detail',
            }
          : { Arn: resolve(required(orchestrator.functions, route.target.functionId).function.functionArn) };
      const targets = rule.Targets as Record<string, unknown>[];
      expect(targets).toEqual([
        expect.objectContaining({
          ...target,
          DeadLetterConfig: { Arn: resolve(required(orchestrator.deadLetterQueues, route.id).queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        }),
      ]);
      // A function receives the whole event; only a workflow gets just the detail.
      if (route.target.kind === 'function') expect(targets[0]).not.toHaveProperty('InputPath');
    }
  });

  it('encrypts every dead-letter queue, refuses plain HTTP and lets only its own rule send to it', () => {
    template.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const [routeId, queue] of orchestrator.deadLetterQueues) {
      expect(statementsOf('AWS::SQS::QueuePolicy', { Queues: [resolve(queue.queueUrl)] })).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: {
            ArnEquals: { 'aws:SourceArn': resolve(required(orchestrator.rules, routeId).ruleArn) },
          },
        }),
      );
    }
  });

  it('deploys each workflow from its ASL file, inline, with every substitution it uses bound', () => {
    for (const workflow of withFixtures.workflows) {
      const definition = readFileSync(workflow.file, 'utf8');
      const properties = singleResourceOf('AWS::StepFunctions::StateMachine', {
        StateMachineName: `baton-test-${workflow.id}`,
      });
      expect(properties).toMatchObject({
        StateMachineType: 'STANDARD',
        DefinitionString: definition,
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      expect(properties).not.toHaveProperty('DefinitionS3Location');
      const substitutions = properties.DefinitionSubstitutions as Record<string, unknown>;
      for (const [, key] of definition.matchAll(/\$\{([^}]+)\}/g))
        expect(substitutions).toHaveProperty([key ?? '']);
      // Exactly the functions the file names: each substituted ARN is a deployment dependency.
      const named = withFixtures.functions.filter((fn) =>
        definition.includes(`\${${functionArnSubstitution(fn.id)}}`),
      );
      for (const fn of named) {
        expect(substitutions[functionArnSubstitution(fn.id)]).toEqual(
          resolve(required(orchestrator.functions, fn.id).function.functionArn),
        );
      }
      expect(Object.keys(substitutions).filter((key) => key.endsWith('FunctionArn'))).toHaveLength(
        named.length,
      );
      expect(substitutions).toMatchObject({
        EventBusName: resolve(orchestrator.bus.eventBusName),
        EventBusArn: resolve(orchestrator.bus.eventBusArn),
        TableName: resolve(orchestrator.table.tableName),
        TableArn: resolve(orchestrator.table.tableArn),
      });
    }
  });

  it('builds every function as Node.js 24 on arm64 with JSON logs, active tracing and its own settings', () => {
    const storeAndBus = {
      TABLE_NAME: resolve(orchestrator.table.tableName),
      EVENT_BUS_NAME: resolve(orchestrator.bus.eventBusName),
    };
    for (const definition of withFixtures.functions) {
      const fn = required(orchestrator.functions, definition.id);
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `baton-test-${definition.id}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: definition.memoryMiB,
        Timeout: definition.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: resolve(fn.logGroup.logGroupName) },
        Environment: {
          Variables: {
            ...(definition.id === fixtureFunction.id ? {} : storeAndBus),
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: resolve(fn.function.functionName),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: resolve(fn.asyncFailures.queueArn) } },
      });
    }
  });

  it('keeps every function and execution log for the configured retention', () => {
    template.resourceCountIs(
      'AWS::Logs::LogGroup',
      withFixtures.functions.length + withFixtures.workflows.length,
    );
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('grants no wildcard action, and Resource "*" only for X-Ray and log delivery', () => {
    const statements = statementsOf('AWS::IAM::Policy');
    expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
    const unscoped = actionsOf(statements.filter((statement) => statement.Resource === '*'));
    expect(
      unscoped.filter(
        (action) => !/^xray:|^logs:\w*(LogDelivery|LogDeliveries|ResourcePolic|LogGroups)/.test(action),
      ),
    ).toEqual([]);
  });

  it('lets a state machine invoke only the functions its ASL names and touch only the bus and the ledger', () => {
    const fixture = roleStatements(required(orchestrator.stateMachines, 'fixture').role);
    const scoped = (action: string) => fixture.filter((statement) => actionsOf([statement]).includes(action));
    expect(scoped('lambda:InvokeFunction')).toEqual([
      expect.objectContaining({
        Resource: resolve(required(orchestrator.functions, fixtureFunction.id).function.functionArn),
      }),
    ]);
    expect(scoped('events:PutEvents')).toEqual([
      expect.objectContaining({ Resource: resolve(orchestrator.bus.eventBusArn) }),
    ]);
    expect(
      actionsOf(fixture)
        .filter((action) => action.startsWith('dynamodb:'))
        .sort(),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(scoped('dynamodb:PutItem')).toEqual([
      expect.objectContaining({ Resource: resolve(orchestrator.table.tableArn) }),
    ]);

    const timeouts = actionsOf(roleStatements(required(orchestrator.stateMachines, 'fixture-timeouts').role));
    expect(timeouts.filter((action) => /^(lambda|dynamodb):/.test(action))).toEqual([
      'lambda:InvokeFunction',
    ]);
    expect(timeouts).toContain('events:PutEvents');
  });

  it("grants each function what its definition's access asks for, and nothing more", () => {
    // Every function writes its own logs, traces and asynchronous failures; the rest is its `access`.
    const own = [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'sqs:SendMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
    ];
    const announces = [...own, 'events:PutEvents'];
    const upsertsAndAnnounces = [...announces, 'dynamodb:UpdateItem'];
    const readsUpdatesAndAnnounces = [...announces, 'dynamodb:GetItem', 'dynamodb:UpdateItem'];
    const answers = [...own, 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];
    // Lambda actions come twice: allowed on the rollout targets, denied on Baton's own functions.
    const shifts = ['lambda:GetAlias', 'lambda:GetFunction', 'lambda:UpdateAlias'].flatMap((a) => [a, a]);
    const invokes = ['lambda:InvokeFunction', 'lambda:InvokeFunction'];
    // Recovery asks whether an execution still runs, on its own stage's executions only.
    const describes = 'states:DescribeExecution';
    const expectedActions = new Map([
      ['declare-pool', upsertsAndAnnounces],
      ['declare-quota', upsertsAndAnnounces],
      ['declare-inventory', upsertsAndAnnounces],
      [
        'allocate-resources',
        [
          ...announces,
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
      ],
      ['release-resources', readsUpdatesAndAnnounces],
      ['expire-leases', [...readsUpdatesAndAnnounces, 'dynamodb:Query']],
      ['reject-invalid-requests', announces],
      ['finish-provisioning', readsUpdatesAndAnnounces],
      ['recover-allocation', [...readsUpdatesAndAnnounces, 'dynamodb:DeleteItem', describes]],
      [
        'answer-provisioning',
        [...announces, 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      ],
      ['place-workload', [...upsertsAndAnnounces, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']],
      ['remove-workload', [...readsUpdatesAndAnnounces, 'dynamodb:DeleteItem', 'dynamodb:Query']],
      ['follow-resources', [...readsUpdatesAndAnnounces, 'dynamodb:PutItem', 'dynamodb:Query']],
      ['plan-rebalance', [...own, 'dynamodb:Query']],
      ['move-workload', [...readsUpdatesAndAnnounces, 'dynamodb:Query']],
      [
        'recover-rebalance',
        [...announces, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', describes],
      ],
      ['report-rebalance', announces],
      [
        'answer-workload-move',
        [...announces, 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      ],
      [
        'start-rollout',
        [
          ...answers,
          ...shifts,
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'events:PutEvents',
        ],
      ],
      ['shift-traffic', [...own, ...shifts, 'dynamodb:UpdateItem', 'events:PutEvents']],
      // It announces a pause once the rollout holds at its gate.
      ['open-gate', [...answers, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'events:PutEvents']],
      ['run-traffic-hook', [...own, ...invokes]],
      [
        'finish-rollout',
        [
          ...own,
          ...shifts,
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'events:PutEvents',
        ],
      ],
      [
        'recover-rollout',
        [
          ...own,
          ...shifts,
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'events:PutEvents',
          describes,
        ],
      ],
      [
        'reconcile',
        [
          ...own,
          ...shifts,
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'events:PutEvents',
          describes,
        ],
      ],
      [
        'signal-rollout',
        [...answers, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'events:PutEvents'],
      ],
      [fixtureFunction.id, own],
    ]);
    expect([...orchestrator.functions.keys()].sort()).toEqual([...expectedActions.keys()].sort());
    for (const [functionId, fn] of orchestrator.functions) {
      const statements = roleStatements(fn.role);
      expect(actionsOf(statements).sort(), functionId).toEqual(expectedActions.get(functionId)?.toSorted());
      const resourceByService: Record<string, unknown> = {
        logs: resolve(fn.logGroup.logGroupArn),
        xray: '*',
        sqs: resolve(fn.asyncFailures.queueArn),
        dynamodb: resolve(orchestrator.table.tableArn),
        events: resolve(orchestrator.bus.eventBusArn),
        states: [...orchestrator.stateMachines.keys()].map((workflowId) =>
          resolve(
            stack.formatArn({
              service: 'states',
              resource: 'stateMachine',
              resourceName: `baton-test-${workflowId}`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        ),
      };
      const functionArn = (name: string) =>
        resolve(
          stack.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: name,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        );
      for (const statement of statements) {
        const [service, ...others] = new Set(actionsOf([statement]).map((action) => action.split(':')[0]));
        expect(others, functionId).toEqual([]);
        // Querying the lease index is granted on that index alone, never on `<table>/index/*`.
        if (service === 'dynamodb' && JSON.stringify(statement.Resource).includes('/index/')) {
          expect(statement, functionId).toEqual({
            Effect: 'Allow',
            Action: 'dynamodb:Query',
            Resource: { 'Fn::Join': ['', [resolve(orchestrator.table.tableArn), '/index/leases']] },
          });
          continue;
        }
        if (statement.Action === describes) {
          const described = fn.definition.access.describesExecutionsOf ?? [];
          // A single resource is rendered as itself, several as a list.
          expect([statement.Resource].flat(), functionId).toEqual(
            described.map((workflowId) =>
              resolve(
                stack.formatArn({
                  service: 'states',
                  resource: 'execution',
                  resourceName: `baton-test-${workflowId}:*`,
                  arnFormat: ArnFormat.COLON_RESOURCE_NAME,
                }),
              ),
            ),
          );
          continue;
        }
        if (service === 'lambda') {
          // The configured rollout targets and their versions and aliases; never Baton's own.
          expect(statement.Resource, functionId).toEqual(
            statement.Effect === 'Allow'
              ? ['checkout', 'checkout:*', 'payments-*', 'payments-*:*'].map(functionArn)
              : functionArn('baton-test-*'),
          );
          continue;
        }
        expect(statement, `${functionId} ${service}`).toEqual({
          Effect: 'Allow',
          Action: statement.Action,
          Resource: resourceByService[service ?? ''],
        });
      }
    }
  });

  it('registers one draft-4 JSON Schema per catalog event in the baton-<stage> registry', () => {
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'baton-test' });
    template.resourceCountIs('AWS::EventSchemas::Schema', Object.keys(events).length);
    template.allResourcesProperties('AWS::EventSchemas::Schema', { Type: 'JSONSchemaDraft4' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      SchemaName: 'ResourcePoolChanged',
      Content: JSON.stringify(eventJsonSchema(events.ResourcePoolChanged)),
    });
  });

  it('alarms on faulted executions and forwards each one from the default bus to the alerts topic', () => {
    const topic = resolve(orchestrator.alerts.topic.topicArn);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const [workflowId, stateMachine] of orchestrator.stateMachines) {
      const alarm = singleResourceOf('AWS::CloudWatch::Alarm', {
        AlarmName: `baton-test-${workflowId}-faults`,
      });
      expect(alarm).toMatchObject({ AlarmActions: [topic], Threshold: 1 });
      const watched = (
        alarm.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }[]
      ).flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric] : []));
      expect(watched.map((metric) => metric.MetricName).sort()).toEqual([
        'ExecutionsAborted',
        'ExecutionsFailed',
        'ExecutionsTimedOut',
      ]);
      for (const metric of watched) {
        expect(metric.Dimensions).toEqual([
          { Name: 'StateMachineArn', Value: resolve(stateMachine.stateMachineArn) },
        ]);
      }
    }
    const rule = singleResourceOf('AWS::Events::Rule', { Name: 'baton-test-faulted-executions' });
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: [...orchestrator.stateMachines.values()].map((machine) =>
          resolve(machine.stateMachineArn),
        ),
        $or: [
          { status: ['TIMED_OUT', 'ABORTED'] },
          { status: ['FAILED'], error: [{ 'anything-but': ['InvalidRequest'] }] },
          { status: ['FAILED'], error: [{ exists: false }] },
        ],
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: topic,
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
      }),
    ]);
  });

  it('forwards every faulted execution except one that failed on invalid input', () => {
    const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:baton-test-fixture';
    const pattern = singleResourceOf('AWS::Events::Rule', { Name: 'baton-test-faulted-executions' })
      .EventPattern as EventPattern;
    // The deployed pattern, with the state machine's ARN in place of its CloudFormation reference.
    const forwards = compileEventPattern({
      ...pattern,
      detail: { ...(pattern.detail as EventPattern), stateMachineArn: [stateMachineArn] },
    });
    const statusChange = (detail: Record<string, unknown>) =>
      forwards({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        detail: { stateMachineArn, ...detail },
      });
    expect(CALLER_ERRORS).toEqual(['InvalidRequest']);
    expect(statusChange({ status: 'FAILED', error: 'InvalidRequest', cause: 'id is required' })).toBe(false);
    expect(statusChange({ status: 'FAILED', error: 'States.TaskFailed' })).toBe(true);
    expect(statusChange({ status: 'FAILED', error: null })).toBe(true);
    expect(statusChange({ status: 'FAILED' })).toBe(true);
    expect(statusChange({ status: 'TIMED_OUT', error: 'States.Timeout' })).toBe(true);
    expect(statusChange({ status: 'ABORTED' })).toBe(true);
    expect(statusChange({ status: 'SUCCEEDED' })).toBe(false);
    expect(statusChange({ status: 'RUNNING' })).toBe(false);
  });

  it('runs each schedule by a rate rule on its function, with a dead-letter queue, retries and a maximum age', () => {
    for (const schedule of schedules) {
      const rule = singleResourceOf('AWS::Events::Rule', { Name: `baton-test-${schedule.id}` });
      expect(rule.ScheduleExpression).toBe(
        `rate(${schedule.everySeconds / 60} minute${schedule.everySeconds === 60 ? '' : 's'})`,
      );
      const [target] = rule.Targets as Record<string, unknown>[];
      expect(target).toMatchObject({
        Arn: resolve(required(orchestrator.functions, schedule.functionId).function.functionArn),
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: {
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        },
      });
    }
  });

  it('alarms on every dead-letter queue as soon as it holds a message', () => {
    const topic = resolve(orchestrator.alerts.topic.topicArn);
    const queues = Object.entries(template.findResources('AWS::SQS::Queue'));
    // One per route target and per schedule target, one per function's asynchronous invocations,
    // one for the alerts rule.
    expect(queues).toHaveLength(
      withFixtures.routes.length + schedules.length + withFixtures.functions.length + 1,
    );
    template.resourceCountIs('AWS::CloudWatch::Alarm', queues.length + orchestrator.stateMachines.size);
    for (const [logicalId, queue] of queues) {
      const queueName = queue.Properties.QueueName as string;
      expect(queueName).toMatch(/^baton-test-/);
      expect(
        singleResourceOf('AWS::CloudWatch::Alarm', { AlarmName: `${queueName}-not-empty` }),
      ).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
    }
  });

  it('refuses a stage that would make invalid resource names', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new Orchestrator(new Stack(app, 'Bad'), 'Baton', { stage: 'Prod_1' })).toThrow(InvalidStage);
  });

  it('refuses a function whose environment schema reads a variable Baton does not offer', () => {
    const needsQueue = {
      ...fixtureFunction,
      id: 'needs-queue',
      environment: z.object({ QUEUE_URL: z.string() }),
    };
    expect(() => synthesize({ functions: [needsQueue], workflows: [], routes: [] })).toThrow(
      /function needs-queue reads variables Baton does not offer \(.*QUEUE_URL/,
    );
  });

  it('refuses a route to a workflow that is not deployed', () => {
    expect(() =>
      synthesize({
        ...withFixtures,
        routes: [
          {
            id: 'orphan',
            description: 'no such workflow',
            events: ['WorkloadRemoved'],
            target: { kind: 'workflow', workflowId: 'missing' },
          },
        ],
      }),
    ).toThrow('route orphan starts workflow missing, which is not deployed');
  });
});
