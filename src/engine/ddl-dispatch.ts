/**
 * DDL statements as the session ran them before the typed DDL binder: the parse node goes
 * to ddl.ts, with the undo bookkeeping that makes DDL in a transaction block roll back.
 * `runDdlStatement` is the one entry; the typed DDL module (runDdl) replaces it.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, CatalogData } from '../catalog/catalog.js';
import { optimize } from '../planner/optimize.js';
import type { RawNode } from '../sql/parser.js';
import { Scope } from '../sql/scope.js';
import { bindExpr, coerce } from '../sql/bind-expr.js';
import { bindFunctionBody } from '../sql/bind-function.js';
import { compileExpr } from '../executor/expr.js';
import { runPlan } from '../executor/operators.js';
import { drainAll } from '../executor/suspend.js';
import { formatType, type Row, type SqlType, type Value } from '../types/types.js';
import type { ExecResult } from '../wire/backend.js';
import * as ddl from './ddl.js';
import { functionDefinition, storeFunction } from './create-function.js';
import { changedObjects, undoObjects } from './ddl-undo.js';
import type { SessionContext } from './context.js';
import { truncateRows } from './utility.js';

/** DDL inside a transaction block: undo information, applied at COMMIT / ROLLBACK. */
interface DdlUndo {
  before: CatalogData; created: number[]; dropLater: number[];
  /** objects this transaction's DDL changed (see ddl-undo.ts) */
  touched: Set<string>;
  /** the catalog as the running DDL statement found it */
  statementBefore?: CatalogData;
}

/** A session's DDL bookkeeping: the open block's undo, and storage an autocommit DROP frees. */
export class DdlState {
  private undo: DdlUndo | undefined;
  /** storage of tables an autocommit DROP removed from the catalog: dropped once that is saved */
  readonly autocommitDrops: number[] = [];

  get pending(): boolean {
    return this.undo !== undefined;
  }

  /**
   * `data` (an image of `catalog`, the session's) without this session's uncommitted DDL:
   * what the durable catalog image may hold while the transaction is open.
   */
  withoutUncommitted(data: CatalogData): CatalogData {
    const undo = this.undo;
    if (!undo) return data;
    const touched = new Set(undo.touched);
    if (undo.statementBefore) for (const k of changedObjects(undo.statementBefore, data)) touched.add(k);
    return undoObjects(undo.before, data, touched);
  }

  /** After a DDL statement in a transaction block (done or failed): note what it changed. */
  noteChanges(catalog: Catalog): void {
    const undo = this.undo;
    if (!undo?.statementBefore) return;
    for (const k of changedObjects(undo.statementBefore, catalog.snapshotData())) undo.touched.add(k);
    undo.statementBefore = undefined;
  }

  context(ctx: SessionContext, sql: string): ddl.DdlContext {
    let txn: ddl.DdlContext['txn'];
    if (ctx.tx.state === 'block') {
      if (!this.undo) this.undo = { before: ctx.catalog.snapshotData(), created: [], dropLater: [], touched: new Set() };
      const undo = this.undo;
      undo.statementBefore ??= ctx.catalog.snapshotData();
      txn = { created: (oid) => undo.created.push(oid), dropLater: (oid) => undo.dropLater.push(oid) };
    }
    return {
      catalog: ctx.catalog, storage: ctx.engine.storage, notices: ctx.notices, searchPath: ctx.searchPath(), sql, txn,
      dropAfterSave: txn ? undefined : (oid) => this.autocommitDrops.push(oid),
      dataTxn: ctx.tx.state === 'block' ? ctx.tx.txn : undefined,
      bindQuery: (ast) => ctx.binder([]).bindSelect((ast as RawNode).SelectStmt, null).schema,
      compileRowExpr: (ast, columns, type) => compileRowExpr(ctx, ast as RawNode, columns, type),
    };
  }

