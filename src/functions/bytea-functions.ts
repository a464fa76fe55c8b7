/**
 * bytea and encoding functions as PostgreSQL 15's varlena.c / mbutils.c: get_byte / set_byte /
 * get_bit / set_bit with their range errors, bit_count, sha224 / sha384 / sha512, ltrim / rtrim / btrim
 * over bytes, convert_to / convert_from / convert among UTF8, LATIN1 and SQL_ASCII (the
 * encodings a UTF8 server meets in practice), and parse_ident.
 */
import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../errors.js';
import type { Value } from '../types/types.js';
import { firstInvalidUtf8, invalidUtf8 } from '../types/binary-format.js';

const bytes = (v: Value): Uint8Array => v as Uint8Array;
const POPCOUNT = Array.from({ length: 256 }, (_, x) => x.toString(2).replace(/0/g, '').length);
const hexBytes = (b: Uint8Array): string => [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ');

function checkIndex(n: number, limit: number): void {
  if (n < 0 || n >= limit) throw new SqlError(SqlState.arraySubscriptError, `index ${n} out of valid range, 0..${limit - 1}`);
}

function setBit(b: Uint8Array, n: number, bit: number): Uint8Array {
  checkIndex(n, b.length * 8);
  if (bit !== 0 && bit !== 1) throw new SqlError(SqlState.invalidParameterValue, 'new bit must be 0 or 1');
  const out = Uint8Array.from(b);
  const byte = Math.floor(n / 8), mask = 1 << (n % 8);
  out[byte] = bit ? out[byte]! | mask : out[byte]! & ~mask;
  return out;
}

/** bytea trims: the bytes of `set` removed from the start and / or the end */
function trimBytes(b: Uint8Array, set: Uint8Array, start: boolean, end: boolean): Uint8Array {
  const strip = new Set(set);
  let from = 0, to = b.length;
  if (start) while (from < to && strip.has(b[from]!)) from++;
  if (end) while (to > from && strip.has(b[to - 1]!)) to--;
  return b.slice(from, to);
}

type Encoding = 'UTF8' | 'LATIN1' | 'SQL_ASCII';
/** pg_encname_tbl's names for these (clean_encoding_name: lower case, non-alphanumerics dropped) */
const ENCODING_NAMES: Record<string, Encoding> = { utf8: 'UTF8', unicode: 'UTF8', latin1: 'LATIN1', iso88591: 'LATIN1', sqlascii: 'SQL_ASCII' };
/** the other names PostgreSQL knows: valid, but their conversions are not implemented here */
const OTHER_ENCODINGS = new Set(['latin2', 'latin3', 'latin4', 'latin5', 'latin6', 'latin7', 'latin8', 'latin9', 'latin10', 'win1250', 'win1251', 'win1252', 'win1253', 'win1254', 'win1255', 'win1256', 'win1257', 'win1258', 'win866', 'win874', 'koi8r', 'koi8u', 'eucjp', 'euccn', 'euckr', 'euctw', 'sjis', 'big5', 'gbk', 'gb18030', 'uhc', 'johab', 'mulecinternal', 'eucjis2004', 'shiftjis2004', 'iso88595', 'iso88596', 'iso88597', 'iso88598', 'iso885913', 'iso885914', 'iso885915', 'iso885916']);

function encodingOf(name: string, which: 'source' | 'destination'): Encoding {
  const clean = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const e = ENCODING_NAMES[clean];
  if (e) return e;
  if (OTHER_ENCODINGS.has(clean)) throw new SqlError(SqlState.featureNotSupported, `encoding conversion to or from "${name.toUpperCase()}" is not supported`);
  throw new SqlError(SqlState.invalidParameterValue, `invalid ${which} encoding name "${name}"`);
}

/** bytes in `from` as text (the server's UTF8) */
function decode(b: Uint8Array, from: Encoding): string {
  if (from === 'LATIN1') return Buffer.from(b).toString('latin1');
  // pg_verify_mbstr: the first illegal sequence (a NUL byte too) is 22021
  if (firstInvalidUtf8(b) < b.length) throw invalidUtf8(b);
  return Buffer.from(b).toString('utf8');
}

/** text as bytes in `to` */
function encode(text: string, to: Encoding): Uint8Array {
  if (to !== 'LATIN1') return new Uint8Array(Buffer.from(text, 'utf8'));
  for (const ch of text) {
    if (ch.codePointAt(0)! > 0xff) {
      throw new SqlError('22P05', `character with byte sequence ${hexBytes(Buffer.from(ch, 'utf8'))} in encoding "UTF8" has no equivalent in encoding "LATIN1"`);
    }
  }
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
const identStart = (c: string | undefined): boolean => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
const identCont = (c: string | undefined): boolean => identStart(c) || (c !== undefined && /[0-9$]/.test(c));

/** parse_ident (varlena.c): the dotted names of a qualified identifier, unquoted ones downcased */
export function parseIdent(s: string, strict: boolean): string[] {
  const invalid = (detail?: string): SqlError => new SqlError(SqlState.invalidParameterValue, `string is not a valid identifier: "${s}"`, detail ? { detail } : {});
  const out: string[] = [];
  let i = 0, afterDot = false;
  while (isSpace(s[i])) i++;
  for (;;) {
    if (s[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        const end = s.indexOf('"', i);
        if (end < 0) throw invalid('String has unclosed double quotes.');
        name += s.slice(i, end);
        i = end + 1;
        if (s[i] !== '"') break;
        name += '"';
        i++;
      }
      if (name === '') throw invalid('Quoted identifier must not be empty.');
      out.push(name);
    } else if (identStart(s[i])) {
      const start = i++;
      while (identCont(s[i])) i++;
      out.push(s.slice(start, i).replace(/[A-Z]/g, (c) => c.toLowerCase()));
    } else {
      if (s[i] === '.') throw invalid('No valid identifier before ".".');
      throw afterDot ? invalid('No valid identifier after ".".') : invalid();
    }
    while (isSpace(s[i])) i++;
    if (s[i] === '.') {
      afterDot = true;
      i++;
      while (isSpace(s[i])) i++;
    } else if (i >= s.length) {
      break;
    } else {
      if (strict) throw invalid();
      break;
    }
  }
  return out;
}

type Def = { name: string; args: string[]; ret: string; impl: (args: readonly Value[]) => Value };
const digest = (algorithm: string): Def => ({ name: algorithm, args: ['bytea'], ret: 'bytea', impl: ([b]) => new Uint8Array(createHash(algorithm).update(bytes(b!)).digest()) });

export const BYTEA_FUNCTIONS: readonly Def[] = [
  { name: 'get_byte', args: ['bytea', 'int4'], ret: 'int4', impl: ([b, n]) => { checkIndex(n as number, bytes(b!).length); return bytes(b!)[n as number]!; } },
  {
    name: 'set_byte', args: ['bytea', 'int4', 'int4'], ret: 'bytea',
    impl: ([b, n, v]) => { checkIndex(n as number, bytes(b!).length); const out = Uint8Array.from(bytes(b!)); out[n as number] = (v as number) & 0xff; return out; },
  },
  {
    name: 'get_bit', args: ['bytea', 'int8'], ret: 'int4',
    impl: ([b, n]) => { const i = Number(n as bigint); checkIndex(i, bytes(b!).length * 8); return (bytes(b!)[Math.floor(i / 8)]! >> (i % 8)) & 1; },
  },
  { name: 'set_bit', args: ['bytea', 'int8', 'int4'], ret: 'bytea', impl: ([b, n, v]) => setBit(bytes(b!), Number(n as bigint), v as number) },
  { name: 'bit_count', args: ['bytea'], ret: 'int8', impl: ([b]) => BigInt(bytes(b!).reduce((n, x) => n + POPCOUNT[x]!, 0)) },
  digest('sha224'), digest('sha384'), digest('sha512'),
  { name: 'btrim', args: ['bytea', 'bytea'], ret: 'bytea', impl: ([b, set]) => trimBytes(bytes(b!), bytes(set!), true, true) },
  { name: 'ltrim', args: ['bytea', 'bytea'], ret: 'bytea', impl: ([b, set]) => trimBytes(bytes(b!), bytes(set!), true, false) },
  { name: 'rtrim', args: ['bytea', 'bytea'], ret: 'bytea', impl: ([b, set]) => trimBytes(bytes(b!), bytes(set!), false, true) },
  { name: 'convert_to', args: ['text', 'name'], ret: 'bytea', impl: ([t, e]) => encode(t as string, encodingOf(e as string, 'destination')) },
  { name: 'convert_from', args: ['bytea', 'name'], ret: 'text', impl: ([b, e]) => decode(bytes(b!), encodingOf(e as string, 'source')) },
  {
    name: 'convert', args: ['bytea', 'name', 'name'], ret: 'bytea',
    impl: ([b, from, to]) => { const f = encodingOf(from as string, 'source'), t = encodingOf(to as string, 'destination'); return encode(decode(bytes(b!), f), t); },
  },
  { name: 'parse_ident', args: ['text'], ret: '_text', impl: ([s]) => parseIdent(s as string, true) },
  { name: 'parse_ident', args: ['text', 'bool'], ret: '_text', impl: ([s, strict]) => parseIdent(s as string, strict as boolean) },
];
