/**
 * Expression evaluation: a bound Expr is compiled once into a closure tree, then called
 * per row. NULL semantics follow SQL: strict functions return NULL on NULL input,
 * AND/OR use three-valued logic.
 */
import { SqlError, SqlState } from '../errors.js';
import type { EvalContext } from '../functions/api.js';
import { jsonbSubscriptFetch, type JsonbSubscript } from '../functions/jsonb-subscript.js';
import type { DomainConstraints, Expr, Plan } from '../planner/plan.js';
import { planIsCorrelated } from '../planner/expr-walk.js';
import { hashKey } from '../types/compare.js';
import { OID, TYPES, elementTypeOf, type Row, type Value } from '../types/types.js';
import { isRowType } from '../types/records.js';

/** What a running statement provides to expressions. */
export interface ExecEnv {
  readonly params: readonly Value[];
  /** rows of enclosing query levels: outer[0] is the immediate parent's current row */
  readonly outer: readonly Row[];
  readonly ctx: EvalContext;
  /** run a (sub)plan to completion under the given outer rows */
  runPlan(plan: Plan, outer: readonly Row[]): Row[];
  /** throws 57014 when the statement was cancelled */
  checkCancel(): void;
  /**
   * The plan runs to completion on the spot (a subplan inside an expression, COPY TO):
   * operators must not wait for asynchronous work (query workers) and compute in-thread.
   */
  readonly synchronous?: boolean;
}

export type Compiled = (row: Row, env: ExecEnv) => Value;

export function compileExpr(e: Expr): Compiled {
  const compiled = compileNode(e);
  return (e.kind === 'call' || e.kind === 'cast' || e.kind === 'array') && rowIndependent(e) ? once(compiled) : compiled;
}

/**
 * A call or cast of constants and parameters that is not volatile has one value for the
 * whole execution (PostgreSQL folds it or evaluates it once, as a FROM item or InitPlan):
 * `ts_rank(tsv, plainto_tsquery('english', $1))` must not stem $1 for every row, nor
 * `v <-> $1::vector` parse $1 per row. Subqueries cache themselves.
 */
function rowIndependent(e: Expr): boolean {
  switch (e.kind) {
    case 'const': case 'param': return true;
    case 'cast': return rowIndependent(e.arg);
    case 'call': return !e.fn.volatile && e.args.every(rowIndependent);
    case 'array': return e.elems.every(rowIndependent);
    default: return false;
  }
}

/**
 * A checker of a domain's constraints (ExecEvalConstraintNotNull / ExecEvalConstraintCheck):
 * NULL fails NOT NULL, a CHECK fails only on false; the messages name the domain coerced to.
 * For a domain's array type each element is checked, NULL elements too (domain_in).
 */
export function domainChecker(c: DomainConstraints): (value: Value, env: ExecEnv) => void {
  const checks = c.checks.map((k) => ({ name: k.name, test: compileExpr(k.expr) }));
  const one = (v: Value, env: ExecEnv): void => {
    if (v === null && c.notNull) throw new SqlError(SqlState.notNullViolation, `domain ${c.name} does not allow null values`, { dataType: c.name });
    for (const k of checks) {
      if (k.test([v], env) === false) {
        throw new SqlError(SqlState.checkViolation, `value for domain ${c.name} violates check constraint "${k.name}"`, { dataType: c.name, constraint: k.name });
      }
    }
  };
  if (!c.elements) return one;
  const each = (v: Value, env: ExecEnv): void => {
    if (Array.isArray(v)) for (const x of v) each(x, env);
    else one(v, env);
  };
  return (v, env) => { if (v !== null) each(v, env); };
}

function domainCoercion(arg: Compiled, c: DomainConstraints, position: number | undefined): Compiled {
  const check = domainChecker(c);
  return (r, env) => {
    const v = arg(r, env);
    try {
      check(v, env);
    } catch (err) {
      throw position !== undefined && err instanceof SqlError ? err.withPosition(position) : err;
    }
    return v;
  };
}

/** evaluated on first use (so CASE and AND/OR still guard it), then remembered for the execution */
function once(c: Compiled): Compiled {
  let done = false;
  let value: Value = null;
  return (r, env) => {
    if (!done) { value = c(r, env); done = true; }
    return value;
  };
}

