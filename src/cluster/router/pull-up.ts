/**
 * Pull-up: how the shard router runs a read-only statement over sharded tables that neither
 * pins to one shard nor fits the fan-out planner (window functions, set operations, WITH,
 * subqueries, joins not on the distribution keys, views, SQL functions), as Citus'
 * recursive planning pulls intermediate results to its coordinator:
 *
 * 1. Views of user schemas named by the statement are replaced by their definitions
 *    (pg_get_viewdef on shard 0, in parentheses under the view's name and column names), again while the
 *    definitions name views.
 * 2. Each mention of a sharded table becomes its rows fetched from every shard: only the
 *    columns the statement can read (every column when it has `*`, a whole-row reference, a
 *    column alias list or a NATURAL join), and only the rows passing the WHERE conjuncts of
 *    the mention's own SELECT that read nothing but that table (operators, constants, casts,
 *    `$n`, IN / BETWEEN / LIKE / IS NULL and AND / OR / NOT of those: no function call, no
 *    subquery, so nothing volatile), when that SELECT's FROM has no outer join, in order up
 *    to the first of the table's conjuncts that cannot go. The conjuncts stay in the
 *    statement too.
 * 3. Shard 0 runs the statement with each mention replaced by
 *    `(SELECT u.c1::<type> AS "col", NULL::<type> AS "other", … FROM unnest($k::text[], …) AS u(c1, …))`,
 *    under the mention's alias: the rows travel as text arrays, parameters after the
 *    client's, each value read back by its
 *    column type's input function, so every expression, function, error and result type is
 *    one real engine's.
 *
 * 4. SQL functions the statement calls whose bodies read sharded tables (one level) get
 *    those tables whole, as temporary tables of the same names made on a second shard 0
 *    connection of the session's, outside any block (temporary tables are looked up first,
 *    so the bodies read them); the statement runs there and the copies are dropped after it.
 *
 * Why parameters on the session's own connections and not a TEMP table on a connection of
 * the router's (step 4 is the exception, as SQL function bodies cannot be rewritten): the pulled rows then come through the session's shard connections, inside
 * its block when it has one (its uncommitted writes are seen), the statement runs with the
 * session's settings, temporary tables and shard-0 tables, and nothing touches a temporary
 * object in a transaction that may have to PREPARE TRANSACTION (which PostgreSQL and Quiver
 * refuse after temp objects). The cost is the rows' text in one Bind message.
 *
 * The rows pulled for one statement are bounded by `quiver.router_pull_rows` (a session
 * setting, default 100000): more is 54000 (each shard is asked for one row more than the
 * bound, so a large table is not read whole to find that out).
 */
import * as pgQuery from 'libpg-query';
import { SqlError } from '../../errors.js';
import type { RouterTable, TableLookup } from './shard-catalog.js';
import type { ShardParam, ShardReply } from './shard-connection.js';
import { quoteIdent } from './shard-values.js';
import { firstLocation } from './sql-text.js';
import { Turns } from '../../storage/turns.js';

type N = Record<string, any>;

/** the bound on pulled rows when the session has not set quiver.router_pull_rows */
export const DEFAULT_PULL_ROWS = 100_000;
const PULL_ROWS_SETTING = 'quiver.router_pull_rows';
/** views in views: deeper than this is taken for a loop */
const MAX_VIEW_DEPTH = 16;
const TEXT_ARRAY = 1009;

/** What pull-up needs of the session. */
export interface PullUpSession {
  readonly shards: number;
  readonly lookup: TableLookup;
  /** the client's $n types and values (conjuncts pushed to the shards may read them) */
  readonly paramTypes: readonly number[];
  readonly params: readonly ShardParam[];
  /** run a statement on one shard as the session's statements run there (in its block, if any) */
  run(shard: number, sql: string, paramTypes: readonly number[], params: readonly ShardParam[]): Promise<ShardReply>;
}

