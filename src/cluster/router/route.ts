/**
 * Where a statement runs (README "Cluster mode", shard router), decided from libpg-query's
 * parse and the shard catalog:
 * - reads no sharded table (pg_catalog, SHOW, SELECT 1, nextval…) → shard 0;
 * - SET / RESET / DISCARD → every open shard connection (and replayed on later ones);
 * - DDL → every shard (a write on each: the commit rule applies);
 * - SELECT / UPDATE / DELETE pinned by `key = constant / $n` on every key column → one shard;
 * - INSERT … VALUES → each row to its key's shard; a table without a key → the
 *   transaction's round-robin shard;
 * - INSERT … SELECT → the SELECT routed as if alone, its rows inserted on their keys' shards;
 * - UPDATE / DELETE reading only their own table, not pinned → every shard;
 * - an UPDATE assigning a key column → as above, and the rows whose new key hashes to another
 *   shard move there (key-update.ts);
 * - other SELECTs over sharded tables → the fan-out planner (0A000 without one); a read-only
 *   one it refuses is pulled up (pull-up.ts), as are read-only SELECTs naming a view or
 *   calling a SQL function that reads sharded tables;
 * - CREATE TABLE … AS / SELECT … INTO → the table on every shard, filled as INSERT … SELECT
 *   (create-table-as.ts; a temporary one on shard 0);
 * - MERGE INTO a sharded table whose ON equates its key with source columns → the source
 *   routed as if alone, its rows shipped to their keys' shards as a VALUES source
 *   (merge-sharded.ts);
 * - COPY a table FROM STDIN → rows split by key; TO STDOUT → every shard's rows;
 * - data-modifying WITH (WITH d AS (DELETE … RETURNING …) …) → shard 0 when it touches no
 *   sharded table, else 0A000 (its parts must run together, on one snapshot);
 * - SQL PREPARE of a statement over sharded tables, EXECUTE, DEALLOCATE → sql-prepared.ts;
 *   DECLARE / FETCH / MOVE / CLOSE → router-cursors.ts (the session keeps both).
 * Anything else that would need rows of several shards together is 0A000.
 */
import * as pgQuery from 'libpg-query';
import { SqlError } from '../../errors.js';
import type { SqlType, Value } from '../../types/types.js';
import { keyFromLiteral } from './shard-hash.js';
import { callsSequenceFunction } from './sequence-draw.js';
import { selectStart, selectText } from './insert-select.js';
import { executeArguments, textAfterKeyword } from './sql-prepared.js';
import type { FetchDirection } from './router-cursors.js';
import type { DrawnColumn, RouterTable, TableLookup } from './shard-catalog.js';
import { quoteIdent } from './shard-values.js';
import { equalityOperandPairs, firstLocation, matchParen, skipBlank } from './sql-text.js';
import { rekeyingDdl, type RekeyingDdl } from './key-ddl.js';
import { alterTableRefusal, createTableRefusal, uniqueIndexRefusal } from './constraint-ddl.js';
import { keyUpdateRoute, type KeyUpdateRoute } from './key-update.js';
import { createTableAsRoute, type CreateTableAsRoute } from './create-table-as.js';
import { explainRoute, type ExplainRoute } from './fanout-explain.js';
import { pullUpReadOnly } from './pull-up.js';
import { mergeShardedRoute, type MergeShardedRoute } from './merge-sharded.js';

type N = Record<string, any>;

/** Where one key column's value comes from. */
export type KeySource =
  | { kind: 'const'; value: Value }
  | { kind: 'param'; index: number }
  /**
   * the column's DEFAULT (an INSERT leaving the key out, or saying DEFAULT), or an expression
   * given for the key (`length`: its text's): evaluated on shard 0 (sequences live there) and
   * written into the row as a constant; `at` is the DEFAULT keyword's or the expression's
   * offset, none when the column is left out
   */
  | { kind: 'default'; expr: string; at?: number; length?: number };

/**
 * A value of a column that is not the key which the router draws on shard 0, where sequences
 * live, and writes into the row: a sequence DEFAULT (serial, identity) or an item calling
 * nextval. `at` / `length`: the DEFAULT keyword's or the item's text (none: the column is
 * left out, its value appended to the row).
 */
export interface DrawnSource {
  readonly expr: string;
  readonly type: SqlType;
  readonly at?: number;
  readonly length?: number;
}

export interface InsertRow {
  /** the row's text `( … )` in the statement */
  readonly start: number;
  readonly end: number;
  readonly key: readonly KeySource[];
  /** the other columns' values drawn on shard 0, in the row's column order */
  readonly drawn: readonly DrawnSource[];
  /** the row's text when it is not the statement's (DEFAULT VALUES: `()`) */
  readonly text?: string;
}

/**
 * Columns an INSERT leaves out whose values the router draws (key columns in key order, then
 * the others in column order), added to its column list at `at`; `open`: the statement has no
 * column list, so `(listed, keys, drawn) ` is written there.
 */
export interface AddedColumns {
  readonly at: number;
  /** the columns the rows fill when the statement has no list (`open`), else none */
  readonly listed: readonly string[];
  readonly keys: readonly string[];
  readonly drawn: readonly string[];
  readonly open: boolean;
}

/** OVERRIDING SYSTEM VALUE written at `at` over `length` characters of the head: values the router drew for an identity column are to be kept. */
export interface OverridingEdit {
  readonly at: number;
  readonly length: number;
  readonly text: string;
}

export type TxVerb = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo' | 'twoPhase';

