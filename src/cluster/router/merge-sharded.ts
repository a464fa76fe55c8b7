/**
 * MERGE INTO a sharded table (README "Cluster mode", shard router). Exact when the ON
 * condition equates every key column of the target with a column of the source (`t.id =
 * s.id AND …`): a target row can then only join source rows of its own key, so each source
 * row is needed on one shard only, its key's. The router runs the source (shard 0, one
 * shard, fanned out or pulled up, as the query alone would run), then on each shard whose
 * keys occur a MERGE over the same target, ON and WHEN text whose source is the rows shipped
 * as `(VALUES …) AS s(cols)` — so conditions, actions, constraints, defaults and 21000 for a
 * row changed twice are the shard's own work — in one transaction under the commit rule
 * (two-phase across shards). Rows of one key always go in one statement, so a shard sees
 * every source row that could meet a target row together. Refused (0A000) when no shard
 * could decide alone: an INSERT whose key is not the joined source column (it would land on
 * another shard than the one that found it unmatched), an UPDATE of a key column, relations
 * or sequences read in ON / WHEN, columns drawn from a sequence left to the shards.
 */
import * as pgQuery from 'libpg-query';
import type { SqlType, Value } from '../../types/types.js';
import type { FieldInfo } from '../../wire/backend.js';
import { formatText } from '../../types/text-io.js';
import type { Route } from './route.js';
import type { RouterTable } from './shard-catalog.js';
import type { ShardParam } from './shard-connection.js';
import { callsSequenceFunction } from './sequence-draw.js';
import { encodeParams, quoteIdent, type TextSettings } from './shard-values.js';
import { equalityOperandPairs, firstLocation } from './sql-text.js';
import { shiftParams, sqlTokens, type SqlToken } from './sql-tokens.js';

type N = Record<string, any>;

export interface MergeShardedRoute {
  readonly kind: 'mergeSharded';
  readonly table: RouterTable;
  /** `[WITH …] SELECT s.* FROM <the USING item>`: the source rows, run by `source` */
  readonly select: string;
  readonly source: Route;
  /** the source's name in ON / WHEN (the VALUES' alias) */
  readonly sourceName: string;
  /** per key column, the source column the ON equates it with */
  readonly sourceKeys: readonly string[];
  /** the target as written (`t AS x`) */
  readonly target: string;
  /** `ON … WHEN …` as written */
  readonly rest: string;
}

/** the most parameters one shard MERGE binds (the protocol's limit is 65535) */
const MAX_BATCH_PARAMS = 30000;

/**
 * The route of a MERGE into the sharded `table`, or the text of its refusal. `routeSource`
 * routes the source query as if the client had sent it alone.
 */
export function mergeShardedRoute(sql: string, node: N, table: RouterTable, routeSource: (sql: string, parsed: N) => Route | undefined): MergeShardedRoute | string {
  const refusal = 'MERGE into a sharded table';
  if (table.keyColumns.length === 0) return `${refusal} without a primary key`;
  const rv = node.relation as N;
  const targetName: string = rv.alias?.aliasname ?? rv.relname;
  const src = node.sourceRelation as N;
  const from = src.RangeVar ?? src.RangeSubselect;
  if (!from) return `${refusal} from a join or a function`;
  if (src.RangeSubselect?.lateral) return `${refusal} from a LATERAL subquery`;
  const sourceName: string | undefined = from.alias?.aliasname ?? src.RangeVar?.relname;
  if (!sourceName) return `${refusal} from this source`;
  const clauses: N[] = (node.mergeWhenClauses ?? []).map((w: N) => w.MergeWhenClause);
  // relations or functions of them in ON / WHEN would be read on each shard over its own rows
  if (containsNode([node.joinCondition, clauses], 'RangeVar') || containsNode([node.joinCondition, clauses], 'SubLink')) {
    return `${refusal} with a subquery in its ON or WHEN clauses`;
  }
  if (callsSequenceFunction([node.joinCondition, clauses])) return `nextval / setval in a ${refusal}`;
  const sourceKeys = joinedSourceKeys(node.joinCondition, table, targetName, sourceName);
  if (!sourceKeys) return `${refusal} whose ON condition does not equate each key column of "${table.name}" with a source column`;
  for (const c of clauses) {
    const why = actionRefusal(c, table, sourceKeys, sourceName);
    if (why) return why;
  }
  const texts = mergeTexts(sql, node, rv);
  if (!texts) return `${refusal} written this way`;
  const select = `${texts.withText}SELECT ${quoteIdent(sourceName)}.* FROM ${texts.using}`;
  const parsed = parseSelect(select);
  if (!parsed) return `${refusal} from this source`;
  const source = routeSource(select, parsed);
  if (!source) return `${refusal} from this source`;
  return { kind: 'mergeSharded', table, select, source, sourceName, sourceKeys, target: texts.target, rest: texts.rest };
}

