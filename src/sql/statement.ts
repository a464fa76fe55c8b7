/**
 * One parsed statement → one kind-tagged bound statement, the only shape the engine runs.
 * Queries arrive as plans, utility statements with their options read out of the parse
 * tree, each with the command tag PostgreSQL reports; DDL as the typed nodes of
 * src/sql/ddl (bindDdl).
 */
import type {
  ClosePortalStmt, CopyStmt, DeclareCursorStmt, DiscardStmt, ExecuteStmt, ExplainStmt, FetchStmt, Node, PrepareStmt, SelectStmt, TransactionStmt,
  VacuumStmt, VariableSetStmt,
} from '@pgsql/types';
import { SqlError, SqlState, toSqlError } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';
import { rangeTableSizes, type DomainConstraints, type Expr, type Plan } from '../planner/plan.js';
import { explainFlags, type ExplainFlags } from './explain-options.js';
import { formatRecordOutputs, type SelectBinder } from './bind-select.js';
import { bindChecks, bindDelete, bindGenerated, bindInsert, bindUpdate, defaultExprFor, type BoundCheck, type DmlStatement } from './bind-dml.js';
import { copyOptions, copyTarget, type CopyOptions } from './bind-copy.js';
import { bindMerge, checkMergeSyntax } from './bind-merge.js';
import { hasModifyingWith, topLevelDml, topLevelSelect } from './modifying-with.js';
import type { RawStatement } from './parser.js';
import { bindCreateMaterializedView, bindCreateTableAs, bindDdl, type BoundDdl } from './ddl/index.js';
import { bindAlterDefaultPrivileges, bindAlterOwner, bindAlterRole, bindCreateRole, bindDropOwned, bindDropRole, bindGrant, bindGrantRole, bindReassignOwned, roleRef, type RoleRef, type RoleStatement } from './bind-role.js';

/** BEGIN / SET TRANSACTION options; absent = not given */
export interface TransactionOptions {
  readonly readOnly?: boolean;
  readonly isolation?: string;
}

export type TransactionAction = 'begin' | 'start' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo' | 'prepare' | 'commitPrepared' | 'rollbackPrepared' | 'unsupported';

export type BoundCopy =
  /** `dml`: COPY (INSERT / UPDATE / DELETE … RETURNING, or a query over data-modifying WITH) TO: its rows are what it returns, `plan` its source */
  | { kind: 'copy'; direction: 'to'; plan: Plan; dml?: DmlStatement; options: CopyOptions; tag: string }
  | {
    kind: 'copy'; direction: 'from'; table: TableDef; columns: readonly number[]; options: CopyOptions; tag: string;
    /** the table's other columns, filled from their DEFAULT */
    defaults: readonly { column: number; expr: Expr }[];
    checks: readonly BoundCheck[];
    /** the given columns of a domain: each value is checked as domain_in checks it */
    domains: readonly { column: number; constraints: DomainConstraints }[];
  };

export type BoundSet =
  | { kind: 'set'; action: 'value'; name: string; value: string; isLocal: boolean; tag: string }
  /** RESET name / SET name TO DEFAULT */
  | { kind: 'set'; action: 'reset'; name: string; isLocal: boolean; tag: string }
  | { kind: 'set'; action: 'resetAll'; isLocal: boolean; tag: string }
  /** SET TRANSACTION … */
  | { kind: 'set'; action: 'transaction'; options: TransactionOptions; tag: string }
  /** SET TRANSACTION SNAPSHOT 'id' */
  | { kind: 'set'; action: 'snapshot'; id: string; tag: string }
  /** SET SESSION CHARACTERISTICS AS TRANSACTION …: accepted, no effect */
  | { kind: 'set'; action: 'ignored'; tag: string };

