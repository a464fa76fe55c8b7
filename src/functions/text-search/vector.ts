/**
 * Building and editing tsvectors (to_tsvector.c, tsvector_op.c): to_tsvector over the default
 * parser and a configuration, setweight, strip, length, ts_delete, the array conversions and
 * || (concatenation, shifting the right side's positions past the left side's last).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Value } from '../../types/types.js';
import {
  MAX_ENTRY_POS, MAX_NUM_POS, MAX_STR_LEN, compareLexemes, formatTsvector, limitPos, makePos, normalizeLexemes, parseTsvector,
  posOf, utf8Length, weightOf, type Lexeme, type TsVector, type WordPos,
} from '../../types/tsvector.js';
import { parseTokens } from './parser.js';
import type { TextSearchConfig } from './config.js';

export interface ParsedWord { readonly word: string; readonly pos: number }

/** parsetext: each mapped token takes the next position; a stop word takes one and yields nothing */
export function parseText(cfg: TextSearchConfig, text: string): ParsedWord[] {
  const out: ParsedWord[] = [];
  let pos = 0;
  for (const tok of parseTokens(text)) {
    const dict = cfg.map.get(tok.type);
    if (!dict) continue;
    // "word is too long to be indexed": PostgreSQL skips it (with a NOTICE)
    if (utf8Length(tok.text) >= MAX_STR_LEN) continue;
    pos++;
    for (const w of dict.lexize(tok.text)) out.push({ word: w, pos });
  }
  return out;
}

/** recent to_tsvector results per configuration (OID → text → tsvector) */
const RECENT = new Map<number, Map<string, string>>();
const RECENT_LIMIT = 4096;

/**
 * to_tsvector(cfg, text). Remembered for the last texts: pgvector's hybrid query computes
 * to_tsvector(body) of each keyword candidate twice (sort key and rank window), and again
 * for the same documents in the next query.
 */
export function toTsvector(cfg: TextSearchConfig, text: string): string {
  let recent = RECENT.get(cfg.oid);
  if (!recent) RECENT.set(cfg.oid, (recent = new Map()));
  let v = recent.get(text);
  if (v === undefined) {
    v = makeTsvector(cfg, text);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(text, v);
  }
  return v;
}

/** make_tsvector: lexemes sorted, positions merged (at most MAXNUMPOS - 1 per lexeme) */
function makeTsvector(cfg: TextSearchConfig, text: string): string {
  const words = parseText(cfg, text).sort((a, b) => compareLexemes(a.word, b.word) || a.pos - b.pos);
  const out: { word: string; pos: WordPos[] }[] = [];
  for (const w of words) {
    const p = limitPos(w.pos);
    const last = out[out.length - 1];
    if (last && last.word === w.word) {
      const lp = posOf(last.pos[last.pos.length - 1]!);
      if (last.pos.length < MAX_NUM_POS - 1 && lp !== MAX_ENTRY_POS - 1 && lp !== p) last.pos.push(makePos(p, 0));
    } else out.push({ word: w.word, pos: [makePos(p, 0)] });
  }
  return formatTsvector(out);
}

const V = (v: Value): TsVector => parseTsvector(v as string);

/** the weight of a "char" argument: A=3 … D=0 */
export function weightCode(c: string): number {
  switch (c) {
    case 'A': case 'a': return 3;
    case 'B': case 'b': return 2;
    case 'C': case 'c': return 1;
    case 'D': case 'd': return 0;
  }
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized weight: "${c}"`);
}

function lexemeSet(arr: Value[]): Set<string> {
  const s = new Set<string>();
  for (const e of arr) {
    if (e === null) throw new SqlError(SqlState.nullValueNotAllowed, 'lexeme array may not contain nulls');
    s.add(e as string);
  }
  return s;
}

export function setweight(v: Value, w: Value, only?: Value): string {
  const code = weightCode(w as string);
  // setweight's filter skips NULL elements (ts_delete's does too)
  const filter = only === undefined ? undefined : new Set((only as Value[]).filter((e) => e !== null) as string[]);
  return formatTsvector(V(v).map((l) => (filter && !filter.has(l.word) ? l : { word: l.word, pos: l.pos.map((p) => makePos(posOf(p), code)) })));
}

export function strip(v: Value): string {
  return formatTsvector(V(v).map((l) => ({ word: l.word, pos: [] })));
}

export function tsvectorLength(v: Value): number {
  return V(v).length;
}

export function tsDelete(v: Value, words: Value): string {
  const drop = Array.isArray(words) ? new Set(words.filter((e) => e !== null) as string[]) : new Set([words as string]);
  return formatTsvector(V(v).filter((l) => !drop.has(l.word)));
}

export function tsvectorToArray(v: Value): Value[] {
  return V(v).map((l) => l.word);
}

export function arrayToTsvector(arr: Value): string {
  const words = [...lexemeSet(arr as Value[])];
  for (const w of words) if (w === '') throw new SqlError('2200F', 'lexeme array may not contain empty strings');
  return formatTsvector(normalizeLexemes(words.map((word) => ({ word, pos: [] }))));
}

/** add_pos: the right side's positions shifted by maxpos, stopping at the last position */
function shifted(into: WordPos[], from: readonly WordPos[], maxpos: number): void {
  for (const p of from) {
    if (into.length >= MAX_NUM_POS || (into.length > 0 && posOf(into[into.length - 1]!) === MAX_ENTRY_POS - 1)) break;
    into.push(makePos(limitPos(posOf(p) + maxpos), weightOf(p)));
  }
}

/** tsvector_concat */
export function concatTsvectors(a: Value, b: Value): string {
  const l = V(a), r = V(b);
  let maxpos = 0;
  for (const x of l) for (const p of x.pos) maxpos = Math.max(maxpos, posOf(p));
  const out: Lexeme[] = [];
  let i = 0, j = 0;
  while (i < l.length || j < r.length) {
    const c = i >= l.length ? 1 : j >= r.length ? -1 : compareLexemes(l[i]!.word, r[j]!.word);
    if (c < 0) out.push(l[i++]!);
    else if (c > 0) {
      const pos: WordPos[] = [];
      shifted(pos, r[j]!.pos, maxpos);
      out.push({ word: r[j++]!.word, pos });
    } else {
      const pos: WordPos[] = [...l[i]!.pos];
      shifted(pos, r[j]!.pos, maxpos);
      out.push({ word: l[i]!.word, pos });
      i++;
      j++;
    }
  }
  return formatTsvector(out);
}