/** The client's statement rewritten to read pulled rows, and the values it reads them from. */
export interface PulledStatement {
  readonly sql: string;
  /** the types and values of the $n after the client's */
  readonly paramTypes: readonly number[];
  readonly params: readonly ShardParam[];
  /**
   * CREATE TEMP TABLE statements (rows as literals) giving the tables the statement's SQL
   * functions read, under their own names (temporary tables are looked up first); empty when
   * it calls none. They run with the statement on a connection of their own (never one whose
   * transaction may PREPARE), and `dropTemporary` after it.
   */
  readonly temporary: readonly string[];
  readonly dropTemporary: string;
  /** what was pulled, mention by mention (EXPLAIN shows it: fanout-explain.ts) */
  readonly pulls: readonly PullSummary[];
}

/** One pull: the statement every shard is sent for a table mention (or a function's table) and what it read. */
export interface PullSummary {
  readonly table: RouterTable;
  /** the mention's alias (its name when it has none); undefined: a table a called SQL function reads, copied whole */
  readonly alias: string | undefined;
  /** the columns pulled */
  readonly columns: readonly string[];
  /** the conjuncts pushed down to the shards, as written */
  readonly where: readonly string[];
  /** the statement each shard runs, with its parameters (the client's, when a conjunct reads them) */
  readonly sql: string;
  readonly paramTypes: readonly number[];
  readonly params: readonly ShardParam[];
  /** rows pulled from each shard (none fetched: all 0) */
  readonly rows: readonly number[];
  /** how long the slowest shard took to answer it (ms) */
  readonly ms: number;
}

/** A statement pull-up may run: a SELECT that only reads (no INTO, FOR UPDATE, data-modifying WITH). */
export function pullUpReadOnly(stmt: N): boolean {
  const [type, node] = Object.entries(stmt)[0] as [string, N];
  if (type !== 'SelectStmt') return false;
  return !containsAny(node, ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'intoClause', 'lockingClause']);
}

/**
 * `sql` (one SELECT) with its views expanded and its sharded tables' rows pulled from every
 * shard. `fetchRows` false (EXPLAIN without ANALYZE): no shard is asked for rows, and the
 * statement reads empty arrays.
 */
export async function pullUp(sql: string, session: PullUpSession, fetchRows = true): Promise<PulledStatement> {
  let text = sql;
  for (let depth = 0; ; depth++) {
    const expanded = await expandViews(text, session);
    if (expanded === undefined) break;
    if (depth >= MAX_VIEW_DEPTH) throw new SqlError('0A000', 'views nested this deep are not supported by the shard router yet');
    text = expanded;
  }
  return pullTables(text, session, fetchRows);
}

// ---- views ------------------------------------------------------------------------------

async function expandViews(sql: string, session: PullUpSession): Promise<string | undefined> {
  const parsed = parseOne(sql);
  const views = mentions(parsed).filter((m) => !m.cte && session.lookup.isView?.(m.rv.schemaname, m.rv.relname));
  if (views.length === 0) return undefined;
  const source = new Source(sql);
  const edits: Edit[] = [];
  for (const m of views) {
    const name = m.rv.schemaname ? `${quoteIdent(m.rv.schemaname)}.${quoteIdent(m.rv.relname)}` : quoteIdent(m.rv.relname);
    const reply = await session.run(0, 'SELECT pg_catalog.pg_get_viewdef($1::pg_catalog.regclass)', [25], [name]);
    const definition = (reply.rows[0]?.[0] ?? '').trim().replace(/;\s*$/, '');
    // the view's own column names (CREATE VIEW v (a, b) AS …), which a definition as Quiver
    // prints it does not carry
    const columns = await session.run(0,
      'SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum', [25], [name]);
    const names = columns.rows.map((r) => quoteIdent(r[0]!)).join(', ');
    const bound = await boundRelations(definition, name, session);
    edits.push(source.replaceRelation(m, `(SELECT * FROM (${bound}) AS ${quoteIdent(m.rv.relname)}(${names}))`));
  }
  return source.apply(edits);
}

/**
 * A view's definition with each unqualified relation named by the schema of the relation the
 * view was bound to when made (pg_depend): the definition as printed names them bare, and
 * the session's search_path may now find others of those names first.
 */
