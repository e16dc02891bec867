#!/usr/bin/env node
// The `baton` command. Baton is written in TypeScript and needs Node 22 or newer (the project
// pins Node 24: `npx baton` and npm scripts use it).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `baton needs Node 22 or newer (this is ${process.version}); run it as \`npx baton\` inside the project.`,
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('./baton.ts');
