/** Benchmark output: one JSON line per figure, `{"metric","value","unit"}`. */
export function report(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ metric, value: Number(value.toFixed(3)), unit }));
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns each run's latency (ms). */
export async function drive(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await task(index);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}