async function boundRelations(definition: string, view: string, session: PullUpSession): Promise<string> {
  const deps = await session.run(0,
    `SELECT n.nspname, c.relname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
       JOIN pg_catalog.pg_class c ON c.oid = d.refobjid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND r.ev_class = $1::pg_catalog.regclass AND c.oid <> r.ev_class`,
    [25], [view]);
  const schemaOf = new Map<string, string | null>();
  // (a row per column read: the same relation several times)
  for (const [schema, name] of deps.rows) schemaOf.set(name!, schemaOf.has(name!) && schemaOf.get(name!) !== schema ? null : schema!);
  const source = new Source(definition);
  const edits: Edit[] = [];
  for (const m of mentions(parseOne(definition))) {
    const schema = m.rv.schemaname === undefined && !m.cte ? schemaOf.get(m.rv.relname) : undefined;
    if (schema) edits.push(source.qualify(m, schema));
  }
  return source.apply(edits);
}

// ---- sharded tables ---------------------------------------------------------------------

interface Pull {
  /** the statement's mention it replaces; none: a table a called function reads (a temporary copy) */
  readonly mention: Mention | undefined;
  readonly table: RouterTable;
  /** indexes into table.columns */
  readonly columns: readonly number[];
  readonly where: readonly string[];
}