export type BoundStatement =
  | { kind: 'empty'; tag: '' }
  | { kind: 'select'; plan: Plan; tag: 'SELECT' }
  | { kind: 'dml'; stmt: DmlStatement; tag: string }
  | { kind: 'explain'; plan: Plan; dml: DmlStatement | null; analyze: boolean; verbose: boolean; flags: ExplainFlags; planningMs: number; tag: 'EXPLAIN' }
  /** EXPLAIN [options] EXECUTE name [(parameters)]: the prepared statement is looked up when it runs */
  | { kind: 'explainExecute'; name: string; params: readonly Node[]; flags: ExplainFlags; tag: 'EXPLAIN' }
  /** DECLARE name CURSOR … FOR query: the query is bound (with its $n) at prepare time */
  | { kind: 'declare'; name: string; plan: Plan; hold: boolean; statement: string; options: number; tag: 'DECLARE CURSOR' }
  | { kind: 'fetch'; portal: string; direction: NonNullable<FetchStmt['direction']>; howMany: number; move: boolean; tag: string }
  /** CLOSE name / CLOSE ALL (portal undefined) */
  | { kind: 'closePortal'; portal: string | undefined; tag: string }
  | {
    kind: 'transaction'; action: TransactionAction; savepoint: string; options: TransactionOptions; tag: string;
    /** PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED: the global transaction identifier */
    gid: string;
    /** allowed in a failed transaction block (COMMIT, ROLLBACK, ROLLBACK TO, PREPARE TRANSACTION) */
    endsBlock: boolean;
    /** the parser's name of an unsupported action, for its error */
    what: string;
  }
  | BoundSet
  | { kind: 'show'; name: string; tag: 'SHOW' }
  | BoundCopy
  /** VACUUM / ANALYZE [table, …] (vacuum false: ANALYZE) */
  /** VACUUM [(ANALYZE)] / ANALYZE: `vacuum` compacts, `analyze` gathers statistics */
  | { kind: 'vacuum'; vacuum: boolean; analyze: boolean; relations: readonly { schema: string | undefined; name: string }[]; tag: string }
  | { kind: 'discard'; all: boolean; tag: string }
  /** PREPARE name [(types)] AS statement: the statement is bound when PREPARE runs, over these $n types */
  | { kind: 'prepare'; name: string; argTypes: readonly Node[]; query: RawStatement; tag: 'PREPARE' }
  /** EXECUTE name [(parameters)]: the parameters are expressions, bound against the prepared $n types */
  | { kind: 'execute'; name: string; params: readonly Node[]; tag: 'EXECUTE' }
  /** DEALLOCATE [PREPARE] name / DEALLOCATE ALL (name undefined) */
  | { kind: 'deallocate'; name: string | undefined; tag: string }
  /** LISTEN channel / UNLISTEN channel | * (channel undefined) / NOTIFY channel [, 'payload'] */
  | { kind: 'listen'; channel: string; tag: 'LISTEN' }
  | { kind: 'unlisten'; channel: string | undefined; tag: 'UNLISTEN' }
  | { kind: 'notify'; channel: string; payload: string | null; tag: 'NOTIFY' }
  /** CREATE / ALTER / DROP ROLE, GRANT / REVOKE (engine/role-statements) */
  | { kind: 'role'; stmt: RoleStatement; tag: string }
  /** accepted and ignored: CHECKPOINT (every commit is durable already), LOCK, … */
  | { kind: 'noop'; tag: string }
  /** LOCK TABLE: locks nothing (writers do not block readers here), but checks as PostgreSQL does */
  | { kind: 'lockTable'; relations: readonly { schema: string | undefined; name: string }[]; tag: 'LOCK TABLE' }
  /** fails when executed (binding it succeeds, as PostgreSQL's parse analysis does) */
  | { kind: 'unsupported'; message: string; tag: string }
  /**
   * catalog changes (run by engine/ddl-dispatch); catalogWrite: refused in a read-only
   * transaction, saved after autocommit. CREATE TABLE AS carries its query (`fill`; absent
   * WITH NO DATA; a DmlStatement over data-modifying WITH queries).
   */
  | { kind: 'ddl'; stmt: BoundDdl; catalogWrite: boolean; tag: string; fill?: Plan | DmlStatement };

export type BoundKind = BoundStatement['kind'];

/** What binding needs from the session. */
export interface StatementEnv {
  /** the binder over the statement's $n types (made on first use: most utility statements need none) */
  binder(): SelectBinder;
  /** the planner's rewrites, applied to each bound plan (src/sql binds, it does not plan) */
  optimize(plan: Plan): Plan;
  /** the text the client sent (pg_cursors shows it for DECLARE) */
  readonly queryText: string;
}

export function assertNever(x: never): never {
  throw new SqlError(SqlState.internalError, `bug: unhandled statement ${JSON.stringify(x)}`);
}

/** Bind one parsed statement. Errors are SqlErrors. */
export function bindStatement(raw: RawStatement, env: StatementEnv): BoundStatement {
  try {
    checkMergeSyntax(raw);
    return bindNode(raw.node, raw.text, env);
  } catch (e) {
    throw toSqlError(e);
  }
}

export function emptyStatement(): BoundStatement {
  return { kind: 'empty', tag: '' };
}

/** COMMIT, ROLLBACK, ROLLBACK TO and PREPARE TRANSACTION are the statements a failed block accepts. */
export function endsTransactionBlock(raw: RawStatement): boolean {
  const n = raw.node;
  return 'TransactionStmt' in n && ENDS_BLOCK.has(n.TransactionStmt.kind ?? '');
}

const ENDS_BLOCK = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_ROLLBACK_TO', 'TRANS_STMT_PREPARE']);

