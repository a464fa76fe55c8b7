/**
 * Expression binding: raw parse nodes → typed Expr. Resolves names through Scope,
 * operators/functions/casts through src/functions, infers $n parameter types from their
 * context, and turns untyped literals into typed constants where the context decides.
 */
import { sortDirection } from './sort-direction.js';
import { declaredParamType, domainOfArray } from '../types/user-types.js';
import { multirangeTypeNamed } from '../types/multirange.js';
import { SqlError, SqlState } from '../errors.js';
import { cannotCast, commonType, isAggregateName, resolveCast, resolveFunction, resolveOperator, resolveVariadicArrayCall } from '../functions/index.js';
import { functionNotFound } from '../functions/registry.js';
import type { AggregateFunction, CastContext, ScalarFunction } from '../functions/api.js';
import type { DomainConstraints, Expr, Plan, SortKey, WindowFrame } from '../planner/plan.js';
import { formatText, parseText, type ParseSettings } from '../types/text-io.js';
import { parseBit } from '../types/bitvec.js';
import type { Interval, Value } from '../types/types.js';
import { OID, T, TYPES, arrayTypeOf, elementTypeOf, formatType, isArrayType, sqlType, typeByName, type SqlType } from '../types/types.js';
import type { RawNode } from './parser.js';
import type { Scope } from './scope.js';
import { intervalRange, resolveTypeName } from './type-names.js';
import { leftmostPosition, rawPosition as rawPos } from './positions.js';
import { mapExpr } from '../planner/expr-walk.js';
import { bindFrame, rangeOffsetTypes, resolveOver, windowClauseNumber, type WindowSpec } from './bind-window.js';
import { isSetReturning } from '../functions/set-functions.js';
import { bindWithinGroupCall } from './bind-ordered-set.js';
import { GROUPING_FUNCTION } from './grouping-sets.js';
import { HYPOTHETICAL_SET_AGGREGATES } from '../functions/ordered-set-aggregates.js';
import { recordFields, recordFunctionFor, recordType } from '../functions/records.js';
import { compareValues } from '../types/compare.js';
import { isRowType } from '../types/records.js';
import { INTERNAL_PROCS, builtinProcOid } from '../catalog/system/builtin-proc-rows.js';
import { bindCastFunctionCall } from './bind-cast-function.js';
import { regprocInput } from '../catalog/functions/regproc-input.js';
import { similarToRegex } from '../functions/scalar.js';

/** What binding one statement needs from its surroundings. */
export interface BindEnv {
  /** $n types; 0/unknown entries are filled in as they are inferred */
  readonly paramTypes: number[];
  /** functions the engine provides on top of the built-ins (version(), pg_catalog helpers …) */
  systemFunction(name: string, argTypes: readonly SqlType[]): ScalarFunction | undefined;
  /** bind a nested SELECT (subquery) with the given enclosing scope */
  bindSubquery(node: RawNode, parent: Scope): Plan;
  /** a call of a user-defined SQL function, bound in place (undefined: not one) */
  /** `schema`: the call names one (else the search path decides) */
  userFunction?(name: string, args: Expr[], position?: number, schema?: string): Expr | undefined;
  /** the OID of a user-defined function by name ('name'::regproc) */
  userFunctionOid?(name: string, schema?: string): number | undefined;
  /** whether name/argc is a user-defined SQL function returning a set */
  userSetFunction?(name: string, argc: number): boolean;
  /** session settings that literal input depends on (TimeZone, DateStyle, 'now') */
  readonly parseSettings?: ParseSettings;
  /** a domain's constraints (or its array type's), bound for a coercion to it (absent: none are enforced) */
  domainConstraints?(domain: number): DomainConstraints;
  /** set while a view's query is bound: what each node of its tree was bound to, for pg_get_viewdef's text */
  bound?: BoundRecord;
}

/**
 * The bound value of each parse-tree node of a query (a view's, printed back by
 * sql/ddl/view-deparse.ts as ruleutils prints its stored query): expressions, `*` as its
 * columns, each FROM item's column names, a NATURAL join's common columns.
 */
export interface BoundRecord {
  readonly exprs: Map<object, Expr>;
  readonly nodes: Map<Expr, object>;
  readonly stars: Map<object, readonly { readonly name: string; readonly expr: Expr }[]>;
  readonly itemColumns: Map<object, readonly string[]>;
  readonly using: Map<object, readonly string[]>;
  /** a VALUES list's rows, cast to their columns' common types */
  readonly values: Map<object, readonly (readonly Expr[])[]>;
  /** an aliased join's columns as ruleutils names them (set_join_column_names) and whether `j(…)` is printed */
  readonly joinColumns: Map<object, { readonly names: readonly string[]; readonly print: boolean }>;
  /** functions in FROM reading an item to their left: LATERAL, as transformRangeFunction marks them */
  readonly lateral: Set<object>;
}

export function newBoundRecord(): BoundRecord {
  return { exprs: new Map(), nodes: new Map(), stars: new Map(), itemColumns: new Map(), using: new Map(), values: new Map(), joinColumns: new Map(), lateral: new Set() };
}

/** note what `node` was bound to (only while a view's query is bound) */
export function noteBound(env: BindEnv, node: object, e: Expr): Expr {
  if (env.bound) {
    env.bound.exprs.set(node, e);
    if (!env.bound.nodes.has(e)) env.bound.nodes.set(e, node);
  }
  return e;
}

/** Per query-level state: where aggregates may appear and where they are collected. */
export interface ExprContext {
  readonly env: BindEnv;
  /** name of the clause, for error messages ("WHERE", "JOIN conditions" …); null = aggregates allowed */
  readonly noAggregates: string | null;
  /** true while binding an aggregate's arguments (nested aggregates are an error) */
  readonly inAggregate?: boolean;
  readonly allowWindow?: boolean;
  /** the clause named when a window function is refused (else noAggregates') */
  readonly noWindows?: string;
  /** true while binding a window function's arguments (nested window functions are an error) */
  readonly inWindowArgs?: boolean;
  /** WINDOW w AS (…) definitions of the query level */
  readonly windowDefs?: ReadonlyMap<string, WindowSpec>;
  /** the query's OVER (…) window clauses so far (bind-window.ts windowClauseNumber), shared by its expressions */
  readonly windowClauses?: string[];
  /** where set-returning functions are allowed (the select list): registers the call and
   *  returns the expression that reads its current value */
  readonly srf?: (name: string, args: Expr[], position: number | undefined) => Expr;
  /** why a set-returning call is refused here although the clause allows them (in CASE, an aggregate's arguments …) */
  readonly srfRefusal?: { readonly message: string; readonly hint?: string };
}

const LATERAL_HINT = 'You might be able to move the set-returning function into a LATERAL FROM item.';

/** The context of a part of an expression where PostgreSQL refuses set-returning calls the clause itself allows. */
export function refuseSrfs(ctx: ExprContext, message: string, hint: string | null = LATERAL_HINT): ExprContext {
  return ctx.srf ? { ...ctx, srf: undefined, srfRefusal: { message, ...(hint === null ? {} : { hint }) } } : ctx;
}

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

export function constExpr(type: SqlType, value: Expr extends { value: infer V } ? V : never): Expr {
  return { kind: 'const', type, value };
}

export function isUnknown(e: Expr): boolean {
  return e.type.oid === OID.unknown;
}

/** pseudo-types whose input function is PostgreSQL's dummy that raises 0A000 */
const REFUSING_INPUT = new Set<number>([OID.trigger, OID.index_am_handler]);

const LOOKUP_TYPES = new Set<number>([OID.regclass, OID.regproc, OID.regprocedure, OID.regnamespace, OID.regrole, OID.regoper, OID.regoperator]);

/** Coerce an expression to a type (PostgreSQL's coerce_to_target_type). */
export function coerce(env: BindEnv, e: Expr, target: SqlType, context: CastContext, describe?: () => string): Expr {
  if (target.domain !== undefined) return coerceToDomain(env, e, target, context, describe);
  // a domain's value cast to its base type is the value itself, now of the base type (pg_typeof shows it)
  if (e.type.domain !== undefined && context === 'explicit') e = { ...e, type: { oid: e.type.oid, typmod: e.type.typmod } } as Expr;
  return coerceToBase(env, e, target, context, describe);
}

/**
 * Coercion to a domain: to its base type, then its constraints are checked (a value already
 * of the domain is not checked again). A cast that fails names the domain, as PostgreSQL's.
 */
function coerceToDomain(env: BindEnv, e: Expr, target: SqlType, context: CastContext, describe?: () => string): Expr {
  if (e.type.domain === target.domain) return e;
  const base = { oid: target.oid, typmod: target.typmod };
  let arg: Expr;
  try {
    arg = coerceToBase(env, e, base, context, describe);
  } catch (err) {
    if (err instanceof SqlError && (err.code === SqlState.cannotCoerce || err.code === SqlState.datatypeMismatch)) throw castError(env, e, target, context, describe);
    throw err;
  }
  const constraints = env.domainConstraints?.(target.domain!);
  if (!constraints) return { ...arg, type: target } as Expr;
  const literal = constraints.elements && e.kind === 'const' && e.type.oid === OID.unknown ? e.position : undefined;
  return { kind: 'domain', type: target, arg, constraints, ...(context === 'explicit' ? { explicit: true } : {}), ...(literal !== undefined ? { position: literal } : {}) };
}

