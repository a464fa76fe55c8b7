/**
 * ANALYZE [table, …]: a sample of each table's rows (all of them up to SAMPLE_ROWS, a
 * uniform reservoir sample beyond) → per-column statistics (src/planner/statistics.ts),
 * kept in the catalog (durable with its image) and shown by pg_stats and
 * pg_stat_user_tables. The sample's scan and the statistics' computation give the event loop
 * a turn every few milliseconds (a 30,000-row sample of 784-d vectors took ~0.4 s in one piece).
 */
import { isRangeType } from '../types/range.js';
import { isMultirangeType } from '../types/multirange.js';
import { recordAnalyzed } from './relation-size.js';
import { storesRows, type Catalog, type TableDef, type TableStatistics } from '../catalog/catalog.js';
import { childPartitions, leafPartitions } from '../catalog/partitions.js';
import { columnStatisticsSteps, SAMPLE_ROWS, tsvectorStatistics, type ColumnStatistics } from '../planner/statistics.js';
import { sortInSteps } from '../types/stepwise-sort.js';
import type { Storage, Transaction } from '../storage/api.js';
import { Turns } from '../storage/turns.js';
import { compareValues } from '../types/compare.js';
import { formatText } from '../types/text-io.js';
import { fixedLength, heapPages, heapTuple, storedWidth } from './heap-layout.js';
import { storedAsKey } from '../executor/expression-keys.js';
import { indexKeyFunction } from '../executor/vector-index-key.js';
import { elementTypeOf, isArrayType, OID, sqlType, type Row, type SqlType, type Value } from '../types/types.js';
import { arrayElementStatistics } from '../planner/array-statistics.js';

/**
 * Called every few hundred rows sampled or values worked on: a turn of the event loop every
 * few milliseconds (storage/turns.ts), then the caller's cancel check (ANALYZE cancelled or
 * timed out; auto-analyze stopped with the server).
 */
type Pace = () => Promise<void>;

/**
 * Analyze these tables (their leaf partitions); `checkCancel` throws when the statement is
 * cancelled. In a transaction block its own uncommitted writes count (`txn`), as PostgreSQL's
 * acquire_sample_rows samples rows the current transaction inserted.
 */
export async function analyzeTables(catalog: Catalog, storage: Storage, tables: readonly TableDef[], checkCancel: () => void, auto = false, txn?: Transaction): Promise<void> {
  for (const t of tables) {
    for (const leaf of leafPartitions(catalog, t)) {
      if (!storesRows(leaf)) continue;
      const turns = new Turns();
      const pace: Pace = async () => {
        await turns.take();
        checkCancel();
      };
      const { rows, total } = await sampleRows(storage, leaf.oid, pace, txn);
      leaf.stats = await tableStatistics(leaf, rows, total, leaf.stats, auto, pace);
      // as PostgreSQL's ANALYZE reads relallvisible from the visibility map: a delete since the
      // VACUUM cleared what it set (never more than VACUUM counted: only VACUUM sets it)
      if (leaf.allVisibleRows) leaf.allVisibleRows = Math.min(leaf.allVisibleRows, await storage.allVisibleRows(leaf.oid, checkCancel));
      recordAnalyzed(catalog, leaf);
      catalog.statsVersion++;
    }
    // ANALYZE of a partitioned table also gathers its inherited statistics, as PostgreSQL's
    // (autovacuum never does): the planner's estimates over the whole table (a join on its key)
    if (!auto) for (const parent of partitionedTables(catalog, t)) await analyzeInherited(catalog, storage, parent, checkCancel, txn);
  }
}

/** `table` and the partitioned tables below it. */
function partitionedTables(catalog: Catalog, table: TableDef): TableDef[] {
  if (table.kind !== 'p') return [];
  return [table, ...childPartitions(catalog, table).flatMap((c) => partitionedTables(catalog, c))];
}

/**
 * A partitioned table's statistics over the rows of all its partitions (pg_stats' inherited
 * rows): acquire_inherited_sample_rows' sample, each partition's share of SAMPLE_ROWS
 * as its share of the rows.
 */