/** One case per statement kind; each is a line or a call, so the switch stays a table. */
function bindNode(node: Node, text: string, env: StatementEnv): BoundStatement {
  // SELECT … INTO [TEMP] t is CREATE TABLE t AS SELECT … (the grammar's own transformation)
  if ('SelectStmt' in node && node.SelectStmt.intoClause) return bindDdlStatement(selectInto(node.SelectStmt), 'CreateTableAsStmt', text, env);
  if ('SelectStmt' in node) return bindTopSelect(node.SelectStmt, env);
  if ('InsertStmt' in node) return dml(topLevelDml(env.binder(), node.InsertStmt.withClause, (s) => optimized(s, env), () => bindInsert(env.binder(), node.InsertStmt)), env);
  if ('UpdateStmt' in node) return dml(topLevelDml(env.binder(), node.UpdateStmt.withClause, (s) => optimized(s, env), () => bindUpdate(env.binder(), node.UpdateStmt)), env);
  if ('DeleteStmt' in node) return dml(topLevelDml(env.binder(), node.DeleteStmt.withClause, (s) => optimized(s, env), () => bindDelete(env.binder(), node.DeleteStmt)), env);
  if ('MergeStmt' in node) return dml(topLevelDml(env.binder(), node.MergeStmt.withClause, (s) => optimized(s, env), () => bindMerge(env.binder(), node.MergeStmt)), env);
  if ('ExplainStmt' in node) return bindExplain(node.ExplainStmt, text, env);
  if ('DeclareCursorStmt' in node) return bindDeclare(node.DeclareCursorStmt, text, env);
  if ('FetchStmt' in node) return bindFetch(node.FetchStmt);
  if ('ClosePortalStmt' in node) return bindClose(node.ClosePortalStmt);
  if ('TransactionStmt' in node) return bindTransaction(node.TransactionStmt);
  if ('VariableSetStmt' in node) return bindSet(node.VariableSetStmt);
  if ('VariableShowStmt' in node) return { kind: 'show', name: node.VariableShowStmt.name ?? '', tag: 'SHOW' };
  if ('CopyStmt' in node) return bindCopy(node.CopyStmt, env);
  if ('VacuumStmt' in node) return bindVacuum(node.VacuumStmt);
  if ('DiscardStmt' in node) return bindDiscard(node.DiscardStmt);
  if ('PrepareStmt' in node) return bindPrepare(node.PrepareStmt, text);
  if ('ExecuteStmt' in node) return { kind: 'execute', name: node.ExecuteStmt.name ?? '', params: node.ExecuteStmt.params ?? [], tag: 'EXECUTE' };
  if ('DeallocateStmt' in node) {
    const name = node.DeallocateStmt.name;
    return { kind: 'deallocate', name, tag: name === undefined ? 'DEALLOCATE ALL' : 'DEALLOCATE' };
  }
  if ('ListenStmt' in node) return { kind: 'listen', channel: node.ListenStmt.conditionname ?? '', tag: 'LISTEN' };
  if ('UnlistenStmt' in node) return { kind: 'unlisten', channel: node.UnlistenStmt.conditionname, tag: 'UNLISTEN' };
  if ('NotifyStmt' in node) return { kind: 'notify', channel: node.NotifyStmt.conditionname ?? '', payload: node.NotifyStmt.payload ?? null, tag: 'NOTIFY' };
  const role = bindRoleStatement(node);
  if (role) return role;
  const kind = Object.keys(node)[0];
  if ('LockStmt' in node) {
    const relations = (node.LockStmt.relations ?? []).map((r) => ({ schema: 'RangeVar' in r ? r.RangeVar.schemaname : undefined, name: 'RangeVar' in r ? r.RangeVar.relname ?? '' : '' }));
    return { kind: 'lockTable', relations, tag: 'LOCK TABLE' };
  }
  if (NOOP_KINDS.has(kind)) return { kind: 'noop', tag: TAGS[kind] };
  if ('AlterOwnerStmt' in node && (node.AlterOwnerStmt.objectType === 'OBJECT_SCHEMA' || node.AlterOwnerStmt.objectType === 'OBJECT_TYPE' || node.AlterOwnerStmt.objectType === 'OBJECT_DOMAIN')) return bindDdlStatement(node, 'AlterOwnerStmt', text, env);
  if ('AlterOwnerStmt' in node) {
    const owner = bindAlterOwner(node.AlterOwnerStmt);
    if (owner) return { kind: 'role', stmt: owner, tag: owner.function ? 'ALTER FUNCTION' : 'ALTER DATABASE' };
  }
  // other kinds of objects are owned by the one superuser: ALTER … OWNER TO (pg_dump writes one per object) changes nothing
  if ('AlterOwnerStmt' in node) return { kind: 'noop', tag: `ALTER ${(node.AlterOwnerStmt.objectType ?? 'OBJECT_').slice(7).replace(/_/g, ' ')}` };
  if (DDL_KINDS.has(kind)) return bindDdlStatement(node, kind, text, env);
  if ('DoStmt' in node) return { kind: 'unsupported', message: 'DO blocks are not supported', tag: 'DO' };
  // the built-in range and multirange types only: a user-defined one would need its own OIDs,
  // constructor functions and catalog rows (README, types row)
  if ('CreateRangeStmt' in node) return { kind: 'unsupported', message: 'CREATE TYPE … AS RANGE is not supported', tag: 'CREATE TYPE' };
  const tag = TAGS[kind] ?? kind.replace(/Stmt$/, '').toUpperCase();
  return { kind: 'unsupported', message: `${tag} is not supported`, tag };
}

