/**
 * ORDER BY bm25_rank(key, query) DESC LIMIT k over a table (planner/rules/bm25-top-k.ts):
 * a sealed segment sums each row's score term by term from its inverted lists (the same
 * shares, in the same order, as bm25_rank adds them, so the scores are equal) and hands on
 * only the rows that can be among the first k: its k best-scoring rows passing the filter
 * and every row tied with the k-th, its rows whose key is NULL (they sort first), and its
 * rows scoring 0 only when fewer than k score more. The Top-K above orders them exactly.
 */
import type { Row } from '../types/types.js';
import type { TsQuery } from '../types/tsquery.js';
import type { TextCorpus } from '../functions/api.js';
import type { SearchSegment } from '../storage/api.js';
import type { InvertedIndex } from '../storage/inverted-index.js';
import { bm25Idf, bm25Norm, bm25Share, bm25Terms } from '../functions/text-search/bm25.js';

export function* bm25SegmentRows(
  seg: SearchSegment, index: InvertedIndex, corpus: TextCorpus, q: TsQuery, k: number, passes: (row: Row) => boolean,
): Iterable<{ rowId: number; row: Row }> {
  const n = seg.length;
  const score = new Float64Array(n);
  const tf = new Int32Array(n);
  const hit = new Uint8Array(n);
  for (const t of bm25Terms(q)) {
    const rows: number[] = [];
    for (const word of t.prefix ? index.wordsWithPrefix(t.word) : [t.word]) {
      const p = index.posting(word);
      if (!p) continue;
      for (let i = 0; i < p.rows.length; i++) {
        const r = p.rows[i];
        if (tf[r] === 0) rows.push(r);
        tf[r] += p.freqs[i];
      }
    }
    if (rows.length === 0) continue;
    const idf = bm25Idf(corpus, corpus.documents(t.word, t.prefix));
    for (const r of rows) {
      score[r] += bm25Share(idf, tf[r], bm25Norm(corpus, index.docLength[r]));
      hit[r] = 1;
      tf[r] = 0;
    }
  }
  const scored: number[] = [];
  for (let r = 0; r < n; r++) if (hit[r]) scored.push(r);
  const rounded = (r: number) => Math.fround(score[r]);
  scored.sort((a, b) => rounded(b) - rounded(a) || a - b);
  let passed = 0;
  let threshold = -Infinity;
  for (const r of scored) {
    if (passed >= k && rounded(r) < threshold) break;
    const found = seg.visibleRow(r);
    if (!found || !passes(found.row as Row)) continue;
    yield found as { rowId: number; row: Row };
    if (++passed === k) threshold = rounded(r);
  }
  for (let r = 0; r < n; r++) {
    if (hit[r] || (index.docLength[r] >= 0 && passed >= k)) continue;
    const found = seg.visibleRow(r);
    if (found && passes(found.row as Row)) yield found as { rowId: number; row: Row };
  }
}