export type Route =
  | { kind: 'shard0'; write: boolean }
  | { kind: 'session' }
  | { kind: 'tx'; verb: TxVerb; savepoint?: string }
  /** `rekeys`: an ALTER TABLE that only an empty table may undergo (key-ddl.ts) */
  | { kind: 'everyShard'; write: boolean; ddl: boolean; inBlock: boolean; rekeys?: RekeyingDdl }
  | { kind: 'pinned'; table: RouterTable; key: readonly KeySource[]; write: boolean }
  | { kind: 'insert'; table: RouterTable; rows: readonly InsertRow[]; head: string; tail: string; added: AddedColumns | null; overriding: OverridingEdit | null }
  | { kind: 'roundRobin'; table: RouterTable }
  /**
   * INSERT … SELECT: `select` (the statement's SELECT text) runs by `source`, its rows go to
   * `columns` (null: the table's first columns, as many as the SELECT gives); `onConflict`:
   * the statement's ON CONFLICT text, `returning` its RETURNING clause, `alias` its table
   * alias (all kept on the INSERTs the rows go in); `conflictOnKey`: ON CONFLICT … DO UPDATE
   * arbitrated by the key's columns (the router checks the rows for a key twice: 21000)
   */
  | { kind: 'insertSelect'; table: RouterTable; columns: readonly string[] | null; select: string; source: Route; onConflict: string | null; alias: string | null; returning: string | null; conflictOnKey: boolean; override: 'system' | 'user' | null }
  | { kind: 'fanout'; parsed: unknown }
  /** a read-only SELECT run on shard 0 over rows pulled from every shard (pull-up.ts) */
  | { kind: 'pullUp' }
  /** MERGE INTO a sharded table joined on its key: the source's rows shipped to their keys' shards (merge-sharded.ts) */
  | MergeShardedRoute
  /** an UPDATE assigning a key column: rows whose new key hashes elsewhere move (key-update.ts) */
  | KeyUpdateRoute
  /** CREATE TABLE … AS / SELECT … INTO: created on every shard, filled as INSERT … SELECT (create-table-as.ts) */
  | CreateTableAsRoute
  /**
   * COPY FROM: `columns` the client's; `drawn` the columns drawn from a sequence it leaves
   * out (sequence-draw.ts), appended to each row and to `shardSql`'s column list
   */
  | { kind: 'copyIn'; table: RouterTable; columns: readonly string[]; options: CopyOptions; drawn: readonly DrawnColumn[]; shardSql: string | null }
  | { kind: 'copyOut'; table: RouterTable; options: CopyOptions; columnCount: number }
  /** COPY (SELECT over sharded tables) TO STDOUT: `query` runs by `source`, its rows formatted by the router */
  | { kind: 'copyQueryOut'; query: string; source: Route; options: CopyOptions }
  /** SQL PREPARE of a statement over sharded tables: `statement` is its text after AS */
  | { kind: 'sqlPrepare'; name: string; statement: string }
  /** EXECUTE: the router's own statement of that name, else shard 0's */
  | { kind: 'sqlExecute'; name: string; args: readonly string[] }
  | { kind: 'sqlDeallocate'; name: string | null }
  /** DECLARE: `query` the text after FOR; over no sharded table (`sharded` false) it runs on shard 0 */
  | { kind: 'declareCursor'; name: string; query: string; options: number; sharded: boolean; locksRows: boolean }
  /** FETCH / MOVE / CLOSE: the router's cursor of that name, else shard 0's */
  | { kind: 'fetchCursor'; name: string; direction: FetchDirection; howMany: number; move: boolean }
  | { kind: 'closeCursor'; name: string | null }
  /** EXPLAIN of a statement run on several shards: the router explains it (fanout-explain.ts) */
  | ExplainRoute
  /** `analyzeFirst`: shard 0 parses and analyzes the statement first, so one PostgreSQL would refuse gets its error rather than 0A000 */
  | { kind: 'unsupported'; error: SqlError; analyzeFirst?: boolean };

export interface CopyOptions {
  format: 'text' | 'csv' | 'binary';
  delimiter: string;
  null: string;
  header: boolean;
  quote: string;
  escape: string;
}

const refused = (error: SqlError | undefined): Route | undefined => (error ? { kind: 'unsupported', error } : undefined);

const notYet = (what: string): Route => ({ kind: 'unsupported', error: new SqlError('0A000', `${what} is not supported by the shard router yet`) });

/** Statements that never touch table rows and run where shard 0 is. */
const SHARD0_STATEMENTS = new Set(['VariableShowStmt', 'ListenStmt', 'UnlistenStmt', 'NotifyStmt', 'DoStmt', 'CallStmt', 'LoadStmt']);
/** Utility statements that PostgreSQL refuses inside a transaction block. */
const NOT_IN_BLOCK = new Set(['VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt', 'AlterSystemStmt', 'CheckPointStmt', 'ReindexStmt']);

/** Statements whose relations are read or written (a view among them is not routed yet). */
const READS_RELATIONS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CopyStmt', 'ExplainStmt', 'DeclareCursorStmt', 'PrepareStmt', 'CreateTableAsStmt']);

