/**
 * inet and cidr (PostgreSQL 15's network.c, inet_net_pton.c, inet_net_ntop.c,
 * inet_cidr_ntop.c). A value is the text network_show prints, `host/bits` with the whole
 * address (`192.168.1.5/24`, `::ffff:1.2.3.4/128`): one string per (family, bits, address),
 * so equality and hashing are the string's, and cidr → inet is binary-coercible as in
 * PostgreSQL (the same value). inet_out / cidr_out print it as each type does.
 */
import { SqlError, SqlState } from '../errors.js';

/** PGSQL_AF_INET / PGSQL_AF_INET6: the family bytes of the binary format */
export const AF_INET = 2;
export const AF_INET6 = 3;

export interface InetAddress {
  readonly family: typeof AF_INET | typeof AF_INET6;
  readonly bits: number;
  /** 4 or 16 bytes, network order */
  readonly addr: Uint8Array;
}

export const maxBits = (a: InetAddress): number => (a.family === AF_INET ? 32 : 128);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * The IPv4 parsers' tail: after the address (`ch` the character that ended it, `i` past it,
 * `n` octets read), an optional /bits up to 32 and then the end of the string. -1: no /bits;
 * undefined: not valid.
 */
function ipv4MaskBits(src: string, i: number, ch: string | undefined, n: number): number | undefined {
  let bits = -1;
  if (ch === '/' && isDigit(src[i]) && n > 0) {
    ch = src[i++];
    bits = 0;
    do {
      bits = bits * 10 + Number(ch);
      ch = src[i++];
    } while (isDigit(ch) && bits < 1000);
    if (ch !== undefined || bits > 32) return undefined;
  }
  return ch === undefined ? bits : undefined;
}

/**
 * The decimal octets both IPv4 parsers read (each at most 255, at most 4), up to the end or
 * a '/': the position after the character that ended them, the count, that character.
 * `digitAfterDot`: inet_cidr_pton_ipv4 wants a digit after every dot, inet_net_pton_ipv4 lets
 * the address end there. undefined: not valid.
 */
function dottedOctets(src: string, dst: Uint8Array, digitAfterDot: boolean): { i: number; n: number; ch: string | undefined } | undefined {
  let i = 0, n = 0, ch = src[i++];
  while (isDigit(ch)) {
    let tmp = 0;
    do {
      tmp = tmp * 10 + Number(ch);
      if (tmp > 255) return undefined;
      ch = src[i++];
    } while (isDigit(ch));
    if (n === 4) return undefined;
    dst[n++] = tmp;
    if (ch === undefined || ch === '/') break;
    if (ch !== '.') return undefined;
    ch = src[i++];
    if (digitAfterDot && !isDigit(ch)) return undefined;
  }
  return { i, n, ch };
}

/** inet_net_pton_ipv4: dotted decimal octets (fewer than 4 only with a /bits), optional /bits */
function netPtonIpv4(src: string, dst: Uint8Array): number {
  const read = dottedOctets(src, dst, false);
  if (!read) return -1;
  const { i, n, ch } = read;
  const given = ipv4MaskBits(src, i, ch, n);
  if (given === undefined || n === 0) return -1;
  // without /bits only a whole address: /32
  if (given === -1 && n !== 4) return -1;
  const bits = given === -1 ? 32 : given;
  if (Math.floor(bits / 8) > n) return -1;
  return bits;
}

/** inet_cidr_pton_ipv4: also hex (0x…) and classful default widths */
function cidrPtonIpv4(src: string, dst: Uint8Array): number {
  let i = 0, n = 0, ch: string | undefined = src[i++];
  if (ch === '0' && (src[i] === 'x' || src[i] === 'X') && isHex(src[i + 1])) {
    let dirty = 0, tmp = 0;
    i++;
    while ((ch = src[i++]) !== undefined && isHex(ch)) {
      const v = parseInt(ch, 16);
      tmp = dirty === 0 ? v : (tmp << 4) | v;
      if (++dirty === 2) {
        if (n === 4) return -1;
        dst[n++] = tmp;
        dirty = 0;
      }
    }
    if (dirty) {
      if (n === 4) return -1;
      dst[n++] = (tmp << 4) & 0xff;
    }
  } else if (isDigit(ch)) {
    const read = dottedOctets(src, dst, true);
    if (!read) return -1;
    ({ i, n, ch } = read);
  } else return -1;
  let bits = ipv4MaskBits(src, i, ch, n);
  if (bits === undefined || n === 0) return -1;
  if (bits === -1) {
    const first = dst[0]!;
    bits = first >= 240 ? 32 : first >= 224 ? 8 : first >= 192 ? 24 : first >= 128 ? 16 : 8;
    if (bits < n * 8) bits = n * 8;
    // a class D address without more octets: 4 bits
    if (bits === 8 && first === 224) bits = 4;
  }
  return bits;
}