function compileNode(e: Expr): Compiled {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'param': {
      const i = e.index;
      return (_r, env) => env.params[i] ?? null;
    }
    case 'column': {
      const i = e.index;
      if (e.level === 0) return (r) => r[i];
      const l = e.level - 1;
      return (_r, env) => env.outer[l][i];
    }
    case 'call': {
      const fn = e.fn;
      const args = e.args.map(compileExpr);
      const n = args.length;
      if (fn.strict) {
        if (n === 1) {
          const a0 = args[0];
          return (r, env) => {
            const v = a0(r, env);
            return v === null ? null : fn.impl([v], env.ctx);
          };
        }
        if (n === 2) {
          const a0 = args[0];
          const a1 = args[1];
          return (r, env) => {
            const x = a0(r, env);
            if (x === null) return null;
            const y = a1(r, env);
            if (y === null) return null;
            return fn.impl([x, y], env.ctx);
          };
        }
        return (r, env) => {
          const vals: Value[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const v = args[i](r, env);
            if (v === null) return null;
            vals[i] = v;
          }
          return fn.impl(vals, env.ctx);
        };
      }
      return (r, env) => fn.impl(args.map((a) => a(r, env)), env.ctx);
    }
    case 'cast': {
      const arg = compileExpr(e.arg);
      const fn = e.fn;
      return (r, env) => {
        const v = arg(r, env);
        return v === null ? null : fn(v, env.ctx);
      };
    }
    case 'and': {
      const args = e.args.map(compileExpr);
      if (e.stopOnNull) {
        return (r, env) => {
          for (const a of args) {
            const v = a(r, env);
            if (v !== true) return v === false ? false : null;
          }
          return true;
        };
      }
      return (r, env) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(r, env);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'or': {
      const set = constantInList(e.args);
      if (set) return set;
      const args = e.args.map(compileExpr);
      return (r, env) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(r, env);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'not': {
      const arg = compileExpr(e.arg);
      return (r, env) => {
        const v = arg(r, env);
        return v === null ? null : !v;
      };
    }
    case 'isnull': {
      const arg = compileExpr(e.arg);
      const negate = e.negate;
      return (r, env) => (arg(r, env) === null) !== negate;
    }
    case 'booltest': {
      const arg = compileExpr(e.arg);
      const { test, negate } = e;
      return (r, env) => {
        const v = arg(r, env);
        const hit = test === 'unknown' ? v === null : test === 'true' ? v === true : v === false;
        return hit !== negate;
      };
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ cond: compileExpr(w.cond), result: compileExpr(w.result) }));
      const otherwise = compileExpr(e.otherwise);
      return (r, env) => {
        for (const w of whens) if (w.cond(r, env) === true) return w.result(r, env);
        return otherwise(r, env);
      };
    }
    case 'coalesce': {
      const args = e.args.map(compileExpr);
      return (r, env) => {
        for (const a of args) {
          const v = a(r, env);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'rowcompare': {
      // ExecEvalRowCompare: pair by pair, the first not equal decides (`<=` is `<` there); a NULL first: NULL
      const n = e.ops.length;
      const left = e.args.slice(0, n).map(compileExpr), right = e.args.slice(n).map(compileExpr);
      const { ops, eqs } = e;
      return (r, env) => {
        for (let i = 0; i < n; i++) {
          const x = left[i]!(r, env);
          if (x === null) return null;
          const y = right[i]!(r, env);
          if (y === null) return null;
          if (i < n - 1 && eqs[i]!.impl([x, y], env.ctx) === true) continue;
          return ops[i]!.impl([x, y], env.ctx);
        }
        return null;
      };
    }
    case 'minmax': {
      const args = e.args.map(compileExpr);
      const lt = e.cmp;
      const greatest = e.op === 'greatest';
      return (r, env) => {
        let best: Value = null;
        for (const a of args) {
          const v = a(r, env);
          if (v === null) continue;
          if (best === null) best = v;
          else {
            const less = lt.impl([v, best], env.ctx) === true;
            if (greatest ? !less && lt.impl([best, v], env.ctx) === true : less) best = v;
          }
        }
        return best;
      };
    }
    case 'array': {
      const elems = e.elems.map(compileExpr);
      if (!e.nested) return (r, env) => elems.map((x) => x(r, env));
      return (r, env) => checkRectangular(elems.map((x) => x(r, env)));
    }
    case 'subscript': {
      const arg = compileExpr(e.arg);
      if (e.jsonb) {
        const keys = e.subs.map((x) => compileExpr(x.upper!));
        return (r, env) => {
          const doc = arg(r, env);
          if (doc === null) return null;
          const path: JsonbSubscript[] = [];
          for (const k of keys) {
            const key = k(r, env);
            if (key === null) return null;
            path.push(key as JsonbSubscript);
          }
          return jsonbSubscriptFetch(doc as string, path);
        };
      }
      const subs = e.subs.map((x) => ({ lower: x.lower ? compileExpr(x.lower) : null, upper: x.upper ? compileExpr(x.upper) : null }));
      const { slice, base } = e;
      // an array of rows is one-dimensional: its elements are Value[] themselves
      const rows = isRowType(TYPES.get(e.arg.type.oid)?.elem ?? 0);
      return (r, env) => {
        const a = arg(r, env);
        if (a === null || !Array.isArray(a)) return null;
        const bounds: [number | null, number | null][] = [];
        for (const x of subs) {
          const lo = x.lower ? x.lower(r, env) : null;
          const hi = x.upper ? x.upper(r, env) : null;
          if ((x.lower && lo === null) || (x.upper && hi === null)) return null;
          bounds.push([lo as number | null, hi as number | null]);
        }
        if (rows) return bounds.length !== 1 ? null : slice ? arraySlice(a, bounds, base) : a[(bounds[0]![1] as number) - base] ?? null;
        return slice ? arraySlice(a, bounds, base) : arrayElement(a, bounds, base);
      };
    }
    case 'domain': return domainCoercion(compileExpr(e.arg), e.constraints, e.position);
    case 'field': {
      const arg = compileExpr(e.arg);
      const i = e.index;
      return (r, env) => {
        const v = arg(r, env);
        return Array.isArray(v) ? v[i] ?? null : null;
      };
    }
    case 'distinct': {
      const left = compileExpr(e.left);
      const right = compileExpr(e.right);
      const eq = e.eq;
      const negate = e.negate;
      return (r, env) => {
        const a = left(r, env);
        const b = right(r, env);
        let distinct: boolean;
        if (a === null || b === null) distinct = !(a === null && b === null);
        else distinct = eq.impl([a, b], env.ctx) !== true;
        return distinct !== negate;
      };
    }
    case 'anyall': {
      const left = compileExpr(e.left);
      const right = compileExpr(e.right);
      const fn = e.fn;
      const all = e.all;
      const hashed = hashedList(e, left, right);
      if (hashed) return hashed;
      const rows = isRowType(TYPES.get(e.right.type.oid)?.elem ?? 0);
      return (r, env) => {
        const a = left(r, env);
        const arr = right(r, env);
        if (arr === null) return null;
        return quantified(a, rows ? arr as Value[] : flattenArray(arr as Value[]), fn.impl, all, env);
      };
    }
    case 'subquery': {
      const plan = e.plan;
      const mode = e.mode;
      const correlated = planIsCorrelated(plan);
      let cached: Row[] | null = null;
      const rows = (r: Row, env: ExecEnv): Row[] => {
        if (!correlated) {
          if (!cached) cached = env.runPlan(plan, env.outer);
          return cached;
        }
        return env.runPlan(plan, [r, ...env.outer]);
      };
      if (mode === 'exists') return (r, env) => rows(r, env).length > 0;
      if (mode === 'array') return (r, env) => rows(r, env).map((x) => x[0]);
      return (r, env) => {
        const out = rows(r, env);
        if (out.length > 1) throw new SqlError(SqlState.cardinalityViolation, 'more than one row returned by a subquery used as an expression');
        return out.length ? out[0][0] : null;
      };
    }
    case 'insubquery': {
      const left = compileExpr(e.left);
      const plan = e.plan;
      const fn = e.fn;
      const all = e.all;
      const correlated = planIsCorrelated(plan);
      const type = plan.schema[0]?.type;
      if (!correlated && !all && e.op === '=' && type && e.left.type.oid === type.oid) {
        // PostgreSQL's hashed SubPlan: the subquery's values in a hash table, one lookup a row
        // (a pass over them per row made NOT IN (SELECT …) quadratic); NULLs as quantified() treats them
        let hashed: { keys: Set<unknown>; sawNull: boolean; empty: boolean } | null = null;
        return (r, env) => {
          if (!hashed) {
            const values = env.runPlan(plan, env.outer).map((x) => x[0]);
            hashed = { keys: new Set(values.filter((v) => v !== null).map((v) => hashKey(type, v))), sawNull: values.includes(null), empty: values.length === 0 };
          }
          if (hashed.empty) return false;
          const x = left(r, env);
          if (x === null) return null;
          return hashed.keys.has(hashKey(type, x)) ? true : hashed.sawNull ? null : false;
        };
      }
      let cached: Value[] | null = null;
      return (r, env) => {
        let values: Value[];
        if (!correlated) {
          if (!cached) cached = env.runPlan(plan, env.outer).map((x) => x[0]);
          values = cached;
        } else {
          values = env.runPlan(plan, [r, ...env.outer]).map((x) => x[0]);
        }
        return quantified(left(r, env), values, fn.impl, all, env);
      };
    }
    case 'sqlCall': {
      const args = e.args.map(compileExpr);
      const plan = e.plan;
      return (r, env) => {
        const argRow = args.map((a) => a(r, env));
        const rows = env.runPlan(plan, [argRow]);
        // a SQL function returning one value yields its first row's first column
        return rows.length ? rows[0][0] : null;
      };
    }
    case 'agg':
    case 'window':
      throw new SqlError(SqlState.internalError, `bug: ${e.kind} expression reached the evaluator`);
  }
}

/** a[i][j]…: one element, NULL when out of range or the subscripts don't match the dimensions */
function arrayElement(a: Value[], bounds: readonly [number | null, number | null][], base: number): Value {
  let cur: Value = a;
  for (const [, i] of bounds) {
    if (!Array.isArray(cur)) return null;
    const v: Value | undefined = cur[(i as number) - base];
    if (v === undefined) return null;
    cur = v;
  }
  return Array.isArray(cur) ? null : cur;
}

/** a[l:u][…]: a sub-array (empty when any dimension's range is empty) */
function arraySlice(a: Value[], bounds: readonly [number | null, number | null][], base: number): Value {
  let empty = false;
  const cut = (v: Value[], d: number): Value[] => {
    if (d === bounds.length) return v;
    const [lo, hi] = bounds[d];
    const from = Math.max(base, lo ?? base);
    const to = Math.min(v.length - 1 + base, hi ?? v.length - 1 + base);
    if (from > to) {
      empty = true;
      return [];
    }
    return v.slice(from - base, to - base + 1).map((x) => {
      if (Array.isArray(x)) return cut(x, d + 1);
      if (d + 1 < bounds.length) empty = true; // more subscripts than dimensions
      return x;
    });
  };
  const out = cut(a, 0);
  return empty ? [] : out;
}

/** ARRAY[[…], […]]: sub-arrays must have matching dimensions (2202E) */
function checkRectangular(elems: Value[]): Value[] {
  const shape = (v: Value): string => (Array.isArray(v) ? `${v.length}[${v.length ? shape(v[0]) : ''}]` : '');
  const nonNull = elems.filter((x) => x !== null);
  if (nonNull.length === 0) return elems;
  const first = shape(nonNull[0]);
  for (const x of nonNull) {
    if (!Array.isArray(x) || shape(x) !== first || !x.every((y, i) => i === 0 || shape(y) === shape(x[0]))) {
      throw new SqlError(SqlState.arraySubscriptError, 'multidimensional arrays must have array expressions with matching dimensions');
    }
  }
  // ARRAY[[…], …] of empty sub-arrays is the empty array
  return nonNull.every((x) => (x as Value[]).length === 0) ? [] : elems;
}

/** An array value's elements, a multi-dimensional one's in row-major order. */
export function flattenArray(a: Value[]): Value[] {
  return a.some(Array.isArray) ? a.flatMap((x) => (Array.isArray(x) ? flattenArray(x) : [x])) : a;
}

/** x op ANY/ALL (values), with SQL's NULL rules. */
function quantified(x: Value, values: readonly Value[], op: (args: readonly Value[], ctx: EvalContext) => Value, all: boolean, env: ExecEnv): Value {
  if (values.length === 0) return all;
  if (x === null) return null;
  let sawNull = false;
  for (const v of values) {
    if (v === null) {
      sawNull = true;
      continue;
    }
    const res = op([x, v], env.ctx);
    if (res === null) sawNull = true;
    else if (all && res === false) return false;
    else if (!all && res === true) return true;
  }
  return sawNull ? null : all;
}

/**
 * `x = ANY (list)` / `x <> ALL (list)` (IN / NOT IN lists) over a list known for the whole
 * execution: its elements hashed once (hashKey, the type's equality), one lookup a row
 * instead of a pass over the list (PostgreSQL hashes such arrays too); NULLs as quantified()
 * treats them. Short lists keep the pass.
 */
function hashedList(e: Extract<Expr, { kind: 'anyall' }>, left: Compiled, right: Compiled): Compiled | undefined {
  const eq = e.all ? e.op === '<>' : (e.op ?? '=') === '=';
  const type = e.left.type;
  if (!eq || !rowIndependent(e.right) || elementTypeOf(e.right.type.oid) !== type.oid || type.oid === OID.bpchar) return undefined;
  if (e.right.kind === 'array' && e.right.elems.length < 8) return undefined;
  if (e.right.kind === 'const' && (!Array.isArray(e.right.value) || e.right.value.length < 8)) return undefined;
  let of: Value | undefined;
  let keys = new Set<unknown>();
  let sawNull = false;
  let empty = true;
  return (r, env) => {
    const arr = right(r, env);
    if (arr === null) return null;
    if (arr !== of) {
      // a parameter's array may differ from one execution to the next: hashed again then
      of = arr;
      const values = isRowType(type.oid) ? arr as Value[] : flattenArray(arr as Value[]);
      keys = new Set(values.filter((v) => v !== null).map((v) => hashKey(type, v)));
      sawNull = values.includes(null);
      empty = values.length === 0;
    }
    if (empty) return e.all;
    const x = left(r, env);
    if (x === null) return null;
    if (keys.has(hashKey(type, x))) return !e.all;
    return sawNull ? null : e.all;
  };
}

/** Plain values compare by value in a JS Set (numbers, bigints, strings: =, not a collation's) */
const SET_KEYS = new Set(['number', 'bigint', 'string', 'boolean']);

/**
 * `x IN (c1, c2, …)`, bound as x = c1 OR x = c2 …, over constants of plain values: one Set
 * lookup per row instead of a pass over the list (as PostgreSQL hashes long IN lists).
 */
function constantInList(args: readonly Expr[]): Compiled | undefined {
  if (args.length < 16) return undefined;
  const first = args[0];
  if (first.kind !== 'call' || first.name !== '=' || first.args.length !== 2) return undefined;
  const left = first.args[0];
  // char(n) compares without trailing blanks: not a plain value comparison
  if (left.type.oid === OID.bpchar) return undefined;
  const values = new Set<unknown>();
  let hasNull = false;
  for (const a of args) {
    if (a.kind !== 'call' || a.name !== '=' || a.fn !== first.fn || a.args[0] !== left || a.args[1].kind !== 'const') return undefined;
    const v = a.args[1].value;
    if (v === null) hasNull = true;
    else if (SET_KEYS.has(typeof v)) values.add(v);
    else return undefined;
  }
  const key = compileExpr(left);
  return (r, env) => {
    const v = key(r, env);
    if (v === null) return null;
    if (values.has(v)) return true;
    return hasNull ? null : false;
  };
}

/** No column of the current row, no correlated subquery, nothing volatile: one value per execution. */
export function isRowIndependent(e: Expr): boolean {
  let ok = true;
  const visit = (x: Expr): void => {
    if (!ok) return;
    switch (x.kind) {
      case 'const': case 'param': return;
      case 'column': ok = x.level > 0; return;
      case 'cast': visit(x.arg); return;
      case 'call': if (x.fn.volatile) ok = false; else x.args.forEach(visit); return;
      case 'array': x.elems.forEach(visit); return;
      // an uncorrelated scalar subquery runs once (its value is cached): ORDER BY v <-> (SELECT …)
      case 'subquery': ok = x.mode === 'scalar' && !planIsCorrelated(x.plan); return;
      default: ok = false;
    }
  };
  visit(e);
  return ok;
}
