/**
 * Prepared statements: parse and bind once (Parse / the simple query's first step), bind
 * again at execution if the catalog changed since (a cached plan must not outlive the
 * tables it names).
 */
import { declaredParamType, setTypeScope } from '../types/user-types.js';
import { SqlError, SqlState } from '../errors.js';
import { optimize } from '../planner/optimize.js';
import { plannerSettings, type CostEnv } from '../planner/cost.js';
import { parseSql, type RawStatement } from '../sql/parser.js';
import { bindStatement, emptyStatement, endsTransactionBlock, type BoundKind, type BoundStatement } from '../sql/statement.js';
import { OID, T, sqlType, type Value } from '../types/types.js';
import { paramsAsConstants } from '../sql/bind-params-as-constants.js';
import type { FieldInfo, PreparedStatement } from '../wire/backend.js';
import type { Access, SelectBinder } from '../sql/bind-select.js';
import type { SessionContext } from './context.js';
import { showFields } from './utility.js';
import { builtinCallAccesses } from './builtin-call-access.js';
import { resolveTempNames } from '../sql/temp-names.js';

export interface QuiverStatement extends PreparedStatement {
  /** the parsed statement (null: an empty query) */
  readonly raw: RawStatement | null;
  /** the query text the client sent */
  readonly text: string;
  readonly bound: BoundStatement;
  /** the catalog version it was bound against */
  readonly catalogVersion: number;
  /** the tables it reads and writes: privileges checked at each execution (table-access.ts) */
  readonly access?: readonly Access[];
  /**
   * it reads or writes a table with row-level security: the policies applied depend on who
   * runs it, so it is bound again when current_user or row_security differ from these
   * (PostgreSQL's plan cache: rewriteRoleId, rewriteRowSecurity)
   */
  readonly rowSecurity?: { readonly role: number; readonly enabled: boolean };
  /** the search path its names were resolved with: bound again under another (PostgreSQL's plan cache does so too) */
  readonly searchPath?: string;
}

export const inFailedTransaction = (): SqlError =>
  new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');

export function prepareStatement(ctx: SessionContext, sql: string, paramTypes: readonly number[]): QuiverStatement {
  const stmts = parseSql(sql);
  if (ctx.tx.state === 'failed' && stmts.length === 1 && !endsTransactionBlock(stmts[0])) throw inFailedTransaction();
  if (stmts.length === 0) {
    return { raw: null, text: sql, bound: emptyStatement(), paramTypes: [], fields: null, catalogVersion: ctx.catalog.version };
  }
  if (stmts.length > 1) {
    throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
  }
  return bindPrepared(ctx, stmts[0], sql, [...paramTypes]);
}

/** PREPARE's statement: bound like a Parse of its text, over the declared $n types. */
export function prepareParsed(ctx: SessionContext, raw: RawStatement, paramTypes: readonly number[]): QuiverStatement {
  if ('PrepareStmt' in raw.node) throw new SqlError(SqlState.syntaxError, 'syntax error at or near "PREPARE"');
  return bindPrepared(ctx, raw, raw.text, [...paramTypes]);
}

function bindPrepared(ctx: SessionContext, raw: RawStatement, text: string, paramTypes: number[]): QuiverStatement {
  const catalogVersion = ctx.catalog.version;
  const catalog = ctx.catalog;
  let binder: SelectBinder | undefined;
  // pg_temp means this session's temporary schema as of this binding (the raw tree is kept as written)
  const temp = { own: ctx.temp.name, isOther: (s: string) => ctx.temp.isOther(s), tableExists: (s: string, n: string) => catalog.findTable(s, n) !== undefined };
  setTypeScope(catalog.name, ctx.searchPath(), (s) => catalog.schemaExists(s));
  const bound = bindStatement(resolveTempNames(raw, temp), { binder: () => (binder ??= ctx.binder(paramTypes)), optimize: (plan) => optimize(plan, { catalog, costEnv: costEnvOf(ctx) }), queryText: text });
  // binding inferred the $n types the client left open (0); any still unknown are text
  const resolved = paramTypes.map((t) => (t === 0 || t === OID.unknown ? OID.text : t));
  return {
    raw, text, bound, paramTypes: resolved, fields: fieldsOf(ctx, bound), catalogVersion, access: [...binder?.accessed ?? [], ...builtinCallAccesses(bound, catalog)], searchPath: ctx.searchPath().join(','),
    ...(binder?.rowSecurityDependent ? { rowSecurity: rowSecurityKey(ctx) } : {}),
  };
}

/**
 * PostgreSQL's custom plan of a prepared statement: the statement bound again with its
 * parameters' values as constants (sql/bind-params-as-constants.ts). Undefined when it has
 * no parameters or no parse tree to bind again, or a parameter's type has no name.
 */
