/**
 * The one place where Baton's Lambda defaults live: every handler is built by {@link BatonFunction}
 * from its `FunctionDefinition`, so runtime, bundling, logging and tracing cannot drift apart.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { loadEnvironment } from '../lambdas/config/environment';
import { DeadLetterQueue } from './orchestrator/dead-letter-queue';
import { functionBundling } from './topology/function-bundling';
import type { FunctionDefinition } from './topology/functions';
import { repositoryRoot } from './topology/repository-root';

/** Lambda retries a failed asynchronous invocation (a rule delivery) this many times. */
const ASYNC_RETRY_ATTEMPTS = 2;

export interface BatonFunctionProps<Env extends z.ZodMiniType> {
  /** What to build: entry, memory, timeout and the environment schema. */
  readonly definition: FunctionDefinition<Env>;
  /** The deployed name, `baton-<stage>-<id>`. */
  readonly functionName: string;
  /** `baton-<stage>`: the `service` of its metrics and traces, so that stages keep theirs apart. */
  readonly serviceName: string;
  /** The variables its environment schema declares; checked against that schema at synth. */
  readonly environment: z.input<Env> & Record<string, string>;
  /** How long its log group keeps events. */
  readonly logRetention: RetentionDays;
}

/**
 * A Baton handler: a Node.js 24 arm64 function bundled as minified CommonJS (the AWS SDK comes from
 * the runtime: see `functionBundling`), JSON logs in its own log group, X-Ray active, a role of its own with no managed
 * policy, and a dead-letter queue for asynchronous invocations that keep failing.
 */
export class BatonFunction<Env extends z.ZodMiniType = z.ZodMiniType> extends Construct {
  /** What it was built from. */
  readonly definition: FunctionDefinition<Env>;
  readonly function: NodejsFunction;
  /** The function's own role; the orchestrator adds the grants its `access` calls for. */
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Receives the event and the error once Lambda has given up on an asynchronous invocation. */
  readonly asyncFailures: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: BatonFunctionProps<Env>) {
    super(scope, id);
    const { definition, functionName } = props;
    this.definition = definition;
    try {
      loadEnvironment(definition.environment, props.environment);
    } catch (error) {
      throw new Error(`${functionName}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention,
      // Logs are bounded by their retention; keeping the group would block a redeploy under this name.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}`,
    });
    this.logGroup.grantWrite(this.role);
    this.asyncFailures = new DeadLetterQueue(this, 'AsyncFailures', {
      queueName: `${functionName}-failures`,
      keepsFailuresOf: `the asynchronous invocations of ${functionName}`,
    });

    this.function = new NodejsFunction(this, 'Function', {
      functionName,
      description: definition.description,
      entry: join(repositoryRoot, definition.entry),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: join(repositoryRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: definition.memoryMiB,
      timeout: Duration.seconds(definition.timeoutSeconds),
      role: this.role,
      environment: {
        ...props.environment,
        // Stack traces in the JSON logs point at the TypeScript sources, not at the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: functionBundling.target,
        mainFields: [...functionBundling.mainFields],
        minify: true,
        // Linked source maps without embedded sources: readable stack traces for a small zip.
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        externalModules: [...functionBundling.external],
      },
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      onFailure: new SqsDestination(this.asyncFailures),
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(1),
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords) ' +
        'uses Resource "*": X-Ray has no resource-level permissions for these actions.',
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous invocations go to an on-failure destination (the AsyncFailures queue), which ' +
        'records the error as well as the event; a DeadLetterConfig as well would deliver every failure twice.',
    });
  }
}
