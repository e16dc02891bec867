/**
 * `baton-<stage>`: the stage's CloudWatch dashboard. What Baton does (the handlers' metrics from
 * `lambdas/metrics/metric-catalogue.ts`), then how its parts run: each workflow's executions
 * started, failed and timed out and their duration; each function's errors, throttles and
 * duration; the depth of every dead-letter queue.
 *
 * Baton's own metrics are found by CloudWatch search expressions: their dimensions' values (pools,
 * tenants, reasons) are not known when the stack is synthesized, and a search draws every series
 * the stage's `service` has emitted.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IWidget,
  MathExpression,
  type Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  type BatonMetric,
  batonMetrics,
  METRIC_NAMESPACE,
  SERVICE_DIMENSION,
} from '../../lambdas/metrics/metric-catalogue';

export interface OperationsDashboardProps {
  /** `baton-<stage>`: the dashboard's name, and the `service` of the stage's metrics. */
  readonly namePrefix: string;
  /** By workflow id. */
  readonly stateMachines: ReadonlyMap<string, StateMachine>;
  /** By function id. */
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly deadLetterQueues: readonly IQueue[];
}

const PERIOD = Duration.minutes(5);
const FULL_WIDTH = 24;
const HALF_WIDTH = 12;
/** Queues per graph: a graph draws at most 100 metrics, and stays readable far below that. */
const QUEUES_PER_GRAPH = 15;

export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      heading('What Baton does', 'Allocations, utilisation, workloads and rollouts (namespace `Baton`).'),
      ...Object.values(batonMetrics).map((metric) => batonMetricGraph(metric, props.namePrefix)),
      heading('Workflows', 'Executions started, failed and timed out (left), their duration (right).'),
      ...[...props.stateMachines].map(([workflowId, stateMachine]) =>
        workflowGraph(workflowId, stateMachine),
      ),
      heading('Functions', 'Errors and throttles (left), duration (right).'),
      ...[...props.functions].map(([functionId, fn]) => functionGraph(functionId, fn)),
      heading('Dead-letter queues', 'Messages waiting: each is a delivery only an operator can finish.'),
      ...chunks(props.deadLetterQueues, QUEUES_PER_GRAPH).map((queues, index, all) =>
        deadLetterGraph(queues, all.length > 1 ? ` (${index + 1}/${all.length})` : ''),
      ),
    );
  }
}

function heading(title: string, subtitle: string): IWidget {
  return new TextWidget({ markdown: `## ${title}\n${subtitle}`, width: FULL_WIDTH, height: 2 });
}

/** Every series of one of Baton's metrics that the stage emitted, whatever its dimensions' values. */
function batonMetricGraph(metric: BatonMetric, service: string): IWidget {
  const schema = [METRIC_NAMESPACE, SERVICE_DIMENSION, ...metric.dimensions].join(',');
  const search = `SEARCH('{${schema}} MetricName="${metric.name}" ${SERVICE_DIMENSION}="${service}"', '${metric.statistic}', ${PERIOD.toSeconds()})`;
  return new GraphWidget({
    title: `${metric.name} (${metric.unit}, ${metric.statistic})`,
    left: [new MathExpression({ expression: search, usingMetrics: {}, label: '', period: PERIOD })],
    width: metric.dimensions.length === 0 ? HALF_WIDTH / 2 : HALF_WIDTH,
    height: 6,
  });
}

function workflowGraph(workflowId: string, stateMachine: StateMachine): IWidget {
  const options = { period: PERIOD };
  return new GraphWidget({
    title: `workflow ${workflowId}`,
    left: [
      stateMachine.metricStarted({ ...options, label: 'started' }),
      stateMachine.metricFailed({ ...options, label: 'failed' }),
      stateMachine.metricTimedOut({ ...options, label: 'timed out' }),
    ],
    right: [
      stateMachine.metricTime({ ...options, statistic: 'p50', label: 'duration p50' }),
      stateMachine.metricTime({ ...options, statistic: 'Maximum', label: 'duration max' }),
    ],
    width: HALF_WIDTH,
    height: 6,
  });
}

function functionGraph(functionId: string, fn: IFunction): IWidget {
  const options = { period: PERIOD };
  return new GraphWidget({
    title: `function ${functionId}`,
    left: [
      fn.metricErrors({ ...options, label: 'errors' }),
      fn.metricThrottles({ ...options, label: 'throttles' }),
    ],
    right: [
      fn.metricDuration({ ...options, statistic: 'p50', label: 'duration p50' }),
      fn.metricDuration({ ...options, statistic: 'Maximum', label: 'duration max' }),
    ],
    width: HALF_WIDTH / 2,
    height: 6,
  });
}

function deadLetterGraph(queues: readonly IQueue[], part: string): IWidget {
  const depth = (queue: IQueue): Metric =>
    queue.metricApproximateNumberOfMessagesVisible({
      period: PERIOD,
      statistic: 'Maximum',
      label: queue.queueName,
    });
  return new GraphWidget({
    title: `dead-letter queues${part}`,
    left: queues.map(depth),
    width: HALF_WIDTH,
    height: 6,
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}