/** getbits: 0..128, no leading zeros */
function getBits(s: string): number | undefined {
  if (!/^\d+$/.test(s) || (s.length > 1 && s[0] === '0')) return undefined;
  const v = Number(s);
  return v > 128 ? undefined : v;
}

/** getv4: an embedded dotted quad (no leading zeros), maybe followed by /bits */
function getV4(s: string, dst: Uint8Array, at: number): { ok: boolean; bits?: number } {
  let val = 0, digits = 0, n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (isDigit(ch)) {
      if (digits++ !== 0 && val === 0) return { ok: false };
      val = val * 10 + Number(ch);
      if (val > 255) return { ok: false };
      continue;
    }
    if (ch === '.' || ch === '/') {
      if (n > 3) return { ok: false };
      dst[at + n++] = val;
      if (ch === '/') {
        const bits = getBits(s.slice(i + 1));
        return bits === undefined ? { ok: false } : { ok: true, bits };
      }
      val = 0;
      digits = 0;
      continue;
    }
    return { ok: false };
  }
  if (digits === 0 || n > 3) return { ok: false };
  dst[at + n] = val;
  return { ok: true };
}

/** inet_cidr_pton_ipv6 (the same for inet and cidr) */
function ptonIpv6(src: string, dst: Uint8Array): number {
  const tmp = new Uint8Array(16);
  let tp = 0, colonp = -1, i = 0;
  if (src[0] === ':' && src[++i] !== ':') return -1;
  let curtok = i, sawXdigit = false, val = 0, digits = 0, bits = -1;
  while (i < src.length) {
    const ch = src[i++]!;
    if (isHex(ch)) {
      val = (val << 4) | parseInt(ch, 16);
      if (++digits > 4) return -1;
      sawXdigit = true;
      continue;
    }
    if (ch === ':') {
      curtok = i;
      if (!sawXdigit) {
        if (colonp >= 0) return -1;
        colonp = tp;
        continue;
      } else if (i >= src.length) return -1;
      if (tp + 2 > 16) return -1;
      tmp[tp++] = (val >> 8) & 0xff;
      tmp[tp++] = val & 0xff;
      sawXdigit = false;
      digits = 0;
      val = 0;
      continue;
    }
    if (ch === '.' && tp + 4 <= 16) {
      const v4 = getV4(src.slice(curtok), tmp, tp);
      if (v4.ok) {
        if (v4.bits !== undefined) bits = v4.bits;
        tp += 4;
        sawXdigit = false;
        break;
      }
    }
    if (ch === '/') {
      const b = getBits(src.slice(i));
      if (b !== undefined) {
        bits = b;
        break;
      }
    }
    return -1;
  }
  if (sawXdigit) {
    if (tp + 2 > 16) return -1;
    tmp[tp++] = (val >> 8) & 0xff;
    tmp[tp++] = val & 0xff;
  }
  if (bits === -1) bits = 128;
  if (colonp >= 0) {
    const n = tp - colonp;
    if (tp === 16) return -1;
    for (let k = 1; k <= n; k++) {
      tmp[16 - k] = tmp[colonp + n - k]!;
      tmp[colonp + n - k] = 0;
    }
    tp = 16;
  }
  if (tp !== 16) return -1;
  dst.set(tmp);
  return bits;
}

/** addressOK: no bits set right of the mask */
function addressOK(addr: Uint8Array, bits: number): boolean {
  const maxbits = addr.length * 8;
  if (bits === maxbits) return true;
  let byte = bits >> 3;
  let mask = bits !== 0 ? 0xff >> (bits % 8) : 0xff;
  for (; byte < addr.length; byte++) {
    if ((addr[byte]! & mask) !== 0) return false;
    mask = 0xff;
  }
  return true;
}

