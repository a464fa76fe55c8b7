/**
 * DDL statements as the session runs them: the typed statement (src/sql/ddl) goes to
 * engine/ddl (runDdl), with the undo bookkeeping that makes DDL in a transaction block roll
 * back, the catalog save after autocommit DDL, TRUNCATE's rows, CREATE TABLE AS's fill and
 * REFRESH MATERIALIZED VIEW's new rows.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, CatalogData, TableDef } from '../catalog/catalog.js';
import type { Roles, RolesData } from '../catalog/roles.js';
import { isTempSchema } from '../catalog/schemas.js';
import type { Expr, Plan } from '../planner/plan.js';
import { bindFunctionBody } from '../sql/bind-function.js';
import { bindPolicyExpression } from '../sql/row-security.js';
import { deparse } from '../planner/explain-expr.js';
import { mapExpr } from '../planner/expr-walk.js';
import { bindRowExpr, bindViewColumns, bindViewQuery, type BoundDdl } from '../sql/ddl/index.js';
import { compileExpr } from '../executor/expr.js';
import { runPlan } from '../executor/operators.js';
import { runDml } from '../executor/dml.js';
import type { DmlStatement } from '../planner/dml-statement.js';
import { drainAll } from '../executor/suspend.js';
import type { Row, Value } from '../types/types.js';
import type { ExecResult } from '../wire/backend.js';
import { runDdl, type DdlContext } from './ddl/index.js';
import { changedObjects, createdObjects, undoObjects } from './ddl/undo.js';
import { runStorageUndo, type StorageUndo } from './ddl/storage-undo.js';
import type { SessionContext } from './context.js';
import { truncateRows } from './utility.js';
import { costEnvOf } from './prepare.js';
import { checkDistinctRows } from './ddl/materialized-view.js';
import { indexBuildError } from './ddl/unique-key.js';
import { optimize } from '../planner/optimize.js';
import { endUncommittedEnumLabels, noteUncommittedEnumLabel } from '../types/user-types.js';
import type { SelectStmt } from '@pgsql/types';

/** DDL inside a transaction block: undo information, applied at COMMIT / ROLLBACK. */
interface DdlUndo {
  before: CatalogData; created: number[]; dropLater: number[];
  /** enum labels ADD VALUE added (unsafe to use until the block ends: user-types.ts) */
  enumLabels: number[];
  /** what takes the block's storage changes beside the catalog back (storage-undo.ts) */
  storage: StorageUndo[];
  /** objects this transaction's DDL changed (see ddl-undo.ts) */
  touched: Set<string>;
  /** the catalog as the running DDL statement found it */
  statementBefore?: CatalogData;
}

/**
 * Where a SAVEPOINT stood in the block's DDL: a ROLLBACK TO it takes back exactly what came
 * after (PostgreSQL's subtransaction abort). The catalog image is taken lazily, by the first
 * DDL statement after the savepoint (its statement image, no extra copy), so psql's
 * ON_ERROR_ROLLBACK (a savepoint per statement) costs nothing without DDL.
 */
export interface DdlMark {
  /** the catalog as the savepoint found it (set by the first DDL statement after it) */
  image?: CatalogData;
  /** the roles as the savepoint found them (set by the first role statement after it) */
  roles?: RolesData;
  /** how far the block's undo lists reached at the savepoint */
  touchedLog: number; created: number; dropLater: number; enumLabels: number; storage: number;
}

/** A session's DDL bookkeeping: the open block's undo, and storage an autocommit DROP frees. */
export class DdlState {
  private undo: DdlUndo | undefined;
  /** the roles as the open block found them (restored at ROLLBACK) */
  private rolesBefore: RolesData | undefined;
  /** every object key a statement of the block changed, in order (a savepoint's mark is a position in it) */
  private touchedLog: string[] = [];
  /** savepoints no DDL statement ran after yet: they take the next statement's catalog image */
  private marksWithoutImage: DdlMark[] = [];
  /** savepoints no role statement ran after yet: they take the roles as the next one finds them */
  private marksWithoutRoles: DdlMark[] = [];

  /** A role statement runs in a transaction block: remember the roles to restore at ROLLBACK (TO). */
  noteRoleChange(roles: Roles): void {
    if (this.rolesBefore && this.marksWithoutRoles.length === 0) return;
    const data = JSON.parse(JSON.stringify(roles.toData())) as RolesData;
    this.rolesBefore ??= data;
    for (const m of this.marksWithoutRoles.splice(0)) m.roles = data;
  }

