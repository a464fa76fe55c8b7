/**
 * Expressions the catalog keeps as trees of names and types (an expression index's key, a
 * partial unique index's WHERE): their calls and casts resolved again against the function
 * registry, and the test of what such a tree may call.
 */
import { builtinProcsNamed } from '../catalog/system/builtin-proc-rows.js';
import { resolveCast, resolveFunction, resolveOperator } from '../functions/index.js';
import { formatType, type SqlType } from '../types/types.js';
import type { Expr } from './plan.js';

/**
 * Whether a call may be in an index key: neither volatile (random()) nor stable (now(),
 * age(timestamp)) as pg_proc marks its functions of that name and argument count.
 */
export function immutableCall(e: Extract<Expr, { kind: 'call' }>): boolean {
  if (e.fn.volatile) return false;
  if (!/^[a-z_]/i.test(e.name)) return true;
  const procs = builtinProcsNamed(e.name).filter((p) => p[14].split(' ').filter(Boolean).length === e.args.length);
  return procs.length === 0 || procs.some((p) => p[5] === 'i');
}

/** A cast the catalog kept in an index's tree, resolved again. */
export function storedCast(arg: Expr, type: SqlType): Expr {
  const fn = resolveCast(arg.type, type, 'explicit');
  if (!fn) throw new Error(`bug: no cast from ${formatType(arg.type)} to ${formatType(type)} for an index key`);
  return { kind: 'cast', type, arg, fn };
}

/** A function or operator call the catalog kept in an index's tree (by name and argument types), resolved again. */
export function storedCall(name: string, argTypes: readonly SqlType[], args: Expr[]): Expr {
  const operator = !/^[a-z_]/i.test(name);
  const [left, right] = argTypes.length === 2 ? argTypes : [null, argTypes[0]];
  const fn = operator ? resolveOperator(name, left, right) : resolveFunction(name, [...argTypes]);
  if (fn.kind !== 'scalar') throw new Error(`bug: ${name} is not a scalar function`);
  return { kind: 'call', type: fn.returnType, name, fn, args };
}

