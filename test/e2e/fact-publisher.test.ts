/**
 * The EventBridge publisher against the embedded bus, with PutEvents failures injected: entries a
 * call refused are sent again (only they: none that went through is announced twice), whole calls
 * that failed are retried, and what still cannot go through is named in `FactPublishFailed`.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../lambdas/adapters/event-bridge-publisher';
import { FactPublishFailed } from '../../lambdas/core/errors';
import type { Fact } from '../../lambdas/core/ports';
import { BATON_BUS_NAME, type BusEvent, type PutEventsEntry } from '../../lib/embedded/event-bus';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let client: EventBridgeClient;
let publisher: EventBridgePublisher;
const announced: BusEvent[] = [];

beforeAll(async () => {
  t = await startTestRuntime({ dataDirectory: null });
  // Baton's own credentials: only Baton's functions may publish under the source `baton`.
  client = new EventBridgeClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: t.runtime.functionCredentials,
  });
  publisher = new EventBridgePublisher(client, BATON_BUS_NAME);
  t.runtime.bus.subscribe((event) => {
    if (event.detail && (event.detail as { test?: string }).test) announced.push(event);
  });
});
afterAll(async () => {
  client.destroy();
  await t.stop();
});

let batch = 0;
/** `count` facts of a fresh batch, each naming itself. */
function facts(count: number): Fact[] {
  batch++;
  return Array.from({ length: count }, (_, i) => ({
    detailType: 'PublisherProbe',
    detail: { test: `b${batch}`, probeId: `p${i}` },
  }));
}

const deliveries = (of: Fact[]) => {
  const test = (of[0]?.detail as { test?: string } | undefined)?.test;
  return announced
    .filter((event) => (event.detail as { test: string }).test === test)
    .map((event) => (event.detail as { probeId: string }).probeId)
    .sort();
};

/** Fails the entries of the probes named, the first `tries` times each is put. */
function failing(probeIds: readonly string[], tries: number, kind: 'entry' | 'call') {
  const seen = new Map<string, number>();
  return (entry: PutEventsEntry) => {
    const { probeId } = JSON.parse(String(entry.Detail)) as { probeId?: string };
    if (!probeId || !probeIds.includes(probeId)) return undefined;
    const count = (seen.get(probeId) ?? 0) + 1;
    seen.set(probeId, count);
    return count <= tries ? kind : undefined;
  };
}

describe('EventBridgePublisher', () => {
  it('sends again only the entries a call refused: each fact once, none twice', async () => {
    const sent = facts(12);
    const stop = t.runtime.bus.injectFault(failing(['p3', 'p11'], 2, 'entry'));
    try {
      await publisher.publish(sent);
    } finally {
      stop();
    }
    expect(deliveries(sent)).toEqual(sent.map((f) => (f.detail as { probeId: string }).probeId).sort());
  });

  it('retries a whole call that failed, and announces it once', async () => {
    const sent = facts(3);
    const stop = t.runtime.bus.injectFault(failing(['p1'], 1, 'call'));
    try {
      await publisher.publish(sent);
    } finally {
      stop();
    }
    expect(deliveries(sent)).toEqual(['p0', 'p1', 'p2']);
  });

  it('names what is still unpublished after its tries, having announced the rest once', async () => {
    const sent = facts(4);
    const stop = t.runtime.bus.injectFault(failing(['p2'], Number.POSITIVE_INFINITY, 'entry'));
    try {
      const failure = await publisher.publish(sent).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(FactPublishFailed);
      expect((failure as Error).message).toBe(
        '1 of 4 fact(s) not published: PublisherProbe probeId p2 (InternalFailure: injected entry failure)',
      );
    } finally {
      stop();
    }
    expect(deliveries(sent)).toEqual(['p0', 'p1', 'p3']);
  });

  it('does not retry an entry the bus refuses for what it is', async () => {
    const tooBig: Fact = {
      detailType: 'PublisherProbe',
      detail: { test: 'big', probeId: 'x', pad: 'x'.repeat(300_000) },
    };
    await expect(publisher.publish([tooBig])).rejects.toThrow(
      /1 of 1 fact\(s\) not published: PublisherProbe probeId x \(ValidationException/,
    );
  });
});
