/**
 * PostgreSQL's tsvector (tsvector.c, tsvector_parser.c): a sorted set of lexemes, each with
 * up to 256 positions (1..16383) carrying a weight A–D. At runtime a tsvector is its
 * canonical text form (what tsvectorout prints), like jsonb; parseTsvector gives the
 * structure, cached because a scan evaluates the same values repeatedly.
 */
import { SqlError, SqlState } from '../errors.js';

/** a position: bits 0–13 the position, bits 14–15 the weight (3 = A … 0 = D), as WordEntryPos */
export type WordPos = number;

export interface Lexeme {
  readonly word: string;
  /** ascending by position, no duplicates; empty when the lexeme has no positions */
  readonly pos: readonly WordPos[];
}

export type TsVector = readonly Lexeme[];

/** MAXENTRYPOS: positions are clamped below it */
export const MAX_ENTRY_POS = 1 << 14;
/** MAXNUMPOS: positions kept per lexeme */
export const MAX_NUM_POS = 256;
/** MAXSTRLEN: a lexeme's byte length must stay below it */
export const MAX_STR_LEN = (1 << 11) - 1;

export const posOf = (p: WordPos): number => p & 0x3fff;
export const weightOf = (p: WordPos): number => p >> 14;
export const makePos = (pos: number, weight: number): WordPos => (weight << 14) | Math.min(pos, MAX_ENTRY_POS - 1);
export const limitPos = (pos: number): number => (pos >= MAX_ENTRY_POS ? MAX_ENTRY_POS - 1 : pos);

/** tsCompareString: byte order of the UTF-8 forms, shorter first on a common prefix */
export function compareLexemes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 order differs from UTF-8 byte order only between surrogates and U+E000..U+FFFF
      const cx = a.codePointAt(i)!, cy = b.codePointAt(i)!;
      return cx < cy ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** prefix match of tsCompareString(prefix=true): 0 when `word` starts with `prefix` */
export function comparePrefix(prefix: string, word: string): number {
  if (word.startsWith(prefix)) return 0;
  return compareLexemes(prefix, word.slice(0, prefix.length)) || (prefix.length > word.length ? 1 : -1);
}

/** uniquePos: sort, drop duplicate positions keeping the highest weight, at most MAXNUMPOS */
export function uniquePositions(pos: WordPos[]): WordPos[] {
  if (pos.length <= 1) return pos;
  const sorted = [...pos].sort((a, b) => posOf(a) - posOf(b));
  const out: WordPos[] = [sorted[0]!];
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i]!, last = out[out.length - 1]!;
    if (posOf(p) !== posOf(last)) {
      out.push(p);
      if (out.length >= MAX_NUM_POS || posOf(p) === MAX_ENTRY_POS - 1) break;
    } else if (weightOf(p) > weightOf(last)) out[out.length - 1] = makePos(posOf(last), weightOf(p));
  }
  return out;
}