function castError(env: BindEnv, e: Expr, target: SqlType, context: CastContext, describe?: () => string): SqlError {
  if (context === 'explicit') return new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(e.type)} to ${formatType(target)}`);
  const what = describe ? describe() : `argument of type ${formatType(e.type)}`;
  return new SqlError(SqlState.datatypeMismatch, `${what} is of type ${formatType(target)} but expression is of type ${formatType(e.type)}`, {
    hint: 'You will need to rewrite or cast the expression.',
  });
}

function coerceToBase(env: BindEnv, e: Expr, target: SqlType, context: CastContext, describe?: () => string): Expr {
  if (target.oid === OID.unknown || target.oid === OID.any || target.oid === OID.anyelement) return e;
  const sameBase = e.type.oid === target.oid;
  if (sameBase && (target.typmod < 0 || e.type.typmod === target.typmod)) return e;
  if (e.kind === 'param' && (e.type.oid === OID.unknown || e.type.oid === 0)) {
    env.paramTypes[e.index] = target.oid;
    e.type = sqlType(target.oid);
    if (target.typmod < 0) return e;
  }
  if (e.kind === 'const' && e.type.oid === OID.unknown && (target.oid === OID.regproc || target.oid === OID.regprocedure) && e.value !== null) {
    return { kind: 'const', type: target, value: regprocIn(env, e.value as string, e.position) };
  }
  if (e.kind === 'const' && e.type.oid === OID.unknown && LOOKUP_TYPES.has(target.oid) && e.value !== null) {
    // 'name'::regclass needs the catalog: resolve at run time through the text cast
    const fn = resolveCast(T.text, target, 'explicit');
    if (fn) return { kind: 'cast', type: target, arg: { kind: 'const', type: T.text, value: e.value }, fn, lookupLiteral: true };
  }
  if (e.kind === 'const' && e.type.oid === OID.unknown) {
    // no literal is ever of type internal (so pgvector's hnswhandler(internal) stays uncallable, as in PostgreSQL)
    if (target.oid === OID.internal) throw cannotCast(e.type, target);
    // the handler pseudo-types' input functions refuse every value, NULL included (pseudotypes.c)
    if (REFUSING_INPUT.has(target.oid)) {
      throw new SqlError(SqlState.featureNotSupported, `cannot accept a value of type ${formatType(target)}`).withPosition(e.position);
    }
    const base = sqlType(target.oid);
    let value: Value;
    try {
      value = e.value === null ? null : parseText(base, e.value as string, env.parseSettings);
    } catch (err) {
      throw err instanceof SqlError ? err.withPosition(e.position) : err;
    }
    const typed: Expr = { kind: 'const', type: base, value, typed: true };
    return target.typmod < 0 ? typed : coerce(env, typed, target, context, describe);
  }
  if (e.kind === 'array' && e.type.oid === OID.record && TYPES.get(target.oid)?.category === 'C') return rowToComposite(env, e, target, context);
  const fn = resolveCast(e.type, target, context);
  if (!fn) throw castError(env, e, target, context, describe);
  return { kind: 'cast', type: target, arg: e, fn, explicit: context === 'explicit' };
}

/** ROW(…)'s fields before their untyped literals became text: a cast to a composite type types them as its attributes */
const UNTYPED_ROW_FIELDS = new WeakMap<Expr, readonly Expr[]>();

/** ROW(…) to a composite type, field by field (parse_coerce.c's coerce_record_to_complex; 42846 with its DETAILs) */
function rowToComposite(env: BindEnv, e: Extract<Expr, { kind: 'array' }>, target: SqlType, context: CastContext): Expr {
  const fields = recordFields(target) ?? [];
  const fail = (detail: string): SqlError => new SqlError(SqlState.cannotCoerce, `cannot cast type record to ${formatType(target)}`, { detail });
  if (e.elems.length < fields.length) throw fail('Input has too few columns.');
  if (e.elems.length > fields.length) throw fail('Input has too many columns.');
  const untyped = UNTYPED_ROW_FIELDS.get(e);
  const elems = e.elems.map((resolved, i) => {
    const x = untyped?.[i] ?? resolved;
    try {
      return coerce(env, x, fields[i]!.type, context);
    } catch (err) {
      if (err instanceof SqlError && (err.code === SqlState.cannotCoerce || err.code === SqlState.datatypeMismatch)) {
        throw fail(`Cannot cast type ${formatType(x.type)} to ${formatType(fields[i]!.type)} in column ${i + 1}.`);
      }
      throw err;
    }
  });
  return { kind: 'array', type: target, elems };
}

/** Unknown literals left over (e.g. SELECT 'abc') become text, as in PostgreSQL ≥ 10. */
export function resolveUnknown(env: BindEnv, e: Expr): Expr {
  return isUnknown(e) ? coerce(env, e, T.text, 'implicit') : e;
}

export function boolArg(env: BindEnv, e: Expr, clause: string): Expr {
  if (e.type.oid === OID.bool) return e;
  if (isUnknown(e)) return coerce(env, e, T.bool, 'implicit');
  throw new SqlError(SqlState.datatypeMismatch, `argument of ${clause} must be type boolean, not type ${formatType(e.type)}`);
}

/** record_eq … record_ge: a comparison of two row values of one type, as record_cmp orders them */
const RECORD_COMPARISONS: Record<string, { name: string; test: (c: number) => boolean }> = {
  '=': { name: 'record_eq', test: (c) => c === 0 }, '<>': { name: 'record_ne', test: (c) => c !== 0 },
  '<': { name: 'record_lt', test: (c) => c < 0 }, '<=': { name: 'record_le', test: (c) => c <= 0 },
  '>': { name: 'record_gt', test: (c) => c > 0 }, '>=': { name: 'record_ge', test: (c) => c >= 0 },
};

function bindRecordComparison(env: BindEnv, op: string, left: Expr, right: Expr, position: number | undefined): Expr | undefined {
  const cmp = RECORD_COMPARISONS[op];
  if (!cmp) return undefined;
  const lrow = isRowType(left.type.oid), rrow = isRowType(right.type.oid);
  if (!(lrow && (rrow || isUnknown(right))) && !(rrow && isUnknown(left))) return undefined;
  // an untyped literal against a row is record input, which PostgreSQL has none of
  const literal = isUnknown(left) ? left : isUnknown(right) ? right : undefined;
  if (literal) throw new SqlError(SqlState.featureNotSupported, 'input of anonymous composite types is not implemented', { position: literal.kind === 'const' ? literal.position ?? position : position });
  if (left.type.oid !== right.type.oid && left.type.oid !== OID.record && right.type.oid !== OID.record) {
    throw new SqlError(SqlState.undefinedFunction, `operator does not exist: ${formatType(left.type)} ${op} ${formatType(right.type)}`, { position, hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
  }
  const type = left.type.oid !== OID.record ? left.type : right.type;
  const fn: ScalarFunction = {
    kind: 'scalar', argTypes: [left.type, right.type], returnType: T.bool, strict: true, volatile: false,
    impl: ([a, b]) => cmp.test(compareValues(type, a!, b!)),
  };
  return { kind: 'call', type: T.bool, name: cmp.name, fn, args: [left, right] };
}

export function bindOperator(env: BindEnv, op: string, left: Expr | null, right: Expr, position?: number): Expr {
  const recordCmp = left ? bindRecordComparison(env, op, left, right, position) : undefined;
  if (recordCmp) return recordCmp;
  let fn: ScalarFunction;
  try {
    fn = resolveOperator(op, left ? left.type : null, right.type);
  } catch (e) {
    throw e instanceof SqlError ? e.withPosition(position) : e;
  }
  const args = left ? [left, right] : [right];
  const bound = args.map((a, i) => coerce(env, a, fn.argTypes[i], 'implicit'));
  // text || anynonarray is PostgreSQL's inlined SQL function anytextcat, $1::text || $2
  if (op === '||' && left && fn.returnType.oid === OID.text && bound.some((a) => a.type.oid !== OID.text)) {
    return bindOperator(env, op, ...bound.map((a) => (a.type.oid === OID.text ? a : coerce(env, a, T.text, 'explicit'))) as [Expr, Expr], position);
  }
  return { kind: 'call', type: fn.returnType, name: op, fn, args: bound };
}

function bindCall(env: BindEnv, name: string, args: Expr[], position?: number, schema?: string): Expr {
  const user = env.userFunction?.(name, args, position, schema);
  if (user) return user;
  const types = args.map((a) => a.type);
  if (args.length === 1 && isRowType(types[0].oid)) {
    const fn = recordFunctionFor(name, types[0]);
    if (fn) return { kind: 'call', type: fn.returnType, name, fn, args };
  }
  // int4multirange('{…}'): PostgreSQL takes typename('literal') as a cast (func_get_detail)
  // when no function takes the literal's unknown type exactly
  const multirange = args.length === 1 && args[0]!.kind === 'const' && types[0]!.oid === OID.unknown && schema === undefined ? multirangeTypeNamed(name) : undefined;
  if (multirange !== undefined) return coerce(env, args[0]!, { oid: multirange, typmod: -1 }, 'explicit');
  const sys = env.systemFunction(name, types);
  // pg_lsn('0/5'): a literal given to a function named after a type is that type's input even
  // when a function of that name takes another type (func_get_detail: "always treat
  // typename('literal') as coercion"; an unknown argument is never an exact match)
  const named = !sys && schema === undefined && args.length === 1 && args[0].kind === 'const' && types[0].oid === OID.unknown ? typeByName(name) : undefined;
  if (named && named.category !== 'P') return coerce(env, args[0], sqlType(named.oid), 'explicit');
  let fn: ReturnType<typeof resolveFunction>;
  try {
    fn = sys ?? resolveFunctionAt(name, types, position);
  } catch (e) {
    // int4(x), array_to_vector(a, 3, true): a function PostgreSQL implements a cast with
    const cast = e instanceof SqlError && e.code === SqlState.undefinedFunction ? bindCastFunctionCall(env, name, args) : undefined;
    if (cast) return cast;
    throw e;
  }
  if (fn.kind !== 'scalar') throw new SqlError(SqlState.groupingError, `aggregate function ${name} is not allowed here`, { position });
  const bound = args.map((a, i) => coerce(env, a, fn.argTypes[i] ?? a.type, 'implicit'));
  return { kind: 'call', type: fn.returnType, name, fn, args: bound };
}

function resolveFunctionAt(name: string, types: readonly SqlType[], position: number | undefined, opts?: { star?: boolean; distinct?: boolean }) {
  try {
    return resolveFunction(name, types, opts);
  } catch (e) {
    throw e instanceof SqlError ? e.withPosition(position) : e;
  }
}

/** One case per parse-node kind of an expression (a table of short cases, hence its length). */
export function bindExpr(node: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const e = bindExprNode(node, scope, ctx);
  return ctx.env.bound ? noteBound(ctx.env, node, e) : e;
}

function bindExprNode(node: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const kind = Object.keys(node)[0];
  const n = node[kind];
  const env = ctx.env;
  switch (kind) {
    case 'A_Const':
      return { ...bindConst(n), position: pos(n) } as Expr;
    case 'ColumnRef': {
      const names: string[] = [];
      for (const f of n.fields) {
        if (f.A_Star) throw new SqlError(SqlState.syntaxError, 'row expansion via "*" is not supported here', { position: pos(n) });
        names.push(f.String.sval);
      }
      try {
        return scope.resolve(names, pos(n));
      } catch (e) {
        // a bare range-variable name is a whole-row reference (row_to_json(t), SELECT t FROM t)
        const whole = e instanceof SqlError && e.code === SqlState.undefinedColumn ? wholeRowRef(scope, names) : undefined;
        if (whole) return whole;
        throw e;
      }
    }
    case 'ParamRef': {
      const index = n.number - 1;
      if (index < 0) throw new SqlError(SqlState.undefinedParameter, `there is no parameter $${n.number}`, { position: pos(n) });
      while (env.paramTypes.length <= index) env.paramTypes.push(0);
      const oid = env.paramTypes[index] || OID.unknown;
      return { kind: 'param', type: declaredParamType(oid), index };
    }
    case 'TypeCast': {
      const target = resolveTypeName(n.typeName);
      if (n.arg.A_ArrayExpr && isArrayType(target.oid)) {
        // ARRAY[…]::T[] casts each element to T (explicitly, as PostgreSQL does); ARRAY[…]::d[] each to the domain d
        const ofDomain = target.domain === undefined ? undefined : domainOfArray(target.domain);
        const elem: SqlType = { oid: elementTypeOf(target.oid)!, typmod: target.typmod, ...(ofDomain ? { domain: ofDomain.oid } : {}) };
        const arr = bindArray(n.arg.A_ArrayExpr, scope, ctx, elem, 'explicit');
        return ofDomain ? { ...arr, type: target } as Expr : arr;
      }
      const range = intervalRange(n.typeName);
      if (range !== undefined && n.arg.A_Const?.sval !== undefined) {
        // interval '1' day: a bare number counts in the range's last field; lower fields are cut
        return { kind: 'const', type: target, value: intervalWithRange(n.arg.A_Const.sval.sval ?? '', range, env, pos(n.arg.A_Const)), position: pos(n.arg.A_Const) };
      }
      const arg = bindExpr(n.arg, scope, ctx);
      try {
        return coerce(env, arg, target, 'explicit');
      } catch (e) {
        throw e instanceof SqlError ? e.withPosition(pos(n) ?? pos(n.arg)) : e;
      }
    }
    case 'CollateClause': {
      // Quiver compares in C order whatever the collation: the clause is kept (an identity
      // call printed back as `x COLLATE "C"`, PostgreSQL's CollateExpr) for the text of views
      const arg = resolveUnknown(env, bindExpr(n.arg, scope, ctx));
      const name = ((n.collname ?? []) as RawNode[]).map((x) => x.String.sval as string).pop() ?? 'default';
      const fn: ScalarFunction = { kind: 'scalar', argTypes: [arg.type, T.text], returnType: arg.type, strict: false, volatile: false, impl: (args) => args[0] ?? null };
      return { kind: 'call', type: arg.type, name: 'collate', fn, args: [arg, { kind: 'const', type: T.text, value: name }], sqlSyntax: true };
    }
    case 'BoolExpr': {
      const args = (n.args as RawNode[]).map((a) => bindExpr(a, scope, ctx));
      const clause = n.boolop === 'AND_EXPR' ? 'AND' : n.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
      const bools = args.map((a) => boolArg(env, a, clause));
      if (n.boolop === 'NOT_EXPR') return { kind: 'not', type: T.bool, arg: bools[0] };
      return { kind: n.boolop === 'AND_EXPR' ? 'and' : 'or', type: T.bool, args: bools };
    }
    case 'NullTest': {
      const negate = n.nulltesttype === 'IS_NOT_NULL';
      // ROW(a, b) IS [NOT] NULL: every field NULL / every field not NULL (PostgreSQL's NullTest on a RowExpr)
      if (n.arg.RowExpr) {
        const fields = ((n.arg.RowExpr.args ?? []) as RawNode[]).map((a): Expr => ({ kind: 'isnull', type: T.bool, arg: resolveUnknown(env, bindExpr(a, scope, ctx)), negate }));
        return fields.length === 1 ? fields[0]! : { kind: 'and', type: T.bool, args: fields, rowNullTest: true };
      }
      return { kind: 'isnull', type: T.bool, arg: resolveUnknown(env, bindExpr(n.arg, scope, ctx)), negate };
    }
    case 'BooleanTest': {
      const t = n.booltesttype as string;
      // transformBooleanTest's clause name: IS [NOT] TRUE / FALSE / UNKNOWN
      const arg = boolArg(env, bindExpr(n.arg, scope, ctx), t.replace(/_/g, ' '));
      const test = t.includes('TRUE') ? 'true' : t.includes('FALSE') ? 'false' : 'unknown';
      return { kind: 'booltest', type: T.bool, arg, test, negate: t.startsWith('IS_NOT') };
    }
    case 'A_Expr':
      return bindAExpr(n, scope, ctx);
    case 'FuncCall':
      return bindFuncCall(n, scope, ctx);
    case 'CaseExpr':
      return bindCase(n, scope, ctx);
    case 'CoalesceExpr': {
      const inner = refuseSrfs(ctx, 'set-returning functions are not allowed in COALESCE');
      const args = (n.args as RawNode[]).map((a) => bindExpr(a, scope, inner));
      const type = commonType(args.map((a) => a.type), 'COALESCE');
      return { kind: 'coalesce', type, args: args.map((a) => coerce(env, a, type, 'implicit')) };
    }
    case 'MinMaxExpr': {
      const args = (n.args as RawNode[]).map((a) => bindExpr(a, scope, ctx));
      const op = n.op === 'IS_GREATEST' ? 'greatest' : 'least';
      const type = commonType(args.map((a) => a.type), op.toUpperCase());
      const cmp = resolveOperator('<', type, type);
      return { kind: 'minmax', type, op, args: args.map((a) => coerce(env, a, type, 'implicit')), cmp };
    }
    case 'NullIfExpr':
      throw new SqlError(SqlState.featureNotSupported, 'NULLIF node');
    case 'A_ArrayExpr':
      return bindArray(n, scope, ctx, null);
    case 'SubLink':
      return bindSubLink(n, scope, ctx);
    case 'SQLValueFunction':
      return bindSqlValueFunction(n, env);
    case 'A_Indirection': {
      let e = bindExpr(n.arg, scope, ctx);
      const inds = n.indirection as RawNode[];
      for (let k = 0; k < inds.length; k++) {
        const ind = inds[k];
        if (ind.String) {
          e = selectField(e, ind.String.sval as string, rawPos(n.arg));
          continue;
        }
        if (ind.A_Star) throw new SqlError(SqlState.featureNotSupported, 'row expansion via "*" is not supported here', { position: rawPos(n.arg) });
        // consecutive subscripts form one access: a[i][j], a[1:2][3]
        const group: RawNode[] = [];
        while (k < inds.length && inds[k].A_Indices) group.push(inds[k++].A_Indices);
        k--;
        if (e.type.oid === OID.name && group.length === 1 && !group[0].is_slice && group[0].uidx) {
          e = nameByte(e, coerce(env, bindExpr(group[0].uidx, scope, ctx), T.int4, 'assignment'));
          continue;
        }
        if (e.type.oid === OID.jsonb) {
          const slice = group.find((g) => g.is_slice);
          if (slice) throw new SqlError(SqlState.datatypeMismatch, 'jsonb subscript does not support slices', { position: rawPos(slice.uidx ?? slice.lidx) });
          const subs = group.map((g) => ({ lower: null, upper: jsonbSubscriptKey(env, bindExpr(g.uidx, scope, ctx), rawPos(g.uidx)) }));
          e = { kind: 'subscript', type: T.jsonb, arg: e, subs, slice: false, base: 0, jsonb: true };
          continue;
        }
        const elem = elementTypeOf(e.type.oid);
        if (elem === undefined) {
          throw new SqlError(SqlState.datatypeMismatch, `cannot subscript type ${formatType(e.type)} because it does not support subscripting`, { position: rawPos(n.arg) });
        }
        const slice = group.some((g) => g.is_slice);
        const bound = (x: RawNode | undefined): Expr | null => {
          if (!x) return null;
          const b = bindExpr(x, scope, ctx);
          try {
            return coerce(env, b, T.int4, 'assignment');
          } catch (err) {
            if (err instanceof SqlError && err.code === SqlState.datatypeMismatch) {
              throw new SqlError(SqlState.datatypeMismatch, `array subscript must have type integer`, { position: rawPos(x) });
            }
            throw err;
          }
        };
        const subs = group.map((g) => ({ lower: bound(g.lidx), upper: bound(g.uidx) }));
        const base = e.type.oid === OID.int2vector || e.type.oid === OID.oidvector ? 0 : 1;
        const type = slice ? sqlType(arrayTypeOf(elem) ?? e.type.oid) : sqlType(elem, e.type.typmod);
        e = { kind: 'subscript', type, arg: e, subs, slice, base };
      }
      return e;
    }
    case 'RowExpr': {
      const raw = ((n.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, ctx));
      const args = raw.map((a) => resolveUnknown(env, a));
      const type = recordType(args.map((a, i) => ({ name: `f${i + 1}`, type: a.type })));
      const row: Expr = { kind: 'array', type, elems: args };
      if (raw.some((a, i) => a !== args[i])) UNTYPED_ROW_FIELDS.set(row, raw);
      return row;
    }
    case 'GroupingFunc': return bindGroupingCall(n, scope, ctx);
    case 'XmlExpr':
    default:
      throw new SqlError(SqlState.featureNotSupported, `expression type ${kind} is not supported`, { position: pos(n) });
  }
}

/** GROUPING(a, b): an aggregate-like call whose arguments must be GROUP BY expressions (checked once the GROUP BY is bound). */
function bindGroupingCall(n: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const position = pos(n);
  if (ctx.inAggregate) throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot be nested', { position });
  if (ctx.noAggregates !== null) throw new SqlError(SqlState.groupingError, `grouping operations are not allowed in ${ctx.noAggregates}`, { position });
  const args = ((n.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, { ...ctx, inAggregate: true }));
  if (args.length > 31) throw new SqlError(SqlState.tooManyArguments, 'GROUPING must have fewer than 32 arguments', { position });
  return { kind: 'agg', type: T.int4, name: 'grouping', fn: GROUPING_FUNCTION, args, distinct: false, filter: null, orderBy: [] };
}

/** name[i]: a name is a fixed array of "char", subscripted from 0 (pg_dump tests typname[0] = '_') */
function nameByte(arg: Expr, index: Expr): Expr {
  const fn: ScalarFunction = {
    kind: 'scalar', argTypes: [T.name, T.int4], returnType: T.char, strict: true, volatile: false,
    impl: ([s, i]) => {
      const bytes = Buffer.from(String(s), 'utf8');
      const k = i as number;
      return k >= 0 && k < bytes.length ? String.fromCharCode(bytes[k]) : k >= 0 && k < 64 ? '' : null;
    },
  };
  return { kind: 'call', type: T.char, name: 'name_subscript', fn, args: [arg, index] };
}

function bindConst(n: RawNode): Expr {
  if (n.isnull) return { kind: 'const', type: T.unknown, value: null };
  if (n.ival !== undefined) return { kind: 'const', type: T.int4, value: n.ival.ival ?? 0 };
  if (n.fval !== undefined) {
    const text: string = n.fval.fval;
    if (/^-?\d+$/.test(text)) {
      const big = BigInt(text);
      if (big >= -(2n ** 63n) && big < 2n ** 63n) return { kind: 'const', type: T.int8, value: big };
    }
    return { kind: 'const', type: T.numeric, value: parseText(T.numeric, text) };
  }
  if (n.sval !== undefined) return { kind: 'const', type: T.unknown, value: n.sval.sval ?? '' };
  if (n.boolval !== undefined) return { kind: 'const', type: T.bool, value: n.boolval.boolval === true };
  // B'1010' / X'1F' (the library gives "b1010" / "x1f"): a bit constant
  if (n.bsval !== undefined) return { kind: 'const', type: sqlType(OID.bit), value: parseBit(String(n.bsval.bsval ?? '')) };
  return { kind: 'const', type: T.unknown, value: null };
}

function opName(n: RawNode): string {
  const names = (n.name as RawNode[]).map((x) => x.String.sval as string);
  return names[names.length - 1];
}

/** One case per A_Expr kind (=, IN, LIKE, BETWEEN, DISTINCT, NULLIF, …): a table of short cases. */
/**
 * ROW(a1, a2, …) op ROW(b1, b2, …), as PostgreSQL's make_row_comparison_op: `=` every pair
 * equal, `<>` some pair different, `<` `<=` `>` `>=` in order of the fields — the first pair
 * that is not equal decides (`a1 < b1 OR (a1 = b1 AND a2 <= b2)` for `<=`), NULL where a pair
 * compared before a decision is NULL. `WHERE (created, id) > ($1, $2)` is keyset pagination.
 */
function bindRowComparison(op: string, left: RawNode, right: RawNode, scope: Scope, ctx: ExprContext, position: number | undefined): Expr {
  const env = ctx.env;
  const ls = ((left.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, ctx));
  const rs = ((right.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, ctx));
  if (ls.length !== rs.length) throw new SqlError(SqlState.syntaxError, 'unequal number of entries in row expressions', { position });
  if (ls.length === 0) throw new SqlError(SqlState.featureNotSupported, 'cannot compare rows of zero length', { position });
  const pair = (o: string, i: number): Expr => {
    const e = bindOperator(env, o, ls[i]!, rs[i]!, position);
    if (e.type.oid !== OID.bool) throw new SqlError(SqlState.datatypeMismatch, `row comparison operator must yield type boolean, not type ${formatType(e.type)}`, { position });
    return e;
  };
  const all = (kind: 'and' | 'or', args: Expr[]): Expr => (args.length === 1 ? args[0]! : { kind, type: T.bool, args });
  if (op === '=') return all('and', ls.map((_, i) => pair('=', i)));
  if (op === '<>') return all('or', ls.map((_, i) => pair('<>', i)));
  if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=') {
    throw new SqlError(SqlState.featureNotSupported, `could not determine interpretation of row comparison operator ${op}`, { position, hint: 'Row comparison operators must be associated with btree operator families.' });
  }
  // one node (a RowCompareExpr), not its expansion: a B-tree index takes it as a range start
  // (range-comparison.ts), EXPLAIN shows it as written; each pair's operator as PostgreSQL picks it
  const ops = ls.map((_, i) => pair(op, i));
  if (ops.length === 1) return ops[0]!;
  const eqs = ls.map((_, i) => pair('=', i));
  const calls = [...ops, ...eqs].filter((e): e is Extract<Expr, { kind: 'call' }> => e.kind === 'call' && e.args.length === 2);
  if (calls.length !== ops.length * 2) {
    // a pair's operator is not a plain call (a user's SQL operator): its expansion,
    // a_i < b_i OR (a_i = b_i AND <the rest>), from the last field back
    let rest = ops[ops.length - 1]!;
    for (let i = ops.length - 2; i >= 0; i--) rest = { kind: 'or', type: T.bool, args: [pair(op.slice(0, 1), i), { kind: 'and', type: T.bool, args: [eqs[i]!, rest] }] };
    return rest;
  }
  const opCalls = calls.slice(0, ops.length), eqCalls = calls.slice(ops.length);
  return { kind: 'rowcompare', type: T.bool, op, args: [...opCalls.map((c) => c.args[0]!), ...opCalls.map((c) => c.args[1]!)], ops: opCalls.map((c) => c.fn), eqs: eqCalls.map((c) => c.fn) };
}

function bindAExpr(n: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const env = ctx.env;
  const op = opName(n);
  const position = pos(n);
  switch (n.kind as string) {
    case 'AEXPR_OP': {
      if (n.lexpr?.RowExpr && n.rexpr?.RowExpr) return bindRowComparison(op, n.lexpr.RowExpr, n.rexpr.RowExpr, scope, ctx, position);
      const left = n.lexpr ? bindExpr(n.lexpr, scope, ctx) : null;
      const right = bindExpr(n.rexpr, scope, ctx);
      return bindOperator(env, op, left, right, position);
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': {
      const left = bindExpr(n.lexpr, scope, ctx);
      // SIMILAR TO is rewritten by the grammar into ~ similar_to_escape(pattern [, escape])
      if (n.kind === 'AEXPR_SIMILAR' && n.rexpr.FuncCall) {
        const [pattern, escape] = (n.rexpr.FuncCall.args as RawNode[]).map((a) => coerce(env, bindExpr(a, scope, ctx), T.text, 'implicit'));
        return bindOperator(env, op, left, similarToEscape(env, pattern!, escape, position), position);
      }
      return bindOperator(env, op, left, bindExpr(n.rexpr, scope, ctx), position);
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL': {
      const left = bindExpr(n.lexpr, scope, ctx);
      let right = bindExpr(n.rexpr, scope, ctx);
      let elemType: SqlType;
      if (isUnknown(right) || right.kind === 'param' && right.type.oid === OID.unknown) {
        const elem = isUnknown(left) ? T.text : left.type;
        right = coerce(env, right, sqlType(arrayTypeOf(elem.oid) ?? OID._text), 'implicit');
      }
      const elemOid = elementTypeOf(right.type.oid);
      if (elemOid === undefined) throw new SqlError(SqlState.wrongObjectType, 'op ANY/ALL (array) requires array on right side', { position });
      elemType = sqlType(elemOid, elemOid === OID.record ? right.type.typmod : -1);
      // a row against an array of rows: record_eq … record_ge per element
      const rowCmp = bindRecordComparison(env, op, left, { kind: 'const', type: elemType, value: null }, position);
      if (rowCmp?.kind === 'call') return { kind: 'anyall', type: T.bool, all: n.kind === 'AEXPR_OP_ALL', left, right, fn: rowCmp.fn, op };
      const fn = resolveOperator(op, left.type, elemType);
      const l = coerce(env, left, fn.argTypes[0], 'implicit');
      if (fn.argTypes[1].oid !== elemType.oid) {
        const arrType = arrayTypeOf(fn.argTypes[1].oid);
        if (arrType !== undefined) right = coerce(env, right, sqlType(arrType), 'implicit');
      }
      return { kind: 'anyall', type: T.bool, all: n.kind === 'AEXPR_OP_ALL', left: l, right, fn, op };
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const left = bindExpr(n.lexpr, scope, ctx);
      const right = bindExpr(n.rexpr, scope, ctx);
      const type = commonType([left.type, right.type], 'IS DISTINCT FROM');
      const eq = resolveOperator('=', type, type);
      return {
        kind: 'distinct', type: T.bool, eq, negate: n.kind === 'AEXPR_NOT_DISTINCT',
        left: coerce(env, left, eq.argTypes[0], 'implicit'), right: coerce(env, right, eq.argTypes[1], 'implicit'),
      };
    }
    case 'AEXPR_NULLIF': {
      const left = bindExpr(n.lexpr, scope, ctx);
      const right = bindExpr(n.rexpr, scope, ctx);
      const eqExpr = bindOperator(env, '=', left, right, position);
      const l = eqExpr.kind === 'call' ? eqExpr.args[0] : left;
      return { kind: 'case', type: l.type, whens: [{ cond: eqExpr, result: { kind: 'const', type: l.type, value: null } }], otherwise: l };
    }
    case 'AEXPR_IN': {
      const items = (n.rexpr.List?.items ?? n.rexpr) as RawNode[];
      // (a, b) IN ((1, 2), …): transformAExprIn's row case, each item a row comparison, ORed (NOT IN: ANDed)
      if (n.lexpr?.RowExpr && items.every((i) => i.RowExpr)) {
        const tests = items.map((i) => bindRowComparison(op, n.lexpr.RowExpr, i.RowExpr, scope, ctx, position));
        return tests.length === 1 ? tests[0]! : { kind: op === '<>' ? 'and' : 'or', type: T.bool, args: tests };
      }
      const left = bindExpr(n.lexpr, scope, ctx);
      const list = items.map((i) => bindExpr(i, scope, ctx));
      const type = commonType([left.type, ...list.map((e) => e.type)], 'IN');
      const l = coerce(env, left, type, 'implicit');
      // every item has the list's type: the operator is resolved once (a 1M-item list
      // resolved it 1M times), and later items reuse the first test's coerced left side
      const first = bindOperator(env, op, l, coerce(env, list[0], type, 'implicit'), position);
      const test = (e: Expr): Expr => {
        if (first.kind !== 'call') return bindOperator(env, op, l, coerce(env, e, type, 'implicit'), position);
        return { ...first, args: [first.args[0], coerce(env, coerce(env, e, type, 'implicit'), first.args[1].type, 'implicit')] };
      };
      const combine = (args: Expr[]): Expr => (args.length === 1 ? args[0] : { kind: op === '<>' ? 'and' : 'or', type: T.bool, args });
      const quantified = inListArray(env, op, left, list.filter((e) => !readsOwnColumn(e)), position);
      // the items that read a column stay tests of their own, each `left op item` as written
      if (quantified) return combine([quantified, ...list.filter(readsOwnColumn).map((e) => bindOperator(env, op, left, e, position))]);
      return combine(list.map((e, i) => (i === 0 ? first : test(e))));
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const x = bindExpr(n.lexpr, scope, ctx);
      const [lo, hi] = (n.rexpr.List?.items ?? n.rexpr).map((i: RawNode) => bindExpr(i, scope, ctx));
      const not = (n.kind as string).includes('NOT');
      const sym = (n.kind as string).includes('SYM');
      const range = (a: Expr, b: Expr): Expr => not
        ? { kind: 'or', type: T.bool, args: [bindOperator(env, '<', x, a, position), bindOperator(env, '>', x, b, position)] }
        : { kind: 'and', type: T.bool, args: [bindOperator(env, '>=', x, a, position), bindOperator(env, '<=', x, b, position)] };
      if (!sym) return range(lo, hi);
      return not
        ? { kind: 'and', type: T.bool, args: [range(lo, hi), range(hi, lo)] }
        : { kind: 'or', type: T.bool, args: [range(lo, hi), range(hi, lo)] };
    }
    default:
      throw new SqlError(SqlState.featureNotSupported, `operator form ${n.kind} is not supported`, { position });
  }
}

function bindCase(n: RawNode, scope: Scope, outer: ExprContext): Expr {
  const env = outer.env;
  const ctx = refuseSrfs(outer, 'set-returning functions are not allowed in CASE');
  const operand = n.arg ? bindExpr(n.arg, scope, ctx) : null;
  const whens = (n.args as RawNode[]).map((w) => {
    const when = w.CaseWhen;
    const raw = bindExpr(when.expr, scope, ctx);
    const cond = operand ? bindOperator(env, '=', operand, raw, pos(when)) : boolArg(env, raw, 'CASE/WHEN');
    return { cond, result: bindExpr(when.result, scope, ctx) };
  });
  const otherwise: Expr = n.defresult ? bindExpr(n.defresult, scope, ctx) : { kind: 'const', type: T.unknown, value: null };
  const type = commonType([...whens.map((w) => w.result.type), otherwise.type], 'CASE');
  return {
    kind: 'case', type,
    whens: whens.map((w) => ({ cond: w.cond, result: coerce(env, w.result, type, 'implicit') })),
    otherwise: coerce(env, otherwise, type, 'implicit'),
    ...(operand ? { simple: true as const } : {}),
  };
}

function bindArray(n: RawNode, scope: Scope, ctx: ExprContext, elemType: SqlType | null, context: CastContext = 'implicit'): Expr {
  const env = ctx.env;
  const elems = ((n.elements ?? []) as RawNode[]).map((e) =>
    e.A_ArrayExpr ? bindArray(e.A_ArrayExpr, scope, ctx, elemType, context) : bindExpr(e, scope, ctx));
  if (elems.length === 0 && !elemType) {
    throw new SqlError(SqlState.indeterminateDatatype, 'cannot determine type of empty array', {
      position: pos(n), hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
    });
  }
  // Nested ARRAY[ARRAY[…]] keeps the inner array type as the element type.
  const nested = elems.length > 0 && elems.every((e) => isArrayType(e.type.oid));
  let type: SqlType = elemType ?? commonType(elems.map((e) => e.type), 'ARRAY');
  if (nested && !elemType) type = sqlType(elementTypeOf(commonType(elems.map((e) => e.type), 'ARRAY').oid)!);
  // an array of rows is held one-dimensional (types/records.ts): refused rather than flattened
  if (nested && isRowType(type.oid)) throw new SqlError(SqlState.featureNotSupported, 'multidimensional arrays of records are not supported', { position: pos(n) });
  const target = nested ? sqlType(arrayTypeOf(type.oid)!, type.typmod) : type;
  const arrOid = arrayTypeOf(type.oid);
  if (arrOid === undefined) throw new SqlError(SqlState.undefinedObject, `could not find array type for data type ${formatType(type)}`);
  return { kind: 'array', type: sqlType(arrOid, type.typmod), elems: elems.map((e) => coerce(env, e, target, context)), nested };
}

function bindSubLink(n: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const env = ctx.env;
  const plan = env.bindSubquery(n.subselect, scope);
  const type = n.subLinkType as string;
  if (type === 'EXISTS_SUBLINK') return { kind: 'subquery', type: T.bool, mode: 'exists', plan };
  if (type === 'EXPR_SUBLINK' || type === 'ARRAY_SUBLINK') {
    if (plan.schema.length !== 1) {
      throw new SqlError(SqlState.syntaxError, 'subquery must return only one column', { position: pos(n) });
    }
    const colType = plan.schema[0].type;
    if (type === 'EXPR_SUBLINK') return { kind: 'subquery', type: colType, mode: 'scalar', plan };
    const arr = arrayTypeOf(colType.oid);
    if (arr === undefined) throw new SqlError(SqlState.undefinedObject, `could not find array type for data type ${formatType(colType)}`);
    return { kind: 'subquery', type: sqlType(arr), mode: 'array', plan };
  }
  if ((type === 'ANY_SUBLINK' || type === 'ALL_SUBLINK') && n.testexpr?.RowExpr) return bindRowSubLink(n, plan, scope, ctx);
  if (type === 'ANY_SUBLINK' || type === 'ALL_SUBLINK') {
    const left = bindExpr(n.testexpr, scope, ctx);
    if (plan.schema.length !== 1) {
      throw new SqlError(SqlState.syntaxError, 'subquery has too many columns', { position: pos(n) });
    }
    const op = n.operName ? (n.operName as RawNode[]).map((x) => x.String.sval).pop() as string : '=';
    const fn = resolveOperator(op, left.type, plan.schema[0].type);
    return { kind: 'insubquery', type: T.bool, all: type === 'ALL_SUBLINK', left: coerce(env, left, fn.argTypes[0], 'implicit'), plan, fn, op };
  }
  throw new SqlError(SqlState.featureNotSupported, `subquery type ${type} is not supported`, { position: pos(n) });
}

/**
 * `(a, b) IN (SELECT x, y …)`, `(a, b) <> ALL (…)`: each subquery row compared field by field
 * as a row comparison (PostgreSQL's RowCompare semantics: a false pair decides, else a NULL
 * makes it NULL), the subquery's columns handed over as one record.
 */
function bindRowSubLink(n: RawNode, plan: Plan, scope: Scope, ctx: ExprContext): Expr {
  const env = ctx.env;
  const position = pos(n);
  const ls = ((n.testexpr.RowExpr.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, ctx));
  if (plan.schema.length > ls.length) throw new SqlError(SqlState.syntaxError, 'subquery has too many columns', { position });
  if (plan.schema.length < ls.length) throw new SqlError(SqlState.syntaxError, 'subquery has too few columns', { position });
  const op = n.operName ? (n.operName as RawNode[]).map((x) => x.String.sval).pop() as string : '=';
  if (op !== '=' && op !== '<>') {
    throw new SqlError(SqlState.featureNotSupported, `row comparison with ${op} against a subquery is not supported`, { position });
  }
  const fns = ls.map((l, i) => {
    const fn = resolveOperator(op, l.type, plan.schema[i]!.type);
    if (fn.returnType.oid !== OID.bool) throw new SqlError(SqlState.datatypeMismatch, `row comparison operator must yield type boolean, not type ${formatType(fn.returnType)}`, { position });
    return fn;
  });
  const leftFields = ls.map((l, i) => coerce(env, l, fns[i]!.argTypes[0]!, 'implicit'));
  const rightFields = plan.schema.map((c, i) => coerce(env, { kind: 'column', type: c.type, level: 0, index: i, name: c.name }, fns[i]!.argTypes[1]!, 'implicit'));
  const recordOf = (fields: Expr[]): Expr => ({ kind: 'array', type: recordType(fields.map((f, i) => ({ name: `f${i + 1}`, type: f.type }))), elems: fields });
  const right = recordOf(rightFields);
  const rows: Plan = { kind: 'project', schema: [{ name: 'row', type: right.type, tableOid: 0, attnum: 0 }], input: plan, exprs: [right] };
  const and = op === '=';
  const rowCompare: ScalarFunction = {
    kind: 'scalar', argTypes: [right.type, right.type], returnType: T.bool, strict: true, volatile: false,
    impl: ([l, r], evalCtx) => {
      let sawNull = false;
      for (let i = 0; i < fns.length; i++) {
        const a = (l as Value[])[i]!, b = (r as Value[])[i]!;
        const v = (a === null || b === null) && fns[i]!.strict ? null : fns[i]!.impl([a, b], evalCtx);
        if (v === null) sawNull = true;
        else if (v !== and) return v; // = : a false pair decides; <> : a true one
      }
      return sawNull ? null : and;
    },
  };
  return { kind: 'insubquery', type: T.bool, all: n.subLinkType === 'ALL_SUBLINK', left: recordOf(leftFields), plan: rows, fn: rowCompare };
}

/**
 * A jsonb subscript as jsonb_subscript_transform types it: an untyped literal is a key (text),
 * else what coerces implicitly to integer, then to text; anything else is 42804.
 */
export function jsonbSubscriptKey(env: BindEnv, b: Expr, position: number | undefined): Expr {
  if (b.type.oid === OID.unknown) return coerce(env, b, T.text, 'implicit');
  for (const t of [T.int4, T.text]) {
    try {
      return coerce(env, b, t, 'implicit');
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
    }
  }
  throw new SqlError(SqlState.datatypeMismatch, `subscript type ${formatType(b.type)} is not supported`, { position, hint: 'jsonb subscript must be coercible to either integer or text.' });
}

function bindSqlValueFunction(n: RawNode, env: BindEnv): Expr {
  const map: Record<string, string> = {
    SVFOP_CURRENT_DATE: 'current_date', SVFOP_CURRENT_TIME: 'current_time', SVFOP_CURRENT_TIME_N: 'current_time',
    SVFOP_CURRENT_TIMESTAMP: 'now', SVFOP_CURRENT_TIMESTAMP_N: 'now', SVFOP_LOCALTIME: 'localtime',
    SVFOP_LOCALTIME_N: 'localtime', SVFOP_LOCALTIMESTAMP: 'localtimestamp', SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
    SVFOP_CURRENT_ROLE: 'current_user', SVFOP_CURRENT_USER: 'current_user', SVFOP_USER: 'current_user',
    SVFOP_SESSION_USER: 'session_user', SVFOP_CURRENT_CATALOG: 'current_database', SVFOP_CURRENT_SCHEMA: 'current_schema',
  };
  const name = map[n.op as string];
  if (!name) throw new SqlError(SqlState.featureNotSupported, `${n.op} is not supported`);
  const call = bindCall(env, name, [], pos(n));
  // now() under its SQL spelling: ruleutils and EXPLAIN print the SQLValueFunction as CURRENT_TIMESTAMP
  return name === 'now' && call.kind === 'call' ? { ...call, name: 'current_timestamp' } : call;
}

/** PostgreSQL's built-in window functions and how many arguments each takes (min, max). */
const RANKING_ARITY = new Map<string, readonly [number, number]>([
  ['row_number', [0, 0]], ['rank', [0, 0]], ['dense_rank', [0, 0]], ['percent_rank', [0, 0]], ['cume_dist', [0, 0]],
  ['ntile', [1, 1]], ['lag', [1, 3]], ['lead', [1, 3]], ['first_value', [1, 1]], ['last_value', [1, 1]], ['nth_value', [2, 2]],
]);
const RANKING = new Set(RANKING_ARITY.keys());

function bindWindowCall(n: RawNode, name: string, scope: Scope, ctx: ExprContext, position: number | undefined): Expr {
  const env = ctx.env;
  if (ctx.inAggregate) throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot contain window function calls', { position });
  if (ctx.inWindowArgs) throw new SqlError(SqlState.windowingError, 'window function calls cannot be nested', { position });
  if (!ctx.allowWindow) {
    throw new SqlError(SqlState.windowingError, `window functions are not allowed in ${ctx.noWindows ?? ctx.noAggregates ?? 'this context'}`, { position });
  }
  if (n.agg_distinct) throw new SqlError(SqlState.featureNotSupported, 'DISTINCT is not implemented for window functions', { position });
  const over = resolveOver(n.over, ctx.windowDefs);
  const inner: ExprContext = { ...ctx, allowWindow: false, noAggregates: ctx.noAggregates, noWindows: 'window definitions' };
  const { partitionBy, orderBy, frame } = bindWindowSpec(over, scope, inner);
  // PostgreSQL's window clause of this call: equal specifications share one, except where written as different named windows
  const specIdentity = (spec: { partitionBy: readonly Expr[]; orderBy: readonly SortKey[]; frame: WindowFrame }) =>
    JSON.stringify(spec, (k, v) => (k === 'position' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
  const identity = specIdentity({ partitionBy, orderBy, frame });
  const winref = windowClauseNumber(n.over, ctx.windowDefs, identity, (def) => specIdentity(bindWindowSpec(def, scope, inner)) === identity, ctx.windowClauses ?? []);
  const argCtx = refuseSrfs({ ...inner, inWindowArgs: true }, 'window function calls cannot contain set-returning function calls');
  let args = ((n.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, argCtx));
  if (RANKING.has(name)) {
    if (n.agg_filter) throw new SqlError(SqlState.featureNotSupported, 'FILTER is not implemented for non-aggregate window functions', { position });
    const [min, max] = RANKING_ARITY.get(name)!;
    if (args.length < min || args.length > max) throw functionNotFound(name, args.map((a) => a.type)).withPosition(position);
    let type: SqlType;
    switch (name) {
      case 'row_number': case 'rank': case 'dense_rank': type = T.int8; break;
      case 'percent_rank': case 'cume_dist': type = T.float8; break;
      case 'ntile': type = T.int4; args = args.map((a) => coerce(env, a, T.int4, 'implicit')); break;
      default: {
        args[0] = resolveUnknown(env, args[0]);
        type = args[0].type;
        if (args[1]) args[1] = coerce(env, args[1], T.int4, 'implicit');
        if (args[2]) args[2] = coerce(env, args[2], type, 'implicit');
      }
    }
    return { kind: 'window', type, name, fn: null, args, partitionBy, orderBy, frame, winref };
  }
  let fn = resolveFunctionAt(name, args.map((a) => a.type), position, { star: !!n.agg_star });
  if (fn.kind !== 'aggregate') {
    throw new SqlError(SqlState.wrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`, { position });
  }
  args = args.map((a, i) => coerce(env, a, fn.argTypes[i] ?? a.type, 'implicit'));
  if (n.agg_filter) {
    // agg(x) FILTER (WHERE c) OVER …: a strict aggregate skips a row whose first argument is
    // NULL, so it is agg(CASE WHEN c THEN x END); count(*) counts CASE WHEN c THEN 1 END
    const filter = boolArg(env, bindExpr(n.agg_filter, scope, filterContext(inner)), 'FILTER');
    if (n.agg_star) {
      args = [{ kind: 'const', type: T.int4, value: 1 }];
      fn = resolveFunctionAt(name, [T.int4], position, {});
    }
    // string_agg is not strict but skips a NULL value all the same (string_agg_transfn)
    if (fn.kind !== 'aggregate' || !(fn.strict || name === 'string_agg') || args.length === 0) {
      throw new SqlError(SqlState.featureNotSupported, `FILTER is not implemented for the window aggregate ${name}`, { position });
    }
    const first = args[0]!;
    args = [{ kind: 'case', type: first.type, whens: [{ cond: filter, result: first }], otherwise: { kind: 'const', type: first.type, value: null } }, ...args.slice(1)];
  }
  return { kind: 'window', type: fn.returnType, name, fn: fn as AggregateFunction, args, partitionBy, orderBy, frame, winref };
}

