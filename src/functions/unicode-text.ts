/**
 * Unicode text functions: normalize / IS NORMALIZED (unicode_normalize_func) and unistr,
 * PostgreSQL's decoder of \XXXX, \+XXXXXX, \uXXXX and \UXXXXXXXX escapes (surrogate pairs
 * joined, a lone surrogate an error).
 */
import { SqlError, SqlState } from '../errors.js';
import type { Value } from '../types/types.js';

type Form = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';

function normalizationForm(form: string): Form {
  const f = form.toUpperCase();
  if (f === 'NFC' || f === 'NFD' || f === 'NFKC' || f === 'NFKD') return f;
  throw new SqlError(SqlState.invalidParameterValue, `invalid normalization form: ${form}`);
}

const invalidEscape = (): SqlError => new SqlError(SqlState.syntaxError, 'invalid Unicode escape', { hint: 'Unicode escapes must be \\XXXX, \\+XXXXXX, \\uXXXX, or \\UXXXXXXXX.' });
const invalidSurrogate = (): SqlError => new SqlError(SqlState.syntaxError, 'invalid Unicode surrogate pair');
const invalidCodePoint = (cp: number): SqlError => new SqlError(SqlState.invalidParameterValue, `invalid Unicode code point: ${cp.toString(16).toUpperCase().padStart(4, '0')}`);

const ESCAPES: readonly { lead: string; digits: number }[] = [
  { lead: '\\+', digits: 6 }, { lead: '\\u', digits: 4 }, { lead: '\\U', digits: 8 }, { lead: '\\', digits: 4 },
];

export function unistr(s: string): string {
  let out = '';
  let pendingHigh: number | undefined;
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '\\') {
      if (pendingHigh !== undefined) throw invalidSurrogate();
      out += s[i++];
      continue;
    }
    if (s[i + 1] === '\\') {
      if (pendingHigh !== undefined) throw invalidSurrogate();
      out += '\\';
      i += 2;
      continue;
    }
    const esc = ESCAPES.find((e) => s.startsWith(e.lead, i) && /^[0-9A-Fa-f]+$/.test(s.slice(i + e.lead.length, i + e.lead.length + e.digits)) && s.length >= i + e.lead.length + e.digits);
    if (!esc) throw invalidEscape();
    const cp = parseInt(s.slice(i + esc.lead.length, i + esc.lead.length + esc.digits), 16);
    i += esc.lead.length + esc.digits;
    if (cp > 0x10ffff || cp === 0) throw invalidCodePoint(cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (pendingHigh !== undefined) throw invalidSurrogate();
      pendingHigh = cp;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      if (pendingHigh === undefined) throw invalidSurrogate();
      out += String.fromCodePoint(((pendingHigh - 0xd800) << 10) + (cp - 0xdc00) + 0x10000);
      pendingHigh = undefined;
    } else {
      if (pendingHigh !== undefined) throw invalidSurrogate();
      out += String.fromCodePoint(cp);
    }
  }
  if (pendingHigh !== undefined) throw invalidSurrogate();
  return out;
}

type Def = { name: string; args: string[]; ret: string; impl: (args: readonly Value[]) => Value };
/** form DEFAULT 'NFC' */
export const UNICODE_TEXT_FUNCTIONS: readonly Def[] = [
  { name: 'normalize', args: ['text'], ret: 'text', impl: ([s]) => (s as string).normalize('NFC') },
  { name: 'normalize', args: ['text', 'text'], ret: 'text', impl: ([s, f]) => (s as string).normalize(normalizationForm(f as string)) },
  { name: 'is_normalized', args: ['text'], ret: 'bool', impl: ([s]) => s === (s as string).normalize('NFC') },
  { name: 'is_normalized', args: ['text', 'text'], ret: 'bool', impl: ([s, f]) => s === (s as string).normalize(normalizationForm(f as string)) },
  { name: 'unistr', args: ['text'], ret: 'text', impl: ([s]) => unistr(s as string) },
];
