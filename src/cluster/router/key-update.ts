/**
 * An UPDATE of a sharded table's key (README "Cluster mode", shard router): a row whose new
 * key hashes to another shard must move there. The UPDATE runs as the client wrote it on the
 * shards it touches (so SET expressions, DEFAULT, `(a, b) = (…)`, sub-selects, CHECK and NOT
 * NULL constraints, generated columns and update triggers are the shard's own work), with
 * `RETURNING <alias>.*` put before the client's RETURNING list so the router sees every new
 * row. The rows whose new key belongs elsewhere are then deleted where they are and inserted
 * on their key's shard (all deletes before any insert, so keys swapped between shards do not
 * collide), in the session's transaction: the commit rule makes the move atomic. A moved row
 * whose key is taken on its new shard fails the statement with that shard's 23505.
 */
import type { SqlType, Value } from '../../types/types.js';
import { SqlError } from '../../errors.js';
import type { FieldInfo } from '../../wire/backend.js';
import type { KeySource } from './route.js';
import type { RouterTable } from './shard-catalog.js';
import type { ShardConnection, ShardParam, ShardReply } from './shard-connection.js';
import { shardOfKey } from './shard-hash.js';
import { insertBatches } from './insert-select.js';
import { statementEnd } from './sql-tokens.js';
import { callsSequenceFunction } from './sequence-draw.js';
import { decodeReply, encodeParams, quoteIdent, type TextSettings } from './shard-values.js';

type N = Record<string, any>;

export interface KeyUpdateRoute {
  readonly kind: 'keyUpdate';
  readonly table: RouterTable;
  /** the key a WHERE pins (one shard), else null (every shard) */
  readonly key: readonly KeySource[] | null;
  /** the client's UPDATE with `RETURNING <alias>.*[, the client's RETURNING list]` */
  readonly update: string;
  /** where the router's text begins to differ from the client's (errors after it lose their position) */
  readonly editedAt: number;
  /** whether the client asked for RETURNING rows */
  readonly returning: boolean;
}

/** the most key parameters one DELETE of moved rows binds */
const MAX_DELETE_PARAMS = 30000;

/**
 * The route of an UPDATE that assigns a key column, or an error text for the forms refused
 * (`WHERE CURRENT OF`, a key set from a sequence). `key`: the key its WHERE pins, if it does.
 */