/** PARTITION BY, ORDER BY and frame of a window, bound in the query's scope. */
export function bindWindowSpec(over: WindowSpec, scope: Scope, inner: ExprContext): { partitionBy: Expr[]; orderBy: SortKey[]; frame: WindowFrame } {
  const env = inner.env;
  const partitionBy = over.partitionClause.map((p) => resolveUnknown(env, bindExpr(p, scope, inner)));
  const orderBy: SortKey[] = over.orderClause.map((s) => {
    const sb = s.SortBy;
    const { desc, nullsFirst } = sortDirection(sb);
    return { expr: resolveUnknown(env, bindExpr(sb.node, scope, inner)), desc, nullsFirst };
  });
  const frame = bindFrame(over, orderBy.map((k) => k.expr.type), (node, mode) => bindFrameOffset(node, mode, orderBy, scope, inner));
  return { partitionBy, orderBy, frame };
}

/** ROWS / GROUPS offsets are bigint; a RANGE offset takes the key's in_range offset type. */
function bindFrameOffset(node: RawNode, mode: WindowFrame['mode'], orderBy: readonly SortKey[], scope: Scope, ctx: ExprContext): Expr {
  const env = ctx.env;
  const clause = mode.toUpperCase();
  const e = bindExpr(node, scope, { ...ctx, noAggregates: `window frame` });
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) {
      throw new SqlError(SqlState.invalidColumnReference, `argument of ${clause} must not contain variables`, { position: x.position ?? rawPos(node) });
    }
    return undefined;
  });
  if (mode !== 'range') {
    try {
      return coerce(env, e, T.int8, 'assignment');
    } catch (err) {
      if (!(err instanceof SqlError) || err.code !== SqlState.datatypeMismatch) throw err;
      throw new SqlError(SqlState.datatypeMismatch, `argument of ${clause} must be type bigint, not type ${formatType(e.type)}`, { position: rawPos(node) });
    }
  }
  const key = orderBy[0].expr.type;
  const candidates = rangeOffsetTypes(key);
  const offsetPos = rawPos(node);
  if (isUnknown(e) || !candidates.length) {
    if (!candidates.length) throw new SqlError(SqlState.featureNotSupported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(key)}`, { position: offsetPos });
    return coerce(env, e, candidates[0], 'implicit');
  }
  if (candidates.some((c) => c.oid === e.type.oid)) return e;
  for (const c of candidates) {
    try { return coerce(env, e, c, 'implicit'); } catch { /* not this one */ }
  }
  throw new SqlError(SqlState.featureNotSupported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(key)} and offset type ${formatType(e.type)}`, {
    position: offsetPos, hint: 'Cast the offset value to an appropriate type.',
  });
}

