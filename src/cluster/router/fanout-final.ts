/**
 * Expressions over aggregates across shards (`count(*)::int`, `round(avg(y), 2)`,
 * `sum(a) / count(*)`, `CASE WHEN count(*) > 0 …`, in the select list, HAVING or ORDER BY):
 * the router has no expression evaluator, and one written here would drift from
 * PostgreSQL's casts, rounding, NULL handling, errors and result types. So after the merge
 * has combined the shards' partial aggregates per group, shard 0 (which holds the whole
 * catalog and every function) runs the client's own clauses over those groups:
 *
 *   SELECT [DISTINCT …] <select list, each aggregate call and group key replaced by a column>
 *   FROM (VALUES ($k+1::type, …), …) AS "?quiver_groups"("?quiver_g0", …, "?quiver_a0", …)
 *   [WHERE <HAVING, rewritten the same way>] [ORDER BY …] [LIMIT …] [OFFSET …]
 *
 * The group values are typed parameters after the client's own $1..$k (binary where the
 * type has a codec), so nothing is re-parsed from text; past the protocol's 65535
 * parameters they are typed literals instead.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { SqlType, Value } from '../../types/types.js';
import { formatTypeWithTypmod } from '../../types/types.js';
import type { FieldInfo } from '../../wire/backend.js';
import type { FinalStatementRunner, ShardResult } from './fanout-api.js';
import { quoteIdent, sqlLiteral } from './shard-values.js';

/** the final statement's column for group key `k` / aggregate `a`, as the rewritten clauses name it */
export const groupColumn = (k: number): string => `"?quiver_g${k}"`;
export const aggregateColumn = (a: number): string => `"?quiver_a${a}"`;

export interface FinalStatement {
  /** `DISTINCT ` / `DISTINCT ON (…) ` / `ALL ` / '' as the client wrote it, rewritten */
  readonly distinct: string;
  /** the client's select list items, rewritten; `aliased`: the item has its own AS name */
  readonly items: readonly { readonly text: string; readonly aliased: boolean }[];
  /** the HAVING condition, rewritten (undefined: none) */
  readonly having: string | undefined;
  /** ORDER BY / LIMIT / OFFSET / FETCH as the client wrote them, rewritten */
  readonly tail: string;
  /** the merged group rows' column of each group key, then of each aggregate */
  readonly groupKeys: readonly number[];
  readonly aggregates: readonly number[];
}

const MAX_PARAMS = 65535;

/** the final statement's text and parameters over `groups` (the merged rows) */
function finalSql(f: FinalStatement, groups: ShardResult, shard0: FinalStatementRunner): { sql: string; types: SqlType[]; values: Value[] } {
  const columns = [...f.groupKeys, ...f.aggregates];
  const names = [...f.groupKeys.map((_, k) => groupColumn(k)), ...f.aggregates.map((_, a) => aggregateColumn(a))];
  const types = columns.map((c) => groups.fields[c]!.type);
  // VALUES needs a row: with no groups it gets one of NULLs that WHERE false drops
  const groupRows = groups.rows.length > 0 ? groups.rows : [columns.map(() => null)];
  const asParams = shard0.clientParams + groupRows.length * columns.length <= MAX_PARAMS;
  const paramTypes: SqlType[] = [];
  const values: Value[] = [];
  const cell = (row: readonly Value[], i: number): string => {
    const type = types[i]!;
    const v = row[columns[i]!] ?? null;
    if (!asParams) return v === null ? `NULL::${formatTypeWithTypmod(type)}` : sqlLiteral(type, v);
    paramTypes.push(type);
    values.push(v);
    return `$${shard0.clientParams + values.length}::${formatTypeWithTypmod(type)}`;
  };
  const valuesSql = columns.length === 0
    ? `(SELECT) AS "?quiver_groups"`
    : `(VALUES ${groupRows.map((r) => `(${columns.map((_, i) => cell(r, i)).join(', ')})`).join(', ')}) AS "?quiver_groups"(${names.join(', ')})`;
  const described = shard0.fields;
  const items = f.items.map((item, i) => {
    // the client's output name, so that ORDER BY name and the result's columns are one server's
    const name = described?.[i]?.name;
    return item.aliased || name === undefined ? item.text : `${item.text} AS ${quoteIdent(name)}`;
  });
  const where = [groups.rows.length === 0 ? 'false' : undefined, f.having === undefined ? undefined : `(${f.having})`]
    .filter((w) => w !== undefined);
  const sql = `SELECT ${f.distinct}${items.join(', ')} FROM ${valuesSql}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') + (f.tail === '' ? '' : ` ${f.tail}`);
  return { sql, types: paramTypes, values };
}

/** the client's answer: the final statement's rows, under the client's column descriptions */
export async function runFinalStatement(f: FinalStatement, groups: ShardResult, shard0: FinalStatementRunner): Promise<ShardResult> {
  const { sql, types, values } = finalSql(f, groups, shard0);
  const result = await shard0.run(sql, types, values);
  const described = shard0.fields;
  if (!described || described.length !== result.fields.length) return result;
  const fields: FieldInfo[] = result.fields.map((got, i) => {
    const d = described[i]!;
    if (got.type.oid !== d.type.oid) {
      throw new SqlError(SqlState.internalError, `the shard router's final statement typed column "${d.name}" as ${got.type.oid}, not ${d.type.oid}`);
    }
    // the described column keeps its table and attribute (a grouped column's, as one server says)
    return { ...d, type: got.type };
  });
  return { fields, rows: result.rows };
}