const invalidInput = (type: string, text: string): SqlError =>
  new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type}: "${text}"`);

/** network_in: the address `src` spells, as inet (`isCidr` false) or cidr */
export function parseNetwork(src: string, isCidr: boolean): InetAddress {
  const family = src.includes(':') ? AF_INET6 : AF_INET;
  const addr = new Uint8Array(family === AF_INET ? 4 : 16);
  const bits = family === AF_INET6 ? ptonIpv6(src, addr) : isCidr ? cidrPtonIpv4(src, addr) : netPtonIpv4(src, addr);
  if (bits < 0 || bits > addr.length * 8) throw invalidInput(isCidr ? 'cidr' : 'inet', src);
  if (isCidr && !addressOK(addr, bits)) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid cidr value: "${src}"`, { detail: 'Value has bits set to right of mask.' });
  }
  return { family, bits, addr };
}

// ---------------------------------------------------------------- output

/** inet_net_ntop_ipv6 without the /bits: the longest run of ≥ 2 zero words as ::, embedded IPv4 dotted */
function ipv6Text(src: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((src[2 * i]! << 8) | src[2 * i + 1]!);
  let best = { base: -1, len: 0 }, cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 7 && words[7] !== 0x0001) || (best.len === 5 && words[5] === 0xffff))) {
      out += `${src[12]}.${src[13]}.${src[14]}.${src[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

/** the whole address without a mask (network_host) */
export function hostText(a: InetAddress): string {
  return a.family === AF_INET ? Array.from(a.addr).join('.') : ipv6Text(a.addr);
}

/** inet_net_ntop: the address, then /bits unless all of them */
function netText(a: InetAddress): string {
  return a.bits === maxBits(a) ? hostText(a) : `${hostText(a)}/${a.bits}`;
}

/** network_show (text(inet)), which is also the runtime value */
export function showText(a: InetAddress): string {
  return `${hostText(a)}/${a.bits}`;
}

/** inet_cidr_ntop_ipv4: only the octets the mask covers (abbrev(cidr)) */
function cidrIpv4Text(src: Uint8Array, bits: number): string {
  const parts: string[] = [];
  for (let b = 0; b < bits >> 3; b++) parts.push(String(src[b]));
  const partial = bits % 8;
  if (partial > 0) parts.push(String(src[bits >> 3]! & (((1 << partial) - 1) << (8 - partial))));
  return `${bits === 0 ? '0' : parts.join('.')}/${bits}`;
}

/** inet_cidr_ntop_ipv6: the words the mask covers (at least two), host part zeroed */
function cidrIpv6Text(src: Uint8Array, bits: number): string {
  if (bits === 0) return `::/${bits}`;
  const s = new Uint8Array(16);
  const p = (bits + 7) >> 3;
  s.set(src.subarray(0, p));
  if (bits % 8) s[p - 1]! &= (0xff << (8 - (bits % 8))) & 0xff;
  let words = (bits + 15) >> 4;
  if (words === 1) words = 2;
  let zeroS = 0, zeroL = 0, tmpS = 0, tmpL = 0;
  for (let i = 0; i < words * 2; i += 2) {
    if ((s[i]! | s[i + 1]!) === 0) {
      if (tmpL === 0) tmpS = i / 2;
      tmpL++;
    } else if (tmpL && zeroL < tmpL) {
      zeroS = tmpS;
      zeroL = tmpL;
      tmpL = 0;
    }
  }
  if (tmpL && zeroL < tmpL) {
    zeroS = tmpS;
    zeroL = tmpL;
  }
  const isIpv4 = zeroL !== words && zeroS === 0 && (zeroL === 6 || (zeroL === 5 && s[10] === 0xff && s[11] === 0xff) || (zeroL === 7 && s[14] !== 0 && s[15] !== 1));
  let out = '';
  let at = 0;
  for (let p2 = 0; p2 < words; p2++) {
    if (zeroL !== 0 && p2 >= zeroS && p2 < zeroS + zeroL) {
      if (p2 === zeroS) out += ':';
      if (p2 === words - 1) out += ':';
      at += 2;
      continue;
    }
    if (isIpv4 && p2 > 5) {
      out += p2 === 6 ? ':' : '.';
      out += String(s[at++]);
      if (p2 !== 7 || bits > 120) out += '.' + String(s[at++]);
    } else {
      if (out !== '') out += ':';
      out += ((s[at]! << 8) | s[at + 1]!).toString(16);
      at += 2;
    }
  }
  return `${out}/${bits}`;
}

// ---------------------------------------------------------------- values

const PARSED = new Map<string, InetAddress>();
const PARSED_LIMIT = 4096;

/** the address a runtime value (showText) holds; cached, since comparisons read it per row */
export function inetOf(v: string): InetAddress {
  let a = PARSED.get(v);
  if (!a) {
    a = parseNetwork(v, false);
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
    PARSED.set(v, a);
  }
  return a;
}

export function inetIn(text: string): string {
  return showText(parseNetwork(text, false));
}
/** a socket's address as inet (clean_ipv6_addr drops a %zone); NULL for none (a Unix socket) or anything not an address */
export function socketAddressInet(address: string): string | null {
  if (!address) return null;
  try {
    return inetIn(address.replace(/%.*$/, ''));
  } catch {
    return null;
  }
}

export function cidrIn(text: string): string {
  return showText(parseNetwork(text, true));
}
/** inet_out */
export function inetOut(v: string): string {
  return netText(inetOf(v));
}
/** cidr_out: always with /bits */
export function cidrOut(v: string): string {
  const a = inetOf(v);
  return `${hostText(a)}/${a.bits}`;
}
export function abbrevInet(v: string): string {
  return inetOut(v);
}
export function abbrevCidr(v: string): string {
  const a = inetOf(v);
  return a.family === AF_INET ? cidrIpv4Text(a.addr, a.bits) : cidrIpv6Text(a.addr, a.bits);
}

/** bitncmp: the first n bits of l and r (whole bytes by memcmp, whose glibc result is the bytes' difference) */
function bitncmp(l: Uint8Array, r: Uint8Array, n: number): number {
  const b = n >> 3;
  for (let i = 0; i < b; i++) if (l[i] !== r[i]) return l[i]! - r[i]!;
  if (n % 8 === 0) return 0;
  const shift = 8 - (n % 8);
  const lb = l[b]! >> shift, rb = r[b]! >> shift;
  return lb === rb ? 0 : lb < rb ? -1 : 1;
}

/** bitncommon: how many leading bits (up to n) l and r share */
function bitncommon(l: Uint8Array, r: Uint8Array, n: number): number {
  let nbits = n % 8, byte = 0;
  for (; byte < n >> 3; byte++) {
    if (l[byte] !== r[byte]) {
      nbits = 7;
      break;
    }
  }
  if (nbits !== 0) {
    const diff = l[byte]! ^ r[byte]!;
    while (diff >> (8 - nbits) !== 0) nbits--;
  }
  return 8 * byte + nbits;
}

/** network_cmp: the common network bits, then the mask length, then the whole address; IPv4 before IPv6 (any sign, as PostgreSQL's) */
export function compareInetAddresses(a: InetAddress, b: InetAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  const order = bitncmp(a.addr, b.addr, Math.min(a.bits, b.bits));
  if (order !== 0) return order;
  if (a.bits !== b.bits) return a.bits - b.bits;
  return bitncmp(a.addr, b.addr, maxBits(a));
}

export function compareInet(a: string, b: string): number {
  return a === b ? 0 : compareInetAddresses(inetOf(a), inetOf(b));
}

const value = (family: InetAddress['family'], bits: number, addr: Uint8Array): string => showText({ family, bits, addr });

/** a << b (strict), a <<= b, and their mirrors */
export function isSubnet(a: string, b: string, orEqual: boolean): boolean {
  const x = inetOf(a), y = inetOf(b);
  if (x.family !== y.family) return false;
  return (orEqual ? x.bits >= y.bits : x.bits > y.bits) && bitncmp(x.addr, y.addr, y.bits) === 0;
}
export function overlaps(a: string, b: string): boolean {
  const x = inetOf(a), y = inetOf(b);
  return x.family === y.family && bitncmp(x.addr, y.addr, Math.min(x.bits, y.bits)) === 0;
}

/** cidr_set_masklen_internal: the first `bits` bits of the address */
function masked(a: InetAddress, bits: number): string {
  const addr = new Uint8Array(a.addr.length);
  addr.set(a.addr.subarray(0, (bits + 7) >> 3));
  if (bits % 8) addr[bits >> 3]! &= ~(0xff >> (bits % 8)) & 0xff;
  return value(a.family, bits, addr);
}

export function inetToCidr(v: string): string {
  const a = inetOf(v);
  return masked(a, a.bits);
}

function maskLength(a: InetAddress, bits: number): number {
  const b = bits === -1 ? maxBits(a) : bits;
  if (b < 0 || b > maxBits(a)) throw new SqlError(SqlState.invalidParameterValue, `invalid mask length: ${bits}`);
  return b;
}
export function setMasklenInet(v: string, bits: number): string {
  const a = inetOf(v);
  return value(a.family, maskLength(a, bits), a.addr);
}
export function setMasklenCidr(v: string, bits: number): string {
  const a = inetOf(v);
  return masked(a, maskLength(a, bits));
}

/** the mask of `bits` leading ones over the family's width */
function maskBytes(length: number, bits: number): Uint8Array {
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const take = Math.min(8, Math.max(0, bits - i * 8));
    m[i] = (0xff << (8 - take)) & 0xff;
  }
  return m;
}

export function broadcast(v: string): string {
  const a = inetOf(v);
  const m = maskBytes(a.addr.length, a.bits);
  return value(a.family, a.bits, a.addr.map((x, i) => x | (~m[i]! & 0xff)));
}
export function network(v: string): string {
  return inetToCidr(v);
}
export function netmask(v: string): string {
  const a = inetOf(v);
  return value(a.family, maxBits(a), maskBytes(a.addr.length, a.bits));
}
export function hostmask(v: string): string {
  const a = inetOf(v);
  return value(a.family, maxBits(a), maskBytes(a.addr.length, a.bits).map((x) => ~x & 0xff));
}
export function family(v: string): number {
  return inetOf(v).family === AF_INET ? 4 : 6;
}
export function masklen(v: string): number {
  return inetOf(v).bits;
}
export function host(v: string): string {
  return hostText(inetOf(v));
}
export function sameFamily(a: string, b: string): boolean {
  return inetOf(a).family === inetOf(b).family;
}
export function inetMerge(a: string, b: string): string {
  const x = inetOf(a), y = inetOf(b);
  if (x.family !== y.family) throw new SqlError(SqlState.invalidParameterValue, 'cannot merge addresses from different families');
  return masked(x, bitncommon(x.addr, y.addr, Math.min(x.bits, y.bits)));
}

export function inetNot(v: string): string {
  const a = inetOf(v);
  return value(a.family, a.bits, a.addr.map((x) => ~x & 0xff));
}
export function inetBitwise(l: string, r: string, op: 'AND' | 'OR'): string {
  const a = inetOf(l), b = inetOf(r);
  if (a.family !== b.family) throw new SqlError(SqlState.invalidParameterValue, `cannot ${op} inet values of different sizes`);
  return value(a.family, Math.max(a.bits, b.bits), a.addr.map((x, i) => (op === 'AND' ? x & b.addr[i]! : x | b.addr[i]!)));
}

const toBigInt = (addr: Uint8Array): bigint => addr.reduce((n, x) => (n << 8n) | BigInt(x), 0n);
const outOfRange = (): SqlError => new SqlError(SqlState.numericValueOutOfRange, 'result is out of range');

/** inetpl: the address plus an int8, which must stay inside the family's addresses */
export function inetPlus(v: string, addend: bigint): string {
  const a = inetOf(v);
  const width = BigInt(a.addr.length * 8);
  const sum = toBigInt(a.addr) + addend;
  if (sum < 0n || sum >= 1n << width) throw outOfRange();
  const addr = new Uint8Array(a.addr.length);
  let rest = sum;
  for (let i = addr.length - 1; i >= 0; i--) {
    addr[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return value(a.family, a.bits, addr);
}

/** inetmi: the difference as int8 (for IPv6 computed modulo 2^128, as PostgreSQL's byte loop does) */
export function inetMinus(l: string, r: string): bigint {
  const a = inetOf(l), b = inetOf(r);
  if (a.family !== b.family) throw new SqlError(SqlState.invalidParameterValue, 'cannot subtract inet values of different sizes');
  const diff = toBigInt(a.addr) - toBigInt(b.addr);
  if (a.family === AF_INET) return diff;
  const wrapped = BigInt.asIntN(128, diff);
  if (wrapped !== BigInt.asIntN(64, wrapped)) throw outOfRange();
  return wrapped;
}

// ---------------------------------------------------------------- selectivity (network_selfuncs.c)

/**
 * inet_masklen_inclusion_cmp: 0 when the operator (codenum -2 >>, -1 >>=, 0 &&, 1 <<=, 2 <<)
 * accepts these mask lengths, else the sign that orders `left` before or after a match
 */
function masklenInclusionCompare(left: InetAddress, right: InetAddress, codenum: number): number {
  const order = left.bits - right.bits;
  if ((order > 0 && codenum >= 0) || (order === 0 && codenum >= -1 && codenum <= 1) || (order < 0 && codenum <= 0)) return 0;
  return codenum;
}

/** inet_inclusion_cmp: 0 when `left op right` can hold, else which side of the matches `left` sorts */
export function inclusionCompare(left: string, right: string, codenum: number): number {
  const l = inetOf(left), r = inetOf(right);
  if (l.family !== r.family) return l.family - r.family;
  const order = bitncmp(l.addr, r.addr, Math.min(l.bits, r.bits));
  return order !== 0 ? order : masklenInclusionCompare(l, r, codenum);
}

/** inet_hist_match_divider: the non-common decisive bits of a histogram boundary and the query, -1 when unknown */
export function histMatchDivider(boundary: string, query: string, codenum: number): number {
  const b = inetOf(boundary), q = inetOf(query);
  if (b.family !== q.family || masklenInclusionCompare(b, q, codenum) !== 0) return -1;
  const minBits = Math.min(b.bits, q.bits);
  const decisive = codenum < 0 ? b.bits : codenum > 0 ? q.bits : minBits;
  return minBits > 0 ? decisive - bitncommon(b.addr, q.addr, minBits) : decisive;
}

// ---------------------------------------------------------------- binary format and hashing

/** network_send: family, bits, is_cidr, address length, address */
export function networkSend(v: string, isCidr: boolean): Buffer {
  const a = inetOf(v);
  return Buffer.from([a.family, a.bits, isCidr ? 1 : 0, a.addr.length, ...a.addr]);
}

/** network_recv: `next` reads one byte (throwing PostgreSQL's insufficient-data error past the end) */
export function networkRecv(next: () => number, isCidr: boolean): string {
  const type = isCidr ? 'cidr' : 'inet';
  const bad = (what: string): SqlError => new SqlError(SqlState.invalidBinaryRepresentation, `invalid ${what} in external "${type}" value`);
  const fam = next();
  if (fam !== AF_INET && fam !== AF_INET6) throw bad('address family');
  const size = fam === AF_INET ? 4 : 16;
  const bits = next();
  if (bits > size * 8) throw bad('bits');
  next(); // is_cidr: ignored, as PostgreSQL does
  if (next() !== size) throw bad('length');
  const addr = new Uint8Array(size);
  for (let i = 0; i < size; i++) addr[i] = next();
  if (isCidr && !addressOK(addr, bits)) {
    throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid external "cidr" value', { detail: 'Value has bits set to right of mask.' });
  }
  return value(fam, bits, addr);
}

/** hashinet's bytes: family, bits, address (the varlena's data) */
export function inetHashBytes(v: string): Uint8Array {
  const a = inetOf(v);
  return Uint8Array.from([a.family, a.bits, ...a.addr]);
}

/** the stored datum's bytes after its varlena header (family, bits, address) */
export function inetStoredBytes(v: string): number {
  return 2 + inetOf(v).addr.length;
}

/** convert_network_to_scalar: what selectivity interpolates a histogram bucket with */
export function inetScalar(v: string): number {
  const a = inetOf(v);
  let res = a.family;
  for (let i = 0; i < (a.family === AF_INET ? 4 : 5); i++) res = res * 256 + a.addr[i]!;
  return res;
}
