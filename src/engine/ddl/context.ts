/**
 * What every DDL module works with: the catalog, the storage, the session's state, and the
 * few hooks into the binder the engine's DDL needs (views, expressions, function bodies).
 * DDL takes effect at once; inside a transaction block the session undoes it on ROLLBACK
 * (undo.ts) and drops storage only at COMMIT.
 */
import { SqlError, SqlState, type SqlNotice } from '../../errors.js';
import type { Catalog, SqlFunctionDef, TableDef } from '../../catalog/catalog.js';
import type { Storage, Transaction } from '../../storage/api.js';
import type { Row, SqlType, Value } from '../../types/types.js';
import type { ParsedExpr, QualifiedName } from '../../sql/ddl/index.js';
import type { DdlAccess } from './privileges.js';
import type { Expr } from '../../planner/plan.js';
import type { IndexBuildProgress } from '../index-build-progress.js';

export interface DdlContext {
  readonly catalog: Catalog;
  readonly storage: Storage;
  readonly notices: SqlNotice[];
  readonly searchPath: readonly string[];
  /** inside a transaction block: storage drops wait for COMMIT, creations are undone on ROLLBACK */
  readonly txn?: { dropLater(tableOid: number): void; created(tableOid: number): void };
  /** autocommit: drop a table's storage once the catalog without it is saved */
  readonly dropAfterSave?: (tableOid: number) => void;
  /** the session's open transaction block (ALTER TABLE reads and rewrites rows through it) */
  readonly dataTxn?: Transaction;
  /** inside a transaction block (CREATE / DROP DATABASE refuse to run there) */
  readonly inTransactionBlock?: boolean;
  /** bind a SELECT (CREATE VIEW): its output columns */
  readonly bindQuery?: (query: ParsedExpr) => readonly { name: string; type: SqlType }[];
  /**
   * Bind and compile an expression over a row with the given columns, cast (assignment
   * context) to `type`: DEFAULT values for existing rows, USING, CHECK.
   */
  readonly compileRowExpr?: (expr: ParsedExpr, columns: readonly { name: string; type: SqlType }[], type: SqlType) => (row: Row) => Value;
  /**
   * CREATE / ALTER POLICY: the expression must bind over the table's row as boolean; returns
   * its text as pg_get_expr prints the analyzed expression (undefined: keep the parser's text)
   */
  readonly checkPolicyExpr?: (table: TableDef, expr: ParsedExpr) => string | undefined;
  /** Bind an expression over a row with the given columns (a partial index's WHERE) */
  readonly bindRowExpr?: (expr: ParsedExpr, columns: readonly { name: string; type: SqlType }[], type: SqlType) => Expr;
  /** CREATE FUNCTION: the body must bind (PostgreSQL's check_function_bodies) */
  readonly checkFunctionBody?: (def: SqlFunctionDef) => void;
  /** aborted when the statement is cancelled or times out (CREATE INDEX's build waits on it) */
  readonly interrupted?: AbortSignal;
  /** the session's pg_stat_progress_create_index row (CREATE INDEX, REINDEX) */
  readonly indexBuild?: IndexBuildProgress;
  /** throws the statement's 57014 once it was cancelled or timed out */
  readonly checkCancelled?: () => void;
  /** the roles and who runs the statement: ownership and privilege checks (absent: none) */
  readonly access?: DdlAccess;
  /** CREATE / DROP DATABASE (the server's list of databases) */
  readonly databases?: {
    create(name: string): Promise<void>;
    /** false when it did not exist */
    drop(name: string, missingOk: boolean): Promise<boolean>;
  };
}

export function notice(ctx: Pick<DdlContext, 'notices'>, message: string, code = '00000'): void {
  ctx.notices.push({ severity: 'NOTICE', code, message });
}

/** Remove a table's storage: at COMMIT in a block, after the catalog is saved otherwise. */
export async function dropStorage(ctx: DdlContext, oid: number): Promise<void> {
  if (ctx.txn) ctx.txn.dropLater(oid);
  else if (ctx.dropAfterSave) ctx.dropAfterSave(oid);
  else await ctx.storage.dropTable(oid);
}

/** The schema a new relation goes to (Quiver has one user schema: public). */
export function creationSchema(ctx: DdlContext, schema: string | undefined): string {
  if (schema) {
    if (schema !== 'public') throw new SqlError('3F000', `schema "${schema}" does not exist`);
    return schema;
  }
  return ctx.searchPath.find((s) => s === 'public') ?? 'public';
}

export function findTable(ctx: DdlContext, rel: QualifiedName): TableDef | undefined {
  if (rel.schema) return ctx.catalog.findTable(rel.schema, rel.name);
  for (const s of ctx.searchPath) {
    const t = ctx.catalog.findTable(s, rel.name);
    if (t) return t;
  }
  return undefined;
}

export function mustFindTable(ctx: DdlContext, rel: QualifiedName): TableDef {
  const t = findTable(ctx, rel);
  if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${rel.name}" does not exist`);
  return t;
}

/** CREATE … when the name is taken: with IF NOT EXISTS a NOTICE and false (skip), else the error. */
export function relationNameFree(ctx: DdlContext, schema: string, name: string, ifNotExists: boolean): boolean {
  if (!ctx.catalog.relationNameTaken(schema, name)) return true;
  if (ifNotExists) {
    notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
    return false;
  }
  throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
}
