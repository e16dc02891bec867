/**
 * EMF lines as the embedded runtime reads them from its functions: documents summed per metric and
 * dimensions, every other line passed through (whole, however it was split), a malformed document
 * counted nowhere, and the series held to their cap.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MetricsCollector, readEmfDocument } from '../../lib/embedded/emf-metrics';
import { FunctionOutput } from '../../lib/embedded/function-output';
import { NdjsonLog } from '../../lib/embedded/ndjson-log';

/** An EMF document as Powertools writes it. */
const emf = (name: string, unit: string, dimensions: Record<string, string>, value: number | number[]) =>
  JSON.stringify({
    _aws: {
      Timestamp: 1_790_000_000_000,
      CloudWatchMetrics: [
        { Namespace: 'Baton', Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] },
      ],
    },
    ...dimensions,
    [name]: value,
  });

const allocated = { service: 'baton-local', outcome: 'Allocated', reason: 'None' };

describe('readEmfDocument and MetricsCollector', () => {
  it('sums each metric per dimensions: sum, count and the last value', () => {
    const collector = new MetricsCollector();
    for (const line of [
      emf('Allocations', 'Count', allocated, 1),
      emf('Allocations', 'Count', { ...allocated, outcome: 'Rejected', reason: 'QuotaExceeded' }, 1),
      emf('Allocations', 'Count', allocated, 1),
      emf('PoolUtilisation', 'Percent', { service: 'baton-local', poolId: 'p', dimension: 'vcpu' }, [25, 50]),
      emf('PoolUtilisation', 'Percent', { service: 'baton-local', poolId: 'p', dimension: 'vcpu' }, 12.5),
    ]) {
      collector.add(readEmfDocument(line)?.values ?? []);
    }
    expect(collector.figures()).toEqual([
      { name: 'Allocations', unit: 'Count', dimensions: allocated, sum: 2, count: 2, last: 1 },
      {
        name: 'Allocations',
        unit: 'Count',
        dimensions: { ...allocated, outcome: 'Rejected', reason: 'QuotaExceeded' },
        sum: 1,
        count: 1,
        last: 1,
      },
      {
        name: 'PoolUtilisation',
        unit: 'Percent',
        dimensions: { dimension: 'vcpu', poolId: 'p', service: 'baton-local' },
        sum: 87.5,
        count: 3,
        last: 12.5,
      },
    ]);
  });

  it('counts a metric once per dimension set, as CloudWatch does', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'Baton',
            Dimensions: [['service'], ['service', 'outcome']],
            Metrics: [{ Name: 'Rollouts' }],
          },
        ],
      },
      service: 'baton-local',
      outcome: 'Succeeded',
      Rollouts: 1,
    });
    expect(readEmfDocument(line)?.values).toEqual([
      { name: 'Rollouts', unit: 'None', dimensions: { service: 'baton-local' }, values: [1] },
      {
        name: 'Rollouts',
        unit: 'None',
        dimensions: { service: 'baton-local', outcome: 'Succeeded' },
        values: [1],
      },
    ]);
  });

  it.each([
    ['a log line', '{"level":"WARN","message":"request refused"}'],
    ['plain text', 'hello from a handler'],
    ['broken JSON that mentions _aws', '{"_aws": {"CloudWatchMetrics": ['],
    ['_aws without CloudWatchMetrics', '{"_aws":{"Timestamp":1}}'],
  ])('is not a metric document: %s', (_, line) => {
    expect(readEmfDocument(line)).toBeUndefined();
  });

  it.each([
    ['a value that is not a number', { Allocations: 'one' }],
    ['a dimension without its value', { service: undefined }],
    ['a dimension whose value is not a string', { reason: 7 }],
    ['no value at all', { Allocations: undefined }],
  ])('counts a malformed document nowhere: %s', (_, change) => {
    const collector = new MetricsCollector();
    const document = { ...JSON.parse(emf('Allocations', 'Count', allocated, 1)), ...change };
    collector.add(readEmfDocument(JSON.stringify(document))?.values ?? []);
    expect(collector.figures()).toEqual([]);
  });

  it('keeps at most its cap of series, still summing those it has', () => {
    const collector = new MetricsCollector(2);
    const pool = (poolId: string) =>
      emf('PoolUtilisation', 'Percent', { service: 'baton-local', poolId, dimension: 'vcpu' }, 10);
    for (const line of [pool('a'), pool('b'), pool('c'), pool('a')]) {
      collector.add(readEmfDocument(line)?.values ?? []);
    }
    expect(collector.figures().map((figure) => [figure.dimensions.poolId, figure.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('FunctionOutput', () => {
  it('keeps EMF lines in the metrics log and the figures, passes every other line through whole', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'baton-emf-'));
    try {
      const log = new NdjsonLog(join(directory, 'metrics.ndjson'));
      const collector = new MetricsCollector();
      const passed: string[] = [];
      const output = new FunctionOutput(log, collector, (line) => passed.push(line));
      const stdout = new PassThrough();
      output.follow(stdout);
      const document = emf('Allocations', 'Count', allocated, 1);
      const text = `first line\n${document}\nsecond ${'é'.repeat(3)} line\nunfinished`;
      // Split everywhere, a multi-byte character too: lines are read whole all the same.
      const bytes = Buffer.from(text);
      const cuts = [3, 15, 40, bytes.indexOf(Buffer.from('é')) + 1, bytes.length - 4];
      [0, ...cuts].forEach((from, index) => {
        stdout.write(bytes.subarray(from, cuts[index] ?? bytes.length));
      });
      stdout.end();
      await new Promise((resolve) => setImmediate(resolve));
      expect(passed).toEqual(['first line', 'second ééé line', 'unfinished']);
      expect(collector.figures()).toMatchObject([{ name: 'Allocations', sum: 1, count: 1 }]);
      await log.close();
      expect(readFileSync(join(directory, 'metrics.ndjson'), 'utf8')).toBe(`${document}\n`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
