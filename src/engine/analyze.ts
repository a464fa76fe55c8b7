/**
 * ANALYZE [table, …]: a sample of each table's rows (all of them up to SAMPLE_ROWS, a
 * uniform reservoir sample beyond) → per-column statistics (src/planner/statistics.ts),
 * kept in the catalog (durable with its image) and shown by pg_stats and
 * pg_stat_user_tables. The scan yields to the event loop between batches.
 */
import type { Catalog, TableDef, TableStatistics } from '../catalog/catalog.js';
import { leafPartitions } from '../catalog/partitions.js';
import { columnStatistics, SAMPLE_ROWS, tsvectorStatistics, type ColumnStatistics } from '../planner/statistics.js';
import type { Storage } from '../storage/api.js';
import { compareValues } from '../types/compare.js';
import { formatText } from '../types/text-io.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Analyze these tables (their leaf partitions); `checkCancel` throws when the statement is cancelled. */
export async function analyzeTables(catalog: Catalog, storage: Storage, tables: readonly TableDef[], checkCancel: () => void, auto = false): Promise<void> {
  for (const t of tables) {
    for (const leaf of leafPartitions(catalog, t)) {
      if (leaf.kind !== 'r') continue;
      const { rows, total } = await sampleRows(storage, leaf.oid, checkCancel);
      leaf.stats = tableStatistics(leaf, rows, total, leaf.stats, auto);
    }
  }
}

/** Every user table of the database (ANALYZE without a table list). */
export function analyzableTables(catalog: Catalog): TableDef[] {
  return [...catalog.tables.values()].filter((t) => t.kind === 'r' && !t.partitionOf);
}

/** A uniform sample of at most SAMPLE_ROWS rows, in scan order, and the number of rows seen. */
async function sampleRows(storage: Storage, tableOid: number, checkCancel: () => void): Promise<{ rows: Row[]; total: number }> {
  const reservoir: { row: Row; at: number }[] = [];
  let seen = 0;
  const random = seededRandom(tableOid);
  let batches = 0;
  for (const batch of storage.scan(tableOid, storage.snapshot())) {
    for (const row of batch.rows) {
      if (reservoir.length < SAMPLE_ROWS) reservoir.push({ row, at: seen });
      else {
        const j = Math.floor(random() * (seen + 1));
        if (j < SAMPLE_ROWS) reservoir[j] = { row, at: seen };
      }
      seen++;
    }
    if (++batches % 16 === 0) {
      await turn();
      checkCancel();
    }
  }
  reservoir.sort((a, b) => a.at - b.at);
  return { rows: reservoir.map((r) => r.row), total: seen };
}

function tableStatistics(table: TableDef, rows: readonly Row[], total: number, before: TableStatistics | undefined, auto: boolean): TableStatistics {
  const columns: Record<string, ColumnStatistics> = {};
  table.columns.forEach((c, i) => {
    const values = rows.map((r) => r[i] ?? null);
    const width = (v: Value) => storedWidth(c.type, v);
    columns[c.name] = c.type.oid === OID.tsvector
      ? tsvectorStatistics({ values, width })
      : columnStatistics({ values, compare: orderingOf(c.type), width, format: (v) => formatText(c.type, v) }, Math.max(total, rows.length));
  });
  const now = Date.now() * 1000;
  return {
    reltuples: total, columns,
    analyzedAt: auto ? before?.analyzedAt ?? null : now,
    analyzeCount: (before?.analyzeCount ?? 0) + (auto ? 0 : 1),
    autoAnalyzedAt: auto ? now : before?.autoAnalyzedAt ?? null,
    autoAnalyzeCount: (before?.autoAnalyzeCount ?? 0) + (auto ? 1 : 0),
  };
}

/** Types PostgreSQL has no btree ordering for get no MCV list / histogram. */
const UNORDERED = new Set<number>([OID.json, OID.xml]);

function orderingOf(type: SqlType): ((a: Value, b: Value) => number) | undefined {
  if (UNORDERED.has(type.oid)) return undefined;
  return (a, b) => compareValues(type, a, b);
}

/** Fixed-width types' sizes (pg_type.typlen). */
const FIXED: Record<number, number> = {
  [OID.bool]: 1, [OID.int2]: 2, [OID.int4]: 4, [OID.int8]: 8, [OID.float4]: 4, [OID.float8]: 8, [OID.oid]: 4,
  [OID.date]: 4, [OID.time]: 8, [OID.timestamp]: 8, [OID.timestamptz]: 8, [OID.interval]: 16, [OID.uuid]: 16,
};

/** A value's stored size as PostgreSQL counts it for avg_width (varlena: 1- or 4-byte header). */
function storedWidth(type: SqlType, v: Value): number {
  const fixed = FIXED[type.oid];
  if (fixed !== undefined) return fixed;
  let bytes: number;
  if (type.oid === OID.vector && v instanceof Float32Array) bytes = 4 + v.length * 4;
  else if (type.oid === OID.halfvec && (v as { length?: number }).length !== undefined) bytes = 4 + (v as { length: number }).length * 2;
  else bytes = Buffer.byteLength(formatText(type, v), 'utf8');
  return bytes + (bytes < 127 ? 1 : 4);
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
