/**
 * How an event of Baton's contract is defined: its detail-type, who emits it, its schema and a
 * documented example. Each definition lives in the module of its aspect, so a handler bundles
 * only the schemas it uses; `catalog.ts` gathers them all for patterns, docs and the registry.
 */
import type * as z from 'zod/mini';

/** Baton's own source; facts carry it, requests must not (the bus policy enforces it in AWS). */
export const BATON_SOURCE = 'baton';

/** Who emits an event: other systems (`request`), Baton itself (`fact`) or AWS (`aws`). */
export type EventOrigin = 'request' | 'fact' | 'aws';

export interface EventDefinition<Schema extends z.ZodMiniType = z.ZodMiniType> {
  readonly detailType: string;
  readonly origin: EventOrigin;
  /** For `aws` events, the AWS source (e.g. `aws.cloudwatch`). */
  readonly awsSource?: string;
  readonly description: string;
  readonly schema: Schema;
  readonly example: z.input<Schema>;
}

export function defineEvent<const DetailType extends string, Schema extends z.ZodMiniType>(
  detailType: DetailType,
  origin: EventOrigin,
  schema: Schema,
  description: string,
  example: z.input<Schema>,
  awsSource?: string,
): EventDefinition<Schema> & { readonly detailType: DetailType } {
  return { detailType, origin, schema, description, example, ...(awsSource ? { awsSource } : {}) };
}

/** A fact to announce: the detail-type comes from its definition, the detail is typed by its schema. */
export interface Fact {
  readonly detailType: string;
  readonly detail: unknown;
}

export function fact<Schema extends z.ZodMiniType>(
  definition: EventDefinition<Schema>,
  detail: z.output<Schema>,
): Fact {
  return { detailType: definition.detailType, detail };
}