export function routeStatement(sql: string, stmt: N, catalog: TableLookup): Route {
  const [type, node] = Object.entries(stmt)[0] as [string, N];
  const modifying = modifyingWithRoute(type === 'ExplainStmt' || type === 'CreateTableAsStmt' ? node.query : stmt, catalog);
  // a table created from one must be on every shard: not yet
  if (modifying && (type === 'CreateTableAsStmt' || node.intoClause)) return notYet('CREATE TABLE AS / SELECT INTO over data-modifying WITH queries');
  if (modifying) return modifying;
  // a view or a function may read sharded tables: shard 0 alone would answer with its rows
  // only, so a read-only statement runs over the view's definition, or the function over
  // copies of its tables, with the tables' rows pulled up (COPY (query), DECLARE and SQL
  // PREPARE, EXPLAIN: their query, routed alone)
  const checked = READS_RELATIONS.has(type) && !(type === 'CopyStmt' && node.query) && type !== 'DeclareCursorStmt' && type !== 'PrepareStmt' && type !== 'ExplainStmt';
  if (checked && callsShardedFunction(node, catalog)) {
    return pullUpReadOnly(stmt) ? { kind: 'pullUp' } : notYet('a call of a function that reads sharded tables');
  }
  if (checked && mentionsView(node, catalog)) {
    return pullUpReadOnly(stmt) ? { kind: 'pullUp' } : notYet('a view in a sharded cluster');
  }
  switch (type) {
    case 'TransactionStmt': return transactionRoute(node);
    case 'VariableSetStmt':
    case 'DiscardStmt':
      return { kind: 'session' };
    case 'SelectStmt': return selectRoute(sql, node, catalog, stmt);
    case 'InsertStmt': return insertRoute(sql, node, catalog, stmt);
    case 'UpdateStmt':
    case 'DeleteStmt':
      return updateDeleteRoute(sql, type, node, catalog);
    case 'MergeStmt': return mergeRoute(sql, stmt, node, catalog);
    case 'CopyStmt': return copyRoute(sql, node, catalog);
    case 'ExplainStmt': {
      const inner = routeStatement(sql, node.query, catalog);
      if (inner.kind === 'shard0' || inner.kind === 'pinned') return inner;
      // EXECUTE of a statement shard 0 prepared alone, DECLARE over no sharded table: shard 0's (the session refuses the router's own)
      if (inner.kind === 'sqlExecute' || (inner.kind === 'declareCursor' && !inner.sharded)) return { kind: 'shard0', write: true };
      return explainRoute(sql, node, (text, stmt) => routeStatement(text, stmt, catalog)) ?? notYet('EXPLAIN of this statement');
    }
    case 'PrepareStmt': {
      // statements that read no sharded table are prepared (and so executed) on shard 0
      const inner = routeStatement(sql, node.query, catalog);
      if (inner.kind === 'shard0') return inner;
      const statement = textAfterKeyword(sql, 'AS');
      const parsed = statement === undefined ? undefined : parseOne(statement);
      if (!parsed) return notYet('this SQL PREPARE form over sharded tables');
      // the statement routed from its own text (its offsets are what the INSERT route cuts by)
      const own = routeStatement(statement!, parsed, catalog);
      if (own.kind === 'unsupported') return own;
      return { kind: 'sqlPrepare', name: node.name, statement: statement! };
    }
    case 'ExecuteStmt':
      return { kind: 'sqlExecute', name: node.name, args: (node.params ?? []).length > 0 ? executeArguments(sql) : [] };
    case 'DeallocateStmt':
      return { kind: 'sqlDeallocate', name: node.isall ? null : node.name };
    case 'DeclareCursorStmt': {
      const query = textAfterKeyword(sql, 'FOR') ?? '';
      const locksRows = (node.query?.SelectStmt?.lockingClause ?? []).length > 0;
      const sharded = readsShardedTable(node, catalog) || mentionsView(node, catalog) || callsShardedFunction(node, catalog);
      return { kind: 'declareCursor', name: node.portalname, query, options: node.options ?? 0, sharded, locksRows };
    }
    case 'FetchStmt':
      return { kind: 'fetchCursor', name: node.portalname, direction: node.direction ?? 'FETCH_FORWARD', howMany: Number(node.howMany ?? 0), move: node.ismove === true };
    case 'ClosePortalStmt':
      return { kind: 'closeCursor', name: node.portalname || null };
    case 'CreateTableAsStmt': {
      // a temporary table over no sharded table is shard 0's alone, as CREATE TEMP TABLE is
      if (node.into?.rel?.relpersistence === 't' && !readsShardedTable(node.query, catalog)) return { kind: 'shard0', write: true };
      return tableAsRoute(sql, stmt, catalog);
    }
    case 'RefreshMatViewStmt':
      return notYet('CREATE TABLE AS / SELECT INTO / materialized views');
    // each shard would give the enum its own OIDs, and the router's merge (ORDER BY, min / max) knows no enum's order
    case 'CreateEnumStmt':
      return notYet('CREATE TYPE … AS ENUM');
    // the same for a range type: each shard would number it and its multirange differently
    case 'CreateRangeStmt':
      return notYet('CREATE TYPE … AS RANGE');
    // a domain's values go on the wire as its base type's (RowDescription, binary), so the
    // shards' different OIDs for it do not show: CREATE / ALTER / DROP DOMAIN run on every
    // shard, which each enforce its constraints on their rows
    case 'CreateDomainStmt':
    case 'AlterDomainStmt':
    // a composite type's values are the same text on every shard (record_out); CREATE TYPE … AS (…),
    // like its ALTER TYPE and DROP TYPE, runs on every shard as a domain's does
    case 'CompositeTypeStmt':
      return { kind: 'everyShard', write: true, ddl: true, inBlock: true };
    case 'LockStmt':
      return { kind: 'everyShard', write: false, ddl: false, inBlock: true };
    case 'CreateStmt':
      // temporary tables are not sharded: they live on shard 0 (PostgreSQL cannot PREPARE
      // a transaction that touched one, so they could not be created everywhere anyway)
      if (node.relation?.relpersistence === 't') return { kind: 'shard0', write: true };
      return refused(createTableRefusal(node, catalog)) ?? { kind: 'everyShard', write: true, ddl: true, inBlock: true };
    case 'DropStmt': {
      const names: N[][] = node.removeType === 'OBJECT_TABLE' ? (node.objects ?? []).map((o: N) => o.List?.items ?? []) : [];
      const temporary = names.length > 0 && names.every((n) => n.length === 1 && catalog.isTemporary?.(n[0]!.String?.sval));
      if (temporary) return { kind: 'shard0', write: true };
      return { kind: 'everyShard', write: true, ddl: true, inBlock: true };
    }
    case 'AlterTableStmt': {
      const table = node.relation ? catalog.table(node.relation.schemaname, node.relation.relname) : undefined;
      const unenforceable = refused(alterTableRefusal(node, table, catalog));
      if (unenforceable) return unenforceable;
      const rekeys = rekeyingDdl(node, table);
      return { kind: 'everyShard', write: true, ddl: true, inBlock: true, ...(rekeys ? { rekeys } : {}) };
    }
    default:
      if (SHARD0_STATEMENTS.has(type)) return { kind: 'shard0', write: false };
      // each shard enforces a unique index over its own rows: one on an expression never holds the
      // shard key (key columns are plain), so rows of different keys could share its value
      if (type === 'IndexStmt' && node.unique && (node.indexParams ?? []).some((p: N) => p.IndexElem?.expr) && catalog.table(node.relation?.schemaname, node.relation?.relname)) {
        return notYet('a unique index on an expression of a sharded table');
      }
      if (type === 'IndexStmt') {
        const unenforceable = refused(uniqueIndexRefusal(node, catalog));
        if (unenforceable) return unenforceable;
      }
      if (type === 'IndexStmt' && node.concurrent) return { kind: 'everyShard', write: true, ddl: true, inBlock: false };
      if (NOT_IN_BLOCK.has(type)) return { kind: 'everyShard', write: false, ddl: type !== 'VacuumStmt' && type !== 'CheckPointStmt', inBlock: false };
      return { kind: 'everyShard', write: true, ddl: true, inBlock: true };
  }
}

/**
 * WITH d AS (INSERT | UPDATE | DELETE …): its parts must run together, on one snapshot, so
 * only a statement over no sharded table runs (on shard 0, as a write); undefined: no such WITH.
 */
function modifyingWithRoute(stmt: N | undefined, catalog: TableLookup): Route | undefined {
  const [type, node] = Object.entries(stmt ?? {})[0] ?? [];
  if (!['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt'].includes(type as string)) return undefined;
  const queries = ((node as N).withClause?.ctes ?? []).map((c: N) => c.CommonTableExpr?.ctequery as N);
  const writes = queries.filter((q: N) => q && !q.SelectStmt);
  if (writes.length === 0) return undefined;
  // (a DML's target is a bare RangeVar, which shardedTablesRead does not see)
  const targets = [node as N, ...writes.map((q: N) => Object.values(q)[0] as N)].map((n) => n.relation).filter(Boolean);
  const sharded = shardedTablesRead(stmt, catalog).length > 0 || targets.some((rv: N) => catalog.table(rv.schemaname, rv.relname) !== undefined);
  return sharded ? notYet('a data-modifying statement in WITH over sharded tables') : { kind: 'shard0', write: true };
}

/**
 * MERGE joins its source to its target on one snapshot and may change a target row once:
 * over no sharded table (temporary tables, shard 0's own) it runs on shard 0; into a sharded
 * target joined on its key, the source's rows go to their keys' shards (merge-sharded.ts);
 * otherwise it is refused (each shard would see only its rows of both).
 */