/** CREATE / ALTER / DROP ROLE, GRANT and REVOKE (undefined: not one of them) */
function bindRoleStatement(node: Node): BoundStatement | undefined {
  if ('CreateRoleStmt' in node) return { kind: 'role', stmt: bindCreateRole(node.CreateRoleStmt), tag: 'CREATE ROLE' };
  if ('AlterRoleStmt' in node) return { kind: 'role', stmt: bindAlterRole(node.AlterRoleStmt), tag: 'ALTER ROLE' };
  if ('DropRoleStmt' in node) return { kind: 'role', stmt: bindDropRole(node.DropRoleStmt), tag: 'DROP ROLE' };
  if ('GrantRoleStmt' in node) return { kind: 'role', stmt: bindGrantRole(node.GrantRoleStmt), tag: node.GrantRoleStmt.is_grant ? 'GRANT ROLE' : 'REVOKE ROLE' };
  if ('GrantStmt' in node) return { kind: 'role', stmt: bindGrant(node.GrantStmt), tag: node.GrantStmt.is_grant ? 'GRANT' : 'REVOKE' };
  if ('ReassignOwnedStmt' in node) return { kind: 'role', stmt: bindReassignOwned(node.ReassignOwnedStmt), tag: 'REASSIGN OWNED' };
  if ('DropOwnedStmt' in node) return { kind: 'role', stmt: bindDropOwned(node.DropOwnedStmt), tag: 'DROP OWNED' };
  if ('AlterDefaultPrivilegesStmt' in node) return { kind: 'role', stmt: bindAlterDefaultPrivileges(node.AlterDefaultPrivilegesStmt), tag: 'ALTER DEFAULT PRIVILEGES' };
  if ('AlterRoleSetStmt' in node) {
    const n = node.AlterRoleSetStmt;
    const stmt = settingStatement(n.setstmt, n.role ? roleRef(n.role) : null, n.database ?? null, false);
    return { kind: 'role', stmt, tag: 'ALTER ROLE' };
  }
  if ('AlterDatabaseSetStmt' in node) {
    const n = node.AlterDatabaseSetStmt;
    return { kind: 'role', stmt: settingStatement(n.setstmt, null, n.dbname ?? '', true), tag: 'ALTER DATABASE' };
  }
  if ('RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_ROLE') {
    return { kind: 'role', stmt: { kind: 'renameRole', name: node.RenameStmt.subname ?? '', newName: node.RenameStmt.newname ?? '' }, tag: 'ALTER ROLE' };
  }
  return undefined;
}

/** ALTER ROLE / DATABASE … SET name = value | RESET name | RESET ALL, its value as SET renders it */
function settingStatement(set: VariableSetStmt | undefined, role: RoleRef | null, database: string | null, alterDatabase: boolean): RoleStatement {
  const bound = bindSet(set ?? {});
  const common = { kind: 'roleSetting' as const, role, database, alterDatabase };
  if (bound.kind !== 'set' || bound.action === 'resetAll') return { ...common, name: null, value: null };
  if (bound.action === 'reset') return { ...common, name: bound.name, value: null };
  if (bound.action === 'value') return { ...common, name: bound.name, value: bound.value };
  throw new SqlError(SqlState.syntaxError, 'syntax error');
}

function bindDdlStatement(node: Node, kind: string, text: string, env: StatementEnv): BoundStatement {
  const common = { kind: 'ddl' as const, catalogWrite: CATALOG_WRITES.has(kind), tag: ddlTag(node) };
  if ('CreateTableAsStmt' in node) {
    const n = node.CreateTableAsStmt;
    const query = n.query && 'SelectStmt' in n.query ? n.query.SelectStmt : undefined;
    if (!query) throw new SqlError(SqlState.featureNotSupported, 'CREATE TABLE AS needs a SELECT');
    // over data-modifying WITH queries the fill is a statement that writes (not run WITH NO DATA, as in PostgreSQL)
    if (hasModifyingWith(query.withClause)) {
      const bound = topLevelSelect(env.binder(), query.withClause, (s) => optimized(s, env), () => env.optimize(env.binder().bindSelect(query, null)));
      if ('dml' in bound) return { ...common, stmt: bindCreateTableAs(n, bound.dml.source.schema), fill: n.into?.skipData ? undefined : bound.dml };
    }
    const plan = env.optimize(env.binder().bindSelect(query, null));
    const stmt = n.objtype === 'OBJECT_MATVIEW' ? bindCreateMaterializedView(n, text, plan.schema) : bindCreateTableAs(n, plan.schema);
    return { ...common, stmt, fill: n.into?.skipData ? undefined : plan };
  }
  const stmt = bindDdl(node, text);
  if (!stmt) throw new SqlError(SqlState.internalError, `bug: ${kind} is not a DDL statement`);
  return { ...common, stmt };
}

function selectInto(stmt: SelectStmt): Node {
  const { intoClause, ...query } = stmt;
  return { CreateTableAsStmt: { query: { SelectStmt: query }, into: intoClause, objtype: 'OBJECT_TABLE' } };
}

function bindQuery(stmt: SelectStmt, env: StatementEnv): Plan {
  if (stmt.intoClause) throw new SqlError(SqlState.featureNotSupported, 'SELECT INTO is not supported');
  const binder = env.binder();
  const before = binder.rangeTableEntries;
  const plan = formatRecordOutputs(env.optimize(binder.bindSelect(stmt, null)));
  rangeTableSizes.set(plan, binder.rangeTableEntries - before);
  return plan;
}

/** SELECT: a query, or a DmlStatement when its WITH queries write (sql/modifying-with.ts) */
function bindTopSelect(stmt: SelectStmt, env: StatementEnv): BoundStatement {
  // (only a WITH makes a binder: SELECT 1 needs none)
  const bound = stmt.withClause ? topLevelSelect(env.binder(), stmt.withClause, (s) => optimized(s, env), () => bindQuery(stmt, env)) : { plan: bindQuery(stmt, env) };
  if ('plan' in bound) return { kind: 'select', plan: bound.plan, tag: 'SELECT' };
  return { kind: 'dml', stmt: bound.dml, tag: 'SELECT' };
}