async function pullTables(sql: string, session: PullUpSession, fetchRows: boolean): Promise<PulledStatement> {
  const parsed = parseOne(sql);
  // TABLESAMPLE reads a table, not a subquery
  if (containsAny(parsed, ['RangeTableSample'])) throw cannotRewrite();
  const source = new Source(sql);
  const all = mentions(parsed);
  const reads = columnsRead(parsed);
  const pulls: Pull[] = [];
  for (const m of all) {
    if (m.cte) continue;
    const table = session.lookup.table(m.rv.schemaname, m.rv.relname);
    if (!table) continue;
    const name = m.rv.alias?.aliasname ?? m.rv.relname;
    const whole = reads.star || reads.natural || m.rv.alias?.colnames !== undefined || reads.wholeRow.has(name);
    let columns = table.columns.flatMap((c, i) => (whole || reads.names.has(c.name) ? [i] : []));
    if (columns.length === 0) columns = [0]; // count(*) and the like still need the rows
    pulls.push({ mention: m, table, columns, where: pushedConjuncts(m, table, source) });
  }
  // the tables the statement's SQL functions read: all of them, under their own names
  const copied = new Set<string>();
  for (const table of functionTables(parsed, session.lookup)) {
    if (copied.has(table.name)) throw new SqlError('0A000', `functions reading two sharded tables named "${table.name}" are not supported by the shard router yet`);
    copied.add(table.name);
    pulls.push({ mention: undefined, table, columns: table.columns.map((_, i) => i), where: [] });
  }
  if (pulls.length === 0) return { sql, paramTypes: [], params: [], temporary: [], dropTemporary: '', pulls: [] };

  // the columns' type names (user types, typmods) and the bound, on shard 0, while every
  // shard reads its rows; each shard reads the bound from its own copy of the session's
  // settings (SETs are replayed on every shard connection). One statement at a time on a
  // connection: a block joins each shard once.
  const types = pulls.flatMap((p) => p.table.columns.map((c) => c.type));
  const typeQuery = (): Promise<ShardReply> => session.run(0,
    `SELECT pg_catalog.current_setting('${PULL_ROWS_SETTING}', true), pg_catalog.format_type(t.o, t.m) FROM unnest($1::pg_catalog.oid[], $2::pg_catalog.int4[]) WITH ORDINALITY AS t(o, m, n) ORDER BY t.n`,
    [TEXT_ARRAY, TEXT_ARRAY], [`{${types.map((t) => t.oid).join(',')}}`, `{${types.map((t) => t.typmod).join(',')}}`]);
  const limit = `COALESCE(NULLIF(pg_catalog.current_setting('${PULL_ROWS_SETTING}', true), '')::pg_catalog.int8, ${DEFAULT_PULL_ROWS}) + 1`;
  const queries = pulls.map((p) => {
    const list = p.columns.map((c) => quoteIdent(p.table.columns[c]!.name)).join(', ');
    const where = p.where.length > 0 ? ` WHERE ${p.where.map((w) => `(${w})`).join(' AND ')}` : '';
    // the client's parameters only when a pushed conjunct reads them
    const withParams = p.where.some((w) => /\$\d/.test(w));
    return {
      sql: `SELECT ${list} FROM ${quoteIdent(p.table.schema)}.${quoteIdent(p.table.name)} AS ${quoteIdent(p.mention ? p.mention.rv.alias?.aliasname ?? p.mention.rv.relname : p.table.name)}${where} LIMIT ${limit}`,
      types: withParams ? session.paramTypes : [],
      params: withParams ? session.params : [],
    };
  });
  let typeNames: ShardReply | undefined;
  const took = queries.map(() => 0);
  const byShard = await Promise.all(Array.from({ length: session.shards }, async (_, s) => {
    if (s === 0) typeNames = await typeQuery();
    const replies: ShardReply[] = [];
    for (const [i, q] of queries.entries()) {
      const t0 = performance.now();
      replies.push(fetchRows ? await session.run(s, q.sql, q.types, q.params) : { fields: null, rows: [], tag: '' });
      took[i] = Math.max(took[i]!, performance.now() - t0);
    }
    return replies;
  }));
  const bound = pullBound(typeNames!.rows[0]?.[0] ?? null);
  /** column c of pull p's table as format_type prints it */
  const typeName = (p: number, c: number): string => typeNames!.rows[pulls.slice(0, p).reduce((n, q) => n + q.table.columns.length, 0) + c]![1]!;
  const fetched = pulls.map((_, i) => byShard.map((replies) => replies[i]!));
  const total = fetched.reduce((n, replies) => n + replies.reduce((m, r) => m + r.rows.length, 0), 0);
  if (total > bound) {
    throw new SqlError('54000', `the statement needs more than ${bound} rows of sharded tables brought to one shard`, {
      detail: 'The shard router runs this statement on shard 0 over the rows it reads from every shard.',
      hint: `Narrow it with a WHERE on each table, or raise the bound with SET ${PULL_ROWS_SETTING} = …`,
    });
  }

  const extraTypes: number[] = [];
  const extraParams: ShardParam[] = [];
  const edits: Edit[] = [];
  const temporary: string[] = [];
  // the rows' text arrays are built a slice at a time: 100,000 rows would hold the router's
  // event loop (every other session on it) for hundreds of milliseconds in one piece
  const turns = new Turns();
  const arraysOf: string[][] = [];
  const counts = fetched.map((replies) => replies.map((r) => r.rows.length));
  for (const [i, p] of pulls.entries()) {
    arraysOf.push(await textArrays(fetched[i]!.map((r) => r.rows), p.columns.length, turns));
    // the rows are in the arrays now: let them go (less for the collector to walk while the statement runs)
    for (const r of fetched[i]!) r.rows = [];
  }
  pulls.forEach((p, i) => {
    const arrays = arraysOf[i]!;
    const args = arrays.map((a) => {
      if (!p.mention) return `'${a.replace(/'/g, "''")}'::pg_catalog.text[]`;
      extraTypes.push(TEXT_ARRAY);
      extraParams.push(a);
      return `$${session.paramTypes.length + extraParams.length}::pg_catalog.text[]`;
    });
    const list = p.table.columns.map((col, c) => {
      const at = p.columns.indexOf(c);
      // a column the statement cannot read keeps its place, name and type
      return `${at < 0 ? 'NULL' : `u.c${at}`}::${typeName(i, c)} AS ${quoteIdent(col.name)}`;
    });
    // unqualified: PostgreSQL takes UNNEST of several arrays only as this FROM-clause syntax
    const rows = `SELECT ${list.join(', ')} FROM unnest(${args.join(', ')}) AS u(${p.columns.map((_, c) => `c${c}`).join(', ')})`;
    if (p.mention) edits.push(source.replaceRelation(p.mention, `(${rows})`));
    else temporary.push(`CREATE TEMPORARY TABLE ${quoteIdent(p.table.name)} AS ${rows}`);
  });
  const dropTemporary = temporary.length === 0 ? '' : `DROP TABLE IF EXISTS ${[...copied].map((n) => `pg_temp.${quoteIdent(n)}`).join(', ')}`;
  const summaries: PullSummary[] = pulls.map((p, i) => ({
    table: p.table,
    alias: p.mention ? p.mention.rv.alias?.aliasname ?? p.mention.rv.relname : undefined,
    columns: p.columns.map((c) => p.table.columns[c]!.name),
    where: p.where,
    sql: queries[i]!.sql,
    paramTypes: queries[i]!.types,
    params: queries[i]!.params,
    rows: counts[i]!,
    ms: took[i]!,
  }));
  return { sql: source.apply(edits), paramTypes: extraTypes, params: extraParams, temporary, dropTemporary, pulls: summaries };
}