async function analyzeInherited(catalog: Catalog, storage: Storage, parent: TableDef, checkCancel: () => void, txn: Transaction | undefined): Promise<void> {
  const turns = new Turns();
  const pace: Pace = async () => {
    await turns.take();
    checkCancel();
  };
  const samples: { rows: Row[]; total: number }[] = [];
  for (const leaf of leafPartitions(catalog, parent)) if (leaf.kind === 'r') samples.push(await sampleRows(storage, leaf.oid, pace, txn));
  const total = samples.reduce((n, x) => n + x.total, 0);
  const rows = samples.flatMap((x) => (total <= SAMPLE_ROWS ? x.rows : x.rows.slice(0, Math.round((SAMPLE_ROWS * x.total) / total))));
  parent.stats = await tableStatistics(parent, rows, total, parent.stats, false, pace);
  catalog.statsVersion++;
}

/** Every user table of the database (ANALYZE without a table list): a partitioned one with its partitions. */
export function analyzableTables(catalog: Catalog): TableDef[] {
  return [...catalog.tables.values()].filter((t) => (storesRows(t) || t.kind === 'p') && !t.partitionOf);
}

/** A uniform sample of at most SAMPLE_ROWS rows, in scan order, and the number of rows seen. */
async function sampleRows(storage: Storage, tableOid: number, pace: Pace, txn: Transaction | undefined): Promise<{ rows: Row[]; total: number }> {
  const reservoir: { row: Row; at: number }[] = [];
  let seen = 0;
  const random = seededRandom(tableOid);
  for (const batch of storage.scan(tableOid, storage.snapshot(), txn)) {
    for (const row of batch.rows) {
      if (reservoir.length < SAMPLE_ROWS) reservoir.push({ row, at: seen });
      else {
        const j = Math.floor(random() * (seen + 1));
        if (j < SAMPLE_ROWS) reservoir[j] = { row, at: seen };
      }
      seen++;
    }
    // a batch of 1,024 rows of 784-d vectors is a few ms: 16 of them held the loop ~50 ms
    await pace();
  }
  // back in scan order a piece at a time (30,000 sampled rows sorted in one go, with the GC
  // their objects brought, held the loop 46-62 ms after a bulk load's auto-analyze)
  const inScanOrder = sortInSteps(reservoir, (a, b) => a.at - b.at);
  for (let step = inScanOrder.next(); !step.done; step = inScanOrder.next()) await pace();
  return { rows: reservoir.map((r) => r.row), total: seen };
}

/**
 * The heap pages the table's live rows fill now, as ANALYZE counts them (its sample's
 * layout, scaled to all rows): what VACUUM and CREATE INDEX record as relpages.
 */
export async function countHeapPages(storage: Storage, table: TableDef, txn?: Transaction): Promise<{ pages: number; rows: number; widths: number[] }> {
  const turns = new Turns();
  const pace: Pace = () => turns.take();
  const { rows, total } = await sampleRows(storage, table.oid, pace, txn);
  const layout = await heapLayout(table, rows, pace);
  // each column's average stored width over its non-null values (a B-tree's key bytes)
  const widths = table.columns.map((_, i) => {
    let sum = 0, n = 0;
    rows.forEach((r, pos) => {
      if (r[i] === null || r[i] === undefined) return;
      sum += layout.sizes[pos]![i]!;
      n++;
    });
    return n ? Math.trunc(sum / n) : 0;
  });
  return { pages: rows.length ? Math.ceil((heapPages(layout.bytes) * Math.max(total, rows.length)) / rows.length) : 0, rows: total, widths };
}

