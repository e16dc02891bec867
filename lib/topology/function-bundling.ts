/**
 * How a Baton function's `entry` becomes the module Lambda loads — one bundle per function — shared
 * by the CDK construct (`BatonFunction`), the embedded runtime and the bench, so that the code run
 * locally is bundled as the code deployed.
 *
 * CommonJS with the AWS SDK bundled, measured fastest to load (`npm run bench -- handler-bundles`):
 * the SDK tree-shaken to the commands used starts faster than the full clients Lambda's runtime
 * provides, and CommonJS requires a Node built-in where it is used, whereas an ESM bundle imports
 * every built-in its dependencies name before it runs a line — `node:http` among them, whose ESM
 * face loads all of Node's fetch (undici, ≈ 15 ms) — even for modules loaded only on first use.
 */
export const functionBundling = {
  format: 'cjs',
  platform: 'node',
  /** The Lambda runtime the functions are deployed on (Node.js 24). */
  target: 'node24',
  /** ES modules first: esbuild shakes out what they do not use. */
  mainFields: ['module', 'main'],
  /** Nothing: the AWS SDK is bundled too (see above). */
  external: [],
  /** A bundle's file extension inside this repository, whose `package.json` makes `.js` an ES module. */
  extension: '.cjs',
} as const;