/**
 * The sharded tables the SQL functions a statement calls read (one level, as the router's
 * route does). A body naming one by its schema would read shard 0's rows through the
 * temporary copy's back: 0A000, as is a body that does not parse as SQL.
 */
function functionTables(tree: N, lookup: TableLookup): RouterTable[] {
  if (!lookup.functionBodies) return [];
  const found = new Map<number, RouterTable>();
  walk(tree, (n) => {
    const names = (n.FuncCall?.funcname as N[] | undefined)?.map((x) => x.String?.sval as string);
    if (!names || names.length > 2) return;
    for (const body of lookup.functionBodies!(names.length === 2 ? names[0] : undefined, names[names.length - 1]!) ?? []) {
      let parsed: N;
      try {
        parsed = pgQuery.parseSync(body) as N;
      } catch {
        if ((body.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []).some((w) => lookup.table(undefined, w))) {
          throw new SqlError('0A000', `a call of function "${names.join('.')}", whose body reads sharded tables and is not SQL, is not supported by the shard router yet`);
        }
        continue;
      }
      for (const m of mentions(parsed)) {
        const table = m.cte ? undefined : lookup.table(m.rv.schemaname, m.rv.relname);
        if (!table) continue;
        if (m.rv.schemaname !== undefined) throw new SqlError('0A000', `a call of function "${names.join('.')}", whose SQL names the sharded table "${m.rv.schemaname}.${m.rv.relname}" with its schema, is not supported by the shard router yet`);
        found.set(table.oid, table);
      }
    }
  });
  return [...found.values()];
}

function pullBound(setting: string | null): number {
  if (setting === null || setting.trim() === '') return DEFAULT_PULL_ROWS;
  const n = Number(setting.trim());
  if (!Number.isInteger(n) || n < 0) throw new SqlError('22023', `invalid value for parameter "${PULL_ROWS_SETTING}": "${setting}"`, { hint: 'It is a number of rows, 0 or more.' });
  return n;
}

/** rows between two looks at the clock while encoding */
const ROWS_PER_CHECK = 512;

/**
 * Each of `width` columns of the shards' rows (`byShard`, in shard order) as a text[]
 * literal's text (`{"v",NULL,…}`), giving the event loop a turn every few milliseconds.
 */
async function textArrays(byShard: readonly (readonly (string | null)[][])[], width: number, turns: Turns): Promise<string[]> {
  // each column's items joined ROWS_PER_CHECK at a time: the items die young, the pieces are few
  const pieces: string[][] = Array.from({ length: width }, () => []);
  const items: string[][] = Array.from({ length: width }, () => []);
  const flush = (): void => {
    for (let c = 0; c < width; c++) {
      if (items[c]!.length === 0) continue;
      pieces[c]!.push(items[c]!.join(','));
      items[c] = [];
    }
  };
  for (const rows of byShard) {
    for (const row of rows) {
      for (let c = 0; c < width; c++) {
        const v = row[c] ?? null;
        items[c]!.push(v === null ? 'NULL' : `"${v.includes('"') || v.includes('\\') ? v.replace(/[\\"]/g, (ch) => `\\${ch}`) : v}"`);
      }
      if (items[0]!.length === ROWS_PER_CHECK) {
        flush();
        await turns.take();
      }
    }
  }
  flush();
  const out: string[] = [];
  for (const p of pieces) {
    out.push(`{${p.join(',')}}`);
    await turns.take();
  }
  return out;
}

// ---- what the statement reads -----------------------------------------------------------

interface ColumnsRead {
  /** every name a column reference or USING list spells */
  readonly names: Set<string>;
  /** a `*` or `t.*` anywhere */
  readonly star: boolean;
  readonly natural: boolean;
  /** one-name references that may be a whole row (`t`, row_to_json(t)) */
  readonly wholeRow: Set<string>;
}