function dml(stmt: DmlStatement, env: StatementEnv): BoundStatement {
  return { kind: 'dml', stmt: optimized(stmt, env), tag: stmt.kind.toUpperCase() };
}

/** the statement's plan optimized (its WITH queries' were as they were bound: sql/modifying-with.ts) */
function optimized(stmt: DmlStatement, env: StatementEnv): DmlStatement {
  return { ...stmt, source: env.optimize(stmt.source) } as DmlStatement;
}

function bindExplain(n: ExplainStmt, text: string, env: StatementEnv): BoundStatement {
  const flags = explainFlags(n.options);
  const query = n.query ?? {};
  if ('ExecuteStmt' in query) {
    const e = (query as { ExecuteStmt: ExecuteStmt }).ExecuteStmt;
    return { kind: 'explainExecute', name: e.name ?? '', params: e.params ?? [], flags, tag: 'EXPLAIN' };
  }
  // the statements that bind to a plan; any other is refused before it is bound
  const explainable = ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExplainStmt', 'DeclareCursorStmt'].includes(Object.keys(query)[0]);
  const t0 = performance.now();
  const inner = explainable ? bindNode(query as Node, text, env) : undefined;
  return explainOf(inner, flags, performance.now() - t0);
}

/** EXPLAIN of a bound statement (a query, or a prepared statement EXPLAIN EXECUTE runs): its plan with the options */
export function explainOf(inner: BoundStatement | undefined, flags: ExplainFlags, planningMs: number): Extract<BoundStatement, { kind: 'explain' }> {
  const { analyze, verbose } = flags;
  if (inner?.kind === 'select') return { kind: 'explain', plan: inner.plan, dml: null, analyze, verbose, flags, planningMs, tag: 'EXPLAIN' };
  if (inner?.kind === 'dml') return { kind: 'explain', plan: inner.stmt.source, dml: inner.stmt, analyze, verbose, flags, planningMs, tag: 'EXPLAIN' };
  throw new SqlError(SqlState.featureNotSupported, 'EXPLAIN of this statement is not supported');
}

function bindDeclare(n: DeclareCursorStmt, text: string, env: StatementEnv): BoundStatement {
  const query = n.query;
  if (!query || !('SelectStmt' in query)) throw new SqlError(SqlState.featureNotSupported, 'cursors are only supported for SELECT');
  if (hasModifyingWith(query.SelectStmt.withClause)) throw new SqlError(SqlState.featureNotSupported, 'DECLARE CURSOR must not contain data-modifying statements in WITH');
  const plan = formatRecordOutputs(env.optimize(env.binder().bindSelect(query.SelectStmt, null)));
  // CURSOR_OPT_HOLD = 0x0020 (parsenodes.h)
  const hold = ((n.options ?? 0) & 0x20) !== 0;
  return { kind: 'declare', name: n.portalname ?? '', plan, hold, statement: env.queryText.trim() || text, options: cursorOptions(n, query.SelectStmt), tag: 'DECLARE CURSOR' };
}

/**
 * DECLARE's CURSOR_OPT_* bits (parsenodes.h: BINARY 0x1, SCROLL 0x2, NO_SCROLL 0x4) for pg_cursors. Without
 * SCROLL / NO SCROLL PostgreSQL reports what the plan can do backwards; as a stand-in: queries reading a relation
 * can (scans, sorts), a bare SELECT of values (a Result node) cannot.
 */
function cursorOptions(n: DeclareCursorStmt, sel: SelectStmt): number {
  const opts = Number(n.options ?? 0);
  if ((opts & 0x6) !== 0) return opts;
  return (sel.fromClause?.length ?? 0) > 0 ? opts | 0x2 : opts | 0x4;
}

/** FETCH / MOVE [FORWARD|BACKWARD|ABSOLUTE|RELATIVE] [n|ALL] [FROM|IN] name */
function bindFetch(n: FetchStmt): BoundStatement {
  const move = !!n.ismove;
  return { kind: 'fetch', portal: n.portalname ?? '', direction: n.direction ?? 'FETCH_FORWARD', howMany: Number(n.howMany ?? 0), move, tag: move ? 'MOVE' : 'FETCH' };
}

function bindClose(n: ClosePortalStmt): BoundStatement {
  return { kind: 'closePortal', portal: n.portalname || undefined, tag: n.portalname ? 'CLOSE CURSOR' : 'CLOSE CURSOR ALL' };
}

const TRANSACTION_ACTIONS: Record<string, { action: TransactionAction; tag: string }> = {
  TRANS_STMT_BEGIN: { action: 'begin', tag: 'BEGIN' },
  TRANS_STMT_START: { action: 'start', tag: 'START TRANSACTION' },
  TRANS_STMT_COMMIT: { action: 'commit', tag: 'COMMIT' },
  TRANS_STMT_ROLLBACK: { action: 'rollback', tag: 'ROLLBACK' },
  TRANS_STMT_SAVEPOINT: { action: 'savepoint', tag: 'SAVEPOINT' },
  TRANS_STMT_RELEASE: { action: 'release', tag: 'RELEASE' },
  TRANS_STMT_ROLLBACK_TO: { action: 'rollbackTo', tag: 'ROLLBACK' },
  TRANS_STMT_PREPARE: { action: 'prepare', tag: 'PREPARE TRANSACTION' },
  TRANS_STMT_COMMIT_PREPARED: { action: 'commitPrepared', tag: 'COMMIT PREPARED' },
  TRANS_STMT_ROLLBACK_PREPARED: { action: 'rollbackPrepared', tag: 'ROLLBACK PREPARED' },
};

