/** The `wildcard` operator: `*` globs, parsed once and matched without backtracking. */
import { invalid } from './pattern-error';

/** A wildcard pattern split at its unescaped `*`s: the value must be the literals in order, with anything between. */
interface Wildcard {
  readonly literals: readonly string[];
}

export function compileWildcard(text: string): (value: string) => boolean {
  const wildcard = parseWildcard(text);
  return (value) => matchesWildcard(wildcard, value);
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash. Any
 * other escape, and `**`, are refused. Error positions are UTF-8 byte offsets into the quoted string, as
 * event-ruler reports them.
 */
function parseWildcard(text: string): Wildcard {
  const literals: string[] = [];
  let literal = '';
  for (let position = 0; position < text.length; position++) {
    const character = text.charAt(position);
    if (character === '*') {
      if (text.charAt(position + 1) === '*') {
        throw invalid(`Consecutive wildcard characters at pos ${quotedBytePosition(text, position)}`);
      }
      literals.push(literal);
      literal = '';
    } else if (character === '\\') {
      const escaped = text.charAt(position + 1);
      if (escaped !== '*' && escaped !== '\\') {
        throw invalid(`Invalid escape character at pos ${quotedBytePosition(text, position)}`);
      }
      literal += escaped;
      position++;
    } else {
      literal += character;
    }
  }
  literals.push(literal);
  return { literals };
}

/**
 * Star-only globs need no backtracking: the first literal must be a prefix, the last a suffix, and each middle
 * literal can take its leftmost occurrence. Linear in the value, unlike a regular expression with many `.*`.
 */
function matchesWildcard({ literals }: Wildcard, value: string): boolean {
  const head = literals[0] ?? '';
  if (literals.length === 1) {
    return value === head;
  }
  const tail = literals[literals.length - 1] ?? '';
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail)) {
    return false;
  }
  const end = value.length - tail.length;
  let position = head.length;
  for (const literal of literals.slice(1, -1)) {
    const found = value.indexOf(literal, position);
    if (found === -1 || found + literal.length > end) {
      return false;
    }
    position = found + literal.length;
  }
  return true;
}

function quotedBytePosition(text: string, position: number): number {
  return 1 + utf8Length(text.slice(0, position));
}

function utf8Length(text: string): number {
  let length = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    length += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return length;
}