/** Each column's statistics, computed a piece at a time with turns of the event loop between. */
async function tableStatistics(table: TableDef, rows: readonly Row[], total: number, before: TableStatistics | undefined, auto: boolean, pace: Pace): Promise<TableStatistics> {
  const columns: Record<string, ColumnStatistics> = {};
  const layout = await heapLayout(table, rows, pace);
  for (const [i, c] of table.columns.entries()) {
    const values = rows.map((r) => r[i] ?? null);
    const width = (_v: Value, pos: number) => layout.sizes[pos]![i]!;
    // ts_typanalyze and range_typanalyze (PostgreSQL 15's pg_stats shows nothing else of them):
    // non-NULL values estimated unique, no most common values, histogram or correlation
    if (c.type.oid === OID.tsvector || isRangeType(c.type.oid) || isMultirangeType(c.type.oid)) {
      columns[c.name] = tsvectorStatistics({ values, width });
      await pace();
      continue;
    }
    columns[c.name] = await paced(columnStatisticsSteps({ values, compare: orderingOf(c.type), width, format: (v) => formatText(c.type, v) }, Math.max(total, rows.length)), pace);
    const elem = elementTypeOf(c.type.oid);
    if (elem !== undefined && isArrayType(c.type.oid) && orderingOf(sqlType(elem))) {
      const elemType = sqlType(elem);
      columns[c.name] = { ...columns[c.name]!, ...arrayElementStatistics(values, (pos) => width(null, pos), orderingOf(elemType)!, (v) => formatText(elemType, v)) };
      await pace();
    }
  }
  const indexes = await expressionIndexStatistics(table, rows, total, pace);
  const now = Date.now() * 1000;
  return {
    ...(indexes ? { indexes } : {}),
    // the heap pages the sample fills, scaled to all rows when the sample is part of them
    reltuples: total, columns, relpages: rows.length ? Math.ceil((heapPages(layout.bytes) * Math.max(total, rows.length)) / rows.length) : 0,
    analyzedAt: auto ? before?.analyzedAt ?? null : now,
    analyzeCount: (before?.analyzeCount ?? 0) + (auto ? 0 : 1),
    autoAnalyzedAt: auto ? now : before?.autoAnalyzedAt ?? null,
    autoAnalyzeCount: (before?.autoAnalyzeCount ?? 0) + (auto ? 1 : 0),
  };
}

/** A computation done a step at a time, `pace` between the steps. */
async function paced<T>(steps: Generator<void, T, void>, pace: Pace): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pace();
  }
}

/**
 * PostgreSQL's compute_index_stats: the columns of expression indexes get statistics of their
 * own, over the key computed for each sampled row (pg_stats lists them under the index's
 * name), which the planner reads for a condition on the same expression.
 */
async function expressionIndexStatistics(table: TableDef, rows: readonly Row[], total: number, pace: Pace): Promise<Record<string, ColumnStatistics> | undefined> {
  const out: Record<string, ColumnStatistics> = {};
  for (const idx of table.indexes) {
    if (!idx.expression || !storedAsKey(idx) || idx.predicateSql) continue;
    const type = idx.expression.type;
    const toKey = indexKeyFunction({ columns: idx.columns, expression: idx.expression }, table);
    const values = rows.map((r) => toKey(r[idx.columns[0]] ?? null));
    // a computed value is not packed: a varlena's 4-byte header
    const width = (v: Value) => fixedLength(type) ?? storedWidth(type, v) - (storedWidth(type, v) > 127 ? 4 : 1) + 4;
    out[idx.name] = await paced(columnStatisticsSteps({ values, compare: orderingOf(type), width, format: (v) => formatText(type, v) }, Math.max(total, rows.length)), pace);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Each sampled row as PostgreSQL's heap would hold it (heap-layout.ts): the tuple's bytes
 * (for the table's pages) and each value's stored size (for avg_width).
 */
async function heapLayout(table: TableDef, rows: readonly Row[], pace: Pace): Promise<{ bytes: number[]; sizes: (readonly number[])[] }> {
  const types = table.columns.map((c) => c.type);
  const bytes: number[] = [];
  const sizes: (readonly number[])[] = [];
  for (let i = 0; i < rows.length; i++) {
    const tuple = heapTuple(types, rows[i]!);
    bytes.push(tuple.bytes);
    sizes.push(tuple.sizes);
    if (i % 2048 === 2047) await pace();
  }
  return { bytes, sizes };
}

/** Types PostgreSQL has no btree ordering for get no MCV list / histogram. */
const UNORDERED = new Set<number>([OID.json, OID.xml]);

function orderingOf(type: SqlType): ((a: Value, b: Value) => number) | undefined {
  if (UNORDERED.has(type.oid)) return undefined;
  return (a, b) => compareValues(type, a, b);
}

function seededRandom(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}
