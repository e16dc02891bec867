#!/usr/bin/env node
// The `baton` command: runs the compiled CLI in dist/cli/ (`npm run build`, which `npm ci` runs).
// Baton needs Node 22 or newer (the project pins Node 24: `npx baton` and npm scripts use it).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `baton needs Node 22 or newer (this is ${process.version}); run it as \`npx baton\` inside the project.`,
  );
  process.exit(1);
}
const { fileURLToPath } = await import('node:url');
const { staleBuild } = await import('../lib/build/build-manifest.js');
const cliDirectory = new URL('../dist/cli/', import.meta.url);
const stale = staleBuild(fileURLToPath(cliDirectory));
if (stale) {
  // Whoever edits a source and runs `npx baton` gets what they edited, never the build before it:
  // the CLI is built again first (esbuild, a fraction of a second), and that is said.
  const { register } = await import('tsx/esm/api');
  register();
  const { runBuild } = await import('../lib/build/build-target.ts');
  const { cliTarget } = await import('../lib/build/compiled-targets.ts');
  const ms = await runBuild(cliTarget);
  console.error(`baton: built the CLI again (${stale} since the last build) in ${ms} ms`);
}
await import(new URL('baton.js', cliDirectory).href);
