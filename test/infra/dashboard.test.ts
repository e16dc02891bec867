/**
 * The stage's dashboard: one, named `baton-<stage>`, drawing every one of Baton's metrics (searched
 * under the stage's service), every workflow's executions and duration, every function's errors,
 * throttles and duration, and every dead-letter queue's depth.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { batonMetrics } from '../../lambdas/metrics/metric-catalogue';
import { Orchestrator } from '../../lib/orchestrator';
import { DeadLetterQueue } from '../../lib/orchestrator/dead-letter-queue';
import { withFixtures } from './fixture-topology-props';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new Stack(app, 'Test');
const orchestrator = new Orchestrator(stack, 'Baton', { stage: 'test', ...withFixtures });
const template = Template.fromStack(stack);
const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));

/** The dashboard's body with its references written as `{ref:<logical id>}`, read as JSON. */
function body(): { widgets: { properties: Record<string, unknown> }[] } {
  const joined = dashboards[0]?.Properties.DashboardBody['Fn::Join'] as [string, unknown[]];
  const text = joined[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const reference = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return `{ref:${reference.Ref ?? reference['Fn::GetAtt']?.[0]}}`;
    })
    .join('');
  return JSON.parse(text);
}

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const widgetsWith = (text: string) =>
  body().widgets.filter((widget) => JSON.stringify(widget.properties).includes(text));

describe('operations dashboard', () => {
  it('is one dashboard named after the stage', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe('baton-test');
  });

  it.each(Object.values(batonMetrics).map((metric) => [metric.name, metric] as const))(
    "draws Baton's metric %s, searched under the stage's service with its dimensions",
    (name, metric) => {
      const [widget, ...others] = widgetsWith(`MetricName=\\"${name}\\"`);
      expect(others).toEqual([]);
      const metrics = widget?.properties.metrics as [[{ expression: string }]] | undefined;
      expect(metrics?.[0][0].expression).toBe(
        `SEARCH('{Baton,${['service', ...metric.dimensions].join(',')}} MetricName="${name}" service="baton-test"', '${metric.statistic}', 300)`,
      );
    },
  );

  it('draws every workflow: executions started, failed and timed out, and their duration', () => {
    for (const [workflowId, stateMachine] of orchestrator.stateMachines) {
      const [widget, ...others] = widgetsWith(`workflow ${workflowId}"`);
      expect(others).toEqual([]);
      const metrics = JSON.stringify(widget?.properties.metrics);
      for (const name of ['ExecutionsStarted', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionTime'])
        expect(metrics).toContain(name);
      expect(metrics).toContain(`{ref:${logicalId(stateMachine)}}`);
    }
    expect(orchestrator.stateMachines.size).toBeGreaterThan(1);
  });

  it('draws every function: errors, throttles and duration', () => {
    for (const [functionId, fn] of orchestrator.functions) {
      const [widget, ...others] = widgetsWith(`function ${functionId}"`);
      expect(others).toEqual([]);
      const metrics = JSON.stringify(widget?.properties.metrics);
      for (const name of ['Errors', 'Throttles', 'Duration']) expect(metrics).toContain(`"${name}"`);
      expect(metrics).toContain(`{ref:${logicalId(fn.function)}}`);
    }
  });

  it('draws the depth of every dead-letter queue', () => {
    const queues = orchestrator.node.findAll().filter((construct) => construct instanceof DeadLetterQueue);
    expect(queues.length).toBeGreaterThan(orchestrator.functions.size);
    const drawn = JSON.stringify(widgetsWith('ApproximateNumberOfMessagesVisible'));
    for (const queue of queues) expect(drawn).toContain(`{ref:${logicalId(queue)}}`);
  });
});
