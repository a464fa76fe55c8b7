/**
 * INSERT … SELECT into a sharded table (README "Cluster mode", shard router): the SELECT runs
 * where the router would run it alone (shard 0, its pinned shard, or fanned out), and its rows
 * are written back as multi-row INSERTs, each row on its key's shard, in batches. This module
 * has the pure parts: the SELECT's text cut from the statement, and the per-shard INSERT
 * batches built from the rows (typed parameters, no values written into SQL).
 */
import { SqlError } from '../../errors.js';
import { formatText } from '../../types/text-io.js';
import type { SqlType, Value } from '../../types/types.js';
import type { FieldInfo } from '../../wire/backend.js';
import type { RouterTable } from './shard-catalog.js';
import type { ShardParam } from './shard-connection.js';
import { coerceKey, shardOfKey } from './shard-hash.js';
import { encodeParams, quoteIdent, type TextSettings } from './shard-values.js';
import { shiftParams } from './sql-tokens.js';

/** the most parameters one batch INSERT binds (the protocol's limit is 65535) */
const MAX_BATCH_PARAMS = 30000;
/** the most rows one batch INSERT carries */
const MAX_BATCH_ROWS = 1000;

/** text and unknown: a SELECT's untyped literals ('[1,2]', '2024-01-01') come back as these */
const UNTYPED_OIDS = new Set([25, 705]);

/**
 * Where the SELECT of `INSERT INTO name [AS alias] [(cols)] select` starts: after the column
 * list when there is one, else after the table name and its alias. -1 when the text does not
 * have that form (the caller refuses it).
 */
export function selectStart(sql: string, relationAt: number, columnsAt: number | undefined, matchParen: (sql: string, open: number) => number, skipBlank: (sql: string, i: number) => number): number {
  if (columnsAt !== undefined) {
    const close = matchParen(sql, sql.lastIndexOf('(', columnsAt));
    return close < 0 ? -1 : skipBlank(sql, close + 1);
  }
  let i = skipName(sql, relationAt);
  if (i < 0) return -1;
  i = skipBlank(sql, i);
  if (/^as\b/i.test(sql.slice(i, i + 3))) {
    i = skipName(sql, skipBlank(sql, i + 2), false);
    if (i < 0) return -1;
    i = skipBlank(sql, i);
  }
  return i;
}

/** The end of a (schema-qualified, possibly quoted) name starting at `i`; -1 if none. */
function skipName(sql: string, i: number, qualified = true): number {
  for (;;) {
    if (sql[i] === '"') {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') j++;
          else break;
        }
      }
      if (j >= sql.length) return -1;
      i = j + 1;
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i));
      if (!m) return -1;
      i += m[0].length;
    }
    if (!qualified || sql[i] !== '.') return i;
    i++;
  }
}

/** The SELECT's text: from its start to the statement's end, without a trailing semicolon. */
export function selectText(sql: string, start: number): string {
  return sql.slice(start).replace(/[\s;]+$/, '');
}

/**
 * ON CONFLICT … DO UPDATE arbitrated by the key: PostgreSQL refuses a command whose rows
 * propose one key twice (21000), which the rows' batched INSERTs would not all see.
 */
export function checkKeysOnce(rows: readonly (readonly Value[])[], keyAt: readonly number[], fields: readonly FieldInfo[], settings: TextSettings): void {
  const seen = new Set<string>();
  for (const row of rows) {
    if (keyAt.some((at) => row[at] === null || row[at] === undefined)) continue; // NULLs never conflict
    const key = JSON.stringify(keyAt.map((at) => formatText(fields[at]!.type, row[at]!, settings)));
    if (seen.has(key)) {
      throw new SqlError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
        hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
      });
    }
    seen.add(key);
  }
}

export interface InsertBatch {
  readonly sql: string;
  readonly types: readonly number[];
  readonly params: readonly ShardParam[];
  /** the places of the batch's rows among the rows given, in the batch's order */
  readonly rows: readonly number[];
}

/**
 * RETURNING rows in the order of the rows given (PostgreSQL returns them in insertion order):
 * each batch answers one row per row it carries, in order, unless ON CONFLICT skipped some;
 * then the batches' answers stay as they came.
 */