function bindTransaction(n: TransactionStmt): BoundStatement {
  const what = n.kind ?? '';
  const { action, tag } = TRANSACTION_ACTIONS[what] ?? { action: 'unsupported', tag: '' };
  return { kind: 'transaction', action, savepoint: n.savepoint_name ?? '', options: transactionOptions(n.options), tag, endsBlock: ENDS_BLOCK.has(what), what, gid: n.gid ?? '' };
}

/** transaction_read_only / transaction_isolation DefElems (BEGIN …, SET TRANSACTION …); the last one given wins */
function transactionOptions(options: readonly Node[] | undefined): TransactionOptions {
  let out: { readOnly?: boolean; isolation?: string } = {};
  for (const o of options ?? []) {
    if (!('DefElem' in o)) continue;
    const d = o.DefElem;
    const c = d.arg && 'A_Const' in d.arg ? d.arg.A_Const : undefined;
    if (d.defname === 'transaction_read_only') out = { ...out, readOnly: (c?.ival?.ival ?? 0) === 1 };
    if (d.defname === 'transaction_isolation') out = { ...out, isolation: String(c?.sval?.sval ?? 'read committed') };
  }
  return out;
}

function bindSet(n: VariableSetStmt): BoundStatement {
  const kind = n.kind;
  const isLocal = !!n.is_local;
  if (kind === 'VAR_RESET_ALL') return { kind: 'set', action: 'resetAll', isLocal, tag: 'RESET' };
  let name = n.name ?? '';
  if (kind === 'VAR_SET_MULTI') {
    // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
    if (name === 'TRANSACTION') return { kind: 'set', action: 'transaction', options: transactionOptions(n.args), tag: 'SET' };
    if (name === 'TRANSACTION SNAPSHOT') return { kind: 'set', action: 'snapshot', id: (n.args ?? []).map(setArgText).join(''), tag: 'SET' };
    return { kind: 'set', action: 'ignored', tag: 'SET' };
  }
  if (name === 'timezone' || name === 'time zone') name = 'timezone';
  if (kind === 'VAR_RESET' || kind === 'VAR_SET_DEFAULT') return { kind: 'set', action: 'reset', name, isLocal, tag: kind === 'VAR_RESET' ? 'RESET' : 'SET' };
  const args = n.args ?? [];
  const value = name === 'search_path' ? args.map(searchPathItem).join(', ') : args.map(setArgText).join(', ');
  return { kind: 'set', action: 'value', name, value, isLocal, tag: 'SET' };
}

/** One SET argument as text, the way PostgreSQL's flatten_set_variable_args renders it. */
function setArgText(a: Node): string {
  const cast = 'TypeCast' in a ? a.TypeCast : undefined;
  const inner = cast?.arg ?? a;
  const c = 'A_Const' in inner ? inner.A_Const : undefined;
  if (!c) return '';
  // SET TIME ZONE INTERVAL '…'
  if (cast && c.sval) {
    const tn = (cast.typeName?.names ?? []).map((x) => ('String' in x ? x.String.sval : undefined)).pop();
    if (tn === 'interval') return `INTERVAL '${c.sval.sval}'`;
  }
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval ?? '';
  if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  return '0';
}

function searchPathItem(a: Node): string {
  const s = 'A_Const' in a ? a.A_Const.sval?.sval : undefined;
  return /^[a-z_][a-z0-9_]*$/.test(s as string) ? (s as string) : `"${s}"`;
}

/** COPY (a statement that writes) TO: the rows it returns (PostgreSQL's BeginCopyTo) */
function copyWritten(bound: BoundStatement, options: CopyOptions): BoundCopy {
  if (bound.kind !== 'dml') throw new SqlError(SqlState.internalError, 'bug: COPY of a write bound as something else');
  if (!bound.stmt.returning) throw new SqlError(SqlState.featureNotSupported, 'COPY query must have a RETURNING clause');
  return { kind: 'copy', direction: 'to', plan: bound.stmt.source, dml: bound.stmt, options, tag: 'COPY' };
}