/** Conservative: names anywhere in the statement, not resolved per scope. */
function columnsRead(tree: unknown): ColumnsRead {
  const out: ColumnsRead = { names: new Set(), star: false, natural: false, wholeRow: new Set() };
  let star = false;
  let natural = false;
  const aliases = new Set<string>();
  walk(tree, (n) => {
    const fields: N[] | undefined = n.ColumnRef?.fields;
    if (fields) {
      for (const f of fields) {
        if (f.A_Star) star = true;
        else if (f.String) out.names.add(f.String.sval);
      }
      if (fields.length === 1 && fields[0]!.String) out.wholeRow.add(fields[0]!.String.sval);
    }
    const join = n.JoinExpr as N | undefined;
    if (join?.isNatural) natural = true;
    for (const u of (join?.usingClause ?? []) as N[]) if (u.String) out.names.add(u.String.sval);
    // an aliased join or subquery: its whole row (`select x from (a join b using (i)) x`) reads every column under it
    const alias = (join?.alias ?? n.RangeSubselect?.alias) as N | undefined;
    if (alias?.aliasname) aliases.add(alias.aliasname);
    // a join's column aliases rename its columns by position (`(a join b using (i)) x(p, q)`): every column under it keeps its place
    if ((join?.alias?.colnames ?? []).length > 0) star = true;
  });
  if ([...aliases].some((a) => out.wholeRow.has(a))) star = true;
  return { ...out, star, natural };
}

/**
 * The WHERE conjuncts of the mention's own SELECT that read only its table and are safe to
 * evaluate on the shards first: their text, as written.
 */
function pushedConjuncts(m: Mention, table: RouterTable, source: Source): string[] {
  const select = m.owner;
  if (!select?.whereClause) return [];
  const from: N[] = select.fromClause ?? [];
  if (!from.every(innerJoinsOnly)) return [];
  const alone = from.length === 1 && from[0]!.RangeVar === m.rv;
  const name = m.rv.alias?.aliasname ?? m.rv.relname;
  const columns = new Set(table.columns.map((c) => c.name));
  const where = select.whereClause as N;
  const args: N[] = where.BoolExpr?.boolop === 'AND_EXPR' ? where.BoolExpr.args : [where];
  const spans = source.conjunctSpans(where, args.length);
  if (!spans) return [];
  const out: string[] = [];
  for (const [i, arg] of args.entries()) {
    const [start, end] = spans[i]!;
    const at = firstLocation(arg);
    if (at === undefined || at < start || at >= end) return [];
    const own = (fields: string[]): boolean => (fields.length === 1 ? columns.has(fields[0]!) : fields.length === 2 && fields[0] === name && columns.has(fields[1]!));
    if (readsOnly(arg, (fields) => (fields.length === 1 ? alone : true) && own(fields))) out.push(source.text(start, end));
    // a conjunct over this table alone that cannot go (a function call, a subquery): one
    // server tests the table's conjuncts in order, so a later one (10 / x after x <> 0)
    // must not be tested on rows it would not have reached
    else if (!touchesOthers(arg, own, alone)) break;
  }
  return out;
}

/** Whether an expression names a column that is not (or may not be) this table's. */
function touchesOthers(e: unknown, own: (fields: string[]) => boolean, alone: boolean): boolean {
  let other = false;
  walk(e, (n) => {
    const fields: N[] | undefined = n.ColumnRef?.fields;
    if (!fields) return;
    const names = fields.map((f) => f.String?.sval as string);
    if (fields.some((f) => !f.String) || !own(names) || (names.length === 1 && !alone)) other = true;
  });
  return other;
}

function innerJoinsOnly(item: N): boolean {
  const j = item.JoinExpr as N | undefined;
  if (!j) return true;
  return j.jointype === 'JOIN_INNER' && innerJoinsOnly(j.larg) && innerJoinsOnly(j.rarg);
}

/** Operators that are immutable whatever their operand types, as PostgreSQL's built-ins are. */
const SAFE_OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||', '~~', '!~~', '~~*', '!~~*', '~', '!~', '~*', '!~*', '<->', '<=>', '<#>', '<+>', '@>', '<@', '&&']);
const SAFE_EXPRESSIONS = new Set(['AEXPR_OP', 'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT']);

