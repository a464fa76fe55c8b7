/**
 * REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]: the checks of PostgreSQL's
 * ExecRefreshMatView and the populated flag. The session (ddl-dispatch.ts) then replaces the
 * rows in one transaction (the old rows deleted, the query's inserted), so a reader sees the
 * old contents or the new, never a mix; CONCURRENTLY gives the same result the same way.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { TableDef } from '../../catalog/catalog.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { findTable, type DdlContext } from './context.js';
import { hashKey } from '../../types/compare.js';
import type { Row } from '../../types/types.js';
import { formatRecord, recordType } from '../../functions/records.js';

type Refresh = Extract<BoundDdl, { kind: 'refreshMaterializedView' }>;

/** The materialized view to fill again (its query) or to empty (`populate` false), and the definition it had (put back if the new rows fail). */
export function refreshMaterializedView(ctx: DdlContext, stmt: Refresh): { view: TableDef; previous: TableDef } {
  const t = findTable(ctx, stmt.relation);
  if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${stmt.relation.name}" does not exist`);
  if (t.kind !== 'm') throw new SqlError(SqlState.featureNotSupported, `"${t.name}" is not a materialized view`);
  if (stmt.concurrently && t.unpopulated) throw new SqlError(SqlState.featureNotSupported, 'CONCURRENTLY cannot be used when the materialized view is not populated');
  if (stmt.concurrently && !stmt.populate) throw new SqlError(SqlState.syntaxError, 'CONCURRENTLY and WITH NO DATA options cannot be used together');
  if (stmt.concurrently && !t.indexes.some(identifiesRows)) {
    throw new SqlError('55000', `cannot refresh materialized view "${t.schema}.${t.name}" concurrently`, {
      hint: 'Create a unique index with no WHERE clause on one or more columns of the materialized view.',
    });
  }
  const { unpopulated: _, ...rest } = t;
  const refreshed: TableDef = stmt.populate ? rest : { ...rest, unpopulated: true };
  ctx.catalog.tables.set(t.oid, refreshed);
  ctx.catalog.version++;
  return { view: refreshed, previous: t };
}

/**
 * CONCURRENTLY matches the old rows to the new by their whole value: two equal new rows
 * without a NULL cannot be told apart (refresh_by_match_merge's 23505).
 */
export function checkDistinctRows(view: TableDef, rows: readonly Row[]): void {
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.some((v) => v === null)) continue;
    const key = JSON.stringify(row.map((v, i) => String(hashKey(view.columns[i].type, v))));
    if (!seen.has(key)) { seen.add(key); continue; }
    const text = formatRecord(recordType(view.columns.map((c) => ({ name: c.name, type: c.type }))), row, {});
    throw new SqlError(SqlState.uniqueViolation, `new data for materialized view "${view.name}" contains duplicate rows without any null columns`, { detail: `Row: ${text}` });
  }
}

/** a unique index on plain columns without WHERE: what CONCURRENTLY matches old and new rows by */
function identifiesRows(i: TableDef['indexes'][number]): boolean {
  return i.unique && !i.predicateSql && !i.expression && i.tsvectorConfig === undefined;
}
