/**
 * What the `Orchestrator` is built from, with its defaults, and the check of the stage that runs
 * before anything is named.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { parseStage } from '../stage';
import { type FunctionDefinition, functions as productFunctions } from '../topology/functions';
import { routes as productRoutes, type Route } from '../topology/routes';
import { schedules as productSchedules, type Schedule } from '../topology/schedules';
import { productWorkflowDirectory, type WorkflowDefinition, workflowsIn } from '../topology/workflows';
import { DEFAULT_EVENT_DELIVERY, type EventDelivery } from './event-delivery';

export interface OrchestratorProps {
  /**
   * Names every resource (`baton-<stage>`, `baton-<stage>-<id>`): lowercase letters, digits and
   * inner hyphens, at most 20 characters.
   */
  readonly stage: string;
  /**
   * The Lambda functions to deploy.
   * @default the product's functions (`lib/topology/functions.ts`)
   */
  readonly functions?: readonly FunctionDefinition[];
  /**
   * The workflows to deploy, one state machine each.
   * @default every `*.asl.json` in `state-machines/`
   */
  readonly workflows?: readonly WorkflowDefinition[];
  /**
   * Which events start which function or workflow, one EventBridge rule each.
   * @default the product's routes (`lib/topology/routes.ts`)
   */
  readonly routes?: readonly Route[];
  /**
   * How long function and execution logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Retries and maximum event age of every EventBridge target.
   * @default DEFAULT_EVENT_DELIVERY (8 attempts, 1 hour)
   */
  readonly eventDelivery?: EventDelivery;
  /**
   * Whether the ledger table outlives the stack. Set `false` only for throwaway stages.
   * @default true: deletion protection on and `RemovalPolicy.RETAIN`
   */
  readonly retainLedger?: boolean;
  /**
   * The functions rollouts may shift the aliases of, and call as traffic hooks: names in this
   * account and region, `*` allowed (`checkout`, `payments-*`). Baton's own functions are never
   * among them.
   * @default none: rollouts are refused by IAM until the stage names what it may roll out
   */
  readonly rolloutTargets?: readonly string[];
  /**
   * Functions run on a clock, one schedule rule each.
   * @default the product's schedules (`lib/topology/schedules.ts`)
   */
  readonly schedules?: readonly Schedule[];
}

/** The props with their defaults, checked. */
export type CheckedOrchestratorProps = Required<OrchestratorProps>;

/**
 * The props with their defaults, or `InvalidStage` for a stage that would make invalid names. What
 * the props refer to is checked by the builder that uses it: a function's environment as the
 * function is built, a route's or schedule's target by `buildRoutes` and `buildSchedules`.
 */
export function checkOrchestratorProps(props: OrchestratorProps): CheckedOrchestratorProps {
  return {
    stage: parseStage(props.stage),
    functions: props.functions ?? productFunctions,
    workflows: props.workflows ?? workflowsIn(productWorkflowDirectory),
    routes: props.routes ?? productRoutes,
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    eventDelivery: props.eventDelivery ?? DEFAULT_EVENT_DELIVERY,
    retainLedger: props.retainLedger ?? true,
    rolloutTargets: props.rolloutTargets ?? [],
    schedules: props.schedules ?? productSchedules,
  };
}
