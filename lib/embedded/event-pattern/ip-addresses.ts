/** IP addresses and CIDR blocks: the `cidr` operator, and literals that are addresses. */
import { invalid } from './pattern-error';
import type { ValueMatcher } from './pattern-forms';
import { stringMatcher } from './string-operators';

/** Address bytes: 4 for IPv4, 16 for IPv6. */
type IpAddress = readonly number[];

interface IpRange {
  readonly low: IpAddress;
  readonly high: IpAddress;
}

// event-ruler only treats text of these shapes as addresses (so host names are never looked up).
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function ipRangeMatcher(range: IpRange): ValueMatcher {
  return stringMatcher((value) => {
    const address = parseIpAddress(value);
    return address !== undefined && isWithin(address, range);
  });
}

function isWithin(address: IpAddress, { low, high }: IpRange): boolean {
  // IPv4 and IPv6 never match each other.
  return address.length === low.length && compareBytes(address, low) >= 0 && compareBytes(address, high) <= 0;
}

function compareBytes(left: IpAddress, right: IpAddress): number {
  for (let position = 0; position < left.length; position++) {
    const difference = (left[position] ?? 0) - (right[position] ?? 0);
    if (difference !== 0) {
      return difference;
    }
  }
  return 0;
}

function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** The bytes of an IPv4 or IPv6 literal, or undefined when `text` is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) {
    return parseIpv4(text);
  }
  if (IPV6_SHAPE.test(text)) {
    return parseIpv6(text);
  }
  return undefined;
}

function parseIpv4(text: string): IpAddress | undefined {
  const address: number[] = [];
  for (const octet of text.split('.')) {
    // Octets with leading zeros are ambiguous (octal or decimal?) and current JDKs refuse them.
    if (octet.length > 3 || (octet.length > 1 && octet.startsWith('0'))) {
      return undefined;
    }
    const value = Number(octet);
    if (value > 255) {
      return undefined;
    }
    address.push(value);
  }
  return address;
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const [head = '', tail] = halves;
  const headGroups = splitGroups(head);
  const tailGroups = tail === undefined ? [] : splitGroups(tail);
  if (headGroups === undefined || tailGroups === undefined) {
    return undefined;
  }
  const explicitGroups = headGroups.length + tailGroups.length;
  const compressed = tail !== undefined;
  if (compressed ? explicitGroups > 7 : explicitGroups !== 8) {
    return undefined;
  }
  const groups = [...headGroups, ...new Array<number>(8 - explicitGroups).fill(0), ...tailGroups];
  const address = groups.flatMap((group) => [group >> 8, group & 0xff]);
  // Like java.net.InetAddress, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
  const isIpv4Mapped =
    address.slice(0, 10).every((byte) => byte === 0) && address[10] === 0xff && address[11] === 0xff;
  return isIpv4Mapped ? address.slice(12) : address;
}

function splitGroups(text: string): number[] | undefined {
  if (text === '') {
    return [];
  }
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!IPV6_GROUP.test(group)) {
      return undefined;
    }
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/**
 * `address/bits`. The address need not be the network address (host bits are ignored). Follows event-ruler's
 * checks, including its refusal of /32 for IPv4 and /128 for IPv6 (use the bare address instead).
 */
export function parseCidr(text: string): IpRange {
  const parts = splitLikeJava(text, '/');
  const [addressText, maskText] = parts;
  if (parts.length !== 2 || addressText === undefined || maskText === undefined) {
    throw invalid("Malformed CIDR, one '/' required");
  }
  const maskBits = parseJavaInt(maskText);
  if (maskBits === undefined) {
    throw invalid('Malformed CIDR, mask bits must be an integer');
  }
  if (maskBits < 0) {
    throw invalid('Malformed CIDR, mask bits must not be negative');
  }
  if (!looksLikeIpAddress(addressText)) {
    throw invalid(`Nonstandard IP address: ${addressText}`);
  }
  const address = parseIpAddress(addressText);
  if (address === undefined) {
    throw invalid(`Invalid IP address: ${addressText}`);
  }
  if (address.length === 4 && maskBits > 31) {
    throw invalid('IPv4 mask bits must be < 32');
  }
  if (address.length === 16 && maskBits > 127) {
    throw invalid('IPv6 mask bits must be < 128');
  }
  return {
    low: address.map((byte, index) => byte & networkMask(index, maskBits)),
    high: address.map((byte, index) => byte | (~networkMask(index, maskBits) & 0xff)),
  };
}

/** The fixed (network) bits of byte `index` under a `/maskBits` prefix. */
function networkMask(index: number, maskBits: number): number {
  const fixedBits = Math.min(8, Math.max(0, maskBits - index * 8));
  return (0xff << (8 - fixedBits)) & 0xff;
}

/** `String.split` as Java does it: trailing empty strings are dropped. */
function splitLikeJava(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}

/** `Integer.parseInt` for ASCII input: optional sign, decimal digits, 32-bit range. */
function parseJavaInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value >= -(2 ** 31) && value <= 2 ** 31 - 1 ? value : undefined;
}
