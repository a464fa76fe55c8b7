/**
 * ORDER BY bm25_rank(key, query) DESC LIMIT k over a table (planner/rules/bm25-top-k.ts):
 * a sealed segment hands on only the rows that can be among the first k: its k
 * best-scoring rows passing the filter and every row tied with the k-th, its rows whose key
 * is NULL (they sort first), and its rows scoring 0 only when fewer than k score more. The
 * Top-K above orders them exactly.
 *
 * MaxScore (Turtle & Flood 1995), document at a time over the terms' posting lists: each
 * term has an upper bound on its share of any row's score (its IDF with the list's highest
 * frequency and shortest document); once k rows are kept, the terms whose bounds together
 * cannot reach the k-th score are "non-essential": rows holding only them are never
 * visited, and they are looked up (by galloping) only for rows that might still get in.
 * A row's score is the same sum, in the same order, as bm25_rank adds it, so the scores
 * are equal.
 */
import type { Row } from '../types/types.js';
import type { TsQuery } from '../types/tsquery.js';
import type { TextCorpus } from '../functions/api.js';
import type { SearchSegment } from '../storage/api.js';
import type { InvertedIndex, Posting } from '../storage/inverted-index.js';
import { bm25Idf, bm25Norm, bm25Share, bm25Terms } from '../functions/text-search/bm25.js';

interface TermList {
  /** position among the query's terms: the order bm25_rank adds the shares in */
  readonly order: number;
  readonly posting: Posting;
  readonly idf: number;
  /** no row's share of this term exceeds it */
  readonly bound: number;
  /** next entry of the posting list not yet passed */
  cursor: number;
}

/** the first entry at or after `from` whose row is ≥ row (galloping, then binary search) */
function seek(rows: Int32Array, from: number, row: number): number {
  if (from >= rows.length || rows[from]! >= row) return from;
  let step = 1, lo = from, hi = from + 1;
  while (hi < rows.length && rows[hi]! < row) { lo = hi; step *= 2; hi = from + step; }
  if (hi > rows.length) hi = rows.length;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]! < row) lo = mid; else hi = mid;
  }
  return hi;
}

/**
 * Relative slack of a bound before it prunes: scores are compared as float4 (bm25_rank's
 * type), and a sum just below the threshold may round up to it (a tie, which must be kept);
 * bounds are also summed in another order than the score.
 */
const SLACK = 1 + 1e-6;

export function* bm25SegmentRows(
  seg: SearchSegment, index: InvertedIndex, corpus: TextCorpus, q: TsQuery, k: number, passes: (row: Row) => boolean,
): Iterable<{ rowId: number; row: Row }> {
  const n = seg.length;
  const queryTerms = bm25Terms(q);
  const terms: TermList[] = [];
  queryTerms.forEach((t, order) => {
    const posting = index.termPosting(t.word, t.prefix);
    if (!posting || posting.rows.length === 0) return;
    const idf = bm25Idf(corpus, corpus.documents(t.word, t.prefix));
    const bound = bm25Share(idf, posting.maxFreq, bm25Norm(corpus, posting.minLength));
    terms.push({ order, posting, idf, bound, cursor: 0 });
  });
  // ascending bounds: prefix[i] bounds what terms 0..i together can add
  terms.sort((a, b) => a.bound - b.bound);
  const prefix = new Float64Array(terms.length);
  terms.forEach((t, i) => { prefix[i] = (i > 0 ? prefix[i - 1]! : 0) + t.bound; });

  const hit = new Uint8Array(n);
  const shares = new Float64Array(queryTerms.length);
  /** kept rows (visible, passing) with their float4 scores; the k-th best is the threshold */
  const kept: { rowId: number; row: Row; score: number }[] = [];
  const best: number[] = []; // the k best kept scores, ascending (a small sorted array: k is a LIMIT)
  let threshold = -Infinity;
  let essential = 0; // terms[essential..] are essential
  const raise = (score: number) => {
    if (best.length === k && score <= best[0]!) return;
    let i = 0;
    while (i < best.length && best[i]! < score) i++;
    best.splice(i, 0, score);
    if (best.length > k) best.shift();
    if (best.length === k) {
      threshold = best[0]!;
      while (essential < terms.length && prefix[essential]! * SLACK < threshold) essential++;
    }
  };
  for (;;) {
    // the next row holding an essential term
    let row = n;
    for (let i = essential; i < terms.length; i++) {
      const t = terms[i]!;
      if (t.cursor < t.posting.rows.length && t.posting.rows[t.cursor]! < row) row = t.posting.rows[t.cursor]!;
    }
    if (row === n) break;
    shares.fill(0);
    const norm = bm25Norm(corpus, index.docLength[row]!);
    let partial = 0;
    for (let i = essential; i < terms.length; i++) {
      const t = terms[i]!;
      if (t.posting.rows[t.cursor] !== row) continue;
      const share = bm25Share(t.idf, t.posting.freqs[t.cursor]!, norm);
      shares[t.order] = share;
      partial += share;
      t.cursor++;
    }
    hit[row] = 1;
    // the non-essential terms, largest bound first, while the row can still reach the threshold
    let possible = true;
    for (let i = essential - 1; i >= 0; i--) {
      if ((partial + prefix[i]!) * SLACK < threshold) { possible = false; break; }
      const t = terms[i]!;
      t.cursor = seek(t.posting.rows, t.cursor, row);
      if (t.posting.rows[t.cursor] !== row) continue;
      const share = bm25Share(t.idf, t.posting.freqs[t.cursor]!, norm);
      shares[t.order] = share;
      partial += share;
    }
    if (!possible) continue;
    let sum = 0;
    for (let o = 0; o < shares.length; o++) sum += shares[o]!;
    const score = Math.fround(sum);
    if (score < threshold) continue;
    const found = seg.visibleRow(row);
    if (!found || !passes(found.row as Row)) continue;
    kept.push({ rowId: found.rowId, row: found.row as Row, score });
    raise(score);
  }
  kept.sort((a, b) => b.score - a.score);
  let passed = 0;
  for (const r of kept) {
    if (r.score < threshold) break;
    yield r;
    passed++;
  }
  // rows without any of the terms: NULL keys always (they sort first), zero scores while short of k
  // (short of k, no row was ever skipped: the threshold never rose above -Infinity)
  for (let r = 0; r < n; r++) {
    if (hit[r] || (index.docLength[r]! >= 0 && passed >= k)) continue;
    const found = seg.visibleRow(r);
    if (found && passes(found.row as Row)) yield found as { rowId: number; row: Row };
  }
}