export function customPlanOf(ctx: SessionContext, stmt: QuiverStatement, values: readonly Value[]): QuiverStatement | undefined {
  if (values.length === 0 || !stmt.raw || !REBOUND.has(stmt.bound.kind)) return undefined;
  const node = paramsAsConstants(stmt.raw.node, values, stmt.paramTypes.map(declaredParamType));
  return node && bindPrepared(ctx, { ...stmt.raw, node }, stmt.text, []);
}

/**
 * plan_cache_mode's choice for this execution (choose_custom_plan): force_generic_plan never,
 * force_custom_plan always, auto for the first five executions — PostgreSQL then keeps the
 * generic plan unless it costs more than the custom ones plus their planning, which for
 * the statements here it does not.
 */
export function wantsCustomPlan(ctx: SessionContext, executionsBefore: number): boolean {
  const mode = ctx.settings.get('plan_cache_mode');
  return mode === 'force_custom_plan' || (mode !== 'force_generic_plan' && executionsBefore < 5);
}

/** What the cost model reads from the session: live rows per table, the enable_* settings. */
export function costEnvOf(ctx: SessionContext): CostEnv {
  const storage = ctx.engine.storage;
  // while a statement is prepared for the session's cache, the counts it was planned with are noted
  const reads = ctx.planReads;
  const rowCount = reads ? (oid: number) => { const n = storage.rowCount(oid); reads.rowCounts.set(oid, n); return n; } : (oid: number) => storage.rowCount(oid);
  const columnEnds = storage.columnEnds ? (oid: number, column: number) => storage.columnEnds!(oid, column) : undefined;
  return { rowCount, columnEnds, settings: plannerSettings((name) => ctx.settings.get(name)) };
}

function rowSecurityKey(ctx: SessionContext): { role: number; enabled: boolean } {
  return { role: ctx.currentRoleOid(), enabled: ctx.settings.get('row_security') !== 'off' };
}

function rowSecurityChanged(ctx: SessionContext, stmt: QuiverStatement): boolean {
  if (!stmt.rowSecurity) return false;
  const now = rowSecurityKey(ctx);
  return now.role !== stmt.rowSecurity.role || now.enabled !== stmt.rowSecurity.enabled;
}

/** statements whose binding looked tables up: bound again when the catalog changed */
const REBOUND: ReadonlySet<BoundKind> = new Set(['select', 'dml', 'explain', 'declare', 'copy']);

/** The statement bound against the current catalog; its result columns must not have changed. */
export function rebindIfStale(ctx: SessionContext, stmt: QuiverStatement): QuiverStatement {
  const samePath = stmt.searchPath === undefined || stmt.searchPath === ctx.searchPath().join(',');
  if ((stmt.catalogVersion === ctx.catalog.version && samePath && !rowSecurityChanged(ctx, stmt)) || !REBOUND.has(stmt.bound.kind) || !stmt.raw) return stmt;
  const rebound = bindPrepared(ctx, stmt.raw, stmt.text, [...stmt.paramTypes]);
  if (JSON.stringify(rebound.fields?.map((f) => f.type)) !== JSON.stringify(stmt.fields?.map((f) => f.type))) {
    throw new SqlError('0A000', 'cached plan must not change result type');
  }
  return rebound;
}

function fieldsOf(ctx: SessionContext, bound: BoundStatement): FieldInfo[] | null {
  const fromSchema = (schema: readonly { name: string; type: { oid: number; typmod: number }; tableOid: number; attnum: number }[]) =>
    schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
  switch (bound.kind) {
    case 'select': return fromSchema(bound.plan.schema);
    case 'dml': return bound.stmt.returning ? fromSchema(bound.stmt.returning.schema) : null;
    case 'explain':
    case 'explainExecute': return [explainField(bound.flags.format)];
    case 'fetch': return bound.move ? null : ctx.cursors.fields(bound.portal) ?? null;
    case 'show': return showFields(bound.name);
    // EXECUTE answers with its prepared statement's columns
    case 'execute': { const f = ctx.sqlPrepared.peek(bound.name)?.statement.fields; return f ? [...f] : null; }
    default: return null;
  }
}

/**
 * EXPLAIN's one column (ExplainResultDesc): `json` for FORMAT JSON, so drivers parse it as
 * they do PostgreSQL's; text otherwise (FORMAT XML is PostgreSQL's xml, a type Quiver lacks).
 */
export function explainField(format: 'text' | 'json' | 'yaml' | 'xml'): FieldInfo {
  return { name: 'QUERY PLAN', type: format === 'json' ? T.json : T.text, tableOid: 0, columnAttr: 0 };
}
