/**
 * The fleet kept in a file (`lambda-fleet.json` under the data directory): read back at start,
 * rewritten whole after every change.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type FleetSnapshot, fleetSnapshotSchema } from './fleet-snapshot';
import { LambdaFleet } from './lambda-fleet';

/** Raised at start when `lambda-fleet.json` cannot be read back. */
export class UnreadableFleetFile extends Error {
  override readonly name = 'UnreadableFleetFile';
}

/**
 * A fleet persisted in `file` (read at start, rewritten after every change), or in memory
 * when `file` is undefined.
 */
export function openLambdaFleet(file: string | undefined): LambdaFleet {
  if (!file) return new LambdaFleet();
  const snapshot = existsSync(file) ? readSnapshot(file) : undefined;
  mkdirSync(dirname(file), { recursive: true });
  return new LambdaFleet({
    snapshot,
    // Written whole and renamed into place: a crash mid-write leaves the previous fleet.
    onChange: (next) => {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    },
  });
}

function readSnapshot(file: string): FleetSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UnreadableFleetFile(`${file} is not JSON (${String(error)}); delete it to start afresh`);
  }
  const result = fleetSnapshotSchema.safeParse(parsed);
  if (!result.success)
    throw new UnreadableFleetFile(
      `${file} is not a Lambda fleet (${result.error.message}); delete it to start afresh`,
    );
  return result.data;
}
