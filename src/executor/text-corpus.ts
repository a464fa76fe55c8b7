/**
 * BM25's corpus statistics (functions/text-search/bm25.ts) for one tsvector key of a table:
 * its live rows at the statement's snapshot (and the transaction's own writes). Sealed
 * segments answer from their inverted index (the one a GIN index uses, built on first use
 * even without one): row count and lengths from its per-row lengths, n(t) from its posting
 * lists, each position checked for visibility. The remaining rows are read once per
 * statement. A partitioned table's corpus is all its partitions' rows. Computed at the
 * first bm25_rank call of the statement, then kept for it.
 */
import type { EvalContext, TextCorpus } from '../functions/api.js';
import type { SearchSegment, Snapshot, Storage, Transaction } from '../storage/api.js';
import type { InvertedIndex } from '../storage/inverted-index.js';
import { findLexemes } from '../functions/text-search/match.js';
import type { TsVector } from '../types/tsvector.js';
import { indexVector, segmentIndex } from './text-index-scan.js';

export interface CorpusSource {
  readonly storage: Storage;
  readonly snapshot: Snapshot;
  readonly txn: Transaction | undefined;
}

/** EvalContext.textCorpus of a statement, BM25 corpora of its snapshot: each computed at its first use, then kept */
export function textCorpusOf(ctx: EvalContext, src: CorpusSource): NonNullable<EvalContext['textCorpus']> {
  let cache: Map<string, TextCorpus> | undefined;
  return (table, column, config) => {
    const key = `${table}:${column}:${config ?? ''}`;
    cache ??= new Map();
    let c = cache.get(key);
    if (!c) { c = corpus(src, leafTables(ctx, table), column, config); cache.set(key, c); }
    return c;
  };
}

/** The tables holding a table's rows: a partitioned table's leaf partitions (at any depth), else itself. */
function leafTables(ctx: EvalContext, table: number): number[] {
  const info = ctx.services.partitionInfo(table);
  if (!info?.partitioned) return [table];
  return info.children.flatMap((child) => leafTables(ctx, child));
}

/** One corpus over the rows of `tables` (a partitioned table's partitions share its columns). */
function corpus(src: CorpusSource, tables: readonly number[], column: number, config: number | undefined): TextCorpus {
  // the key as a GIN index would hold it (the segment caches one inverted index per key)
  const key = { columns: [column], tsvectorConfig: config };
  const toVector = indexVector(key);
  const rest: TsVector[] = [];
  const indexes: { seg: SearchSegment; index: InvertedIndex | undefined }[] = [];
  for (const table of tables) {
    const sealed = src.storage.searchSegments(table, src.snapshot, src.txn);
    for (const batch of src.storage.scan(table, src.snapshot, src.txn, { skipSegments: new Set(sealed.map((s) => s.id)) })) {
      for (const row of batch.rows) {
        const v = row[column];
        if (v !== null && v !== undefined) rest.push(toVector(v)!);
      }
    }
    for (const seg of sealed) indexes.push({ seg, index: segmentIndex(seg, key) });
  }
  let docs = rest.length;
  let total = 0;
  for (const v of rest) for (const l of v) total += Math.max(1, l.pos.length);
  for (const { seg, index } of indexes) {
    if (!index) continue;
    const lengths = index.docLength;
    for (let pos = 0; pos < lengths.length; pos++) {
      if (lengths[pos] >= 0 && seg.isVisible!(pos)) { docs++; total += lengths[pos]; }
    }
  }
  const df = new Map<string, number>();
  return {
    docs,
    avgLength: docs ? total / docs : 0,
    documents(word, prefix) {
      const k = `${prefix ? '*' : ''}${word}`;
      let n = df.get(k);
      if (n !== undefined) return n;
      n = 0;
      const operand = { type: 'val' as const, word, prefix, weight: 0 };
      for (const v of rest) if (findLexemes(v, operand).length) n++;
      for (const { seg, index } of indexes) {
        if (!index) continue;
        const rows = index.candidates(operand)!;
        for (const pos of rows) if (seg.isVisible!(pos)) n++;
      }
      df.set(k, n);
      return n;
    },
  };
}
