import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { type AnyEventDefinition, type EventName, events } from '../../lambdas/core/events/catalog';
import { eventJsonSchema } from '../catalog/json-schemas';

export interface EventSchemaRegistryProps {
  /** `baton-<stage>`. */
  readonly registryName: string;
}

/**
 * The event catalog published in an EventBridge schema registry: one draft-04 JSON Schema per
 * detail-type, the same documents `npm run catalog` writes, so consumers can generate code
 * bindings from the console or the CLI.
 */
export class EventSchemaRegistry extends Construct {
  readonly registry: CfnRegistry;
  /** One schema per catalog event, by catalog name. */
  readonly schemas: ReadonlyMap<EventName, CfnSchema>;

  constructor(scope: Construct, id: string, props: EventSchemaRegistryProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: "Baton's public event contract v1: requests, facts and the AWS events it reacts to",
    });
    const catalog = Object.entries(events) as [EventName, AnyEventDefinition][];
    this.schemas = new Map(
      catalog.map(([name, definition]) => [
        name,
        new CfnSchema(this, name, {
          registryName: this.registry.attrRegistryName,
          schemaName: name,
          type: 'JSONSchemaDraft4',
          description: definition.description,
          content: JSON.stringify(eventJsonSchema(definition)),
        }),
      ]),
    );
  }
}
