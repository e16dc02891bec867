/**
 * CloudWatch's Embedded Metric Format, read as CloudWatch Logs reads it: a log line that is a JSON
 * object with `_aws.CloudWatchMetrics` is a metric document; each of its directives names metrics
 * (their values at the root, a number or a list of numbers) and dimension sets (each dimension's
 * value at the root), and every metric counts once per dimension set. The embedded runtime sums
 * the documents its functions write, per metric and dimensions, for the console.
 */
import type { MetricFigure } from '../console/console-api';

/** One metric's values in a document, under one dimension set. */
export interface EmfValues {
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

/**
 * Distinct series kept; a new one past this is not counted (and said once). Baton's dimensions
 * are few-valued by design, but pool and quota utilisation has a series per pool (or tenant) and
 * dimension: 10 000 is thousands of pools, a few MB at most, where a runaway dimension (an id
 * used as one by mistake) would otherwise grow the runtime's memory without end.
 */
export const MAX_METRIC_SERIES = 10_000;

type Json = Record<string, unknown>;

/** A log line read as an EMF document: the document, and the values it gives. */
export interface EmfDocument {
  readonly document: Readonly<Record<string, unknown>>;
  readonly values: EmfValues[];
}

/**
 * The line as an EMF document, or `undefined` when it is not one (any other log line, or one that
 * is not JSON). A directive that does not follow the format adds nothing, as CloudWatch extracts
 * nothing from it; nor does a metric whose value is not a number.
 */
export function readEmfDocument(line: string): EmfDocument | undefined {
  if (!line.includes('"_aws"')) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(document) || !isObject(document._aws) || !Array.isArray(document._aws.CloudWatchMetrics))
    return undefined;
  const root = document;
  const values = document._aws.CloudWatchMetrics.flatMap((directive) => {
    if (!isObject(directive) || !Array.isArray(directive.Metrics) || !Array.isArray(directive.Dimensions))
      return [];
    const dimensionSets = directive.Dimensions.flatMap((set) => {
      const dimensions = dimensionsOf(root, set);
      return dimensions ? [dimensions] : [];
    });
    return directive.Metrics.flatMap((metric) => {
      if (!isObject(metric) || typeof metric.Name !== 'string') return [];
      const values = valuesOf(root[metric.Name]);
      if (!values) return [];
      const unit = typeof metric.Unit === 'string' ? metric.Unit : 'None';
      return dimensionSets.map((dimensions) => ({ name: metric.Name as string, unit, dimensions, values }));
    });
  });
  return { document, values };
}

/** The sums of every series seen since the runtime started (what `runtime.metrics` exposes). */
export interface RuntimeMetrics {
  figures(): MetricFigure[];
}

export class MetricsCollector implements RuntimeMetrics {
  private readonly series = new Map<string, { -readonly [K in keyof MetricFigure]: MetricFigure[K] }>();
  private saidFull = false;

  constructor(private readonly maxSeries = MAX_METRIC_SERIES) {}

  add(values: readonly EmfValues[]): void {
    for (const { name, unit, dimensions, values: numbers } of values) {
      const sorted = Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
      const key = JSON.stringify([name, sorted]);
      let figure = this.series.get(key);
      if (!figure) {
        if (this.series.size >= this.maxSeries) {
          this.sayFull(name);
          continue;
        }
        figure = { name, unit, dimensions: sorted, sum: 0, count: 0, last: 0 };
        this.series.set(key, figure);
      }
      for (const value of numbers) {
        figure.sum += value;
        figure.count += 1;
        figure.last = value;
      }
    }
  }

  figures(): MetricFigure[] {
    return [...this.series.values()].map((figure) => ({ ...figure }));
  }

  private sayFull(name: string): void {
    if (this.saidFull) return;
    this.saidFull = true;
    console.error(
      `[baton] ${this.maxSeries} metric series are counted already: new ones (${name} …) are left out of the console's figures; metrics.ndjson still has every line`,
    );
  }
}

function dimensionsOf(root: Json, set: unknown): Record<string, string> | undefined {
  if (!Array.isArray(set)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const key of set) {
    const value = typeof key === 'string' ? root[key] : undefined;
    if (typeof value !== 'string') return undefined;
    dimensions[key] = value;
  }
  return dimensions;
}

function valuesOf(value: unknown): number[] | undefined {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (values as number[])
    : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
