/**
 * The entries of a stored tsvector that a query names, read straight from its canonical
 * text (tsvectorout's form) without parsing the rest. ts_rank and ts_rank_cd without a
 * length normalization look at nothing else (they find each operand by binary search), so
 * ranking the rows a GIN index found no longer builds every lexeme of every row: with 60k
 * man-page paragraphs, parsing whole tsvectors was a quarter of the `@@` + ts_rank query's
 * time (profiled with --cpu-prof).
 *
 * In the canonical text an entry is `'word'` (a quote doubled, a backslash doubled), then
 * `:positions` when it has any, entries separated by one space; so `'word'` at the start of
 * the text or after a space, not followed by another quote, is the entry of `word` when
 * `word` itself has no quote or backslash.
 */
import { MAX_ENTRY_POS, compareLexemes, makePos, type Lexeme, type TsVector, type WordPos } from '../../types/tsvector.js';
import type { QueryNode, TsQuery } from '../../types/tsquery.js';

/** the query's distinct operand words, or undefined when one needs the full parse (a prefix, a quote or backslash) */
const WORDS = new WeakMap<QueryNode, readonly string[] | null>();

function exactWords(q: QueryNode): readonly string[] | undefined {
  let words = WORDS.get(q);
  if (words === undefined) {
    const out = new Set<string>();
    let ok = true;
    const walk = (n: QueryNode): void => {
      if (n.type === 'val') {
        if (n.prefix || /['\\]/.test(n.word)) ok = false;
        out.add(n.word);
      } else if (n.type === 'not') walk(n.arg);
      else if (n.type !== 'stop') { walk(n.left); walk(n.right); }
    };
    walk(q);
    words = ok ? [...out].sort(compareLexemes) : null;
    WORDS.set(q, words);
  }
  return words ?? undefined;
}

/**
 * The lexemes of canonical tsvector text `text` that `q` names (in tsvector order), and
 * whether the tsvector is empty; undefined when the query needs the whole tsvector parsed.
 */
export function queryLexemes(text: string, q: TsQuery): { lexemes: TsVector; empty: boolean } | undefined {
  if (!q) return undefined;
  const words = exactWords(q);
  if (!words) return undefined;
  const lexemes: Lexeme[] = [];
  for (const word of words) {
    const needle = `'${word}'`;
    let at = text.indexOf(needle);
    while (at >= 0 && ((at > 0 && text.charCodeAt(at - 1) !== 32) || text.charCodeAt(at + needle.length) === 39)) at = text.indexOf(needle, at + 1);
    if (at < 0) continue;
    lexemes.push({ word, pos: positionsAt(text, at + needle.length) });
  }
  return { lexemes, empty: text.length === 0 };
}

/** the positions list `:1,5A,…` starting at `i` (none when no colon follows the word) */
function positionsAt(s: string, i: number): WordPos[] {
  const pos: WordPos[] = [];
  if (s.charCodeAt(i) !== 58) return pos;
  i++;
  for (;;) {
    let p = 0;
    for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) p = p * 10 + (c - 48);
    const c = s.charCodeAt(i);
    const w = c === 65 ? 3 : c === 66 ? 2 : c === 67 ? 1 : 0;
    if (w > 0) i++;
    pos.push(makePos(Math.min(p, MAX_ENTRY_POS - 1), w));
    if (s.charCodeAt(i) !== 44) return pos;
    i++;
  }
}