function mergeRoute(sql: string, stmt: N, node: N, catalog: TableLookup): Route {
  const rv = node.relation as N | undefined;
  const table = rv === undefined ? undefined : catalog.table(rv.schemaname, rv.relname);
  const sharded = shardedTablesRead(stmt, catalog).length > 0 || table !== undefined;
  if (!sharded) return { kind: 'shard0', write: true };
  // PostgreSQL 17's forms: shard 0 answers them as PostgreSQL 15 does (a syntax error)
  const clauses: N[] = (node.mergeWhenClauses ?? []).map((w: N) => w.MergeWhenClause);
  if ((node.returningList ?? []).length > 0 || clauses.some((c) => c?.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE')) return { kind: 'shard0', write: true };
  // into a table of shard 0 from a sharded source: each shard would join its own rows
  const route = table ? mergeShardedRoute(sql, node, table, (select, parsed) => {
    const source = routeStatement(select, parsed, catalog);
    if (source.kind === 'unsupported') return undefined;
    if (source.kind === 'shard0') return source.write ? undefined : source;
    return source.kind === 'pinned' || source.kind === 'fanout' || source.kind === 'pullUp' ? source : undefined;
  }) : 'MERGE into a table that is not sharded from a sharded source';
  return typeof route === 'string' ? { ...notYet(route), analyzeFirst: true } as Route : route;
}

/** COPY (INSERT | UPDATE | DELETE … RETURNING, or a query over data-modifying WITH) TO: as modifyingWithRoute; undefined: a plain query */
function copyWritingRoute(query: N, catalog: TableLookup): Route | undefined {
  const modifying = modifyingWithRoute(query, catalog);
  if (modifying) return modifying;
  const [type, node] = Object.entries(query)[0] as [string, N];
  if (type === 'SelectStmt') return undefined;
  const rv = node.relation as N | undefined;
  const sharded = shardedTablesRead(query, catalog).length > 0 || (rv !== undefined && catalog.table(rv.schemaname, rv.relname) !== undefined);
  return sharded ? notYet('COPY (INSERT | UPDATE | DELETE … RETURNING) over sharded tables') : { kind: 'shard0', write: true };
}

function tableAsRoute(sql: string, stmt: N, catalog: TableLookup): Route {
  const route = createTableAsRoute(sql, stmt, (select, parsed) => routeStatement(select, parsed, catalog));
  return typeof route === 'string' ? notYet(route) : route;
}

function transactionRoute(node: N): Route {
  switch (node.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START': return { kind: 'tx', verb: 'begin' };
    case 'TRANS_STMT_COMMIT': return { kind: 'tx', verb: 'commit' };
    case 'TRANS_STMT_ROLLBACK': return { kind: 'tx', verb: 'rollback' };
    case 'TRANS_STMT_SAVEPOINT': return { kind: 'tx', verb: 'savepoint', savepoint: node.savepoint_name };
    case 'TRANS_STMT_RELEASE': return { kind: 'tx', verb: 'release', savepoint: node.savepoint_name };
    case 'TRANS_STMT_ROLLBACK_TO': return { kind: 'tx', verb: 'rollbackTo', savepoint: node.savepoint_name };
    default: return { kind: 'tx', verb: 'twoPhase' };
  }
}

function selectRoute(sql: string, node: N, catalog: TableLookup, whole: N): Route {
  const tables = shardedTablesRead(node, catalog);
  if (node.intoClause && (tables.length > 0 || node.intoClause.rel?.relpersistence !== 't')) return tableAsRoute(sql, whole, catalog);
  if (tables.length === 0) return { kind: 'shard0', write: node.intoClause !== undefined };
  const from: N[] = node.fromClause ?? [];
  // pinned: one sharded table read once (a subquery over it again would see one shard's rows only)
  const plain = (node.op ?? 'SETOP_NONE') === 'SETOP_NONE' && !node.withClause;
  if (plain && tables.length === 1 && from.length === 1 && from[0]!.RangeVar && shardedMentions(node, catalog).length === 1) {
    const rv = from[0]!.RangeVar as N;
    const key = pinnedKey(node.whereClause, tables[0]!, rv.alias?.aliasname ?? rv.relname);
    if (key && !callsSequenceFunction(node)) return { kind: 'pinned', table: tables[0]!, key, write: node.lockingClause !== undefined };
  }
  // nextval on the shards would draw from their copies of the sequence: shard 0 runs it over the rows pulled up
  if (callsSequenceFunction(node)) return pullUpReadOnly(whole) ? { kind: 'pullUp' } : notYet('nextval / setval in a SELECT … FOR UPDATE over sharded tables');
  return { kind: 'fanout', parsed: whole };
}

function insertRoute(sql: string, node: N, catalog: TableLookup, whole: N): Route {
  const rv = node.relation as N;
  const table = catalog.table(rv.schemaname, rv.relname);
  if (!table) return { kind: 'shard0', write: true };
  if (node.withClause) return notYet('INSERT with WITH');
  const values: N[] | undefined = node.selectStmt?.SelectStmt?.valuesLists;
  const others = shardedTablesRead({ select: node.selectStmt, onConflict: node.onConflictClause, returning: node.returningList ?? node.returningClause }, catalog);
  if (!values && node.selectStmt && (others.length > 0 || table.keyColumns.length > 0 || table.drawn.length > 0)) return insertSelectRoute(sql, node, table, catalog);
  if (others.length > 0) return notYet('INSERT reading a sharded table');
  // evaluated on the row's shard, nextval would draw from that shard's copy of the sequence
  if (callsSequenceFunction([node.onConflictClause, node.returningList ?? node.returningClause])) return notYet('nextval / setval in the ON CONFLICT or RETURNING of an INSERT into a sharded table');
  if (table.keyColumns.length === 0 && table.drawn.length === 0 && !callsSequenceFunction(values)) return { kind: 'roundRobin', table };
  const movesKey = conflictAssignsKey(node.onConflictClause, table);
  if (movesKey) return notYet(movesKey);
  if (!values && node.selectStmt) return notYet(`INSERT without VALUES into a sharded table ("${table.name}" is distributed by its primary key)`);
  const targets: N[] = (node.cols ?? []).map((c: N) => c.ResTarget);
  if (targets.some((t) => t.indirection)) return notYet('INSERT into a field or element of a column of a sharded table');
  const width: number = values ? values[0]!.List.items.length : 0;
  // more values than columns: shard 0 refuses the statement as PostgreSQL does
  if (targets.length === 0 && width > table.columns.length) return { kind: 'shard0', write: true };
  const names = targets.length > 0 ? targets.map((t) => t.name as string) : table.columns.slice(0, width).map((c) => c.name);
  const override: string = node.override ?? 'OVERRIDING_NOT_SET';
  const drawnOf = new Map(table.drawn.map((d) => [d.name, d]));
  // a value for a GENERATED ALWAYS identity column without OVERRIDING: shard 0 refuses it (428C9) as PostgreSQL does
  const givesAlways = (values ?? []).some((v) => (v.List.items as N[]).some((item, i) => drawnOf.get(names[i]!)?.identity === 'a' && !item.SetToDefault));
  if (override === 'OVERRIDING_NOT_SET' && givesAlways) return { kind: 'shard0', write: true };
  const positions = table.keyColumns.map((k) => names.indexOf(k));
  const leftKeys = positions.flatMap((p, k) => (p < 0 ? [k] : []));
  // a key column is NOT NULL (a primary key's): every shard refuses the row as PostgreSQL does
  if (leftKeys.some((k) => table.keyDefaults[k] === undefined)) return { kind: 'shard0', write: true };
  const leftDrawn = table.drawn.filter((d) => !table.keyColumns.includes(d.name) && !names.includes(d.name));
  const spans = values ? valuesRowSpans(sql, node.selectStmt.SelectStmt) : [];
  if (!spans || spans.length !== (values?.length ?? 0)) return notYet('this INSERT … VALUES form');
  let head: string;
  let tail: string;
  if (values) {
    head = sql.slice(0, spans[0]![0]);
    tail = sql.slice(spans[spans.length - 1]![1]);
  } else {
    // DEFAULT VALUES: written as VALUES (…) of the drawn columns
    const m = /\bdefault\s+values\b/i.exec(sql.slice(rv.location));
    if (!m) return notYet('this INSERT … DEFAULT VALUES form');
    head = `${sql.slice(0, rv.location + m.index)}VALUES `;
    tail = sql.slice(rv.location + m.index + m[0].length);
  }
  let added: AddedColumns | null = null;
  if (leftKeys.length + leftDrawn.length > 0) {
    const keys = leftKeys.map((k) => table.keyColumns[k]!);
    const drawn = leftDrawn.map((d) => d.name);
    if (targets.length > 0) {
      const close = matchParen(sql, sql.lastIndexOf('(', targets[0]!.location));
      if (close < 0) return notYet('this INSERT column list');
      added = { at: close, listed: [], keys, drawn, open: false };
    } else {
      // no column list: one naming the columns the rows fill and the added ones, before OVERRIDING / VALUES
      const at = head.search(/(overriding\s+(user|system)\s+value\s+)?values\s*$/i);
      if (at < 0) return notYet('this INSERT … VALUES form');
      added = { at, listed: names, keys, drawn, open: true };
    }
  }
  let overriding: OverridingEdit | null = null;
  if (override === 'OVERRIDING_USER_VALUE' || (override === 'OVERRIDING_NOT_SET' && table.drawn.some((d) => d.identity === 'a'))) {
    const m = override === 'OVERRIDING_USER_VALUE' ? /overriding\s+user\s+value/i.exec(head) : /values\s*$/i.exec(head);
    if (!m) return notYet('this INSERT … OVERRIDING form');
    overriding = { at: m.index, length: override === 'OVERRIDING_USER_VALUE' ? m[0].length : 0, text: override === 'OVERRIDING_USER_VALUE' ? 'OVERRIDING SYSTEM VALUE' : 'OVERRIDING SYSTEM VALUE ' };
  }
  const rows: InsertRow[] = [];
  for (let r = 0; r < Math.max(1, values?.length ?? 0); r++) {
    const items: N[] = values ? values[r]!.List.items : [];
    const span = spans[r];
    const key: KeySource[] = [];
    for (let k = 0; k < positions.length; k++) {
      const item = positions[k]! < 0 ? undefined : items[positions[k]!];
      const fallback = table.keyDefaults[k];
      let source: KeySource | undefined;
      if (!item) source = fallback === undefined ? undefined : { kind: 'default', expr: fallback };
      else if (item.SetToDefault) source = { kind: 'default', expr: fallback ?? 'NULL', at: item.SetToDefault.location };
      else if (override === 'OVERRIDING_USER_VALUE' && drawnOf.get(table.keyColumns[k]!)?.identity) {
        // OVERRIDING USER VALUE: the identity's next value instead of the one given
        const given = keyExpression(sql, items, positions[k]!, span!, true);
        source = given && { ...given, expr: fallback! };
      } else source = keySource(item, table.keyTypes[k]!) ?? keyExpression(sql, items, positions[k]!, span!);
      if (!source) return notYet(`an INSERT whose key "${table.keyColumns[k]}" is not a constant, parameter or DEFAULT`);
      key.push(source);
    }
    const drawn: DrawnSource[] = [];
    for (const [i, item] of items.entries()) {
      const name = names[i]!;
      if (table.keyColumns.includes(name)) continue;
      const column = drawnOf.get(name);
      if (item.SetToDefault) {
        if (column) drawn.push({ expr: column.expr, type: column.type, at: item.SetToDefault.location, length: 'DEFAULT'.length });
        continue;
      }
      // OVERRIDING USER VALUE: an identity column takes its next value instead of the one given
      const identityOverridden = override === 'OVERRIDING_USER_VALUE' && (column?.identity ?? '') !== '';
      if (!identityOverridden && !callsSequenceFunction(item)) continue;
      const type = column?.type ?? table.columns.find((c) => c.name === name)?.type;
      const given = type && keyExpression(sql, items, i, span!, identityOverridden);
      if (!type || !given || given.kind !== 'default') return notYet(`an INSERT into a sharded table calling nextval with parameters ("${name}")`);
      drawn.push({ expr: identityOverridden ? column!.expr : given.expr, type, at: given.at, length: given.length });
    }
    for (const d of leftDrawn) drawn.push({ expr: d.expr, type: d.type });
    rows.push(span ? { start: span[0], end: span[1], key, drawn } : { start: 0, end: 0, key, drawn, text: '()' });
  }
  return { kind: 'insert', table, rows, head, tail, added, overriding };
}

/**
 * INSERT … SELECT into a sharded table: the SELECT is cut from the text and routed as if the
 * client had sent it alone (shard 0, pinned, or fanned out); the session inserts its rows.
 */
function insertSelectRoute(sql: string, node: N, table: RouterTable, catalog: TableLookup): Route {
  const conflict = node.onConflictClause as N | undefined;
  const returningList: N[] = node.returningList ?? node.returningClause?.exprs ?? [];
  if (returningList.length > 0 && shardedTablesRead(returningList, catalog).length > 0) return notYet('this INSERT … SELECT … RETURNING form');
  if (conflict && shardedTablesRead(conflict, catalog).length > 0) return notYet('this INSERT … SELECT … ON CONFLICT form');
  const movesKey = conflictAssignsKey(conflict, table);
  if (movesKey) return notYet(movesKey);
  const targets: N[] = (node.cols ?? []).map((c: N) => c.ResTarget);
  if (targets.some((t) => t.indirection)) return notYet('INSERT into a field or element of a column of a sharded table');
  const columns = targets.length > 0 ? targets.map((t) => t.name as string) : null;
  if (columns) {
    const missing = table.keyColumns.findIndex((k, i) => !columns.includes(k) && table.keyDefaults[i] === undefined);
    if (missing >= 0) return notYet(`INSERT into "${table.name}" without its key column "${table.keyColumns[missing]}" (it has no default)`);
  }
  const override = node.override === 'OVERRIDING_SYSTEM_VALUE' ? 'system' : node.override === 'OVERRIDING_USER_VALUE' ? 'user' : null;
  let start = selectStart(sql, (node.relation as N).location, targets[0]?.location, matchParen, skipBlank);
  if (start < 0) return notYet('this INSERT … SELECT form');
  if (override) {
    // the SELECT starts after OVERRIDING … VALUE (kept on the router's INSERTs)
    const m = /^overriding\s+(user|system)\s+value\b\s*/i.exec(sql.slice(start));
    if (!m) return notYet('this INSERT … OVERRIDING … SELECT form');
    start += m[0].length;
  }
  const returningAt = returningList.length > 0 ? returningKeyword(sql, returningList[0]!.ResTarget?.location) : sql.length;
  if (returningAt < 0) return notYet('this INSERT … SELECT … RETURNING form');
  const select = selectText(sql.slice(0, conflict ? conflict.location : returningAt), start);
  const onConflict = conflict ? selectText(sql.slice(0, returningAt), conflict.location) : null;
  const returning = returningList.length > 0 ? selectText(sql, returningAt) : null;
  let parsed: N | undefined;
  try {
    const stmts = pgQuery.parseSync(select).stmts ?? [];
    const only = stmts.length === 1 ? stmts[0]!.stmt as N | undefined : undefined;
    if (only?.SelectStmt) parsed = only;
  } catch {
    // not a SELECT cut cleanly: refused below
  }
  if (!parsed) return notYet('this INSERT … SELECT form');
  const source = routeStatement(select, parsed, catalog);
  if (source.kind === 'unsupported') return source;
  if (source.kind !== 'shard0' && source.kind !== 'pinned' && source.kind !== 'fanout') return notYet('this INSERT … SELECT form');
  if (source.kind === 'shard0' && source.write) return notYet('SELECT INTO');
  // co-located: each row's key comes unchanged from a table sharded alike, so it stays on its shard
  if (source.kind !== 'shard0' && !override && keepsShard(node.selectStmt.SelectStmt, table, columns, catalog)) {
    if (source.kind === 'pinned') return { kind: 'pinned', table: source.table, key: source.key, write: true };
    return { kind: 'everyShard', write: true, ddl: false, inBlock: true };
  }
  return {
    kind: 'insertSelect', table, columns, select, source, onConflict, alias: (node.relation as N).alias?.aliasname ?? null, returning,
    conflictOnKey: conflict?.action === 'ONCONFLICT_UPDATE' && inferredOnKey(conflict, table), override,
  };
}

/** Where the RETURNING keyword before a RETURNING list's first item (at `first`) starts; -1 if not found. */
function returningKeyword(sql: string, first: number | undefined): number {
  if (first === undefined) return -1;
  return sql.slice(0, first).search(/returning\s*$/i);
}

/**
 * ON CONFLICT … DO UPDATE SET of a key column would move the row to another shard: the
 * refusal's text, else undefined.
 */
function conflictAssignsKey(conflict: N | undefined, table: RouterTable): string | undefined {
  if (conflict?.action !== 'ONCONFLICT_UPDATE') return undefined;
  const assigned: string[] = (conflict.targetList ?? []).map((t: N) => t.ResTarget?.name);
  const key = assigned.find((c) => table.keyColumns.includes(c));
  return key === undefined ? undefined : `ON CONFLICT … DO UPDATE SET of the key column "${key}" of a sharded table ("${table.name}")`;
}

/** Whether an ON CONFLICT's arbiter is inferred from exactly the key's columns. */
function inferredOnKey(conflict: N, table: RouterTable): boolean {
  const elems: N[] = conflict.infer?.indexElems ?? [];
  if (conflict.infer?.whereClause || elems.length !== table.keyColumns.length) return false;
  const names = elems.map((e) => e.IndexElem?.name as string | undefined);
  return table.keyColumns.every((k) => names.includes(k));
}

/**
 * Whether every row an INSERT … SELECT writes belongs on the shard it is read from: the SELECT
 * reads one sharded table once, row by row (no aggregate, DISTINCT, LIMIT, window, set
 * operation or function call in its list), and each key column of the target gets the same
 * key column of that table, of the same type. Then it runs on every shard as it is.
 */
function keepsShard(select: N, target: RouterTable, columns: readonly string[] | null, catalog: TableLookup): boolean {
  const from: N[] = select.fromClause ?? [];
  const rv = from.length === 1 ? from[0]!.RangeVar as N | undefined : undefined;
  if (!rv || (select.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || select.withClause || select.groupClause || select.havingClause
    || select.distinctClause || select.limitCount || select.limitOffset || select.windowClause || select.lockingClause) return false;
  const source = catalog.table(rv.schemaname, rv.relname);
  if (!source || shardedMentions(select, catalog).length !== 1) return false;
  if (target.keyColumns.length === 0 || source.keyColumns.length !== target.keyColumns.length) return false;
  if (target.keyTypes.some((t, k) => t.oid !== source.keyTypes[k]!.oid)) return false;
  const items: N[] = (select.targetList ?? []).map((t: N) => t.ResTarget?.val);
  if (items.some((v) => v === undefined || containsFuncCall(v))) return false;
  // the SELECT's columns in order: `*` is the source's columns
  const produced: (string | undefined)[] = [];
  const alias = rv.alias?.aliasname ?? rv.relname;
  for (const v of items) {
    const fields: N[] = v.ColumnRef?.fields ?? [];
    if (fields.length > 0 && fields[fields.length - 1]!.A_Star) {
      if (fields.length > 2 || (fields.length === 2 && fields[0]!.String?.sval !== alias)) return false;
      produced.push(...source.columns.map((c) => c.name));
    } else produced.push(columnName(v, alias));
  }
  const names = columns ?? target.columns.slice(0, produced.length).map((c) => c.name);
  // a column drawn from a sequence must take shard 0's numbers, through the router
  if (target.drawn.some((d) => !names.includes(d.name))) return false;
  return target.keyColumns.every((key, k) => {
    const at = names.indexOf(key);
    return at >= 0 && produced[at] === source.keyColumns[k];
  });
}

function containsFuncCall(tree: unknown): boolean {
  return containsNode(tree, 'FuncCall') || containsNode(tree, 'SubLink');
}

function containsNode(tree: unknown, kind: string): boolean {
  if (Array.isArray(tree)) return tree.some((t) => containsNode(t, kind));
  if (!tree || typeof tree !== 'object') return false;
  if (kind in tree) return true;
  return Object.values(tree).some((t) => containsNode(t, kind));
}

function updateDeleteRoute(sql: string, type: string, node: N, catalog: TableLookup): Route {
  const rv = node.relation as N;
  const table = catalog.table(rv.schemaname, rv.relname);
  if (!table) return { kind: 'shard0', write: true };
  if (node.withClause) return notYet(`${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} with WITH`);
  const others = shardedTablesRead({ from: node.fromClause, using: node.usingClause, where: node.whereClause, set: node.targetList, returning: node.returningList ?? node.returningClause }, catalog);
  if (others.length > 0) return notYet(`${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} reading another sharded table`);
  // on a shard, nextval and a sequence DEFAULT would draw from that shard's copy of the sequence
  const setsDrawn = ((node.targetList ?? []) as N[]).some((t) => t.ResTarget?.val?.SetToDefault && table.drawn.some((d) => d.name === t.ResTarget.name));
  if (setsDrawn || callsSequenceFunction([node.targetList, node.whereClause, node.returningList ?? node.returningClause])) {
    return notYet(`${type === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} of a sharded table drawing from a sequence (nextval, a serial or identity column's DEFAULT)`);
  }
  const key = table.keyColumns.length > 0 ? pinnedKey(node.whereClause, table, rv.alias?.aliasname ?? rv.relname) : undefined;
  if (type === 'UpdateStmt') {
    const assigned: string[] = (node.targetList ?? []).map((t: N) => t.ResTarget.name);
    if (assigned.some((c) => table.keyColumns.includes(c))) {
      const moving = keyUpdateRoute(sql, node, table, key);
      return typeof moving === 'string' ? notYet(moving) : moving;
    }
  }
  if (key) return { kind: 'pinned', table, key, write: true };
  return { kind: 'everyShard', write: true, ddl: false, inBlock: true };
}

function copyRoute(sql: string, node: N, catalog: TableLookup): Route {
  const writing = node.query ? copyWritingRoute(node.query, catalog) : undefined;
  if (writing) return writing;
  if (node.query) {
    // a view or a SQL function in the query may read sharded tables too: routed, it is pulled up
    if (!readsShardedTable(node.query, catalog) && !mentionsView(node.query, catalog) && !callsShardedFunction(node.query, catalog)) return { kind: 'shard0', write: false };
    if (!node.query.SelectStmt || node.filename !== undefined || node.is_program) return notYet('COPY (query) over a sharded table');
    // the query's own text, between the parentheses after COPY
    const open = sql.indexOf('(');
    const close = open < 0 ? -1 : matchParen(sql, open);
    const parsed = close < 0 ? undefined : parseOne(sql.slice(open + 1, close));
    if (!parsed?.SelectStmt) return notYet('this COPY (query) form over a sharded table');
    const query = sql.slice(open + 1, close);
    const source = routeStatement(query, parsed, catalog);
    if (source.kind === 'unsupported') return source;
    return { kind: 'copyQueryOut', query, source, options: copyOptions(node.options ?? []) };
  }
  const rv = node.relation as N;
  const table = catalog.table(rv.schemaname, rv.relname);
  if (!table) return { kind: 'shard0', write: node.is_from === true };
  if (node.filename !== undefined || node.is_program) return notYet('COPY to or from a server file or program');
  if (node.whereClause) return notYet('COPY FROM … WHERE');
  const options = copyOptions(node.options ?? []);
  const columns: string[] = (node.attlist ?? []).map((c: N) => c.String.sval);
  if (node.is_from) {
    const drawn = table.drawn.filter((d) => columns.length > 0 && !columns.includes(d.name));
    // key columns first, in key order (the rows' keys read them there), then the others
    drawn.sort((a, b) => rank(table, a.name) - rank(table, b.name));
    let shardSql: string | null = null;
    if (drawn.length > 0) {
      const open = selectStart(sql, rv.location, undefined, matchParen, skipBlank);
      const close = open < 0 || sql[open] !== '(' ? -1 : matchParen(sql, open);
      if (close < 0) return notYet('this COPY column list');
      shardSql = sql.slice(0, close) + drawn.map((d) => `, ${quoteIdent(d.name)}`).join('') + sql.slice(close);
    }
    return { kind: 'copyIn', table, columns: columns.length > 0 ? columns : table.columns.map((c) => c.name), options, drawn, shardSql };
  }
  return { kind: 'copyOut', table, options, columnCount: columns.length > 0 ? columns.length : table.columns.length };
}

/** A column's place among the key columns (the others after them). */
function rank(table: RouterTable, column: string): number {
  const k = table.keyColumns.indexOf(column);
  return k < 0 ? table.keyColumns.length : k;
}

function copyOptions(defs: N[]): CopyOptions {
  const o: CopyOptions = { format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"' };
  let delimiterSet = false;
  let nullSet = false;
  let escapeSet = false;
  for (const d of defs) {
    const { defname, arg } = d.DefElem as N;
    const text: string | undefined = arg?.String?.sval;
    if (defname === 'format' && text) o.format = text as CopyOptions['format'];
    else if (defname === 'delimiter' && text !== undefined) { o.delimiter = text; delimiterSet = true; }
    else if (defname === 'null' && text !== undefined) { o.null = text; nullSet = true; }
    else if (defname === 'header') o.header = arg === undefined || arg.Boolean?.boolval === true || /^(true|on|1|match)$/i.test(text ?? String(arg.Integer?.ival ?? ''));
    else if (defname === 'quote' && text !== undefined) o.quote = text;
    else if (defname === 'escape' && text !== undefined) { o.escape = text; escapeSet = true; }
  }
  if (o.format === 'csv') {
    if (!delimiterSet) o.delimiter = ',';
    if (!nullSet) o.null = '';
    if (!escapeSet) o.escape = o.quote;
  }
  return o;
}

/** The key values of a WHERE that pins every key column (`key = constant / $n`, ANDed). */
function pinnedKey(where: N | undefined, table: RouterTable, alias: string): KeySource[] | undefined {
  if (!where || table.keyColumns.length === 0) return undefined;
  const found = new Map<string, KeySource>();
  for (const [col, other] of equalityOperandPairs(where) as [N, N][]) {
    const name = columnName(col, alias);
    const k = name === undefined ? -1 : table.keyColumns.indexOf(name);
    if (k < 0 || found.has(name!)) continue;
    const source = keySource(other, table.keyTypes[k]!);
    if (source) found.set(name!, source);
  }
  if (found.size !== table.keyColumns.length) return undefined;
  return table.keyColumns.map((k) => found.get(k)!);
}

function columnName(e: N | undefined, alias: string): string | undefined {
  const fields: N[] | undefined = e?.ColumnRef?.fields;
  if (!fields || fields.some((f) => !f.String)) return undefined;
  if (fields.length === 1) return fields[0]!.String.sval;
  if (fields.length === 2 && fields[0]!.String.sval === alias) return fields[1]!.String.sval;
  return undefined;
}

/** A constant (of the key column's type) or a $n; undefined for anything else. */
function keySource(e: N | undefined, type: RouterTable['keyTypes'][number]): KeySource | undefined {
  if (!e) return undefined;
  if (e.TypeCast) return keySource(e.TypeCast.arg, type);
  if (e.ParamRef) return { kind: 'param', index: e.ParamRef.number - 1 };
  const c = e.A_Const as N | undefined;
  if (!c) return undefined;
  if (c.isnull) return { kind: 'const', value: null };
  const text = c.ival !== undefined ? String(c.ival.ival ?? 0)
    : c.fval !== undefined ? String(c.fval.fval)
      : c.sval !== undefined ? String(c.sval.sval ?? '')
        : c.boolval !== undefined ? String(c.boolval.boolval ?? false)
          : undefined;
  if (text === undefined) return undefined;
  try {
    return { kind: 'const', value: keyFromLiteral(text, type) };
  } catch {
    return undefined; // not a value of the key's type: the shards compare it as PostgreSQL would
  }
}

/**
 * The key given by an expression (`1 + 1`, `'x'`, a literal not of the key's type) in a
 * VALUES row whose span is `row`: its text, evaluated on shard 0 with the DEFAULTs (an error
 * there is the INSERT's). Undefined for one with parameters (the DEFAULTs' query has none).
 */
function keyExpression(sql: string, items: N[], at: number, row: [number, number], spanOnly = false): Extract<KeySource, { kind: 'default' }> | undefined {
  const item = items[at];
  if (!item || (!spanOnly && JSON.stringify(item).includes('"ParamRef"'))) return undefined;
  // the item's text: between the commas before it and after it (or the row's parentheses)
  const after = (i: number): number | undefined => {
    const next = firstLocation(items[i]);
    return next === undefined ? undefined : sql.lastIndexOf(',', next);
  };
  const start = at === 0 ? row[0] + 1 : after(at);
  const end = at === items.length - 1 ? row[1] - 1 : after(at + 1);
  if (start === undefined || end === undefined || start < row[0] || end <= start) return undefined;
  const from = at === 0 ? start : start + 1;
  const text = sql.slice(from, end);
  if (text.trim() === '' || matchParen(`(${text})`, 0) !== text.length + 1) return undefined;
  return { kind: 'default', expr: text, at: from, length: end - from };
}

/** The text spans `( … )` of an INSERT's VALUES rows, found by scanning parentheses. */
function valuesRowSpans(sql: string, select: N): [number, number][] | undefined {
  const first = select.valuesLists[0]?.List?.items?.[0];
  const at = firstLocation(first);
  if (at === undefined) return undefined;
  let start = sql.lastIndexOf('(', at);
  const spans: [number, number][] = [];
  while (start >= 0 && sql[start] === '(') {
    const end = matchParen(sql, start);
    if (end < 0) return undefined;
    spans.push([start, end + 1]);
    let i = skipBlank(sql, end + 1);
    if (sql[i] !== ',') break;
    i = skipBlank(sql, i + 1);
    start = i;
  }
  return spans;
}

/** Every sharded table a tree names, once per mention (RangeVars not naming a CTE). */
function shardedMentions(tree: unknown, catalog: TableLookup): RouterTable[] {
  const ctes = new Set<string>();
  const found: RouterTable[] = [];
  const walk = (v: unknown, at: (n: N) => void): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, at));
    else if (v && typeof v === 'object') {
      at(v as N);
      for (const x of Object.values(v)) walk(x, at);
    }
  };
  // CTE names first: in the tree a WITH comes after the FROM that names it
  walk(tree, (n) => { if (n.CommonTableExpr) ctes.add(n.CommonTableExpr.ctename); });
  walk(tree, (n) => {
    const rv = n.RangeVar as N | undefined;
    // a name both a WITH query's and a sharded table's may mean the table (WITH t AS (SELECT * FROM t)): counted, so it is not left to shard 0
    if (!rv) return;
    const t = catalog.table(rv.schemaname, rv.relname);
    if (rv.schemaname === undefined && ctes.has(rv.relname) && !t) return;
    if (t) found.push(t);
  });
  return found;
}

function mentionsView(tree: unknown, catalog: TableLookup): boolean {
  if (!catalog.isView) return false;
  let found = false;
  const walk = (v: unknown): void => {
    if (found) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const rv = (v as N).RangeVar as N | undefined;
      if (rv && catalog.isView!(rv.schemaname, rv.relname)) found = true;
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(tree);
  return found;
}

/**
 * Whether a tree calls a user function whose SQL body reads a sharded table (one level: the
 * body's own calls are not followed). A body that does not parse as SQL counts when it names
 * a sharded table anywhere.
 */
function callsShardedFunction(tree: unknown, catalog: TableLookup): boolean {
  if (!catalog.functionBodies) return false;
  let found = false;
  const walk = (v: unknown): void => {
    if (found) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const names = ((v as N).FuncCall?.funcname as N[] | undefined)?.map((n) => n.String?.sval as string);
      if (names && names.length <= 2) {
        const bodies = catalog.functionBodies!(names.length === 2 ? names[0] : undefined, names[names.length - 1]!);
        if (bodies?.some((b) => bodyReadsShardedTable(b, catalog))) found = true;
      }
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(tree);
  return found;
}

function bodyReadsShardedTable(body: string, catalog: TableLookup): boolean {
  try {
    return shardedTablesRead(pgQuery.parseSync(body), catalog).length > 0;
  } catch {
    const words = body.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? [];
    return words.some((w) => catalog.table(undefined, w) !== undefined);
  }
}

/** Every sharded table a tree reads, once. */
export function shardedTablesRead(tree: unknown, catalog: TableLookup): RouterTable[] {
  return [...new Map(shardedMentions(tree, catalog).map((t) => [t.oid, t])).values()];
}

/** The one statement of `sql`, parsed; undefined for anything else. */
export function parseOne(sql: string): N | undefined {
  try {
    const stmts = pgQuery.parseSync(sql).stmts ?? [];
    return stmts.length === 1 ? stmts[0]!.stmt as N : undefined;
  } catch {
    return undefined;
  }
}

function readsShardedTable(tree: unknown, catalog: TableLookup): boolean {
  return shardedTablesRead(tree, catalog).length > 0;
}