/** FILTER (WHERE …) of an aggregate: no aggregates or window functions inside, as in PostgreSQL. */
export function filterContext(ctx: ExprContext): ExprContext {
  return { ...ctx, inAggregate: false, noAggregates: 'FILTER', allowWindow: false, noWindows: undefined, inWindowArgs: false };
}

function bindFuncCall(n: RawNode, scope: Scope, ctx: ExprContext): Expr {
  const env = ctx.env;
  const names = (n.funcname as RawNode[]).map((x) => x.String.sval as string);
  const name = names[names.length - 1].toLowerCase();
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const position = pos(n);
  if (n.agg_within_group) return bindWithinGroupCall(n, name, scope, ctx, position);
  // rank(x) is only ever the hypothetical-set aggregate; rank() only the window function
  if (HYPOTHETICAL_SET_AGGREGATES.has(name) && (n.args ?? []).length > 0) {
    throw new SqlError(SqlState.wrongObjectType, `WITHIN GROUP is required for ordered-set aggregate ${name}`, { position });
  }
  if (n.over) return bindWindowCall(n, name, scope, ctx, position);
  if (RANKING.has(name)) throw new SqlError(SqlState.wrongObjectType, `window function ${name} requires an OVER clause`, { position });
  if ((isSetReturning(name) && !env.systemFunction(name, [])) || env.userSetFunction?.(name, ((n.args ?? []) as RawNode[]).length)) {
    if (!ctx.srf) {
      if (ctx.srfRefusal) throw new SqlError(SqlState.featureNotSupported, ctx.srfRefusal.message, { position, ...(ctx.srfRefusal.hint ? { hint: ctx.srfRefusal.hint } : {}) });
      throw new SqlError(SqlState.featureNotSupported, `set-returning functions are not allowed in ${ctx.noAggregates ?? 'this context'}`, { position });
    }
    // aggregates, window functions and other set-returning calls may be arguments: the
    // ProjectSets run above them (a nested call in a ProjectSet of its own, below)
    const inner: ExprContext = ctx;
    const rawSrfArgs = (n.args ?? []) as RawNode[];
    const args = rawSrfArgs.some((a) => a.NamedArgExpr) ? bindNamedArgs(name, rawSrfArgs, scope, inner, position) : rawSrfArgs.map((a) => bindExpr(a, scope, inner));
    return ctx.srf(name, args, position);
  }
  const isAgg = n.agg_star || n.agg_distinct || n.agg_filter || n.agg_order || (isAggregateName(name) && !env.systemFunction(name, []));
  if (isAgg && isAggregateName(name)) {
    if (ctx.inAggregate) throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot be nested', { position });
    if (ctx.noAggregates !== null) {
      throw new SqlError(SqlState.groupingError, `aggregate functions are not allowed in ${ctx.noAggregates}`, { position });
    }
    const inner: ExprContext = refuseSrfs({ ...ctx, inAggregate: true }, 'aggregate function calls cannot contain set-returning function calls');
    const args = ((n.args ?? []) as RawNode[]).map((a) => bindExpr(a, scope, inner));
    const fn = resolveFunctionAt(name, args.map((a) => a.type), position, { star: !!n.agg_star, distinct: !!n.agg_distinct });
    if (fn.kind !== 'aggregate') throw new SqlError(SqlState.wrongObjectType, `${name} is not an aggregate function`, { position });
    const filter = n.agg_filter ? boolArg(env, bindExpr(n.agg_filter, scope, filterContext(ctx)), 'FILTER') : null;
    const orderBy: SortKey[] = ((n.agg_order ?? []) as RawNode[]).map((s) => {
      const sb = s.SortBy;
      const { desc, nullsFirst } = sortDirection(sb);
      return { expr: resolveUnknown(env, bindExpr(sb.node, scope, inner)), desc, nullsFirst };
    });
    if (n.agg_distinct) checkDistinctOrder(args, orderBy, (n.agg_order ?? []) as RawNode[]);
    return {
      kind: 'agg', type: fn.returnType, name, fn: fn as AggregateFunction,
      args: args.map((a, i) => coerce(env, a, fn.argTypes[i] ?? a.type, 'implicit')), distinct: !!n.agg_distinct, filter, orderBy,
    };
  }
  if (n.agg_star) throw new SqlError(SqlState.wrongObjectType, `${name}(*) specified, but ${name} is not an aggregate function`, { position });
  const rawArgs = (n.args ?? []) as RawNode[];
  if (rawArgs.some((a) => a.NamedArgExpr)) return bindCall(env, name, bindNamedArgs(name, rawArgs, scope, ctx, position), position, schema);
  const args = rawArgs.map((a) => bindExpr(a, scope, ctx));
  if (n.func_variadic && !env.userFunction?.(name, args, position, schema)) return bindVariadicArrayCall(env, name, args, position, rawPos(rawArgs[rawArgs.length - 1]!));
  const call = inlineSimilarSubstring(env, bindCall(env, name, args, position, schema), position);
  // EXTRACT(month FROM d), TRIM(x FROM t), t AT TIME ZONE z …: kept for EXPLAIN (planner/sql-syntax-calls.ts)
  return n.funcformat === 'COERCE_SQL_SYNTAX' && call.kind === 'call' ? { ...call, sqlSyntax: true } : call;
}

