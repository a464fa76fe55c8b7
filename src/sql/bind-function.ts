/**
 * SQL-language functions (CREATE FUNCTION … LANGUAGE sql): a call is bound by binding the
 * function's body as a query whose enclosing row holds the arguments — `$1`…`$n` and the
 * parameter names resolve to it (a column of the body's own FROM items wins over a
 * parameter name, as in PostgreSQL). Scalar functions become a `sqlCall` expression,
 * RETURNS TABLE / SETOF functions in FROM a `sqlFunctionScan`.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, SqlFunctionDef } from '../catalog/catalog.js';
import type { Expr, OutputColumn, Plan } from '../planner/plan.js';
import { T, formatType, type SqlType } from '../types/types.js';
import { bindExpr, coerce, type BindEnv } from './bind-expr.js';
import { parseSql, type RawNode } from './parser.js';
import { Scope } from './scope.js';

const ARGS = '\u0000fnargs';

export interface FunctionBinder {
  readonly env: BindEnv;
  bindSelect(stmt: RawNode, parent: Scope | null): Plan;
}

/** Functions of this name whose parameter list fits `argc` arguments (defaults fill the rest). */
export function findSqlFunction(catalog: Catalog, name: string, argc: number, schemas?: readonly string[]): SqlFunctionDef | undefined {
  const fits = (f: SqlFunctionDef) => f.name === name && argc <= f.params.length && f.params.slice(argc).every((p) => p.defaultAst !== undefined);
  if (!schemas) return [...catalog.functions.values()].find(fits);
  // the first schema of the path that has one wins (a qualified call: that schema only)
  for (const schema of schemas) {
    const f = [...catalog.functions.values()].find((x) => x.schema === schema && fits(x));
    if (f) return f;
  }
  return undefined;
}

/** Replace $n in the body by references to the argument row. */
function rewriteParams(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteParams);
  if (!node || typeof node !== 'object') return node;
  const o = node as RawNode;
  if (o.ParamRef) return { ColumnRef: { fields: [{ String: { sval: ARGS } }, { String: { sval: `$${o.ParamRef.number}` } }], location: o.ParamRef.location } };
  const out: RawNode = {};
  for (const [k, v] of Object.entries(o)) out[k] = rewriteParams(v);
  return out;
}

/** The body's last statement as a SelectStmt (RETURN expr becomes SELECT expr). */
function bodyStatement(def: SqlFunctionDef): RawNode {
  let stmt: RawNode | undefined;
  if (def.body.ast) {
    const ast = def.body.ast as RawNode;
    if (ast.ReturnStmt) stmt = { SelectStmt: { targetList: [{ ResTarget: { val: ast.ReturnStmt.returnval } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
    else if (ast.List) {
      const items = (ast.List.items ?? []) as RawNode[];
      const last = items[items.length - 1];
      stmt = last?.List ? (last.List.items as RawNode[]).pop() : last;
      if (stmt?.ReturnStmt) stmt = { SelectStmt: { targetList: [{ ResTarget: { val: stmt.ReturnStmt.returnval } }], limitOption: 'LIMIT_OPTION_DEFAULT', op: 'SETOP_NONE' } };
    }
  } else {
    const stmts = parseSql(def.body.sql ?? '');
    stmt = stmts[stmts.length - 1]?.node;
  }
  if (!stmt?.SelectStmt) {
    throw new SqlError(SqlState.featureNotSupported, `SQL function "${def.name}": only a body ending in a SELECT (or RETURN) is supported`);
  }
  return (rewriteParams(stmt) as RawNode).SelectStmt as RawNode;
}

const binding = new Set<number>();

/**
 * The function's body bound against its parameter types, its output coerced to the declared
 * result. Errors carry `SQL function "name"` as context; at a call site (`creating` false) their
 * position, which points into the body, is dropped.
 */
export function bindFunctionBody(binder: FunctionBinder, def: SqlFunctionDef, creating = false): Plan {
  try {
    return bindBody(binder, def);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    const { position, ...fields } = e.fields;
    // at CREATE, an error with a position is reported at that place in the statement instead
    if (creating && position !== undefined) throw e;
    const where = fields.where ?? `SQL function "${def.name}"${creating ? '' : ' during inlining'}`;
    throw new SqlError(e.code, e.message, { ...fields, where });
  }
}

function bindBody(binder: FunctionBinder, def: SqlFunctionDef): Plan {
  if (binding.has(def.oid)) throw new SqlError(SqlState.featureNotSupported, `SQL function "${def.name}" calls itself; recursive SQL functions are not supported`);
  binding.add(def.oid);
  try {
    const scope = new Scope(null);
    const positional: OutputColumn[] = def.params.map((p, i) => ({ name: `$${i + 1}`, type: p.type, tableOid: 0, attnum: 0 }));
    scope.add(ARGS, positional);
    const named = def.params.map((p, i) => ({ p, i })).filter((x) => x.p.name);
    if (named.length) scope.add(def.name, named.map((x) => ({ name: x.p.name!, type: x.p.type, tableOid: 0, attnum: 0 })));
    let plan = binder.bindSelect(bodyStatement(def), scope);
    const want: { name: string; type: SqlType }[] = def.returns.kind === 'table'
      ? [...def.returns.columns]
      : [{ name: def.name, type: def.returns.type }];
    if (def.returns.kind !== 'table' && plan.schema.length !== 1) {
      throw new SqlError(SqlState.invalidFunctionDefinition, `return type mismatch in function declared to return ${formatType(want[0].type)}`, {
        detail: 'Final statement must return exactly one column.',
      });
    }
    if (def.returns.kind === 'table' && plan.schema.length !== want.length) {
      throw new SqlError(SqlState.invalidFunctionDefinition, 'return type mismatch in function declared to return record', {
        detail: `Final statement returns ${plan.schema.length > want.length ? 'too many' : 'too few'} columns.`,
      });
    }
    const exprs = plan.schema.map((c, i): Expr => coerce(binder.env, { kind: 'column', type: c.type, level: 0, index: i, name: c.name }, want[i].type, 'assignment'));
    plan = { kind: 'project', schema: want.map((w) => ({ name: w.name, type: w.type, tableOid: 0, attnum: 0 })), input: plan, exprs };
    return plan;
  } finally {
    binding.delete(def.oid);
  }
}

/** The argument row: each argument coerced to its parameter's type, defaults for the missing ones, then the named ones again. */
export function bindFunctionArgs(env: BindEnv, def: SqlFunctionDef, args: readonly Expr[]): Expr[] {
  const all: Expr[] = def.params.map((p, i) => {
    if (i < args.length) return coerce(env, args[i], p.type, 'implicit');
    return coerce(env, bindExpr(p.defaultAst as RawNode, new Scope(null), { env, noAggregates: 'DEFAULT expressions' }), p.type, 'assignment');
  });
  return [...all, ...def.params.flatMap((p, i) => (p.name ? [all[i]] : []))];
}

/** The declared result of a function in FROM, as output columns. */
export function functionColumns(def: SqlFunctionDef, alias: string | undefined, colAliases: readonly string[]): OutputColumn[] {
  const cols = def.returns.kind === 'table' ? def.returns.columns : [{ name: alias ?? def.name, type: def.returns.type }];
  return cols.map((c, i) => ({ name: colAliases[i] ?? c.name, type: c.type, tableOid: 0, attnum: 0 }));
}

export { T };
