/**
 * Utility commands: SET / RESET / SHOW, VACUUM and ANALYZE, DISCARD, and TRUNCATE's
 * removal of the rows (ddl.ts checks and resolves its tables).
 */
import { currentHeap, recordVacuumed } from './relation-size.js';
import { analyzableTables, analyzeTables } from './analyze.js';
import { SqlError, SqlState } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';
import { leafPartitions } from '../catalog/partitions.js';
import type { BoundSet, BoundStatement } from '../sql/statement.js';
import { T } from '../types/types.js';
import type { ExecResult, FieldInfo } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { checkSettable, normalizeSetting, settingDef } from './settings.js';
import { checkSessionAuthorization, checkSetRole, syncIsSuperuser } from './session-roles.js';

export function runSet(ctx: SessionContext, stmt: BoundSet): void {
  const { settings, tx } = ctx;
  if ('isLocal' in stmt && stmt.isLocal && !tx.inBlock) {
    // PostgreSQL's WarnNoTransactionBlock; outside any transaction the value would end with the statement
    ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'SET LOCAL can only be used in transaction blocks' });
    if (tx.idle) return;
  }
  if ((stmt.action === 'value' || stmt.action === 'reset') && (stmt.name === 'role' || stmt.name === 'session_authorization')) {
    runSetRole(ctx, stmt.name, stmt.action === 'value' ? stmt.value : undefined, stmt.isLocal);
    return;
  }
  try {
    runSetting(ctx, stmt);
  } finally {
    if (stmt.action === 'resetAll') syncIsSuperuser(ctx.engine, settings);
  }
}

/** SET ROLE / SET SESSION AUTHORIZATION (value undefined: RESET); the latter also ends SET ROLE. */
function runSetRole(ctx: SessionContext, name: 'role' | 'session_authorization', value: string | undefined, isLocal: boolean): void {
  const { settings, tx } = ctx;
  if (name === 'role') {
    settings.set('role', value === undefined ? 'none' : checkSetRole(ctx.engine, settings, value), isLocal);
  } else {
    const role = value === undefined ? settings.resetValue('session_authorization') : checkSessionAuthorization(ctx.engine, ctx.loginRoleOid, value);
    settings.set('session_authorization', role, isLocal);
    settings.set('role', 'none', isLocal);
  }
  syncIsSuperuser(ctx.engine, settings);
}

function runSetting(ctx: SessionContext, stmt: BoundSet): void {
  const { settings, tx } = ctx;
  switch (stmt.action) {
    case 'resetAll':
      settings.resetAll(stmt.isLocal);
      return;
    case 'transaction':
      if (!tx.idle) tx.applyOptions(stmt.options, settings);
      return;
    case 'snapshot':
      tx.importSnapshot(ctx.engine.storage, settings, ctx.engine.exportedSnapshots, stmt.id);
      return;
    case 'ignored':
      return;
    case 'reset': {
      const key = checkSettable(stmt.name);
      settings.set(key, settings.resetValue(key), stmt.isLocal);
      return;
    }
    case 'value':
      if (stmt.name.toLowerCase() === 'transaction_read_only') {
        // the block's mode, as SET TRANSACTION READ ONLY / READ WRITE (check_transaction_read_only)
        const readOnly = normalizeSetting('transaction_read_only', stmt.value) === 'on';
        if (!readOnly) tx.checkReadWrite();
        settings.set(stmt.name, stmt.value, stmt.isLocal);
        if (!tx.idle) tx.readOnly = readOnly;
        return;
      }
      settings.set(stmt.name, stmt.value, stmt.isLocal);
  }
}

/** SHOW name / SHOW ALL */
export function runShow(ctx: SessionContext, name: string, fields: readonly FieldInfo[]): ExecResult {
  const key = name.toLowerCase();
  if (key === 'all') {
    const rows = ctx.settings.all().map((s) => [s.name, s.value, s.description]);
    return { kind: 'rows', fields, rows, tag: 'SHOW' };
  }
  const mapped = key === 'transaction isolation level' ? 'transaction_isolation' : key === 'time zone' ? 'timezone' : key;
  const value = ctx.settings.get(mapped);
  if (value === undefined) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
  return { kind: 'rows', fields, rows: [[value]], tag: 'SHOW' };
}