/** f(…, VARIADIC array) of a built-in variadic function */
function bindVariadicArrayCall(env: BindEnv, name: string, args: Expr[], position: number | undefined, arrayPosition: number | undefined): Expr {
  const array = resolveUnknown(env, args[args.length - 1]!);
  const fixed = args.slice(0, -1);
  let fn: ScalarFunction;
  try {
    fn = resolveVariadicArrayCall(name, fixed.map((a) => a.type), array.type);
  } catch (e) {
    throw e instanceof SqlError ? e.withPosition(e.code === SqlState.datatypeMismatch ? arrayPosition : position) : e;
  }
  const bound = [...fixed, array].map((a, i) => coerce(env, a, fn.argTypes[i]!, 'implicit'));
  return { kind: 'call', type: fn.returnType, name, fn, args: bound };
}

/** similar_to_escape(pattern [, escape]): constants fold to the regular expression, as PostgreSQL's planner folds them */
function similarToEscape(env: BindEnv, pattern: Expr, escape: Expr | undefined, position: number | undefined): Expr {
  const text = (e: Expr | undefined) => (e?.kind === 'const' && typeof e.value === 'string' ? e.value : undefined);
  const p = text(pattern), esc = escape === undefined ? '\\' : text(escape);
  if (p !== undefined && esc !== undefined) return { kind: 'const', type: T.text, value: similarToRegex(p, esc), position, similarToEscape: escape === undefined ? [pattern] : [pattern, escape] };
  return bindCall(env, 'similar_to_escape', escape === undefined ? [pattern] : [pattern, escape], position);
}