/** Sort lexemes and merge duplicates (uniqueentry). */
export function normalizeLexemes(items: { word: string; pos: WordPos[] }[]): TsVector {
  const sorted = [...items].sort((a, b) => compareLexemes(a.word, b.word));
  const out: { word: string; pos: WordPos[] }[] = [];
  for (const it of sorted) {
    const last = out[out.length - 1];
    if (last && last.word === it.word) last.pos.push(...it.pos);
    else out.push({ word: it.word, pos: [...it.pos] });
  }
  return out.map((l) => ({ word: l.word, pos: uniquePositions(l.pos) }));
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** tsquery's operand delimiters (ISOPERATOR) */
export const isQueryOperatorChar = (c: string | undefined): boolean => c === '!' || c === '&' || c === '|' || c === '(' || c === ')' || c === '<';

export interface WordToken { word: string; pos: WordPos[]; end: number }

/**
 * gettoken_tsvector: the next word of `s` from `at` (quoted with '…' or bare, backslash
 * escapes). For a tsquery operand (`query`), operator characters end a word, ':' ends it
 * without position data, and `web` (websearch) turns off quoting and escapes and ends a
 * word at '"'. Returns undefined at the end of the input.
 */
export function nextWord(s: string, at: number, mode: { query: boolean; web?: boolean }, fail: () => SqlError): WordToken | undefined {
  const web = mode.web === true, opr = mode.query;
  let i = at, word = '';
  let state: 'wait' | 'word' | 'quoted' | 'quote2' | 'posinfo' | 'inpos' | 'posdelim' = 'wait';
  const pos: WordPos[] = [];
  const done = (): WordToken => ({ word, pos, end: i });
  for (;;) {
    const c = s[i];
    if (state === 'wait') {
      if (c === undefined) return undefined;
      if (!web && c === "'") state = 'quoted';
      else if (!web && c === '\\') {
        i++;
        if (i >= s.length) throw new SqlError(SqlState.syntaxError, `there is no escaped character: "${s}"`);
        word += charAt(s, i);
        state = 'word';
        i += charAt(s, i).length;
        continue;
      } else if ((opr && isQueryOperatorChar(c)) || (web && c === '"')) throw fail();
      else if (!isSpace(c)) {
        const ch = charAt(s, i);
        word += ch;
        i += ch.length;
        state = 'word';
        continue;
      }
    } else if (state === 'word') {
      if (!web && c === '\\') {
        i++;
        if (i >= s.length) throw new SqlError(SqlState.syntaxError, `there is no escaped character: "${s}"`);
        const ch = charAt(s, i);
        word += ch;
        i += ch.length;
        continue;
      } else if (c === undefined || isSpace(c) || (opr && isQueryOperatorChar(c)) || (web && c === '"')) {
        if (word === '') throw fail();
        return done();
      } else if (c === ':') {
        if (word === '') throw fail();
        if (opr) return done();
        state = 'inpos';
      } else {
        const ch = charAt(s, i);
        word += ch;
        i += ch.length;
        continue;
      }
    } else if (state === 'quoted') {
      if (c === "'") state = 'quote2';
      else if (c === '\\') {
        i++;
        if (i >= s.length) throw new SqlError(SqlState.syntaxError, `there is no escaped character: "${s}"`);
        const ch = charAt(s, i);
        word += ch;
        i += ch.length;
        continue;
      } else if (c === undefined) throw fail();
      else {
        const ch = charAt(s, i);
        word += ch;
        i += ch.length;
        continue;
      }
    } else if (state === 'quote2') {
      if (c === "'") {
        word += "'";
        state = 'quoted';
      } else {
        if (word === '') throw fail();
        if (opr) return done();
        state = 'posinfo';
        continue; // recheck this character
      }
    } else if (state === 'posinfo') {
      if (c === ':') state = 'inpos';
      else return done();
    } else if (state === 'inpos') {
      if (c !== undefined && isDigit(c)) {
        let j = i;
        while (j < s.length && isDigit(s[j]!)) j++;
        const n = atoi(s.slice(i, j));
        if (limitPos(n) === 0) throw new SqlError(SqlState.syntaxError, `wrong position info in tsvector: "${s}"`);
        pos.push(makePos(limitPos(n), 0));
        state = 'posdelim';
      } else throw fail();
    } else {
      // posdelim
      const last = pos.length - 1;
      if (c === ',') state = 'inpos';
      else if (c === 'a' || c === 'A' || c === '*' || c === 'b' || c === 'B' || c === 'c' || c === 'C' || c === 'd' || c === 'D') {
        if (weightOf(pos[last]!) !== 0) throw fail();
        const w = c === 'a' || c === 'A' || c === '*' ? 3 : c === 'b' || c === 'B' ? 2 : c === 'c' || c === 'C' ? 1 : 0;
        pos[last] = makePos(posOf(pos[last]!), w);
      } else if (c === undefined || isSpace(c)) return done();
      else if (!isDigit(c)) throw fail();
    }
    i++;
  }
}

/** atoi over a run of digits: huge values saturate (they are clamped to 16383 anyway) */
function atoi(digits: string): number {
  const n = Number(digits);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** tsvectorin: text → canonical text */
export function tsvectorIn(text: string): string {
  return formatTsvector(parseTsvectorText(text));
}

export function parseTsvectorText(text: string): TsVector {
  const fail = (): SqlError => new SqlError(SqlState.syntaxError, `syntax error in tsvector: "${text}"`);
  const items: { word: string; pos: WordPos[] }[] = [];
  let at = 0, total = 0;
  for (;;) {
    const t = nextWord(text, at, { query: false }, fail);
    if (!t) break;
    const len = utf8Length(t.word);
    if (len >= MAX_STR_LEN) throw new SqlError(SqlState.programLimitExceeded, `word is too long (${len} bytes, max ${MAX_STR_LEN - 1} bytes)`);
    total += len;
    if (total > MAX_STR_POS) throw new SqlError(SqlState.programLimitExceeded, `string is too long for tsvector (${total} bytes, max ${MAX_STR_POS} bytes)`);
    items.push({ word: t.word, pos: t.pos });
    at = t.end;
  }
  return normalizeLexemes(items);
}

/** MAXSTRPOS: total bytes of lexemes */
export const MAX_STR_POS = (1 << 20) - 1;

const WEIGHT_LETTER = ['', 'C', 'B', 'A'];

/** tsvectorout */
export function formatTsvector(v: TsVector): string {
  const parts: string[] = [];
  for (const l of v) {
    let s = "'" + l.word.replace(/'/g, "''").replace(/\\/g, '\\\\') + "'";
    if (l.pos.length > 0) s += ':' + l.pos.map((p) => String(posOf(p)) + WEIGHT_LETTER[weightOf(p)]).join(',');
    parts.push(s);
  }
  return parts.join(' ');
}

/**
 * The structure of tsvectorout's text: lexemes quoted with ' and \\ doubled, positions
 * with their weight letters, one space between, lexemes ascending and positions ascending.
 * Undefined for anything else (the general parser then reads it). Scans rank every
 * matching row's stored value, so this skips tokenizing state by state and re-sorting
 * (it was 3× the general parser in a ts_rank profile).
 */
export function parseCanonicalTsvector(s: string): TsVector | undefined {
  const out: Lexeme[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (s.charCodeAt(i) !== 39) return undefined;
    i++;
    let word = '';
    let start = i;
    for (;;) {
      if (i >= n) return undefined;
      const c = s.charCodeAt(i);
      if (c === 39) {
        if (s.charCodeAt(i + 1) !== 39) { word += s.slice(start, i); i++; break; }
        word += s.slice(start, i + 1);
        i += 2;
        start = i;
      } else if (c === 92) {
        if (s.charCodeAt(i + 1) !== 92) return undefined;
        word += s.slice(start, i + 1);
        i += 2;
        start = i;
      } else i++;
    }
    if (word === '') return undefined;
    const pos: WordPos[] = [];
    if (s.charCodeAt(i) === 58) {
      i++;
      for (;;) {
        let p = 0, digits = 0;
        for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) { p = p * 10 + (c - 48); digits++; }
        if (digits === 0 || p < 1 || p >= MAX_ENTRY_POS || (pos.length > 0 && p <= posOf(pos[pos.length - 1]!))) return undefined;
        const c = s.charCodeAt(i);
        const w = c === 65 ? 3 : c === 66 ? 2 : c === 67 ? 1 : 0;
        if (w > 0) i++;
        pos.push(makePos(p, w));
        if (s.charCodeAt(i) !== 44) break;
        i++;
      }
    }
    if (out.length > 0 && compareLexemes(out[out.length - 1]!.word, word) >= 0) return undefined;
    out.push({ word, pos });
    if (i < n) {
      if (s.charCodeAt(i) !== 32) return undefined;
      i++;
      if (i >= n) return undefined;
    }
  }
  return out;
}

/**
 * The last values parsed: a row's value is often parsed again by the next expression
 * (`tsv @@ q` rechecked, then `ts_rank(tsv, q)`). A Map keyed by the text cost more than it
 * saved when a scan ranks thousands of rows (hashing each long string once, to miss).
 */
const RECENT_TEXT: (string | undefined)[] = [undefined, undefined, undefined, undefined];
const RECENT_VALUE: TsVector[] = [[], [], [], []];
let recentNext = 0;

/** a stored tsvector's structure: tsvectorout's text by the fast path, anything else by the general parser */
export function parseStoredTsvector(value: string): TsVector {
  return parseCanonicalTsvector(value) ?? parseTsvectorText(value);
}

/** the structure of a canonical tsvector value */
export function parseTsvector(value: string): TsVector {
  for (let i = 0; i < 4; i++) if (RECENT_TEXT[i] === value) return RECENT_VALUE[i]!;
  const v = parseStoredTsvector(value);
  RECENT_TEXT[recentNext] = value;
  RECENT_VALUE[recentNext] = v;
  recentNext = (recentNext + 1) & 3;
  return v;
}

/** tsvectorsend: int32 count, then per lexeme its text NUL-terminated, uint16 npos, uint16 positions */
export function tsvectorSend(value: string): Buffer {
  const v = parseTsvector(value);
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(4);
  head.writeInt32BE(v.length);
  parts.push(head);
  for (const l of v) {
    parts.push(Buffer.from(l.word, 'utf8'), Buffer.from([0]));
    const p = Buffer.allocUnsafe(2 + 2 * l.pos.length);
    p.writeUInt16BE(l.pos.length, 0);
    l.pos.forEach((x, i) => p.writeUInt16BE(x, 2 + 2 * i));
    parts.push(p);
  }
  return Buffer.concat(parts);
}

export interface ByteSource {
  int32(): number;
  uint16(): number;
  cstring(): string;
}

/** tsvectorrecv: checks what PostgreSQL checks (its elog XX000s are 22P03 here), sorts lexemes when they arrive out of order */
export function tsvectorRecv(r: ByteSource): string {
  const n = r.int32();
  if (n < 0 || n > 0x3fffffff / 4) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid size of tsvector');
  const items: { word: string; pos: WordPos[] }[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const word = r.cstring();
    const npos = r.uint16();
    const len = utf8Length(word);
    if (len > MAX_STR_LEN) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid tsvector: lexeme too long');
    if (total > MAX_STR_POS) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid tsvector: maximum total lexeme length exceeded');
    if (npos > MAX_NUM_POS) throw new SqlError(SqlState.invalidBinaryRepresentation, 'unexpected number of tsvector positions');
    total += len;
    const pos: WordPos[] = [];
    for (let j = 0; j < npos; j++) {
      const p = r.uint16();
      if (j > 0 && posOf(p) <= posOf(pos[j - 1]!)) throw new SqlError(SqlState.invalidBinaryRepresentation, 'position information is misordered');
      pos.push(p);
    }
    items.push({ word, pos });
  }
  const sorted = [...items].sort((a, b) => compareLexemes(a.word, b.word));
  return formatTsvector(sorted);
}

/** VARSIZE of the stored tsvector: header, WordEntry array, lexemes, 2-aligned position vectors */
function storedSize(v: TsVector): number {
  let data = 0;
  for (const l of v) {
    data += utf8Length(l.word);
    if (l.pos.length > 0) data = ((data + 1) & ~1) + 2 + 2 * l.pos.length;
  }
  return 8 + 4 * v.length + data;
}

/** tsvector_cmp (silly_cmp_tsvector): stored size, lexeme count, then lexeme by lexeme */
export function compareTsvectors(x: string, y: string): number {
  if (x === y) return 0;
  const a = parseTsvector(x), b = parseTsvector(y);
  const sa = storedSize(a), sb = storedSize(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!, q = b[i]!;
    const hp = p.pos.length > 0, hq = q.pos.length > 0;
    if (hp !== hq) return hp ? -1 : 1;
    const c = compareLexemes(p.word, q.word);
    if (c !== 0) return c;
    if (p.pos.length !== q.pos.length) return p.pos.length > q.pos.length ? -1 : 1;
    for (let j = 0; j < p.pos.length; j++) {
      const u = p.pos[j]!, w = q.pos[j]!;
      if (posOf(u) !== posOf(w)) return posOf(u) > posOf(w) ? -1 : 1;
      if (weightOf(u) !== weightOf(w)) return weightOf(u) > weightOf(w) ? -1 : 1;
    }
  }
  return 0;
}
