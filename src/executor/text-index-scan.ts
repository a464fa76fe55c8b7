/**
 * Bitmap Heap Scan through a GIN index (planner/rules/use-text-index.ts): each sealed
 * segment answers `key @@ query` with its inverted index's candidates (storage/
 * inverted-index.ts, read from the GIN index's file or built on first use), every candidate is checked for visibility and
 * rechecked with the whole filter; the growing segment and the transaction's own rows are
 * read and filtered as a plain scan does.
 */
import type { IndexDef } from '../catalog/catalog.js';
import type { Row } from '../types/types.js';
import { parseStoredTsvector, type TsVector } from '../types/tsvector.js';
import { parseTsquery } from '../types/tsquery.js';
import { toTsvector } from '../functions/text-search/vector.js';
import { configByOid } from '../functions/text-search/config.js';
import type { SearchSegment, Snapshot, Storage, TextIndexSpec, Transaction } from '../storage/api.js';
import { InvertedIndex } from '../storage/inverted-index.js';

/** Rows handed up at a time. */
const BATCH = 1024;

/** The index's key as a tsvector, from the indexed column's value (the column itself, or to_tsvector over it). */
export function indexVector(index: Pick<IndexDef, 'tsvectorConfig'>): (value: unknown) => TsVector | null {
  if (index.tsvectorConfig === undefined) return (v) => parseStoredTsvector(v as string);
  const cfg = configByOid(index.tsvectorConfig);
  return (v) => parseStoredTsvector(toTsvector(cfg, v as string));
}

/**
 * A sealed segment's inverted index for a GIN index's key (undefined: the storage keeps
 * none). Named by the key, not the index: BM25's statistics share it, and the same key
 * always gives the same lists.
 */
export function segmentIndex(seg: SearchSegment, index: Pick<IndexDef, 'columns' | 'tsvectorConfig'>): InvertedIndex | undefined {
  return seg.invertedIndex?.(textIndexKey(index), index.columns[0], indexVector(index));
}

/** What storage keeps for a GIN index (its files per sealed segment are named by the key) */
export function textIndexSpec(index: Pick<IndexDef, 'name' | 'columns' | 'tsvectorConfig'>): TextIndexSpec {
  return { name: index.name, key: textIndexKey(index), column: index.columns[0]! };
}

/** the inverted index's name in storage: the indexed column and the configuration turning it into a tsvector */
function textIndexKey(index: Pick<IndexDef, 'columns' | 'tsvectorConfig'>): string {
  return `tsvector:${index.columns[0]}:${index.tsvectorConfig ?? ''}`;
}

/**
 * Visible rows of one table that pass `keep`, with their RowIds, reading sealed segments
 * through the index. The rest (growing segment, frozen rows, own writes) is listed in the
 * same turn as the sealed segments, so a compaction in between cannot show a row twice.
 */
export function* textIndexRows(
  storage: Storage, tableOid: number, snapshot: Snapshot, txn: Transaction | undefined, index: IndexDef, query: string,
  filter: { readonly all: (row: Row) => boolean; readonly rest: (row: Row) => boolean },
  /** counts the rows the index hands on: candidates of sealed segments, every other row */
  stats?: { candidates: number },
  /** the only columns read from a sealed segment's candidates (the others are NULL); all when absent */
  columns?: readonly number[],
): Iterable<{ rowIds: number[]; rows: Row[] }> {
  const q = parseTsquery(query);
  const keep = filter.all;
  // exact posting lists: the indexed condition holds on every candidate, only the rest of the filter is tested
  const keepCandidate = InvertedIndex.exact(q) ? filter.rest : filter.all;
  const sealed = storage.searchSegments(tableOid, snapshot, txn);
  const rest = storage.scan(tableOid, snapshot, txn, { skipSegments: new Set(sealed.map((s) => s.id)) })[Symbol.iterator]();
  let next = rest.next();
  while (!next.done) {
    const batch = next.value;
    if (stats) stats.candidates += batch.rows.length;
    const rowIds: number[] = [];
    const rows: Row[] = [];
    batch.rows.forEach((r, i) => { if (keep(r as Row)) { rowIds.push(batch.rowIds[i]); rows.push(r as Row); } });
    if (rows.length) yield { rowIds, rows };
    next = rest.next();
  }
  for (const seg of sealed) {
    const candidates = segmentIndex(seg, index)?.candidates(q);
    if (stats) stats.candidates += candidates ? candidates.length : seg.length;
    let rowIds: number[] = [];
    let rows: Row[] = [];
    const take = (rowId: number, row: Row, test: (row: Row) => boolean) => {
      if (!test(row)) return false;
      rowIds.push(rowId);
      rows.push(row);
      return rows.length >= BATCH;
    };
    if (candidates) {
      for (const pos of candidates) {
        const found = seg.visibleRow(pos, columns);
        if (found && take(found.rowId, found.row as Row, keepCandidate)) { yield { rowIds, rows }; rowIds = []; rows = []; }
      }
    } else {
      for (const found of seg.visibleRows()) {
        if (take(found.rowId, found.row as Row, keep)) { yield { rowIds, rows }; rowIds = []; rows = []; }
      }
    }
    if (rows.length) yield { rowIds, rows };
  }
}