/** Per key column, the source column `target.key = source.col` names (either side); undefined if some key has none. */
function joinedSourceKeys(on: N | undefined, table: RouterTable, targetName: string, sourceName: string): string[] | undefined {
  const found = new Map<string, string>();
  for (const [t, s] of equalityOperandPairs(on) as [N, N][]) {
    const key = refName(t, targetName, (n) => table.keyColumns.includes(n));
    const col = refName(s, sourceName, (n) => !table.columns.some((tc) => tc.name === n));
    if (key !== undefined && col !== undefined && table.keyColumns.includes(key) && !found.has(key)) found.set(key, col);
  }
  return table.keyColumns.every((k) => found.has(k)) ? table.keyColumns.map((k) => found.get(k)!) : undefined;
}

/** `qualifier.name`, or a bare `name` that `bareOk` takes as that side's; undefined otherwise. */
function refName(e: N | undefined, qualifier: string, bareOk: (name: string) => boolean): string | undefined {
  const fields: N[] | undefined = e?.ColumnRef?.fields;
  if (!fields || fields.some((f) => !f.String)) return undefined;
  if (fields.length === 2 && fields[0]!.String.sval === qualifier) return fields[1]!.String.sval;
  if (fields.length === 1 && bareOk(fields[0]!.String.sval)) return fields[0]!.String.sval;
  return undefined;
}

/** Why a WHEN clause cannot run shard by shard; undefined when it can. */
function actionRefusal(c: N, table: RouterTable, sourceKeys: readonly string[], sourceName: string): string | undefined {
  const targets: N[] = (c.targetList ?? []).map((t: N) => t.ResTarget);
  if (c.commandType === 'CMD_UPDATE') {
    const key = targets.find((t) => table.keyColumns.includes(t.name));
    if (key) return `a MERGE … UPDATE SET of the key column "${key.name}" of a sharded table`;
    const drawn = targets.find((t) => t.val?.SetToDefault && table.drawn.some((d) => d.name === t.name));
    if (drawn) return `a MERGE … UPDATE SET "${drawn.name}" = DEFAULT of a sharded table (its sequence is shard 0's)`;
    return undefined;
  }
  if (c.commandType !== 'CMD_INSERT') return undefined;
  const values: N[] = c.values ?? [];
  // INSERT DEFAULT VALUES: every key from its default
  const names = targets.length > 0 ? targets.map((t) => t.name as string) : table.columns.slice(0, values.length).map((col) => col.name);
  if (targets.some((t) => t.indirection)) return 'a MERGE … INSERT into a field or element of a column of a sharded table';
  for (const [k, key] of table.keyColumns.entries()) {
    const at = names.indexOf(key);
    const col = at < 0 ? undefined : refName(values[at], sourceName, (n) => n === sourceKeys[k]);
    if (col !== sourceKeys[k]) {
      return `a MERGE … INSERT whose key column "${key}" is not the source column the ON condition equates it with (the row would belong to another shard)`;
    }
  }
  const drawn = table.drawn.find((d) => !table.keyColumns.includes(d.name) && (!names.includes(d.name) || values[names.indexOf(d.name)]?.SetToDefault));
  if (drawn) return `a MERGE … INSERT leaving "${drawn.name}" to its sequence (sequences are shard 0's)`;
  return undefined;
}

/** The texts cut from the statement: WITH, the target, the USING item, `ON … WHEN …`. */
function mergeTexts(sql: string, node: N, rv: N): { withText: string; target: string; using: string; rest: string } | undefined {
  const tokens = sqlTokens(sql);
  const onFirst = firstLocation(node.joinCondition);
  if (!tokens || onFirst === undefined) return undefined;
  const top = topLevel(tokens);
  const merge = top.find((t) => t.text.toLowerCase() === 'merge');
  const using = top.find((t) => t.start > rv.location && t.text.toLowerCase() === 'using');
  const on = top.filter((t) => t.start < onFirst && t.text.toLowerCase() === 'on').pop();
  if (!merge || !using || !on || on.start < using.end) return undefined;
  const end = tokens.filter((t) => t.text !== ';').pop()!.end;
  return {
    withText: node.withClause ? `${sql.slice(0, merge.start)}` : '',
    target: sql.slice(rv.location, using.start).trim(),
    using: sql.slice(using.end, on.start).trim(),
    rest: sql.slice(on.start, end),
  };
}

