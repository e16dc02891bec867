/** Requests refused before anything was written. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';

export const RequestRejected = defineEvent(
  'RequestRejected',
  'fact',
  z.object({
    eventId: z.string(),
    detailType: z.string(),
    source: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
  'A request event was refused before anything was written; `errors` say what to fix.',
  {
    eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    detailType: 'ResourcePoolChanged',
    source: 'acme.inventory',
    errors: [{ path: 'capacity.vcpu', message: 'Too small: expected number to be >=0' }],
  },
);
