/**
 * A command's action, loaded when the command runs: `baton --help` and the other commands never
 * load what it imports (the AWS SDK, the runtime, the engine), and esbuild gives each action a
 * chunk of its own.
 */
export function lazyAction<Args extends unknown[]>(
  load: () => Promise<(...args: Args) => unknown>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    const action = await load();
    await action(...args);
  };
}