  /** The block ended: keep its DDL (committed) or undo it, then save the catalog. */
  async finish(ctx: SessionContext, committed: boolean): Promise<void> {
    const undo = this.undo;
    if (!undo) return;
    this.undo = undefined;
    if (!committed) {
      this.noteChanges(ctx.catalog);
      ctx.catalog.loadData(undoObjects(undo.before, ctx.catalog.snapshotData(), undo.touched));
      ctx.catalog.version++;
    }
    // the catalog first, then the storage: a crash in between leaves only storage that no
    // catalog entry names, which the next start removes
    await ctx.engine.saveCatalog();
    for (const oid of committed ? undo.dropLater : undo.created) await ctx.engine.storage.dropTable(oid);
  }
}

/** An expression over one row with these columns, cast (assignment) to `type`, ready to run. */
function compileRowExpr(ctx: SessionContext, ast: RawNode, columns: readonly { name: string; type: SqlType }[], type: SqlType): (row: Row) => Value {
  const binder = ctx.binder([]);
  const scope = new Scope(null);
  scope.add('', columns.map((c) => ({ name: c.name, type: c.type, tableOid: 0, attnum: 0 })));
  const bound = bindExpr(ast, scope, binder.ctx('DEFAULT expressions'));
  // an unknown literal ('0') takes the column's type directly, as in CREATE TABLE … DEFAULT '0'
  const e = coerce(binder.env, bound, type, 'assignment', () => `default for column of type ${formatType(type)}`);
  const compiled = compileExpr(e);
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  return (row) => compiled(row, env);
}

/**
 * Run one DDL statement (`node` as parsed, `sql` its text). catalogWrite: refused in a
 * read-only transaction, and the catalog is saved after it outside a block (then the
 * storage of what it dropped is freed).
 */
export async function runDdlStatement(ctx: SessionContext, node: RawNode, tag: string, catalogWrite: boolean, sql: string): Promise<ExecResult> {
  if (catalogWrite) ctx.tx.checkWritable(tag);
  try {
    let result: ExecResult;
    try {
      result = await runDdlNode(ctx, node, tag, sql);
    } finally {
      ctx.ddl.noteChanges(ctx.catalog);
    }
    if (catalogWrite && ctx.tx.idle) {
      await ctx.engine.saveCatalog();
      // the catalog first, then the storage (a crash in between leaves storage no entry names)
      for (const oid of ctx.ddl.autocommitDrops.splice(0)) await ctx.engine.storage.dropTable(oid);
    }
    return result;
  } catch (e) {
    // a failed autocommit DROP: drop the storage of what did leave the catalog
    for (const oid of ctx.ddl.autocommitDrops.splice(0)) if (!ctx.catalog.tables.has(oid)) await ctx.engine.storage.dropTable(oid).catch(() => {});
    throw e;
  }
}

/**
 * The DDL cases of the session's former runUtility switch, kept as they were (one line or
 * call per statement kind, so it is long) until the typed DDL module replaces them.
 */