  /** SAVEPOINT: where the block's DDL stands now. */
  mark(): DdlMark {
    const u = this.undo;
    const m: DdlMark = {
      touchedLog: this.touchedLog.length, created: u?.created.length ?? 0, dropLater: u?.dropLater.length ?? 0,
      enumLabels: u?.enumLabels.length ?? 0, storage: u?.storage.length ?? 0,
    };
    this.marksWithoutImage.push(m);
    this.marksWithoutRoles.push(m);
    return m;
  }

  /**
   * ROLLBACK TO SAVEPOINT (after the block's storage transaction rolled back to its mark):
   * the objects DDL changed after `m` are put back as they were at the savepoint, the storage
   * side taken back (keys, vector and text indexes: their files go), tables created after it
   * lose their storage, tables dropped after it keep theirs at COMMIT, roles come back.
   * The catalog image a COMMIT writes is the restored catalog, so a restart (kill -9
   * included) never sees the undone DDL. The savepoint goes on (its mark stays valid).
   */
  async rollbackTo(ctx: SessionContext, m: DdlMark): Promise<void> {
    if (m.roles) ctx.engine.roles.loadData(JSON.parse(JSON.stringify(m.roles)) as RolesData);
    m.roles = undefined;
    if (!this.marksWithoutRoles.includes(m)) this.marksWithoutRoles.push(m);
    const undo = this.undo;
    if (!undo) return;
    this.noteChanges(ctx.catalog);
    const since = new Set(this.touchedLog.slice(m.touchedLog));
    if (since.size > 0 && m.image) {
      ctx.catalog.loadData(undoObjects(m.image, ctx.catalog.snapshotData(), since));
      ctx.catalog.version++;
    }
    this.touchedLog.length = m.touchedLog;
    undo.touched = new Set(this.touchedLog);
    endUncommittedEnumLabels(undo.enumLabels.splice(m.enumLabels));
    await runStorageUndo(undo.storage.splice(m.storage));
    undo.dropLater.length = m.dropLater;
    for (const oid of undo.created.splice(m.created)) await ctx.engine.storage.dropTable(oid).catch(() => {});
    m.image = undefined;
    if (!this.marksWithoutImage.includes(m)) this.marksWithoutImage.push(m);
  }

  /** RELEASE SAVEPOINT (or ROLLBACK TO an outer one): marks `m` and after are no longer wanted. */
  forgetMarks(marks: readonly DdlMark[]): void {
    const gone = new Set(marks);
    this.marksWithoutImage = this.marksWithoutImage.filter((x) => !gone.has(x));
    this.marksWithoutRoles = this.marksWithoutRoles.filter((x) => !gone.has(x));
  }
  /** storage of tables an autocommit DROP removed from the catalog: dropped once that is saved */
  readonly autocommitDrops: number[] = [];
  /** what takes the running autocommit statement's storage changes back (storage-undo.ts) */
  readonly autocommitUndo: StorageUndo[] = [];

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

  /** Did the open block change roles? (PREPARE TRANSACTION refuses that) */
  get changesRoles(): boolean {
    return this.rolesBefore !== undefined;
  }

  /**
   * Did the open block's DDL only create objects (none that existed before it changed or
   * dropped)? Only such DDL can be prepared: its undo after a restart is dropping them.
   */
  onlyCreatedObjects(catalog: Catalog): boolean {
    const undo = this.undo;
    if (!undo) return true;
    const created = new Set(createdObjects(undo.before, catalog.snapshotData()));
    return [...undo.touched].every((k) => created.has(k));
  }

  /** PREPARE TRANSACTION: the block's DDL goes with the prepared transaction; this session has none open. */
  detach(): DdlState {
    const prepared = new DdlState();
    prepared.undo = this.undo;
    this.undo = undefined;
    return prepared;
  }

  /**
   * A prepared transaction's DDL read back at start (Engine.restorePreparedDdl): the objects
   * in `created` were added to a catalog that was `before`; a rollback drops them again.
   */
  static restored(before: CatalogData, created: ReadonlySet<string>): DdlState {
    const d = new DdlState();
    const tables = [...created].filter((k) => k[0] === 't').map((k) => Number(k.slice(1)));
    d.undo = { before, created: tables, dropLater: [], enumLabels: [], storage: [], touched: new Set(created) };
    return d;
  }

  /** Did the open block's DDL create or change a temporary relation? (PREPARE TRANSACTION refuses that) */
  touchedTemporary(catalog: Catalog): boolean {
    for (const k of this.undo?.touched ?? []) {
      const rel = k[0] === 't' ? catalog.relationOf(Number(k.slice(1))) : undefined;
      if (rel && isTempSchema(rel.schema)) return true;
    }
    return false;
  }

