/**
 * What a handler loads on first use (an SDK client, the Tracer, an adapter): loaded once and
 * shared, but a load that fails is tried again by the next call — a failure at module init would
 * have made Lambda start a fresh environment, and a warm one must not keep failing on a cached
 * rejection instead.
 */
export function loadOnce<Value>(load: () => Promise<Value>): () => Promise<Value> {
  let loaded: Promise<Value> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}
