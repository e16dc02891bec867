import type { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountRootPrincipal, AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BATON_SOURCE } from '../../lambdas/core/events/catalog';

/**
 * Consumers trust a fact because only Baton can send one: the bus policy denies `source: "baton"`
 * to every principal but Baton's own publishers, and lets the account publish requests under any
 * other source. A deny is needed because, within the account, an identity policy alone would
 * otherwise be enough to put events on the bus.
 */
export function restrictFactPublishing(bus: EventBus, publishers: readonly IRole[]): void {
  bus.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AccountPublishesRequests',
      principals: [new AccountRootPrincipal()],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: { StringNotEquals: { 'events:source': BATON_SOURCE } },
    }),
  );
  bus.addToResourcePolicy(
    new PolicyStatement({
      sid: 'OnlyBatonPublishesFacts',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: {
        StringEquals: { 'events:source': BATON_SOURCE },
        ...(publishers.length > 0
          ? { ArnNotEquals: { 'aws:PrincipalArn': publishers.map((role) => role.roleArn) } }
          : {}),
      },
    }),
  );
}