/** The tokens outside parentheses. */
function topLevel(tokens: readonly SqlToken[]): SqlToken[] {
  let depth = 0;
  const out: SqlToken[] = [];
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0) out.push(t);
  }
  return out;
}

function containsNode(tree: unknown, kind: string): boolean {
  if (Array.isArray(tree)) return tree.some((x) => containsNode(x, kind));
  if (!tree || typeof tree !== 'object') return false;
  return Object.entries(tree).some(([k, v]) => k === kind || containsNode(v, kind));
}

function parseSelect(sql: string): N | undefined {
  try {
    const stmts = pgQuery.parseSync(sql).stmts ?? [];
    const only = stmts.length === 1 ? stmts[0]!.stmt as N | undefined : undefined;
    return only?.SelectStmt ? only : undefined;
  } catch {
    return undefined;
  }
}

export interface MergeBatch {
  readonly sql: string;
  readonly types: readonly number[];
  readonly params: readonly ShardParam[];
}

/**
 * The shard MERGEs for the source rows: each row on its key's shard (`shardOf`), the rows of
 * one key in one statement, the client's parameters bound after each batch's own.
 */
export function mergeBatches(
  route: MergeShardedRoute,
  fields: readonly FieldInfo[],
  rows: readonly (readonly Value[])[],
  keyOf: (row: number) => { shard: number; key: string },
  settings: TextSettings,
  client: { types: readonly number[]; values: readonly ShardParam[] },
  maxParams = MAX_BATCH_PARAMS,
): Map<number, MergeBatch[]> {
  // one key's rows together, keys in the order first met
  const byShard = new Map<number, Map<string, number[]>>();
  rows.forEach((_, r) => {
    const { shard, key } = keyOf(r);
    const keys = byShard.get(shard) ?? new Map<string, number[]>();
    keys.set(key, [...(keys.get(key) ?? []), r]);
    byShard.set(shard, keys);
  });
  const width = Math.max(1, fields.length);
  const perBatch = Math.max(1, Math.floor(maxParams / width));
  const types = fields.map((f) => (f.type.oid === 705 ? 25 : f.type.oid));
  const head = `MERGE INTO ${route.target} USING (VALUES `;
  const alias = `) AS ${quoteIdent(route.sourceName)}(${fields.map((f) => quoteIdent(f.name)).join(', ')})\n`;
  const out = new Map<number, MergeBatch[]>();
  for (const [shard, keys] of byShard) {
    const batches: MergeBatch[] = [];
    let chunk: number[] = [];
    const flush = (): void => {
      if (chunk.length === 0) return;
      const tuples: string[] = [];
      const params: ShardParam[] = [];
      chunk.forEach((r, i) => {
        tuples.push(`(${fields.map((_, c) => `$${i * fields.length + c + 1}`).join(', ')})`);
        fields.forEach((f, c) => {
          const v = rows[r]![c] ?? null;
          params.push(v === null ? null : types[c] === 25 && f.type.oid === 705 ? formatText(f.type, v, settings) : encodeParams([types[c]!], [v], settings)[0]!);
        });
      });
      const rest = client.types.length > 0 ? shiftParams(route.rest, params.length) : route.rest;
      batches.push({ sql: head + tuples.join(', ') + alias + rest, types: [...chunk.flatMap(() => types), ...client.types], params: [...params, ...client.values] });
      chunk = [];
    };
    for (const list of keys.values()) {
      if (chunk.length > 0 && chunk.length + list.length > perBatch) flush();
      chunk.push(...list);
    }
    flush();
    out.set(shard, batches);
  }
  return out;
}

/** The key a row hashes by, as text (rows of one key must meet in one statement). */
export function keyText(types: readonly SqlType[], values: readonly Value[], settings: TextSettings): string {
  return JSON.stringify(values.map((v, i) => (v === null ? null : formatText(types[i]!, v, settings))));
}