export function inRowOrder<T>(answers: readonly { batch: InsertBatch; rows: readonly T[] }[]): T[] {
  if (answers.some((a) => a.rows.length !== a.batch.rows.length)) return answers.flatMap((a) => a.rows);
  const placed: { at: number; row: T }[] = answers.flatMap((a) => a.rows.map((row, i) => ({ at: a.batch.rows[i]!, row })));
  return placed.sort((x, y) => x.at - y.at).map((p) => p.row);
}

/**
 * The SELECT's rows as INSERT batches per shard. `columns`: the target columns the rows fill,
 * in order; `keyAt`: where each key column is among them (the key DEFAULTs the caller
 * evaluated are appended to the rows and columns before this). A value goes as a parameter of
 * its SELECT column's type, so the shard applies PostgreSQL's assignment cast; an untyped
 * (text) value for a column of another type goes as text of the column's type, as the
 * literal would have been read in the INSERT … SELECT itself.
 */
export function insertBatches(
  table: RouterTable,
  columns: readonly { name: string; type: SqlType }[],
  fields: readonly FieldInfo[],
  rows: readonly (readonly Value[])[],
  keyAt: readonly number[],
  shardOfRow: (() => number) | null,
  shards: number,
  settings: TextSettings,
  /**
   * the table's alias, the ON CONFLICT and RETURNING texts, kept on every INSERT; `clientParams`:
   * the client's parameters those texts use, bound after each batch's own (their `$n` renumbered);
   * `overriding`: OVERRIDING SYSTEM VALUE (values drawn for a GENERATED ALWAYS identity column)
   */
  statement: { alias: string | null; onConflict: string | null; returning?: string | null; clientParams?: { types: readonly number[]; values: readonly ShardParam[] }; overriding?: boolean } = { alias: null, onConflict: null },
): Map<number, InsertBatch[]> {
  const asText = columns.map((c, i) => UNTYPED_OIDS.has(fields[i]!.type.oid) && !UNTYPED_OIDS.has(c.type.oid));
  const types = columns.map((c, i) => (asText[i] ? c.type.oid : fields[i]!.type.oid));
  const byShard = new Map<number, number[]>();
  rows.forEach((row, at) => {
    const shard = shardOfRow
      ? shardOfRow()
      : shardOfKey(table.keyTypes, keyAt.map((k0, k) => coerceKey(row[k0] ?? null, fields[k0]!.type, table.keyTypes[k]!)), shards);
    const list = byShard.get(shard) ?? [];
    list.push(at);
    byShard.set(shard, list);
  });
  const perBatch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_BATCH_PARAMS / Math.max(1, columns.length))));
  const alias = statement.alias === null ? '' : ` AS ${quoteIdent(statement.alias)}`;
  const head = `INSERT INTO ${quoteIdent(table.schema)}.${quoteIdent(table.name)}${alias} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${statement.overriding ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES `;
  // on lines of their own: a clause's text may end in a `-- comment`
  const tail = (statement.onConflict === null ? '' : `\n${statement.onConflict}`) + (statement.returning ? `\n${statement.returning}` : '');
  const usesParams = shiftParams(tail, 1) !== tail;
  const out = new Map<number, InsertBatch[]>();
  for (const [shard, list] of byShard) {
    const batches: InsertBatch[] = [];
    for (let from = 0; from < list.length; from += perBatch) {
      const chunk = list.slice(from, from + perBatch);
      const tuples: string[] = [];
      const params: ShardParam[] = [];
      const batchTypes: number[] = [];
      chunk.forEach((at, r) => {
        const row = rows[at]!;
        tuples.push(`(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
        columns.forEach((col, c) => {
          const v = row[c] ?? null;
          params.push(v === null ? null : asText[c] ? formatText(fields[c]!.type, v, settings) : encodeParams([types[c]!], [v], settings)[0]!);
          batchTypes.push(types[c]!);
        });
      });
      const client = statement.clientParams;
      if (!client || client.types.length === 0 || !usesParams) {
        batches.push({ sql: head + tuples.join(', ') + tail, types: batchTypes, params, rows: chunk });
        continue;
      }
      batches.push({ sql: head + tuples.join(', ') + shiftParams(tail, params.length), types: [...batchTypes, ...client.types], params: [...params, ...client.values], rows: chunk });
    }
    out.set(shard, batches);
  }
  return out;
}