  /** After a DDL statement in a transaction block (done or failed): note what it changed. */
  noteChanges(catalog: Catalog): void {
    const undo = this.undo;
    if (!undo?.statementBefore) return;
    for (const k of changedObjects(undo.statementBefore, catalog.snapshotData())) {
      undo.touched.add(k);
      this.touchedLog.push(k);
    }
    undo.statementBefore = undefined;
  }

  context(ctx: SessionContext, sql: string): DdlContext {
    let txn: DdlContext['txn'];
    if (ctx.tx.state === 'block') {
      if (!this.undo) this.undo = { before: ctx.catalog.snapshotData(), created: [], dropLater: [], enumLabels: [], storage: [], touched: new Set() };
      const undo = this.undo;
      undo.statementBefore ??= ctx.catalog.snapshotData();
      // the savepoints before this statement: the catalog as it found it is theirs
      for (const m of this.marksWithoutImage.splice(0)) m.image = undo.statementBefore;
      txn = {
        created: (oid) => undo.created.push(oid), dropLater: (oid) => undo.dropLater.push(oid),
        addedEnumLabel: (oid) => {
          undo.enumLabels.push(oid);
          noteUncommittedEnumLabel(oid);
        },
      };
    }
    return {
      catalog: ctx.catalog, storage: ctx.engine.storage, notices: ctx.notices, searchPath: ctx.searchPath(), txn,
      temp: { get name() { return ctx.temp.name; }, ensure: () => ctx.temp.ensure(ctx.catalog), isOther: (schema) => ctx.temp.isOther(schema) },
      dropAfterSave: txn ? undefined : (oid) => this.autocommitDrops.push(oid),
      undoStorage: (undo) => (txn ? this.undo!.storage : this.autocommitUndo).push(undo),
      dataTxn: ctx.tx.state === 'block' ? ctx.tx.txn : undefined,
      inTransactionBlock: !ctx.tx.idle,
      bindQuery: (query) => bindViewColumns(ctx.binder([]), query),
      bindQueryPlan: (query) => bindViewQuery(ctx.binder([]), query),
      checkPolicyExpr: (table, expr) => policyText(bindPolicyExpression(ctx.binder([]), table, expr)),
      compileRowExpr: (expr, columns, type) => compileRowExpr(ctx, bindRowExpr(ctx.binder([]), expr, columns, type)),
      bindRowExpr: (expr, columns, type) => bindRowExpr(ctx.binder([]), expr, columns, type),
      // off (pg_dump's scripts turn it off): the body is parsed but not checked against the catalog
      checkFunctionBody: ctx.settings.get('check_function_bodies') === 'off' ? undefined : (def) => {
        try {
          bindFunctionBody(ctx.binder([]), def, true);
        } catch (e) {
          throw bodyErrorPosition(e, sql, def.body.sql);
        }
      },
      interrupted: ctx.control.signal(),
      indexBuild: ctx.indexBuild,
      access: {
        roles: ctx.engine.roles, role: ctx.currentRoleOid(), database: ctx.databaseName,
        sessionRole: ctx.engine.roles.find(ctx.settings.get('session_authorization') ?? '')?.oid ?? ctx.loginRoleOid,
      },
      checkCancelled: () => ctx.checkCancelled(),
      databases: {
        create: (name) => ctx.engine.createDatabase(name, ctx.currentRoleOid()),
        drop: (name, missingOk) => ctx.engine.dropDatabase(name, missingOk, ctx.databaseName),
      },
    };
  }

  /** Whether the open block changed the catalog or the roles (its COMMIT writes the catalog image). */
  get changesCatalog(): boolean {
    return this.undo !== undefined || this.rolesBefore !== undefined;
  }

  /**
   * The block ended: keep its DDL (committed) or undo it, then save the catalog — unless
   * `saved`: the COMMIT wrote the image with the block's rows already.
   */
  async finish(ctx: SessionContext, committed: boolean, saved = false): Promise<void> {
    const undo = this.undo;
    const roles = this.rolesBefore;
    this.rolesBefore = undefined;
    this.touchedLog = [];
    this.marksWithoutImage = [];
    this.marksWithoutRoles = [];
    if (roles && !committed) ctx.engine.roles.loadData(roles);
    if (!undo) {
      if (roles && !saved) await saveAfterBlock(ctx, committed);
      return;
    }
    this.undo = undefined;
    endUncommittedEnumLabels(undo.enumLabels);
    if (!committed) {
      this.noteChanges(ctx.catalog);
      ctx.catalog.loadData(undoObjects(undo.before, ctx.catalog.snapshotData(), undo.touched));
      ctx.catalog.version++;
      await runStorageUndo(undo.storage);
    }
    // the catalog first, then the storage: a crash in between leaves only storage that no
    // catalog entry names, which the next start removes
    if (!saved && !await saveAfterBlock(ctx, committed)) {
      for (const oid of undo.created) await ctx.engine.storage.dropTable(oid).catch(() => {});
      return;
    }
    for (const oid of committed ? undo.dropLater : undo.created) await ctx.engine.storage.dropTable(oid);
  }
}