function bindCopy(n: CopyStmt, env: StatementEnv): BoundCopy {
  if (n.filename || n.is_program) {
    throw new SqlError(SqlState.insufficientPrivilege, 'COPY to or from a file is not supported; use COPY … FROM STDIN / TO STDOUT (psql: \\copy)');
  }
  const options = copyOptions(n.options);
  const binder = env.binder();
  if (!n.is_from && n.query) {
    const writes = 'InsertStmt' in n.query || 'UpdateStmt' in n.query || 'DeleteStmt' in n.query || ('SelectStmt' in n.query && hasModifyingWith(n.query.SelectStmt.withClause));
    if ('MergeStmt' in n.query) throw new SqlError(SqlState.featureNotSupported, 'MERGE not supported in COPY');
    if (writes) return copyWritten(bindNode(n.query as Node, '', env), options);
    if (!('SelectStmt' in n.query)) throw new SqlError(SqlState.featureNotSupported, 'COPY of this statement is not supported');
    return { kind: 'copy', direction: 'to', plan: env.optimize(binder.bindSelect(n.query.SelectStmt, null)), options, tag: 'COPY' };
  }
  const rel = n.relation ?? {};
  const table = binder.lookupTable(rel.schemaname, rel.relname ?? '');
  if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${rel.relname}" does not exist`);
  const target = copyTarget(table, n.attlist);
  // COPY FROM inserts into the columns listed (all without a list): INSERT on them is enough
  if (n.is_from) for (const c of target.columns) binder.noteAccess(table, 'INSERT').add(c);
  if (n.is_from && binder.rowSecurityApplies(table)) {
    throw new SqlError(SqlState.featureNotSupported, 'COPY FROM not supported with row-level security', { hint: 'Use INSERT statements instead.' });
  }
  if (!n.is_from) {
    // COPY table [(columns)] TO is COPY (SELECT columns FROM table) TO
    const plan = env.optimize(binder.bindSelect(selectColumns(table, target.columns, (n.attlist ?? []).length === 0 && !table.columns.some((c) => c.generated)), null));
    return { kind: 'copy', direction: 'to', plan, options, tag: 'COPY' };
  }
  for (const c of target.columns) {
    const col = table.columns[c]!;
    if (col.generated) throw new SqlError(SqlState.invalidColumnReference, `column "${col.name}" is a generated column`, { detail: 'Generated columns cannot be used in COPY.' });
  }
  const missing = table.columns.map((_, i) => i).filter((i) => !target.columns.includes(i) && !table.columns[i]!.generated);
  // defaults first, then generated columns (computed from the filled-in row)
  const defaults = [...missing.map((i) => ({ column: i, expr: defaultExprFor(binder, table.columns[i]) })), ...bindGenerated(binder, table)];
  const domains = target.columns.flatMap((c) => {
    const d = table.columns[c]!.type.domain;
    return d === undefined || !binder.env.domainConstraints ? [] : [{ column: c, constraints: binder.env.domainConstraints(d) }];
  });
  return { kind: 'copy', direction: 'from', table, columns: target.columns, options, defaults, checks: bindChecks(binder, table), domains, tag: 'COPY' };
}

