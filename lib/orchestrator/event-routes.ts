/**
 * One EventBridge rule per route and per schedule, each target backed by a dead-letter queue of
 * its own and delivered with the stage's retries and maximum event age. A route or schedule whose
 * function or workflow is not deployed is refused, naming both.
 */
import { Duration } from 'aws-cdk-lib';
import {
  type EventPattern as CdkEventPattern,
  type EventBus,
  type IRuleTarget,
  Rule,
  Schedule as RuleSchedule,
  RuleTargetInput,
} from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine, type TargetBaseProps } from 'aws-cdk-lib/aws-events-targets';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { events } from '../../lambdas/core/events/catalog';
import type { BatonFunction } from '../baton-function';
import { batonName } from '../topology/resource-names';
import { type Route, routePattern } from '../topology/routes';
import type { Schedule } from '../topology/schedules';
import { DeadLetterQueue } from './dead-letter-queue';
import type { EventDelivery } from './event-delivery';

export interface EventRoutesProps {
  readonly stage: string;
  readonly bus: EventBus;
  readonly delivery: EventDelivery;
  readonly functions: ReadonlyMap<string, BatonFunction>;
  readonly stateMachines: ReadonlyMap<string, StateMachine>;
}

export interface RoutedEvents {
  readonly route: Route;
  readonly rule: Rule;
  readonly deadLetterQueue: DeadLetterQueue;
}

/** One rule per route, under `scope/<route id>`. */
export function buildRoutes(
  scope: Construct,
  routes: readonly Route[],
  props: EventRoutesProps,
): RoutedEvents[] {
  return routes.map((route) => {
    const routeScope = new Construct(scope, route.id);
    const ruleName = batonName(props.stage, route.id);
    const rule = new Rule(routeScope, 'Rule', {
      ruleName,
      description: route.description,
      // AWS services emit their events on the default bus only.
      eventBus: route.events.every((name) => events[name].origin === 'aws') ? undefined : props.bus,
      // The catalog pattern is EventBridge JSON ('detail-type', `anything-but`); CDK renders it verbatim.
      eventPattern: routePattern(route, props.stage) as CdkEventPattern,
    });
    const deadLetterQueue = new DeadLetterQueue(routeScope, 'DeadLetters', {
      queueName: `${ruleName}-dlq`,
      keepsFailuresOf: `the target of rule ${ruleName}`,
    });
    rule.addTarget(routeTarget(route, { ...props.delivery, deadLetterQueue }, props));
    return { route, rule, deadLetterQueue };
  });
}

/** One schedule rule per scheduled function, under `scope/<schedule id>`. */
export function buildSchedules(
  scope: Construct,
  schedules: readonly Schedule[],
  { stage, delivery, functions }: EventRoutesProps,
): void {
  for (const schedule of schedules) {
    const fn = functions.get(schedule.functionId);
    if (!fn)
      throw new Error(`schedule ${schedule.id} runs function ${schedule.functionId}, which is not deployed`);
    const scheduleScope = new Construct(scope, schedule.id);
    const ruleName = batonName(stage, schedule.id);
    const rule = new Rule(scheduleScope, 'Rule', {
      ruleName,
      description: schedule.description,
      schedule: RuleSchedule.rate(Duration.seconds(schedule.everySeconds)),
    });
    const deadLetterQueue = new DeadLetterQueue(scheduleScope, 'DeadLetters', {
      queueName: `${ruleName}-dlq`,
      keepsFailuresOf: `the target of schedule ${ruleName}`,
    });
    rule.addTarget(new LambdaFunction(fn.function, { ...delivery, deadLetterQueue }));
  }
}

function routeTarget(route: Route, delivery: TargetBaseProps, props: EventRoutesProps): IRuleTarget {
  const target = route.target;
  switch (target.kind) {
    case 'function': {
      const fn = props.functions.get(target.functionId);
      if (!fn)
        throw new Error(`route ${route.id} invokes function ${target.functionId}, which is not deployed`);
      return new LambdaFunction(fn.function, delivery);
    }
    case 'workflow': {
      const stateMachine = props.stateMachines.get(target.workflowId);
      if (!stateMachine) {
        throw new Error(`route ${route.id} starts workflow ${target.workflowId}, which is not deployed`);
      }
      // The execution input is the request itself, exactly what an operator would type in the console.
      return new SfnStateMachine(stateMachine, {
        ...delivery,
        input: RuleTargetInput.fromEventPath('$.detail'),
      });
    }
  }
}
