/**
 * Calls of the functions PostgreSQL implements casts with (pg_cast.castfunc): `int4(x)`,
 * `float8(n)`, `text(b)`, `"varchar"(s, 14, true)`, pgvector's `array_to_vector(a, 3, true)`.
 * Quiver evaluates those casts itself, so such a call binds as the cast its function
 * implements: the first argument converted to the function's result type, the optional second
 * argument being the target's typmod and the third whether the cast is explicit (PostgreSQL's
 * length-coercion signature). These are the functions pg_cast names, listed in pg_proc
 * because they can be called.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Expr } from '../planner/plan.js';
import { resolveCast } from '../functions/index.js';
import { OID, sqlType, typeByName, type SqlType } from '../types/types.js';
import { CAST_FUNCTIONS } from '../catalog/system/builtin-catalogs.js';
import { coerce, type BindEnv } from './bind-expr.js';

interface CastFunctionSignature {
  readonly args: SqlType[];
  readonly result: SqlType;
}

let byName: Map<string, CastFunctionSignature[]> | undefined;

function signaturesOf(name: string): CastFunctionSignature[] {
  if (!byName) {
    byName = new Map();
    for (const [, proname, args, result] of CAST_FUNCTIONS) {
      const types = args.split(' ').map((t) => typeByName(t));
      const ret = typeByName(result);
      if (!ret || types.some((t) => !t)) continue;
      const list = byName.get(proname) ?? [];
      list.push({ args: types.map((t) => sqlType(t!.oid)), result: sqlType(ret.oid) });
      byName.set(proname, list);
    }
  }
  return byName.get(name) ?? [];
}

/** the cast function a call picks: its first argument's exact type, else the only one it converts to implicitly */
function pick(candidates: CastFunctionSignature[], first: Expr): CastFunctionSignature | undefined {
  const exact = candidates.find((c) => c.args[0].oid === first.type.oid);
  if (exact) return exact;
  const implicit = candidates.filter((c) => first.type.oid === OID.unknown || resolveCast(first.type, c.args[0], 'implicit'));
  return implicit.length === 1 ? implicit[0] : undefined;
}

/** a constant argument's value (typmod, isExplicit), null when it is the NULL constant */
function constantArg(e: Expr, name: string): number | boolean | null {
  if (e.kind !== 'const') throw new SqlError(SqlState.featureNotSupported, `${name}() is supported with constant typmod and explicit arguments only`);
  return e.value as number | boolean | null;
}

/**
 * `name(args)` as the cast its function implements, or undefined when no cast function has
 * that name and fits the arguments (the caller reports the missing function).
 */
export function bindCastFunctionCall(env: BindEnv, name: string, args: Expr[]): Expr | undefined {
  if (args.length === 0 || args.length > 3) return undefined;
  // int4('5'): a literal given to a function named after a type is that type's input (PostgreSQL's func_get_detail)
  const named = typeByName(name);
  if (args.length === 1 && args[0].type.oid === OID.unknown && named && signaturesOf(name).length > 0) return coerce(env, args[0], sqlType(named.oid), 'explicit');
  const fn = pick(signaturesOf(name).filter((c) => c.args.length === args.length), args[0]);
  if (!fn) {
    // text(i): a type's name called on one argument is that cast when no function implements
    // it (func_get_detail's FUNCDETAIL_COERCION: an I/O or binary coercion), shown as a cast
    if (args.length === 1 && named && resolveCast(args[0].type, sqlType(named.oid), 'explicit')) return coerce(env, args[0], sqlType(named.oid), 'explicit');
    return undefined;
  }
  let typed: Expr[];
  try {
    typed = args.slice(1).map((a, i) => coerce(env, a, fn.args[i + 1], 'implicit'));
  } catch {
    return undefined; // timestamp(date, time) is another function, not timestamp(timestamp, typmod)
  }
  const extra = typed.map((a) => constantArg(a, name));
  // strict, as PostgreSQL's cast functions are: a NULL typmod or flag gives NULL
  if (extra.some((v) => v === null)) return { kind: 'const', type: fn.result, value: null };
  const typmod = extra.length > 0 ? (extra[0] as number) : -1;
  const explicit = extra.length < 2 || extra[1] === true;
  const source = coerce(env, args[0], fn.args[0], 'implicit');
  const cast = coerce(env, source, sqlType(fn.result.oid, typmod), explicit ? 'explicit' : 'assignment');
  // a cast function called by name stays a call in EXPLAIN (COERCE_EXPLICIT_CALL): int8(i)
  return cast.kind === 'cast' && args.length === 1 ? { ...cast, calledAs: name } : cast;
}
