import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EventDefinition, events } from '../../lambdas/core/events/catalog';
import { parseDetail } from '../../lambdas/core/events/validation';
import { catalogSchemaFiles, schemaDirectory } from '../../lib/catalog/json-schemas';
import { compileEventPattern } from '../../lib/embedded/event-pattern/event-pattern';
import { routePattern, routes } from '../../lib/topology/routes';

const definitions: [string, EventDefinition][] = Object.entries(events);

describe('the event catalog', () => {
  it('has one definition per detail-type', () => {
    const detailTypes = definitions.map(([, definition]) => definition.detailType);
    expect(new Set(detailTypes).size).toBe(detailTypes.length);
  });

  it.each(definitions)('%s: its documented example is valid', (_, definition) => {
    expect(parseDetail(definition, definition.example)).toMatchObject({ ok: true });
  });

  it.each(definitions)(
    '%s: a detail of the wrong type entirely is refused with readable errors',
    (_, definition) => {
      const result = parseDetail(definition, 'not an object');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]?.message).toMatch(/expected object/);
    },
  );

  it('refuses a key named __proto__ anywhere, which a parsed object would silently drop', () => {
    const definition = definitions.find(
      ([, { detailType }]) => detailType === 'ResourceAllocationRequested',
    )?.[1];
    if (!definition) throw new Error('ResourceAllocationRequested is in the catalog');
    // Dropped, this selector would be empty and select every pool.
    const selector = JSON.parse('{"labels": {"__proto__": "gpu"}}');
    expect(parseDetail(definition, { ...(definition.example as object), ...selector })).toEqual({
      ok: false,
      errors: [{ path: 'labels', message: 'the key __proto__ is not allowed' }],
    });
    const atTop = JSON.parse('{"__proto__": {"tenantId": "other"}}');
    expect(parseDetail(definition, { ...(definition.example as object), ...atTop })).toEqual({
      ok: false,
      errors: [{ path: '(detail)', message: 'the key __proto__ is not allowed' }],
    });
  });

  it('has its JSON Schema files up to date (run `npm run catalog` after changing the catalog)', () => {
    const expected = catalogSchemaFiles();
    expect(readdirSync(schemaDirectory).sort()).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected)
      expect(readFileSync(join(schemaDirectory, file), 'utf8'), file).toBe(text);
  });
});

describe('route patterns derived from the catalog', () => {
  const envelope = (source: string, detailType: string, detail: unknown = {}) => ({
    id: '1',
    account: '123456789012',
    region: 'eu-west-1',
    time: '2026-11-28T00:00:00Z',
    resources: [],
    source,
    'detail-type': detailType,
    detail,
  });

  it.each(routes.map((route) => [route.id, route] as const))(
    '%s: takes requests from any source but Baton, facts only from Baton, AWS events from AWS',
    (_, route) => {
      const pattern = routePattern(route, 'prod');
      const matches = compileEventPattern(pattern);
      for (const name of route.events) {
        const definition = events[name];
        const { detailType } = definition;
        const [allowed, refused] =
          definition.origin === 'request'
            ? ['acme.inventory', 'baton']
            : [definition.origin === 'fact' ? 'baton' : String(definition.awsSource), 'acme.inventory'];
        // A detail its route takes: the documented example, shaped to the route's detail filter.
        const example = {
          ...definition.example,
          ...sampleOf((pattern.detail ?? {}) as Record<string, unknown>),
        };
        expect(matches(envelope(allowed, detailType, example))).toBe(true);
        expect(matches(envelope(refused, detailType, example))).toBe(false);
        expect(matches(envelope(allowed, `${detailType}X`, example))).toBe(false);
      }
    },
  );

  it.each([
    ['rollout-execution-ended', 'roll-out-service'],
    ['allocation-execution-ended', 'allocate-resources'],
    ['rebalance-execution-ended', 'rebalance-workloads'],
  ])('%s: takes only the abnormal ends of its own stage’s %s executions', (routeId, workflowId) => {
    const route = routes.find((candidate) => candidate.id === routeId);
    if (!route) throw new Error(`no ${routeId} route`);
    const matches = compileEventPattern(routePattern(route, 'prod'));
    const ended = (status: string, stateMachine: string) =>
      envelope('aws.states', 'Step Functions Execution Status Change', {
        status,
        stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${stateMachine}`,
      });
    expect(matches(ended('ABORTED', `baton-prod-${workflowId}`))).toBe(true);
    expect(matches(ended('TIMED_OUT', `baton-prod-${workflowId}`))).toBe(true);
    expect(matches(ended('FAILED', `baton-prod-${workflowId}`))).toBe(true);
    expect(matches(ended('SUCCEEDED', `baton-prod-${workflowId}`))).toBe(false);
    expect(matches(ended('ABORTED', 'baton-prod-declare-inventory'))).toBe(false);
    // Every stage in the account hears every stage's executions end: only its own are its business.
    expect(matches(ended('ABORTED', `baton-staging-${workflowId}`))).toBe(false);
    expect(matches(ended('ABORTED', `baton-pr-prod-${workflowId}`))).toBe(false);
    expect(matches(ended('ABORTED', `someone-elses-${workflowId}`))).toBe(false);
  });

  it('takes facts only from Baton and AWS events only from their AWS source', () => {
    const facts = compileEventPattern(routePattern({ events: ['ResourceAllocated'] }, 'prod'));
    expect(facts(envelope('baton', 'ResourceAllocated'))).toBe(true);
    expect(facts(envelope('acme', 'ResourceAllocated'))).toBe(false);
    const alarms = compileEventPattern(routePattern({ events: ['CloudWatchAlarmStateChange'] }, 'prod'));
    expect(alarms(envelope('aws.cloudwatch', 'CloudWatch Alarm State Change'))).toBe(true);
    expect(alarms(envelope('acme', 'CloudWatch Alarm State Change'))).toBe(false);
  });

  it('refuses a route mixing origins', () => {
    expect(() => routePattern({ events: ['ResourcePoolChanged', 'ResourceAllocated'] }, 'prod')).toThrow(
      /one origin/,
    );
  });
});

/** A detail that a detail filter of exact values and ARN suffixes takes: the first choice of each. */
function sampleOf(filter: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter).map(([field, choices]) => {
      const first = (choices as unknown[])[0];
      const suffix = (first as { suffix?: string } | undefined)?.suffix;
      return [field, suffix === undefined ? first : `arn:aws:states:eu-west-1:123456789012${suffix}`];
    }),
  );
}
