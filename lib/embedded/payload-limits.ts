/**
 * Limits on the JSON that flows through the embedded runtime, shared by the doors it enters by.
 *
 * Size: Step Functions takes at most 256 KiB of UTF-8 for an execution's input or a task's output
 * (its service quotas and API reference); each API checks its own members.
 *
 * Nesting: AWS documents no limit for Step Functions or EventBridge. The local engine
 * (aws-local-stepfunctions), the execution history and the handlers walk JSON recursively, and a
 * document some thousands of levels deep overflows their stack — a crash, or an execution that
 * never ends. So the runtime refuses JSON nested deeper than {@link MAX_JSON_DEPTH} wherever it
 * enters: an execution's input, a task's output, an event's detail (a difference from AWS the
 * README states).
 */

export const MAX_PAYLOAD_BYTES = 262_144;
export const MAX_JSON_DEPTH = 1_000;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`. It scans the text rather than
 * the parsed value, so that no document is too deep to be checked.
 */
export function exceedsJsonDepth(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === BACKSLASH) index++;
      else if (character === QUOTE) inString = false;
    } else if (character === QUOTE) {
      inString = true;
    } else if (character === OPEN_BRACE || character === OPEN_BRACKET) {
      depth++;
      if (depth > limit) return true;
    } else if (character === CLOSE_BRACE || character === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