/**
 * Save the catalog after a transaction block; false when a rollback found the disk full:
 * harmless, the image on disk never held the block's changes (open transactions' DDL is
 * left out of it), and storage the block created goes at the next start if not before.
 */
async function saveAfterBlock(ctx: SessionContext, committed: boolean): Promise<boolean> {
  try {
    await ctx.engine.saveCatalog();
    return true;
  } catch (e) {
    if (committed || !(e instanceof SqlError && e.code === SqlState.diskFull)) throw e;
    return false;
  }
}

/**
 * A policy expression as pg_get_expr prints it: from the analyzed expression (implicit casts
 * shown, `'x'::text`), as EXPLAIN prints filters; one with a subquery keeps its text as written.
 */
function policyText(e: Expr): string | undefined {
  let subquery = false;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall') subquery = true;
    return undefined;
  });
  return subquery ? undefined : deparse(e, { qualify: false, subplanNumber: () => 0 });
}

/** A bound expression over one row, ready to run in the session's current statement. */
function compileRowExpr(ctx: SessionContext, e: Expr): (row: Row) => Value {
  const compiled = compileExpr(e);
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  return (row) => compiled(row, env);
}

/**
 * Run one DDL statement (`sql` its text). catalogWrite: refused in a read-only transaction,
 * and the catalog is saved after it outside a block (then the storage of what it dropped is
 * freed). `fill`: CREATE TABLE AS's query, run with `params` (the statement's bind parameters).
 */
export async function runDdlStatement(ctx: SessionContext, stmt: BoundDdl, tag: string, catalogWrite: boolean, sql: string, fill?: Plan | DmlStatement, params: readonly Value[] = []): Promise<ExecResult> {
  if (catalogWrite) ctx.tx.checkWritable(tag);
  const before = catalogWrite && ctx.tx.idle ? ctx.catalog.snapshotData() : undefined;
  ctx.ddl.autocommitUndo.splice(0);
  let changed: Set<string> | undefined;
  try {
    let result: ExecResult;
    try {
      result = await runBound(ctx, stmt, tag, sql, fill, params);
    } finally {
      ctx.ddl.noteChanges(ctx.catalog);
    }
    if (catalogWrite && ctx.tx.idle) {
      // this statement's changes, taken before the save lets other sessions run
      if (before) changed = statementChanges(ctx, before);
      await ctx.engine.saveCatalog();
      ctx.ddl.autocommitUndo.splice(0);
      // the catalog first, then the storage (a crash in between leaves storage no entry names)
      for (const oid of ctx.ddl.autocommitDrops.splice(0)) await ctx.engine.storage.dropTable(oid);
    }
    return result;
  } catch (e) {
    // the catalog save found the disk full: the statement is undone, in memory as on disk
    if (before && e instanceof SqlError && e.code === SqlState.diskFull) await undoStatement(ctx, before, changed);
    ctx.ddl.autocommitUndo.splice(0);
    // a failed autocommit DROP: drop the storage of what did leave the catalog
    for (const oid of ctx.ddl.autocommitDrops.splice(0)) if (!ctx.catalog.tables.has(oid)) await ctx.engine.storage.dropTable(oid).catch(() => {});
    throw e;
  }
}

/** The keys (undo.ts) of the catalog objects that differ from `before` now. */
export function statementChanges(ctx: SessionContext, before: CatalogData): Set<string> {
  return new Set(changedObjects(before, ctx.catalog.snapshotData()));
}

/**
 * An autocommit statement whose catalog save was refused (53100) leaves nothing behind, as
 * its rollback would in PostgreSQL: every object it created, changed, renamed or dropped
 * (`changed`, by default what differs from `before` now) is put back as it was (sequences
 * keep their position), then the storage side (keys, indexes) and the storage of tables it
 * created. Before, only creations were undone: an ALTER, DROP or RENAME stayed in memory
 * while the image on disk did not have it.
 */
