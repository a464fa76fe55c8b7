/**
 * SQL-level prepared statements: PREPARE name [(types)] AS statement, EXECUTE name
 * [(parameters)], DEALLOCATE [PREPARE] name | ALL, and pg_prepared_statements. A statement
 * is bound once, when PREPARE runs (like the protocol's Parse), and bound again at EXECUTE
 * if the catalog changed since; EXECUTE's parameters are expressions, coerced to the
 * prepared $n types as PostgreSQL's EvaluateParams does.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import { compileExpr } from '../executor/expr.js';
import { bindExpr, coerce } from '../sql/bind-expr.js';
import { Scope } from '../sql/scope.js';
import type { BoundStatement } from '../sql/statement.js';
import { resolveTypeName } from '../sql/type-names.js';
import { OID, formatType, type Value } from '../types/types.js';
import { declaredParamType } from '../types/user-types.js';
import type { ProtocolStatements } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { prepareParsed, type QuiverStatement } from './prepare.js';

export interface SqlPrepared {
  readonly name: string;
  readonly statement: QuiverStatement;
  /** the query string PREPARE came in (pg_prepared_statements.statement, as PostgreSQL keeps it) */
  readonly text: string;
  /** µs since the epoch */
  readonly prepared: number;
  /** EXECUTEs and EXPLAIN EXECUTEs so far (plan_cache_mode auto: the first five get custom plans) */
  executions?: number;
}

/**
 * The session's SQL-prepared statements by name, in one namespace with the connection's
 * Parse-prepared ones (as in PostgreSQL: DEALLOCATE drops either kind).
 */
export class SqlPreparedStatements {
  private readonly byName = new Map<string, SqlPrepared>();

  constructor(private readonly protocol?: ProtocolStatements) {}

  get(name: string): SqlPrepared {
    const found = this.byName.get(name);
    if (!found) throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    return found;
  }

  /** the statement's fields, for Describe of an EXECUTE (none when it does not exist yet) */
  peek(name: string): SqlPrepared | undefined {
    return this.byName.get(name);
  }

  /** a statement of this name exists, made by PREPARE or by Parse */
  has(name: string): boolean {
    return this.byName.has(name) || (this.protocol?.has(name) ?? false);
  }

  add(entry: SqlPrepared): void {
    if (this.has(entry.name)) throw new SqlError(SqlState.duplicatePreparedStatement, `prepared statement "${entry.name}" already exists`);
    this.byName.set(entry.name, entry);
  }

  /** DEALLOCATE name (26000 when there is none of either kind) / DEALLOCATE ALL */
  remove(name: string | undefined): void {
    if (name === undefined) {
      this.byName.clear();
      this.protocol?.clear();
      return;
    }
    if (!this.byName.delete(name) && !this.protocol?.delete(name)) {
      throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
    }
  }

  /** pg_prepared_statements: PREPARE's (from_sql) and Parse's */
  list(): readonly { name: string; statement: string; prepared: number; paramTypes: readonly number[]; fromSql: boolean }[] {
    const own = [...this.byName.values()].map((p) => ({ name: p.name, statement: p.text, prepared: p.prepared, paramTypes: p.statement.paramTypes, fromSql: true }));
    const parsed = (this.protocol?.list() ?? []).map((p) => ({ name: p.name, statement: p.sql, prepared: p.created, paramTypes: p.paramTypes, fromSql: false }));
    return [...own, ...parsed];
  }
}

/** PREPARE: bind the statement over the declared $n types (the rest are inferred, as for Parse). */
export function runPrepare(ctx: SessionContext, bound: Extract<BoundStatement, { kind: 'prepare' }>, queryText: string): void {
  if (ctx.sqlPrepared.has(bound.name)) {
    throw new SqlError(SqlState.duplicatePreparedStatement, `prepared statement "${bound.name}" already exists`);
  }
  // a domain stays a domain: EXECUTE's values are coerced to it (its constraints checked)
  const types = bound.argTypes.map((t) => {
    const type = resolveTypeName(('TypeName' in t ? t.TypeName : t) as never);
    return type.domain ?? type.oid;
  });
  const statement = prepareParsed(ctx, bound.query, types);
  ctx.sqlPrepared.add({ name: bound.name, statement, text: queryText, prepared: Date.now() * 1000 });
}

/** EXECUTE's parameter values: each expression coerced to its $n type and evaluated. */
export function executeParams(ctx: SessionContext, target: SqlPrepared, params: readonly Node[]): Value[] {
  const expected = target.statement.paramTypes;
  if (params.length !== expected.length) {
    throw new SqlError(SqlState.syntaxError, `wrong number of parameters for prepared statement "${target.name}"`, {
      detail: `Expected ${expected.length} parameters but got ${params.length}.`,
    });
  }
  if (params.length === 0) return [];
  const binder = ctx.binder([]);
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  return params.map((p, i) => {
    const bound = bindExpr(p as never, new Scope(null), binder.ctx('EXECUTE parameter'));
    const target = declaredParamType(expected[i] ?? OID.text);
    let typed;
    try {
      typed = coerce(binder.env, bound, target, 'assignment');
    } catch (e) {
      if (!(e instanceof SqlError) || e.code !== SqlState.datatypeMismatch) throw e;
      throw new SqlError(SqlState.datatypeMismatch, `parameter $${i + 1} of type ${formatType(bound.type)} cannot be coerced to the expected type ${formatType(target)}`, {
        hint: 'You will need to rewrite or cast the expression.', position: exprLocation(p),
      });
    }
    return compileExpr(typed)([], env);
  });
}

/** 1-based position of a parameter expression (its node's location), for the error's caret. */
function exprLocation(node: Node): number | undefined {
  const inner = Object.values(node)[0] as { location?: number } | undefined;
  return inner?.location !== undefined && inner.location >= 0 ? inner.location + 1 : undefined;
}