async function runDdlNode(ctx: SessionContext, node: RawNode, tag: string, sql: string): Promise<ExecResult> {
  const kind = Object.keys(node)[0];
  const n = node[kind];
  const command = (t = tag): ExecResult => ({ kind: 'command', tag: t });
  const ddlContext = () => ctx.ddl.context(ctx, sql);
  switch (kind) {
    case 'CreateStmt':
      await ddl.createTable(ddlContext(), n);
      return command();
    case 'DropStmt':
      await ddl.drop(ddlContext(), n);
      return command();
    case 'IndexStmt':
      await ddl.createIndex(ddlContext(), n);
      return command();
    case 'CreateExtensionStmt':
      ddl.createExtension(ddlContext(), n);
      return command();
    case 'CreateSeqStmt':
      ddl.createSequence(ddlContext(), n);
      return command();
    case 'TruncateStmt': {
      const tables = await ddl.truncate(ddlContext(), n);
      await truncateRows(ctx, tables);
      return command();
    }
    case 'CommentStmt':
      ddl.comment(ddlContext(), n);
      return command();
    case 'AlterTableStmt':
      await ddl.alterTable(ddlContext(), n);
      return command();
    case 'CreateTableAsStmt':
      return createTableAs(ctx, n, sql);
    case 'ViewStmt':
      ddl.createView(ddlContext(), n);
      return command();
    case 'RenameStmt':
      ddl.rename(ddlContext(), n);
      return command();
    case 'CreatedbStmt':
      if (!ctx.tx.idle) throw new SqlError(SqlState.activeSqlTransaction, 'CREATE DATABASE cannot run inside a transaction block');
      await ctx.engine.createDatabase(n.dbname);
      return command();
    case 'DropdbStmt':
      if (!ctx.tx.idle) throw new SqlError(SqlState.activeSqlTransaction, 'DROP DATABASE cannot run inside a transaction block');
      if (!(await ctx.engine.dropDatabase(n.dbname, !!n.missing_ok, ctx.databaseName))) {
        ctx.notices.push({ severity: 'NOTICE', code: '00000', message: `database "${n.dbname}" does not exist, skipping` });
      }
      return command();
    case 'CreateFunctionStmt': {
      ddlContext(); // inside a transaction block: snapshot the catalog for ROLLBACK
      const def = functionDefinition(ctx.catalog, n, ctx.searchPath());
      // validate now, like PostgreSQL's check_function_bodies: the body must bind
      try {
        bindFunctionBody(ctx.binder([]), def, true);
      } catch (e) {
        throw bodyErrorPosition(e, sql, def.body.sql);
      }
      storeFunction(ctx.catalog, def, !!n.replace);
      return command();
    }
    case 'CreateSchemaStmt': {
      const name = n.schemaname as string;
      if (name === 'public' || name === 'pg_catalog' || name === 'information_schema') {
        if (n.if_not_exists) {
          ctx.notices.push({ severity: 'NOTICE', code: '42P06', message: `schema "${name}" already exists, skipping` });
          return command();
        }
        throw new SqlError('42P06', `schema "${name}" already exists`);
      }
      throw new SqlError(SqlState.featureNotSupported, 'CREATE SCHEMA is not supported yet');
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `${tag || kind} is not supported`);
  }
}

/** CREATE TABLE name [(columns)] AS SELECT … [WITH [NO] DATA] */
async function createTableAs(ctx: SessionContext, n: RawNode, sql: string): Promise<ExecResult> {
  if (n.objtype !== 'OBJECT_TABLE') throw new SqlError(SqlState.featureNotSupported, 'materialized views are not supported yet');
  if (!n.query?.SelectStmt) throw new SqlError(SqlState.featureNotSupported, 'CREATE TABLE AS needs a SELECT');
  const plan = optimize(ctx.binder([]).bindSelect(n.query.SelectStmt, null), { catalog: ctx.catalog });
  const names = ((n.into.colNames ?? []) as RawNode[]).map((c) => c.String.sval as string);
  if (names.length > plan.schema.length) throw new SqlError(SqlState.syntaxError, 'too many column names were specified');
  const columns = plan.schema.map((c, i) => ({ name: names[i] ?? c.name, type: c.type }));
  const table = await ddl.createTableAs(ctx.ddl.context(ctx, sql), n.into.rel, columns, !!n.if_not_exists);
  if (!table) return { kind: 'command', tag: 'CREATE TABLE AS' };
  if (n.into.skipData) return { kind: 'command', tag: 'CREATE TABLE AS' };
  let rows: Row[] = [];
  {
    const implicit = ctx.tx.idle;
    const txn = implicit ? ctx.engine.storage.begin() : ctx.tx.txn!;
    try {
      const rc = ctx.runContext(ctx.tx.txn);
      const env = ctx.execEnv([], rc);
      rows = await drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
      if (rows.length) txn.insert(table.oid, rows);
      if (implicit) await txn.commit();
    } catch (e) {
      if (implicit) {
        // outside a block the statement is atomic: no table without its rows
        txn.rollback();
        ctx.catalog.dropTable(table.oid);
        await ctx.engine.storage.dropTable(table.oid);
      }
      throw e;
    }
  }
  return { kind: 'command', tag: `SELECT ${rows.length}` };
}

/** An error inside an `AS '…'` body points into the CREATE FUNCTION statement, as in PostgreSQL. */
function bodyErrorPosition(e: unknown, statement: string, body: string | undefined): unknown {
  if (!(e instanceof SqlError) || e.fields.position === undefined || body === undefined) return e;
  const at = statement.indexOf(body);
  return at < 0 ? e : new SqlError(e.code, e.message, { ...e.fields, position: e.fields.position + at });
}
