/**
 * JSON Schema documents derived from the event catalog: written to `lib/catalog/schemas/` by
 * `npm run catalog` (docs for users) and registered in the EventBridge schema registry.
 */
import { join } from 'node:path';
import * as z from 'zod/mini';
import { type AnyEventDefinition, BATON_SOURCE, events } from '../../lambdas/core/events/catalog';
import { repositoryRoot } from '../topology/repository-root';

export const schemaDirectory = join(repositoryRoot, 'lib', 'catalog', 'schemas');

/** File name of an event's schema, e.g. `ResourcePoolChanged.schema.json`. */
export function schemaFileName(definition: AnyEventDefinition): string {
  return `${definition.detailType.replaceAll(' ', '')}.schema.json`;
}

/**
 * The JSON Schema of a whole EventBridge event of this detail-type, in draft 4: the dialect the
 * EventBridge schema registry accepts, so the docs and the registry hold the same document.
 */
export function eventJsonSchema(definition: AnyEventDefinition): Record<string, unknown> {
  const detail = z.toJSONSchema(definition.schema, {
    io: 'input',
    target: 'draft-04',
    unrepresentable: 'any',
  });
  const { $schema, ...detailSchema } = detail;
  return {
    $schema,
    id: `https://baton.dev/events/v1/${schemaFileName(definition)}`,
    title: definition.detailType,
    description: definition.description,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      source: sourceSchema(definition),
      'detail-type': { type: 'string', enum: [definition.detailType] },
      detail: { ...detailSchema, example: definition.example },
    },
  };
}

function sourceSchema(definition: AnyEventDefinition): Record<string, unknown> {
  switch (definition.origin) {
    case 'fact':
      return { type: 'string', enum: [BATON_SOURCE] };
    case 'aws':
      return { type: 'string', enum: [definition.awsSource] };
    case 'request':
      return { type: 'string', not: { enum: [BATON_SOURCE] } };
  }
}

/** Every schema document, keyed by file name, in catalog order. */
export function catalogSchemaFiles(): Map<string, string> {
  return new Map(
    Object.values(events).map((definition) => [
      schemaFileName(definition),
      `${JSON.stringify(eventJsonSchema(definition), null, 2)}\n`,
    ]),
  );
}
