/** See `build-manifest.js`: what a build read, and whether its output is still up to date. */
export function writeBuildManifest(
  directory: string,
  startedAt: number,
  inputs: readonly string[],
  settings?: string,
): void;
export function staleBuild(directory: string, settings?: string): string | undefined;
export function writeFileAtomically(path: string, contents: string | Uint8Array): void;
