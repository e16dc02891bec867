/**
 * How a Baton function's `entry` becomes the module Lambda loads — one bundle per function — shared
 * by the CDK construct (`BatonFunction`), the embedded runtime and the bench, so that the code run
 * locally is bundled as the code deployed.
 *
 * CommonJS, with the AWS SDK left to Lambda's runtime, measured fastest to load
 * (`npm run bench -- handler-bundles`). A handler loads the SDK on its first call to AWS, not at
 * init (`runtime-wiring`); CommonJS requires a Node built-in where it is used, whereas an ESM
 * bundle imports every built-in (and external package) it names before it runs a line —
 * `node:http` among them, whose ESM face loads all of Node's fetch (undici) — even for code that
 * only a first call runs. With the SDK bundled the first call to AWS is shorter (the SDK
 * tree-shaken), but every bundle is three times larger: a slower init, and an embedded runtime
 * that takes three times as long to bundle its functions at start.
 */
export const functionBundling = {
  format: 'cjs',
  platform: 'node',
  /** The Lambda runtime the functions are deployed on (Node.js 24). */
  target: 'node24',
  /** ES modules first: esbuild shakes out what they do not use. */
  mainFields: ['module', 'main'],
  /** Lambda's Node.js runtime provides the AWS SDK v3. */
  external: ['@aws-sdk/*'],
  /** A bundle's file extension inside this repository, whose `package.json` makes `.js` an ES module. */
  extension: '.cjs',
} as const;
