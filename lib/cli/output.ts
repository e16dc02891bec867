/** Prints a command's result: JSON with `--json` (for scripts), otherwise the human text. */
export function print(options: { json?: boolean }, value: unknown, text: string): void {
  console.log(options.json ? JSON.stringify(value, null, 2) : text);
}

/** Prints one item of a stream: a JSON line with `--json` (for `jq` and pipes), otherwise the text. */
export function printLine(options: { json?: boolean }, value: unknown, text: string): void {
  console.log(options.json ? JSON.stringify(value) : text);
}
