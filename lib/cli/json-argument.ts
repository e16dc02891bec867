import { readFileSync } from 'node:fs';

/** Raised when a `<json|@file>` argument is neither valid JSON nor a readable JSON file. */
export class InvalidJsonArgument extends Error {
  override readonly name = 'InvalidJsonArgument';
}

/** Reads a CLI argument given as inline JSON or as `@path/to/file.json`. */
export function readJsonArgument(value: string, what: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new InvalidJsonArgument(`${what}: cannot read ${value.slice(1)} (${(error as Error).message})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonArgument(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}