/** SHOW's columns: name, setting, description for ALL, else one named as PostgreSQL names it */
export function showFields(name: string): FieldInfo[] {
  const column = (c: string): FieldInfo => ({ name: c, type: T.text, tableOid: 0, columnAttr: 0 });
  if (name === 'all') return ['name', 'setting', 'description'].map(column);
  return [column(showColumnName(name))];
}

function showColumnName(name: string): string {
  const key = name.toLowerCase();
  if (key === 'transaction isolation level') return 'transaction_isolation';
  if (key === 'time zone') return 'TimeZone';
  return settingDef(key)?.name ?? key;
}

/**
 * VACUUM [table, …]: compaction of sealed segments (drops deleted rows). ANALYZE (and
 * VACUUM ANALYZE) then gathers each table's statistics (analyze.ts). ANALYZE compacts as
 * well outside a transaction block, as it always has here (the benchmark's ANALYZE after a
 * load relies on it); inside one it only gathers statistics, as in PostgreSQL.
 */
export async function runVacuum(ctx: SessionContext, stmt: Extract<BoundStatement, { kind: 'vacuum' }>): Promise<void> {
  // VACUUM cannot run in a transaction block; ANALYZE can (it then only gathers statistics)
  const inBlock = !ctx.tx.idle;
  if (inBlock && stmt.vacuum) throw new SqlError(SqlState.activeSqlTransaction, `${stmt.tag} cannot run inside a transaction block`);
  const storage = ctx.engine.storage;
  const tables = stmt.relations.map((rv) => {
    const t = ctx.binder([]).lookupTable(rv.schema, rv.name);
    if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${rv.name}" does not exist`);
    return t;
  });
  if (!inBlock) {
    if (tables.length === 0) await storage.vacuum();
    for (const t of tables) for (const leaf of leafPartitions(ctx.catalog, t)) await storage.vacuum(leaf.oid);
    // as PostgreSQL's VACUUM sets the visibility map (an ANALYZE, which compacts here too, keeps the last count)
    if (stmt.vacuum) {
      const vacuumed = (tables.length ? tables : analyzableTables(ctx.catalog).filter((t) => !ctx.temp.isOther(t.schema))).flatMap((t) => leafPartitions(ctx.catalog, t));
      for (const leaf of vacuumed) {
        leaf.allVisibleRows = await storage.allVisibleRows(leaf.oid, () => ctx.checkCancelled());
        recordVacuumed(ctx.catalog, leaf, await currentHeap(ctx.catalog, storage, leaf));
        ctx.catalog.statsVersion++;
      }
      if (!stmt.analyze) await ctx.engine.saveCatalog();
    }
  }
  if (stmt.analyze) {
    // a database-wide ANALYZE skips other sessions' temporary tables, as PostgreSQL's does
    const all = () => analyzableTables(ctx.catalog).filter((t) => !ctx.temp.isOther(t.schema));
    await analyzeTables(ctx.catalog, storage, tables.length ? tables : all(), () => ctx.checkCancelled(), false, ctx.tx.txn);
    await ctx.engine.saveCatalog();
  }
}

/** DISCARD ALL closes the cursors; the other DISCARDs have nothing to drop */
export function runDiscard(ctx: SessionContext, all: boolean, sequences = all): void {
  if (sequences) ctx.sequenceValues.reset();
  if (all) {
    ctx.cursors.clear();
    ctx.sqlPrepared.remove(undefined);
  }
}

/** TRUNCATE: delete every row of these tables, in the open block or in a transaction of its own. */
export async function truncateRows(ctx: SessionContext, tables: readonly TableDef[]): Promise<void> {
  const storage = ctx.engine.storage;
  const implicit = ctx.tx.idle;
  const txn = implicit ? storage.begin() : ctx.tx.txn!;
  for (const t of tables) {
    const ids: number[] = [];
    for (const b of storage.scan(t.oid, storage.snapshot(), txn)) ids.push(...b.rowIds);
    txn.delete(t.oid, ids);
  }
  if (implicit) await txn.commit();
}