/** Whether an expression is made only of safe nodes and its column references pass `column`. */
function readsOnly(e: unknown, column: (fields: string[]) => boolean): boolean {
  if (Array.isArray(e)) return e.every((x) => readsOnly(x, column));
  if (!e || typeof e !== 'object') return true;
  const [kind, node] = Object.entries(e as N)[0] as [string, N];
  switch (kind) {
    case 'ColumnRef': {
      const fields: N[] = node.fields ?? [];
      return fields.every((f) => f.String) && column(fields.map((f) => f.String.sval as string));
    }
    case 'A_Const':
    case 'ParamRef':
      return true;
    case 'TypeCast': return readsOnly(node.arg, column);
    case 'BoolExpr': return readsOnly(node.args, column);
    case 'NullTest': return readsOnly(node.arg, column);
    case 'BooleanTest': return readsOnly(node.arg, column);
    case 'List': return readsOnly(node.items, column);
    case 'A_Expr': {
      if (!SAFE_EXPRESSIONS.has(node.kind)) return false;
      const names: string[] = (node.name ?? []).map((n: N) => n.String?.sval);
      if (node.kind === 'AEXPR_OP' && !(names.length === 1 && SAFE_OPERATORS.has(names[0]!))) return false;
      return readsOnly(node.lexpr, column) && readsOnly(node.rexpr, column);
    }
    default: return false;
  }
}

// ---- the statement's text ---------------------------------------------------------------

/** A relation a statement names, and the SELECT whose FROM names it (none: elsewhere). */
interface Mention {
  readonly rv: N;
  readonly owner: N | undefined;
  /** names a WITH query, not a relation */
  readonly cte: boolean;
}

