/**
 * The console's page: three files `npm run build:console` (run by `npm ci`) bundles into
 * `dist/console/`. They are read at each request, so a rebuild shows without a restart.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const CONSOLE_BUILD_DIRECTORY = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** Each servable file by its path, with its type. Nothing else is ever read from disk. */
const ASSETS: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/console/assets/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/console/assets/app.css': { file: 'app.css', contentType: 'text/css; charset=utf-8' },
};

export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}

export function isAssetPath(path: string): boolean {
  return Object.hasOwn(ASSETS, path);
}

/** The asset at `path`, or `undefined` when the console has not been built. */
export async function readAsset(
  path: string,
  directory = CONSOLE_BUILD_DIRECTORY,
): Promise<Asset | undefined> {
  const asset = ASSETS[path];
  if (!asset) return undefined;
  try {
    return { body: await readFile(`${directory}${asset.file}`), contentType: asset.contentType };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
