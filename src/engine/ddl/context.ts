/**
 * What every DDL module works with: the catalog, the storage, the session's state, and the
 * few hooks into the binder the engine's DDL needs (views, expressions, function bodies).
 * DDL takes effect at once; inside a transaction block the session undoes it on ROLLBACK
 * (undo.ts) and drops storage only at COMMIT.
 */
import { SqlError, SqlState, type SqlNotice } from '../../errors.js';
import { isSystemSchema, isTempSchema } from '../../catalog/schemas.js';
import type { Catalog, IndexDef, SequenceDef, SqlFunctionDef, TableDef } from '../../catalog/catalog.js';
import type { Storage, Transaction } from '../../storage/api.js';
import type { Row, SqlType, Value } from '../../types/types.js';
import type { BoundView, ParsedExpr, QualifiedName } from '../../sql/ddl/index.js';
import type { DdlAccess } from './privileges.js';
import type { Expr, Plan } from '../../planner/plan.js';
import type { IndexBuildProgress } from '../index-build-progress.js';
import type { StorageUndo } from './storage-undo.js';

export interface DdlContext {
  readonly catalog: Catalog;
  readonly storage: Storage;
  readonly notices: SqlNotice[];
  readonly searchPath: readonly string[];
  /** the session's temporary schema: made on first use (absent: no temporary objects, e.g. a schema element) */
  readonly temp?: { readonly name: string | undefined; ensure(): string; isOther(schema: string | undefined): boolean };
  /** inside a transaction block: storage drops wait for COMMIT, creations are undone on ROLLBACK */
  readonly txn?: {
    dropLater(tableOid: number): void; created(tableOid: number): void;
    /** ALTER TYPE … ADD VALUE's label: unsafe to use until the block commits */
    addedEnumLabel(labelOid: number): void;
  };
  /**
   * Record what takes back a storage change beside the catalog (a key, a vector or text
   * index): run if the statement's catalog change is undone (see storage-undo.ts)
   */
  readonly undoStorage?: (undo: StorageUndo) => void;
  /** autocommit: drop a table's storage once the catalog without it is saved */
  readonly dropAfterSave?: (tableOid: number) => void;
  /** the session's open transaction block (ALTER TABLE reads and rewrites rows through it) */
  readonly dataTxn?: Transaction;
  /** inside a transaction block (CREATE / DROP DATABASE refuse to run there) */
  readonly inTransactionBlock?: boolean;
  /** bind a SELECT (CREATE VIEW): its output columns */
  readonly bindQuery?: (query: ParsedExpr) => readonly { name: string; type: SqlType }[];
  /** a view's query bound as a plan, unoptimized (pg_get_viewdef's text is printed from it), with the relations and columns it reads */
  readonly bindQueryPlan?: (query: ParsedExpr) => BoundView | undefined;
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
  readonly bindRowExpr?: (expr: ParsedExpr, columns: readonly { name: string; type: SqlType }[], type: SqlType | undefined) => Expr;
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

/**
 * The schema a new object goes to: the one named, which must exist, or the first schema of
 * the search path (the system schemas aside), as RangeVarGetCreationNamespace chooses.
 */
export function creationSchema(ctx: Pick<DdlContext, 'catalog' | 'searchPath'>, schema: string | undefined, position?: number): string {
  const at = position === undefined ? {} : { position };
  if (schema) {
    if (!ctx.catalog.schemaExists(schema)) throw new SqlError('3F000', `schema "${schema}" does not exist`, at);
    return schema;
  }
  // the temporary schema only when CREATE TEMP (or pg_temp.name) asks for it
  const first = ctx.searchPath.find((s) => !isSystemSchema(s) && !isTempSchema(s));
  if (!first) throw new SqlError('3F000', 'no schema has been selected to create in', at);
  return first;
}

/**
 * Where CREATE [TEMP] TABLE | VIEW | SEQUENCE puts a relation, and whether it is temporary
 * (RangeVarAdjustRelationPersistence): TEMP, or a name qualified with pg_temp or the
 * session's pg_temp_N, makes it in the session's temporary schema.
 */
export function relationCreation(ctx: Pick<DdlContext, 'catalog' | 'searchPath' | 'temp'>, rel: QualifiedName, temporary: boolean, position?: number): { schema: string; temporary: boolean } {
  const at = position === undefined ? {} : { position };
  const own = ctx.temp?.name;
  if (ctx.temp?.isOther(rel.schema)) throw new SqlError(SqlState.invalidTableDefinition, 'cannot create relations in temporary schemas of other sessions', at);
  const temp = temporary || rel.schema === 'pg_temp' || (rel.schema !== undefined && rel.schema === own);
  if (!temp) return { schema: creationSchema(ctx, rel.schema, position), temporary: false };
  if (rel.schema !== undefined && rel.schema !== 'pg_temp' && rel.schema !== own) {
    throw new SqlError(SqlState.invalidTableDefinition, 'cannot create temporary relation in non-temporary schema', at);
  }
  if (!ctx.temp) throw new SqlError(SqlState.featureNotSupported, 'temporary relations cannot be created here', at);
  return { schema: ctx.temp.ensure(), temporary: true };
}

type NameScope = Pick<DdlContext, 'catalog' | 'searchPath'>;

/** What `lookup` finds for a name as written: in its schema, or in the first schema of the search path that has one. */
function onSearchPath<T>(ctx: NameScope, rel: QualifiedName, lookup: (schema: string, name: string) => T | undefined): T | undefined {
  if (rel.schema) return lookup(rel.schema, rel.name);
  for (const s of ctx.searchPath) {
    const found = lookup(s, rel.name);
    if (found) return found;
  }
  return undefined;
}

/** A table or view by its name as written. */
export function findTable(ctx: NameScope, rel: QualifiedName): TableDef | undefined {
  return onSearchPath(ctx, rel, (s, n) => ctx.catalog.findTable(s, n));
}

/** A sequence by its name as written. */
export function findSequence(ctx: NameScope, rel: QualifiedName): SequenceDef | undefined {
  return onSearchPath(ctx, rel, (s, n) => ctx.catalog.findSequence(s, n));
}

/** An index by its name as written. */
export function findIndex(ctx: NameScope, rel: QualifiedName): IndexDef | undefined {
  return onSearchPath(ctx, rel, (s, n) => ctx.catalog.findIndex(s, n));
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