function mentions(tree: N): Mention[] {
  const out: Mention[] = [];
  type Scope = ReadonlySet<string>;
  const visit = (v: unknown, owner: N | undefined, scope: Scope): void => {
    if (Array.isArray(v)) {
      v.forEach((x) => visit(x, owner, scope));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const n = v as N;
    if (n.RangeVar) {
      out.push({ rv: n.RangeVar, owner, cte: n.RangeVar.schemaname === undefined && scope.has(n.RangeVar.relname) });
      return;
    }
    if (n.SelectStmt) {
      visitSelect(n.SelectStmt, scope);
      return;
    }
    if (n.JoinExpr) {
      for (const [k, x] of Object.entries(n.JoinExpr as N)) visit(x, k === 'larg' || k === 'rarg' ? owner : undefined, scope);
      return;
    }
    // INSERT / UPDATE / DELETE (in a function's body) may have a WITH of their own
    const inner = n.withClause ? withScope(n.withClause, scope) : scope;
    for (const [k, x] of Object.entries(n)) if (k !== 'withClause') visit(x, undefined, inner);
  };
  /**
   * The names a WITH adds for the statement it heads; each of its queries sees the ones
   * before it (all of them, itself too, when RECURSIVE), as PostgreSQL resolves them: a
   * `WITH items AS (SELECT * FROM items)` reads the table in its body.
   */
  const withScope = (clause: N, scope: Scope): Scope => {
    const ctes: N[] = (clause.ctes ?? []).map((c: N) => c.CommonTableExpr);
    const names = ctes.map((c) => c.ctename as string);
    ctes.forEach((c, i) => visit(c.ctequery, undefined, new Set([...scope, ...(clause.recursive ? names : names.slice(0, i))])));
    return new Set([...scope, ...names]);
  };
  // a set operation's arms are SelectStmts without the node wrapper
  const visitSelect = (select: N, outer: Scope): void => {
    const scope = select.withClause ? withScope(select.withClause, outer) : outer;
    for (const [k, x] of Object.entries(select)) {
      if (k === 'withClause') continue;
      if (k === 'larg' || k === 'rarg') visitSelect(x as N, scope);
      else visit(x, k === 'fromClause' ? select : undefined, scope);
    }
  };
  visit(tree, undefined, new Set());
  return out;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The statement's text as bytes (libpg-query's locations count bytes) and its tokens. */
class Source {
  private readonly bytes: Buffer;
  private readonly tokens: Token[];

  constructor(sql: string) {
    this.bytes = Buffer.from(sql, 'utf8');
    this.tokens = (pgQuery.scanSync(sql).tokens ?? []).map((t: N) => ({ start: t.start, end: t.end, text: String(t.text).toUpperCase() }));
  }

  text(start: number, end: number): string {
    return this.bytes.subarray(start, end).toString('utf8');
  }

  /** Replace a mention's relation name (and a leading ONLY) by `text`, keeping or adding its alias. */
  replaceRelation(m: Mention, text: string): Edit {
    const i = this.tokens.findIndex((t) => t.start === m.rv.location);
    if (i < 0) throw cannotRewrite();
    let j = i;
    const parts = (m.rv.catalogname ? 1 : 0) + (m.rv.schemaname ? 1 : 0) + 1;
    for (let k = 1; k < parts; k++) {
      if (this.tokens[j + 1]?.text !== '.') throw cannotRewrite();
      j += 2;
    }
    if (!this.tokens[j]) throw cannotRewrite();
    const start = i > 0 && this.tokens[i - 1]!.text === 'ONLY' ? this.tokens[i - 1]!.start : this.tokens[i]!.start;
    const alias = m.rv.alias ? '' : ` AS ${quoteIdent(m.rv.relname)}`;
    return { start, end: this.tokens[j]!.end, text: `${text}${alias}` };
  }

  /** Put `schema.` before a mention's unqualified relation name. */
  qualify(m: Mention, schema: string): Edit {
    const at = this.tokens.find((t) => t.start === m.rv.location);
    if (!at) throw cannotRewrite();
    return { start: at.start, end: at.start, text: `${quoteIdent(schema)}.` };
  }

  /**
   * The byte spans of a WHERE clause's `count` top-level AND conjuncts (undefined when the
   * text does not split into that many).
   */
  conjunctSpans(where: N, count: number): [number, number][] | undefined {
    const first = firstLocation(where);
    if (first === undefined) return undefined;
    let w = -1;
    for (let i = 0; i < this.tokens.length && this.tokens[i]!.start < first; i++) if (this.tokens[i]!.text === 'WHERE') w = i;
    if (w < 0) return undefined;
    const spans: [number, number][] = [];
    let depth = 0;
    let betweens = 0;
    let start = this.tokens[w + 1]?.start;
    let last = -1;
    for (let i = w + 1; i < this.tokens.length; i++) {
      const t = this.tokens[i]!.text;
      if (t === '(' || t === '[' || t === 'CASE') depth++;
      else if (t === ')' || t === ']' || t === 'END') {
        if (--depth < 0) break;
      } else if (depth === 0 && WHERE_ENDS.has(t)) break;
      else if (depth === 0 && t === 'BETWEEN') betweens++;
      else if (depth === 0 && t === 'AND') {
        if (betweens > 0) betweens--;
        else {
          if (start === undefined || last < 0) return undefined;
          spans.push([start, this.tokens[last]!.end]);
          start = this.tokens[i + 1]?.start;
          last = -1;
          continue;
        }
      }
      last = i;
    }
    if (start === undefined || last < 0) return undefined;
    spans.push([start, this.tokens[last]!.end]);
    return spans.length === count ? spans : undefined;
  }

  apply(edits: readonly Edit[]): string {
    const sorted = [...edits].sort((a, b) => b.start - a.start);
    let bytes = this.bytes;
    for (const e of sorted) bytes = Buffer.concat([bytes.subarray(0, e.start), Buffer.from(e.text, 'utf8'), bytes.subarray(e.end)]);
    return bytes.toString('utf8');
  }
}

/** Tokens that end a WHERE clause at its own depth. */
const WHERE_ENDS = new Set(['GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'UNION', 'INTERSECT', 'EXCEPT', ';', 'RETURNING', 'WITH']);

function cannotRewrite(): SqlError {
  return new SqlError('0A000', 'this statement over sharded tables is not supported by the shard router yet (its relations could not be rewritten)');
}

function parseOne(sql: string): N {
  const stmts = pgQuery.parseSync(sql).stmts ?? [];
  if (stmts.length !== 1) throw cannotRewrite();
  return stmts[0]!.stmt as N;
}

function walk(tree: unknown, at: (n: N) => void): void {
  if (Array.isArray(tree)) tree.forEach((x) => walk(x, at));
  else if (tree && typeof tree === 'object') {
    at(tree as N);
    for (const x of Object.values(tree)) walk(x, at);
  }
}

function containsAny(tree: unknown, keys: readonly string[]): boolean {
  let found = false;
  walk(tree, (n) => { if (!found && keys.some((k) => k in n)) found = true; });
  return found;
}