export async function undoStatement(ctx: SessionContext, before: CatalogData, changed = statementChanges(ctx, before)): Promise<void> {
  const existed = new Set(before.tables.map((t) => `t${t.oid}`));
  const created = [...changed].filter((k) => k.startsWith('t') && !existed.has(k)).map((k) => Number(k.slice(1)));
  ctx.catalog.loadData(undoObjects(before, ctx.catalog.snapshotData(), changed));
  ctx.catalog.version++;
  await runStorageUndo(ctx.ddl.autocommitUndo);
  for (const oid of created) await ctx.engine.storage.dropTable(oid).catch(() => {});
}

async function runBound(ctx: SessionContext, stmt: BoundDdl, tag: string, sql: string, fill: Plan | DmlStatement | undefined, params: readonly Value[]): Promise<ExecResult> {
  const outcome = await runDdl(ctx.ddl.context(ctx, sql), stmt);
  if (outcome.truncate) await truncateRows(ctx, outcome.truncate);
  if (stmt.kind === 'createTableAs') {
    const noRows = stmt.materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS';
    if (!outcome.created || !fill) return { kind: 'command', tag: noRows };
    return fillCreatedTable(ctx, outcome.created.oid, fill, params);
  }
  if (outcome.refresh) await replaceRows(ctx, outcome.refresh.view, outcome.refresh.previous, stmt.kind === 'refreshMaterializedView' && stmt.concurrently);
  return { kind: 'command', tag };
}

/**
 * REFRESH MATERIALIZED VIEW: its query bound again and run, its old rows deleted and the new
 * inserted in one transaction (the block's, or one of its own that commits them together).
 */
async function replaceRows(ctx: SessionContext, view: TableDef, previous: TableDef, concurrently: boolean): Promise<void> {
  const implicit = ctx.tx.idle;
  const storage = ctx.engine.storage;
  const txn = implicit ? storage.begin() : ctx.tx.txn!;
  try {
    const rows = view.unpopulated ? [] : await runViewQuery(ctx, view);
    if (concurrently) checkDistinctRows(view, rows);
    const old: number[] = [];
    for (const b of storage.scan(view.oid, storage.snapshot(), txn)) old.push(...b.rowIds);
    txn.delete(view.oid, old);
    if (rows.length) txn.insert(view.oid, rows);
    if (implicit) await txn.commit();
  } catch (err) {
    // a plain REFRESH builds the view's indexes anew (PostgreSQL's "could not create unique index")
    const e = concurrently ? err : indexBuildError(err, view.columns);
    if (implicit) {
      // outside a block the statement is atomic: the view stays as populated as it was
      txn.rollback();
      ctx.catalog.tables.set(view.oid, previous);
      ctx.catalog.version++;
    }
    throw e;
  }
}

async function runViewQuery(ctx: SessionContext, view: TableDef): Promise<Row[]> {
  const bound = ctx.binder([]).bindSelect((view.view!.ast as { SelectStmt: SelectStmt }).SelectStmt, null);
  const plan = optimize(bound, { catalog: ctx.catalog, costEnv: costEnvOf(ctx) });
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  return drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
}

/** CREATE TABLE … AS SELECT: the query's rows go into the new table (over data-modifying WITH queries, their writes in the same transaction). */
async function fillCreatedTable(ctx: SessionContext, tableOid: number, fill: Plan | DmlStatement, params: readonly Value[]): Promise<ExecResult> {
  const implicit = ctx.tx.idle;
  const txn = implicit ? ctx.engine.storage.begin() : ctx.tx.txn!;
  try {
    const writes = isDml(fill);
    const rc = ctx.runContext(writes ? txn : ctx.tx.txn);
    const env = ctx.execEnv(params, rc);
    const rows = writes ? (await runDml(fill, rc, env, txn)).returned ?? [] : await drainAll(runPlan(fill, rc, env), env.checkCancel, rc.slice);
    if (rows.length) txn.insert(tableOid, rows);
    if (implicit) await txn.commit();
    return { kind: 'command', tag: `SELECT ${rows.length}` };
  } catch (e) {
    if (implicit) {
      // outside a block the statement is atomic: no table without its rows
      txn.rollback();
      ctx.catalog.dropTable(tableOid);
      await ctx.engine.storage.dropTable(tableOid);
    }
    throw e;
  }
}

function isDml(fill: Plan | DmlStatement): fill is DmlStatement {
  return 'with' in fill && fill.kind === 'select';
}

/** An error inside an `AS '…'` body points into the CREATE FUNCTION statement, as in PostgreSQL. */
function bodyErrorPosition(e: unknown, statement: string, body: string | undefined): unknown {
  if (!(e instanceof SqlError) || e.fields.position === undefined || body === undefined) return e;
  const at = statement.indexOf(body);
  return at < 0 ? e : new SqlError(e.code, e.message, { ...e.fields, position: e.fields.position + at });
}
