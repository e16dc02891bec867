/**
 * Whether JSON text nests arrays and objects deeper than `limit`. It scans the text rather than a
 * parsed value, so that no document is too deep to be checked, and it is plain JavaScript so that
 * the store's thread (`ledger-store-worker.js`) checks with the same code as the runtime.
 */
export function exceedsJsonDepth(text, limit) {
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
