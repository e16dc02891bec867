/** The product topology plus the test fixtures, for infrastructure tests that need a workflow. */
import type { OrchestratorProps } from '../../lib/orchestrator';
import { functions } from '../../lib/topology/functions';
import { type Route, routes } from '../../lib/topology/routes';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import { fixtureFunction, fixtureWorkflows } from '../fixtures/fixture-topology';

/** A workflow route (requests start the fixture workflow) and a route for an AWS event. */
export const fixtureRoutes: readonly Route[] = [
  {
    id: 'fixture-rebalance',
    description: 'WorkloadRebalanceRequested → fixture workflow (test only)',
    events: ['WorkloadRebalanceRequested'],
    target: { kind: 'workflow', workflowId: 'fixture' },
  },
  {
    id: 'fixture-alarm',
    description: 'CloudWatch Alarm State Change → fixture function (test only)',
    events: ['CloudWatchAlarmStateChange'],
    target: { kind: 'function', functionId: fixtureFunction.id },
  },
];

export const withFixtures = {
  functions: [...functions, fixtureFunction],
  workflows: [...workflowsIn(productWorkflowDirectory), ...fixtureWorkflows],
  routes: [...routes, ...fixtureRoutes],
  rolloutTargets: ['checkout', 'payments-*'],
} satisfies Omit<OrchestratorProps, 'stage'>;