/** The tree of `SELECT columns FROM schema.table` (or `SELECT *`), built directly: names need no quoting. */
function selectColumns(table: TableDef, columns: readonly number[], star: boolean): SelectStmt {
  const ref = (field: Node): Node => ({ ResTarget: { val: { ColumnRef: { fields: [field] } } } });
  const targetList = star
    ? [ref({ A_Star: {} })]
    : columns.map((i) => ref({ String: { sval: table.columns[i].name } }));
  return { targetList, fromClause: [{ RangeVar: { schemaname: table.schema, relname: table.name, inh: true } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' };
}

function bindVacuum(n: VacuumStmt): BoundStatement {
  // the JSON tree leaves out false booleans: ANALYZE is the VacuumStmt without is_vacuumcmd
  const vacuum = n.is_vacuumcmd === true;
  const relations = (n.rels ?? []).map((r) => {
    const rv = 'VacuumRelation' in r ? r.VacuumRelation.relation : undefined;
    return { schema: rv?.schemaname, name: rv?.relname ?? '' };
  });
  // VACUUM ANALYZE / VACUUM (ANALYZE) carry an "analyze" option
  const analyze = !vacuum || (n.options ?? []).some((o) => 'DefElem' in o && o.DefElem.defname === 'analyze');
  return { kind: 'vacuum', vacuum, analyze, relations, tag: vacuum ? 'VACUUM' : 'ANALYZE' };
}

function bindDiscard(n: DiscardStmt): BoundStatement {
  const all = n.target === 'DISCARD_ALL';
  const tags: Record<string, string> = { DISCARD_ALL: 'DISCARD ALL', DISCARD_PLANS: 'DISCARD PLANS', DISCARD_SEQUENCES: 'DISCARD SEQUENCES', DISCARD_TEMP: 'DISCARD TEMP' };
  return { kind: 'discard', all, tag: tags[n.target ?? ''] ?? 'DISCARD' };
}

/** The prepared statement's own text is where its query's node locations point into. */
function bindPrepare(n: PrepareStmt, text: string): BoundStatement {
  if (!n.query) throw new SqlError(SqlState.syntaxError, 'PREPARE needs a statement');
  return { kind: 'prepare', name: n.name ?? '', argTypes: n.argtypes ?? [], query: { node: n.query, text, offset: 0 }, tag: 'PREPARE' };
}

const NOOP_KINDS = new Set(['CheckPointStmt']);

/** the statements ddl-dispatch runs */
const DDL_KINDS = new Set([
  'CreateStmt', 'DropStmt', 'IndexStmt', 'CreateExtensionStmt', 'CreateSeqStmt', 'CommentStmt', 'TruncateStmt', 'AlterTableStmt',
  'RenameStmt', 'AlterObjectSchemaStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreateFunctionStmt', 'CreatedbStmt', 'DropdbStmt', 'CreateSchemaStmt', 'AlterSeqStmt',
  'RefreshMatViewStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'AlterEnumStmt', 'CreateDomainStmt', 'AlterDomainStmt',
, 'ReindexStmt', 'CreatePolicyStmt', 'AlterPolicyStmt']);

/** DDL refused in a read-only transaction and saved with the catalog after an autocommit statement */
const CATALOG_WRITES = new Set(['CreateEnumStmt', 'CompositeTypeStmt', 'AlterEnumStmt', 'CreateDomainStmt', 'AlterDomainStmt', 'CreateSchemaStmt', 'AlterOwnerStmt', 'AlterObjectSchemaStmt', 'CreateStmt', 'DropStmt', 'IndexStmt', 'CreateExtensionStmt', 'CreateSeqStmt', 'AlterSeqStmt', 'CommentStmt', 'TruncateStmt', 'AlterTableStmt', 'RenameStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreateFunctionStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'RefreshMatViewStmt']);

const TAGS: Record<string, string> = {
  CreateStmt: 'CREATE TABLE', DropStmt: 'DROP', IndexStmt: 'CREATE INDEX', CreateExtensionStmt: 'CREATE EXTENSION',
  VariableSetStmt: 'SET', VariableShowStmt: 'SHOW', TruncateStmt: 'TRUNCATE TABLE', CommentStmt: 'COMMENT',
  CreateSeqStmt: 'CREATE SEQUENCE', AlterSeqStmt: 'ALTER SEQUENCE', DiscardStmt: 'DISCARD ALL', DeallocateStmt: 'DEALLOCATE', ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN', NotifyStmt: 'NOTIFY', VacuumStmt: 'VACUUM', CheckPointStmt: 'CHECKPOINT', LockStmt: 'LOCK TABLE',
  CreateSchemaStmt: 'CREATE SCHEMA', DoStmt: 'DO', AlterTableStmt: 'ALTER TABLE', CopyStmt: 'COPY', ViewStmt: 'CREATE VIEW',
  CreateFunctionStmt: 'CREATE FUNCTION', RenameStmt: 'ALTER TABLE', CreatedbStmt: 'CREATE DATABASE', DropdbStmt: 'DROP DATABASE', PrepareStmt: 'PREPARE', ExecuteStmt: 'EXECUTE', CreateTableAsStmt: 'SELECT', ReindexStmt: 'REINDEX',
  CreatePolicyStmt: 'CREATE POLICY', AlterPolicyStmt: 'ALTER POLICY', CreateEnumStmt: 'CREATE TYPE', CompositeTypeStmt: 'CREATE TYPE', AlterEnumStmt: 'ALTER TYPE', CreateDomainStmt: 'CREATE DOMAIN', AlterDomainStmt: 'ALTER DOMAIN', RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
};

const DROP_TAGS: Record<string, string> = {
  OBJECT_TABLE: 'DROP TABLE', OBJECT_INDEX: 'DROP INDEX', OBJECT_SEQUENCE: 'DROP SEQUENCE', OBJECT_EXTENSION: 'DROP EXTENSION',
  OBJECT_VIEW: 'DROP VIEW', OBJECT_MATVIEW: 'DROP MATERIALIZED VIEW', OBJECT_SCHEMA: 'DROP SCHEMA', OBJECT_POLICY: 'DROP POLICY', OBJECT_TYPE: 'DROP TYPE', OBJECT_DOMAIN: 'DROP DOMAIN', OBJECT_FUNCTION: 'DROP FUNCTION',
};

/** the object words of ALTER's command tags where they differ from the object type's name */
const RELATION_WORDS: Record<string, string> = { OBJECT_MATVIEW: 'MATERIALIZED VIEW', OBJECT_VIEW: 'VIEW', OBJECT_TYPE: 'TYPE' };

function ddlTag(node: Node): string {
  if ('DropStmt' in node) return DROP_TAGS[node.DropStmt.removeType ?? ''] ?? 'DROP';
  if ('RenameStmt' in node) {
    const t = node.RenameStmt.renameType;
    if (t === 'OBJECT_MATVIEW' || node.RenameStmt.relationType === 'OBJECT_MATVIEW') return 'ALTER MATERIALIZED VIEW';
    // RENAME ATTRIBUTE names the composite type as its relation
    if (t === 'OBJECT_TYPE' || (t === 'OBJECT_ATTRIBUTE' && node.RenameStmt.relationType === 'OBJECT_TYPE')) return 'ALTER TYPE';
    if (t === 'OBJECT_DOMAIN' || t === 'OBJECT_DOMCONSTRAINT') return 'ALTER DOMAIN';
    return t === 'OBJECT_INDEX' ? 'ALTER INDEX' : t === 'OBJECT_VIEW' ? 'ALTER VIEW' : t === 'OBJECT_POLICY' ? 'ALTER POLICY' : t === 'OBJECT_SCHEMA' ? 'ALTER SCHEMA' : 'ALTER TABLE';
  }
  if ('AlterOwnerStmt' in node) return node.AlterOwnerStmt.objectType === 'OBJECT_TYPE' ? 'ALTER TYPE' : node.AlterOwnerStmt.objectType === 'OBJECT_DOMAIN' ? 'ALTER DOMAIN' : 'ALTER SCHEMA';
  if ('AlterObjectSchemaStmt' in node) return `ALTER ${RELATION_WORDS[node.AlterObjectSchemaStmt.objectType ?? ''] ?? (node.AlterObjectSchemaStmt.objectType ?? 'OBJECT_TABLE').slice(7)}`;
  if ('AlterTableStmt' in node) return `ALTER ${RELATION_WORDS[node.AlterTableStmt.objtype ?? ''] ?? 'TABLE'}`;
  return TAGS[Object.keys(node)[0]];
}
