/**
 * How a Baton function's `entry` becomes the module Lambda loads — one bundle per function, ESM,
 * the AWS SDK left to the runtime — shared by the CDK construct (`BatonFunction`) and the
 * embedded runtime, so that the code run locally is bundled as the code deployed.
 */

/**
 * ESM bundles have no `require`; a dependency that still calls it (for a Node built-in) gets one
 * bound to the bundle's own URL.
 */
const REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const functionBundling = {
  format: 'esm',
  platform: 'node',
  /** The Lambda runtime the functions are deployed on (Node.js 24). */
  target: 'node24',
  mainFields: ['module', 'main'],
  /** Lambda's Node.js runtime provides the AWS SDK v3. */
  external: ['@aws-sdk/*'],
  banner: REQUIRE_SHIM,
} as const;