export function keyUpdateRoute(sql: string, node: N, table: RouterTable, key: readonly KeySource[] | undefined): KeyUpdateRoute | string {
  if (node.whereClause?.CurrentOfExpr) return 'UPDATE … WHERE CURRENT OF of a sharded table\'s key';
  // a sequence lives on shard 0: another shard's nextval would hand out its own numbers
  for (const t of (node.targetList ?? []) as N[]) {
    const k = table.keyColumns.indexOf(t.ResTarget?.name);
    if (k < 0) continue;
    const value = t.ResTarget.val as N;
    const item = value?.MultiAssignRef?.source?.RowExpr?.args?.[value.MultiAssignRef.colno - 1] ?? value;
    if ((item?.SetToDefault && /nextval\s*\(/i.test(table.keyDefaults[k] ?? '')) || callsSequenceFunction(value)) {
      return `an UPDATE setting the key "${table.keyColumns[k]}" of a sharded table from a sequence`;
    }
  }
  const rv = node.relation as N;
  const alias = quoteIdent(rv.alias?.aliasname ?? rv.relname);
  const list: N[] | undefined = (node.returningList ?? node.returningClause?.exprs) as N[] | undefined;
  // up to the last token: a trailing `-- comment` would swallow an appended RETURNING
  const text = sql.slice(0, statementEnd(sql));
  if (!list || list.length === 0) {
    return { kind: 'keyUpdate', table, key: key ?? null, update: `${text} RETURNING ${alias}.*`, editedAt: text.length, returning: false };
  }
  const first = list[0]!.ResTarget?.location as number | undefined;
  const keyword = first === undefined ? -1 : text.slice(0, first).search(/returning\s*$/i);
  if (first === undefined || keyword < 0) return 'this UPDATE … RETURNING form of a sharded table\'s key';
  const head = text.slice(0, first);
  return { kind: 'keyUpdate', table, key: key ?? null, update: `${head}${alias}.*, ${text.slice(first)}`, editedAt: first, returning: true };
}

export interface KeyUpdateContext {
  readonly shards: number;
  readonly settings: TextSettings;
  /** `work` on each of `shards` in the session's transaction, as a write */
  onShards<T>(shards: readonly number[], work: (conn: ShardConnection) => Promise<T>): Promise<T[]>;
  /** the names of the table's generated columns (an INSERT must leave them out) */
  generatedColumns(table: RouterTable): Promise<ReadonlySet<string>>;
}

export interface KeyUpdateResult {
  readonly tag: string;
  /** the client's RETURNING rows, when it asked for them */
  readonly fields: readonly FieldInfo[] | null;
  readonly rows: Value[][];
  /** the rows that moved to another shard, and how long moving them took (EXPLAIN ANALYZE shows them) */
  readonly moved: number;
  readonly moveMs: number;
}

/** Runs the UPDATE on `targets` and moves the rows whose new key belongs to another shard. */
export async function runKeyUpdate(
  route: KeyUpdateRoute, targets: readonly number[], paramTypes: readonly number[], params: readonly ShardParam[], ctx: KeyUpdateContext,
): Promise<KeyUpdateResult> {
  const { table } = route;
  const width = table.columns.length;
  const replies = await ctx.onShards(targets, async (c) => ({ shard: c.shard, reply: await withoutEditedPosition(c.run(route.update, paramTypes, params), route.editedAt) }));
  const keyAt = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
  if (keyAt.some((at) => at < 0)) throw new SqlError('XX000', `the shard router's catalog has no key column of "${table.name}"`);
  const moved: { from: number; to: number; row: Value[] }[] = [];
  let count = 0;
  let fields: readonly FieldInfo[] | null = null;
  const rows: Value[][] = [];
  for (const { shard, reply } of replies) {
    count += Number(/(\d+)$/.exec(reply.tag)?.[1] ?? 0);
    const decoded = decodeReply(reply, ctx.settings);
    if (route.returning) fields = decoded.fields.slice(width);
    for (const row of decoded.rows) {
      const full = row.slice(0, width);
      const to = shardOfKey(table.keyTypes, keyAt.map((at) => full[at] ?? null), ctx.shards);
      if (to !== shard) moved.push({ from: shard, to, row: full });
      if (route.returning) rows.push(row.slice(width));
    }
  }
  const t0 = performance.now();
  if (moved.length > 0) await moveRows(table, keyAt, moved, replies[0]!.reply, ctx);
  return { tag: `UPDATE ${count}`, fields, rows, moved: moved.length, moveMs: performance.now() - t0 };
}

/** The move step as EXPLAIN shows it: the statements' shapes (their key tuples and rows are the moved rows'). */
export function moveStatements(table: RouterTable): { delete: string; insert: string } {
  const name = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  return {
    delete: `DELETE FROM ${name} WHERE (${table.keyColumns.map(quoteIdent).join(', ')}) IN (…)`,
    insert: `INSERT INTO ${name} VALUES (…)`,
  };
}

/** Deletes each moved row on the shard it was updated on, then inserts it on its key's shard. */
async function moveRows(table: RouterTable, keyAt: readonly number[], moved: readonly { from: number; to: number; row: Value[] }[], sample: ShardReply, ctx: KeyUpdateContext): Promise<void> {
  const keyTypes = table.keyTypes;
  const byFrom = new Map<number, Value[][]>();
  for (const m of moved) byFrom.set(m.from, [...(byFrom.get(m.from) ?? []), m.row]);
  const name = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  const keys = `(${table.keyColumns.map(quoteIdent).join(', ')})`;
  const perBatch = Math.max(1, Math.floor(MAX_DELETE_PARAMS / keyTypes.length));
  await ctx.onShards([...byFrom.keys()].sort((a, b) => a - b), async (c) => {
    const list = byFrom.get(c.shard)!;
    for (let from = 0; from < list.length; from += perBatch) {
      const chunk = list.slice(from, from + perBatch);
      const tuples = chunk.map((_, r) => `(${keyTypes.map((_t, k) => `$${r * keyTypes.length + k + 1}`).join(', ')})`);
      const types = chunk.flatMap(() => keyTypes.map((t) => t.oid));
      const values = chunk.flatMap((row) => keyAt.map((at) => row[at] ?? null));
      await c.run(`DELETE FROM ${name} WHERE ${keys} IN (${tuples.join(', ')})`, types, encodeParams(types, values, ctx.settings));
    }
  });
  // the new rows without generated columns (the shard computes them again on insert)
  const generated = await ctx.generatedColumns(table);
  const kept = table.columns.flatMap((col, i) => (generated.has(col.name) ? [] : [i]));
  const shardFields = decodeReply({ ...sample, rows: [] }, ctx.settings).fields;
  const columns: { name: string; type: SqlType }[] = kept.map((i) => ({ name: table.columns[i]!.name, type: shardFields[i]!.type }));
  const fields = kept.map((i) => shardFields[i]!);
  const insertKeyAt = keyAt.map((at) => kept.indexOf(at));
  const batches = insertBatches(table, columns, fields, moved.map((m) => kept.map((i) => m.row[i] ?? null)), insertKeyAt, null, ctx.shards, ctx.settings);
  await ctx.onShards([...batches.keys()].sort((a, b) => a - b), async (c) => {
    for (const b of batches.get(c.shard)!) await withoutEditedPosition(c.run(b.sql, b.types, b.params), 0);
  });
}

/** A shard error pointing into text the router wrote (after `editedAt`) loses its position. */
async function withoutEditedPosition<T>(work: Promise<T>, editedAt: number): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const position = e instanceof SqlError ? Number(e.fields.position) : NaN;
    if (e instanceof SqlError && position > editedAt) {
      const { position: _position, ...rest } = e.fields;
      throw new SqlError(e.code, e.message, rest);
    }
    throw e;
  }
}