/** substring(t, pattern, escape) is PostgreSQL's inlined SQL function substring(t, similar_to_escape(pattern, escape)) */
function inlineSimilarSubstring(env: BindEnv, call: Expr, position: number | undefined): Expr {
  if (call.kind !== 'call' || call.name !== 'substring' || call.args.length !== 3 || call.args.some((a) => a.type.oid !== OID.text)) return call;
  const [text, pattern, escape] = call.args;
  return bindCall(env, 'substring', [text, similarToEscape(env, pattern, escape, position)], position);
}

/** With DISTINCT, an aggregate can sort only by its arguments (PostgreSQL's transformAggregateCall). */
function checkDistinctOrder(args: readonly Expr[], orderBy: readonly SortKey[], raw: readonly RawNode[]): void {
  const key = (e: Expr) => JSON.stringify(e, (k, v) => (k === 'position' || k === 'table' || k === 'fn' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
  const argKeys = new Set(args.map(key));
  orderBy.forEach((k, i) => {
    if (!argKeys.has(key(k.expr))) {
      throw new SqlError(SqlState.invalidColumnReference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list', { position: leftmostPosition(raw[i]?.SortBy?.node) });
    }
  });
}

/** `t` naming a FROM item (at this level or an enclosing one): its row as a record. */
function wholeRowRef(scope: Scope, names: readonly string[]): Expr | undefined {
  if (names.length > 2) return undefined;
  let level = 0;
  for (let sc: Scope | null = scope; sc; sc = sc.parent, level++) {
    const entry = sc.findEntry(names[names.length - 1], names.length === 2 ? names[0] : undefined);
    if (!entry || entry.alias === '') continue;
    const visible = sc.entryColumns(entry, level);
    for (const c of visible) for (const at of c.reads) sc.noteUse(at);
    const type = recordType(visible.map((c) => ({ name: c.name, type: c.expr.type })));
    return { kind: 'array', type, elems: visible.map((c) => c.expr) };
  }
  return undefined;
}

/** (record).field */
function selectField(e: Expr, field: string, position: number | undefined): Expr {
  const fields = recordFields(e.type);
  if (!fields) {
    if (e.type.oid === OID.record) {
      throw new SqlError(SqlState.featureNotSupported, 'could not identify column "' + field + '" in record data type', { position });
    }
    throw new SqlError(SqlState.wrongObjectType, `column notation .${field} applied to type ${formatType(e.type)}, which is not a composite type`, { position });
  }
  const i = fields.findIndex((f) => f.name === field);
  if (i < 0) throw new SqlError(SqlState.undefinedColumn, `could not identify column "${field}" in record data type`, { position });
  // a ROW(…) / whole-row expression: take the field's expression directly
  if (e.kind === 'array') return e.elems[i];
  return { kind: 'field', type: fields[i].type, arg: e, index: i };
}

/** Parameter names (and defaults for the trailing ones) of built-ins callable with `name => value`. */
const PARAMETER_NAMES: Record<string, { names: readonly string[]; defaults?: Record<string, () => RawNode> }> = {
  make_interval: {
    names: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'],
    defaults: Object.fromEntries(['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'].map((p) => [p, () => ({ A_Const: { ival: { ival: 0 } } })])),
  },
  make_date: { names: ['year', 'month', 'day'] },
  make_time: { names: ['hour', 'min', 'sec'] },
  make_timestamp: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec'] },
  make_timestamptz: { names: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'] },
  jsonb_set: { names: ['jsonb_in', 'path', 'replacement', 'create_if_missing'], defaults: { create_if_missing: () => ({ A_Const: { boolval: { boolval: true } } }) } },
  jsonb_insert: { names: ['jsonb_in', 'path', 'replacement', 'insert_after'], defaults: { insert_after: () => ({ A_Const: { boolval: {} } }) } },
  jsonb_set_lax: { names: ['jsonb_in', 'path', 'replacement', 'create_if_missing', 'null_value_treatment'] },
  pg_promote: { names: ['wait', 'wait_seconds'], defaults: { wait: () => ({ A_Const: { boolval: { boolval: true } } }), wait_seconds: () => ({ A_Const: { ival: { ival: 60 } } }) } },
};
for (const f of ['jsonb_path_exists', 'jsonb_path_match', 'jsonb_path_query', 'jsonb_path_query_array', 'jsonb_path_query_first']) {
  const defaults = { vars: () => ({ A_Const: { sval: { sval: '{}' } } }), silent: () => ({ A_Const: { boolval: {} } }) };
  PARAMETER_NAMES[f] = { names: ['target', 'path', 'vars', 'silent'], defaults };
  PARAMETER_NAMES[`${f}_tz`] = { names: ['target', 'path', 'vars', 'silent'], defaults };
}

/** f(a, b => x): named arguments put in their positions, gaps filled with the defaults. */
export function bindNamedArgs(name: string, raw: readonly RawNode[], scope: Scope, ctx: ExprContext, position: number | undefined): Expr[] {
  const params = PARAMETER_NAMES[name];
  const slots: (RawNode | undefined)[] = [];
  let sawNamed = false;
  for (const a of raw) {
    if (!a.NamedArgExpr) {
      if (sawNamed) throw new SqlError(SqlState.syntaxError, 'positional argument cannot follow named argument', { position: rawPos(a) });
      slots.push(a);
      continue;
    }
    sawNamed = true;
    const argName = a.NamedArgExpr.name as string;
    const i = params ? params.names.indexOf(argName) : -1;
    if (i < 0 || slots[i] !== undefined) {
      if (slots[i] !== undefined && i >= 0) throw new SqlError(SqlState.syntaxError, `argument name "${argName}" used more than once`, { position: rawPos(a) });
      const shown = raw.map((r) => (r.NamedArgExpr ? `${r.NamedArgExpr.name} => ` : '') + formatType(bindExpr(r.NamedArgExpr?.arg ?? r, scope, ctx).type));
      throw new SqlError(SqlState.undefinedFunction, `function ${name}(${shown.join(', ')}) does not exist`, {
        position, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    slots[i] = a.NamedArgExpr.arg;
  }
  const out: Expr[] = [];
  for (let i = 0; i < slots.length; i++) {
    let node = slots[i];
    if (node === undefined) {
      const dflt = params?.defaults?.[params.names[i]];
      if (!dflt) throw new SqlError(SqlState.undefinedFunction, `function ${name} has no default for argument "${params?.names[i]}"`, { position });
      node = dflt();
    }
    out.push(bindExpr(node, scope, ctx));
  }
  return out;
}

const MICROS_PER_HOUR = 3_600_000_000;
const MICROS_PER_MINUTE = 60_000_000;
const RANGE = { YEAR: 1 << 2, MONTH: 1 << 1, DAY: 1 << 3, HOUR: 1 << 10, MINUTE: 1 << 11, SECOND: 1 << 12 };

/** interval_in with a field range (PostgreSQL's DecodeInterval + AdjustIntervalForTypmod). */
function intervalWithRange(text: string, range: number, env: BindEnv, position: number | undefined): Interval {
  let input = text;
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text)) {
    const unit = range === RANGE.YEAR ? 'year' : range === RANGE.MONTH || range === (RANGE.YEAR | RANGE.MONTH) ? 'month'
      : range === RANGE.DAY ? 'day' : range === RANGE.HOUR || range === (RANGE.DAY | RANGE.HOUR) ? 'hour'
        : range === RANGE.MINUTE || range === (RANGE.HOUR | RANGE.MINUTE) || range === (RANGE.DAY | RANGE.HOUR | RANGE.MINUTE) ? 'minute' : 'second';
    input = `${text.trim()} ${unit}`;
  }
  let v: Interval;
  try {
    v = parseText(T.interval, input, env.parseSettings) as Interval;
  } catch (err) {
    throw err instanceof SqlError ? err.withPosition(position) : err;
  }
  if (range === RANGE.YEAR) return { months: Math.trunc(v.months / 12) * 12, days: 0, micros: 0 };
  if (range === RANGE.MONTH || range === (RANGE.YEAR | RANGE.MONTH)) return { months: v.months, days: 0, micros: 0 };
  if (range === RANGE.DAY) return { months: v.months, days: v.days, micros: 0 };
  if (range === RANGE.HOUR || range === (RANGE.DAY | RANGE.HOUR)) return { ...v, micros: Math.trunc(v.micros / MICROS_PER_HOUR) * MICROS_PER_HOUR };
  if (range === RANGE.MINUTE || range === (RANGE.HOUR | RANGE.MINUTE) || range === (RANGE.DAY | RANGE.HOUR | RANGE.MINUTE)) {
    return { ...v, micros: Math.trunc(v.micros / MICROS_PER_MINUTE) * MICROS_PER_MINUTE };
  }
  return v;
}


/** regprocin: '-' is 0, digits are an OID, otherwise a (possibly pg_catalog-qualified) function name. */
function regprocIn(env: BindEnv, text: string, position: number | undefined): number {
  try {
    return regprocInput(text, env.userFunctionOid);
  } catch (err) {
    throw err instanceof SqlError ? err.withPosition(position) : err;
  }
}

/** Does the expression read a column of the current query level (a Var of level 0)? */
/**
 * PostgreSQL's transformAExprIn: two or more items that read no column of this query become
 * one `x = ANY (ARRAY[…])` (`<> ALL` for NOT IN) over the common type of x and those items,
 * the array coerced to the operator's element type (a varchar list is compared as text:
 * `((v)::text = ANY ('{a,b}'::text[]))`) and a constant when every item is one, as EXPLAIN
 * prints it. Undefined when there are fewer such items or no array type fits.
 */
function inListArray(env: BindEnv, op: string, left: Expr, plain: readonly Expr[], position: number | undefined): Expr | undefined {
  if (plain.length < 2) return undefined;
  let type: SqlType;
  try {
    type = commonType([left.type, ...plain.map((e) => e.type)], 'IN');
  } catch {
    return undefined; // the item-by-item tests report the mismatch
  }
  if (type.oid === OID.record || arrayTypeOf(type.oid) === undefined) return undefined;
  const probe = bindOperator(env, op, coerce(env, left, type, 'implicit'), coerce(env, plain[0], type, 'implicit'), position);
  if (probe.kind !== 'call') return undefined;
  const elemType = probe.args[1].type;
  const arrayOid = arrayTypeOf(elemType.oid);
  if (arrayOid === undefined || (elemType.oid !== type.oid && !(type.oid === OID.varchar && elemType.oid === OID.text))) return undefined;
  const elems = plain.map((e) => foldTextCast(foldNumericCast(coerce(env, coerce(env, e, type, 'implicit'), elemType, 'implicit'))));
  const arrayType = sqlType(arrayOid);
  const right: Expr = elems.every((e) => e.kind === 'const')
    ? { kind: 'const', type: arrayType, value: elems.map((e) => (e as Extract<Expr, { kind: 'const' }>).value) }
    : { kind: 'array', type: arrayType, elems };
  return { kind: 'anyall', type: T.bool, all: op === '<>', left: probe.args[0], right, fn: probe.fn, op, inList: true };
}

/** A varchar constant read as text (binary-coercible: the same string), as eval_const_expressions folds it. */
function foldTextCast(e: Expr): Expr {
  if (e.kind !== 'cast' || e.type.oid !== OID.text || e.arg.kind !== 'const' || e.arg.type.oid !== OID.varchar) return e;
  return { kind: 'const', type: T.text, value: e.arg.value };
}

function readsOwnColumn(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) found = true;
    return found ? x : undefined;
  });
  return found;
}

const NUMERIC_TYPES: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8, OID.numeric, OID.float4, OID.float8]);

/**
 * A number constant cast to another number type, as the constant it is (`5::bigint` → 5), as
 * PostgreSQL's eval_const_expressions folds it: an IN list's array is then a constant
 * (`'{5,7}'::bigint[]`). Through the text form, as the cast would do it; a value the cast
 * refuses (out of range) stays a cast, to fail when it runs.
 */
function foldNumericCast(e: Expr): Expr {
  if (e.kind !== 'cast' || e.arg.kind !== 'const' || e.arg.value === null) return e;
  if (!NUMERIC_TYPES.has(e.type.oid) || !NUMERIC_TYPES.has(e.arg.type.oid) || e.type.typmod >= 0) return e;
  try {
    return { kind: 'const', type: e.type, value: parseText(e.type, formatText(e.arg.type, e.arg.value)) };
  } catch {
    return e;
  }
}
