/**
 * macaddr (EUI-48) and macaddr8 (EUI-64), PostgreSQL 15's mac.c and mac8.c. A value is the
 * output text, lower-case hex octets joined by ':' — fixed width, so the string order is
 * macaddr_cmp's byte order and equality is the string's.
 */
import { SqlError, SqlState } from '../errors.js';

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
export const macText = (bytes: readonly number[]): string => bytes.map(hex2).join(':');
export const macBytes = (v: string): number[] => v.split(':').map((h) => parseInt(h, 16));

const invalidInput = (type: string, text: string): SqlError =>
  new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${text}"`);

const isSpace = (c: string | undefined): boolean => c !== undefined && /^[ \t\n\r\f\v]$/.test(c);

/**
 * sscanf's %x (with an optional field width): white space skipped, a sign, an optional 0x,
 * hex digits. Returns the value (negative numbers as C's unsigned wrap-around read back into
 * an int: still negative) and where the scan stopped, or undefined when nothing matched.
 */
function scanHex(s: string, at: number, width: number): { value: number; at: number } | undefined {
  while (isSpace(s[at])) at++;
  const end = width > 0 ? at + width : s.length;
  let i = at, sign = 1;
  if (i < end && (s[i] === '+' || s[i] === '-')) {
    if (s[i] === '-') sign = -1;
    i++;
  }
  if (i + 1 < end && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /^[0-9a-fA-F]$/.test(s[i + 2] ?? '') && i + 2 < end) i += 2;
  const start = i;
  while (i < end && /^[0-9a-fA-F]$/.test(s[i]!)) i++;
  if (i === start) {
    // "0x" with no digits after it: glibc reads the 0
    return undefined;
  }
  const digits = s.slice(start, i);
  // beyond 32 bits C's strtoul saturates; anything that large is out of an octet's range anyway
  const n = digits.length > 8 ? Infinity : parseInt(digits, 16);
  return { value: sign * n, at: i };
}

/** one sscanf pattern of macaddr_in: fields as [width, separator after] */
function scanMac(s: string, widths: number, separators: readonly string[]): number[] | undefined {
  const out: number[] = [];
  let at = 0;
  for (let f = 0; f < 6; f++) {
    const r = scanHex(s, at, widths);
    if (!r) return undefined;
    out.push(r.value);
    at = r.at;
    const sep = separators[f] ?? '';
    if (sep) {
      if (s[at] !== sep) return undefined;
      at++;
    }
  }
  // %1s: trailing non-white-space garbage makes a seventh match
  while (isSpace(s[at])) at++;
  return at < s.length ? undefined : out;
}

const MAC_FORMATS: readonly (readonly [number, readonly string[]])[] = [
  [0, [':', ':', ':', ':', ':']],
  [0, ['-', '-', '-', '-', '-']],
  [2, ['', '', ':', '', '']],
  [2, ['', '', '-', '', '']],
  [2, ['', '.', '', '.', '']],
  [2, ['', '-', '', '-', '']],
  [2, ['', '', '', '', '']],
];

/** macaddr_in */
export function macaddrIn(text: string): string {
  let octets: number[] | undefined;
  for (const [width, seps] of MAC_FORMATS) {
    octets = scanMac(text, width, seps);
    if (octets) break;
  }
  if (!octets) throw invalidInput('macaddr', text);
  if (octets.some((o) => o < 0 || o > 255)) {
    throw new SqlError(SqlState.numericValueOutOfRange, `invalid octet value in "macaddr" value: "${text}"`);
  }
  return macText(octets);
}

/** macaddr8_in: 6 or 8 pairs of hex digits, one optional spacer kind (: - .) between them */
export function macaddr8In(text: string): string {
  const fail = (): SqlError => invalidInput('macaddr8', text);
  let p = 0;
  while (isSpace(text[p])) p++;
  const bytes: number[] = [];
  let spacer = '';
  while (p < text.length && p + 1 < text.length) {
    if (bytes.length === 8) throw fail();
    const pair = text.slice(p, p + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw fail();
    bytes.push(parseInt(pair, 16));
    p += 2;
    const c = text[p];
    if (c === ':' || c === '-' || c === '.') {
      if (spacer === '') spacer = c;
      else if (spacer !== c) throw fail();
      p++;
    }
    if ((bytes.length === 6 || bytes.length === 8) && isSpace(text[p])) {
      while (isSpace(text[++p]));
      if (p < text.length) throw fail();
    }
  }
  if (bytes.length === 6) return macText([...bytes.slice(0, 3), 0xff, 0xfe, ...bytes.slice(3)]);
  if (bytes.length !== 8) throw fail();
  return macText(bytes);
}

export const macaddrTrunc = (v: string): string => macText(macBytes(v).map((b, i) => (i < 3 ? b : 0)));
export const macNot = (v: string): string => macText(macBytes(v).map((b) => ~b & 0xff));
export function macBitwise(a: string, b: string, op: 'and' | 'or'): string {
  const y = macBytes(b);
  return macText(macBytes(a).map((x, i) => (op === 'and' ? x & y[i]! : x | y[i]!)));
}
export const macaddr8Set7bit = (v: string): string => macText(macBytes(v).map((b, i) => (i === 0 ? b | 0x02 : b)));

export const macaddrToMacaddr8 = (v: string): string => {
  const b = macBytes(v);
  return macText([b[0]!, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!]);
};

export function macaddr8ToMacaddr(v: string): string {
  const b = macBytes(v);
  if (b[3] !== 0xff || b[4] !== 0xfe) {
    throw new SqlError(SqlState.numericValueOutOfRange, 'macaddr8 data out of range to convert to macaddr', {
      hint: 'Only addresses that have FF and FE as values in the 4th and 5th bytes from the left, for example xx:xx:xx:ff:fe:xx:xx:xx, are eligible to be converted from macaddr8 to macaddr.',
    });
  }
  return macText([b[0]!, b[1]!, b[2]!, b[5]!, b[6]!, b[7]!]);
}

/** macaddr8_recv: 8 bytes, or 6 (an EUI-48 widened with FF FE) */
export function macaddr8Recv(bytes: Uint8Array): string {
  if (bytes.length === 6) return macaddrToMacaddr8(macText(Array.from(bytes)));
  return macText(Array.from(bytes));
}

/** convert_network_to_scalar for the MAC types */
export function macScalar(v: string): number {
  return macBytes(v).reduce((n, b) => n * 256 + b, 0);
}
