/**
 * UPDATE / ON CONFLICT / MERGE assignments to a part of a column, as PostgreSQL's
 * transformAssignmentIndirection: `SET j['a'][0] = v` on jsonb (jsonb_set_element, created
 * and padded as jsonbsubs.c does) and `SET a[i] = v` on a one-dimensional array (padded with
 * NULLs). Other forms (slices, several array subscripts, fields of a composite) are refused
 * with 0A000 instead of being taken as an assignment to the whole column.
 */
import type { ColumnDef } from '../catalog/catalog.js';
import { SqlError, SqlState } from '../errors.js';
import type { ScalarFunction } from '../functions/api.js';
import { jsonbSubscriptAssign, type JsonbSubscript } from '../functions/jsonb-subscript.js';
import type { Expr } from '../planner/plan.js';
import { isRowType } from '../types/records.js';
import { OID, T, elementTypeOf, formatType, sqlType, type SqlType, type Value } from '../types/types.js';
import { bindExpr, coerce, jsonbSubscriptKey, type BindEnv, type ExprContext } from './bind-expr.js';
import type { RawNode } from './parser.js';
import type { Scope } from './scope.js';

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

function editor(name: string, returnType: SqlType, argTypes: SqlType[], impl: (args: readonly Value[]) => Value): ScalarFunction {
  return { kind: 'scalar', argTypes, returnType, strict: false, volatile: false, impl: (args) => impl(args) };
}

/** the new value of column `col` (read as `current`) after `col<indirection> = value` */
export function bindIndirectAssignment(env: BindEnv, ctx: ExprContext, scope: Scope, col: ColumnDef, current: Expr, indirection: RawNode[], raw: RawNode): Expr {
  const refuse = (): never => {
    throw new SqlError(SqlState.featureNotSupported, `assignment to a part of column "${col.name}" of type ${formatType(col.type)} is not supported`, { position: pos(raw) });
  };
  if (raw.SetToDefault || !indirection.every((x) => x.A_Indices)) refuse();
  const indices = indirection.map((x) => x.A_Indices as RawNode);
  const value = bindExpr(raw, scope, ctx);
  if (col.type.oid === OID.jsonb) {
    const slice = indices.find((g) => g.is_slice);
    if (slice) throw new SqlError(SqlState.datatypeMismatch, 'jsonb subscript does not support slices', { position: pos(slice.uidx ?? slice.lidx) });
    const keys = indices.map((g) => jsonbSubscriptKey(env, bindExpr(g.uidx, scope, ctx), pos(g.uidx)));
    const newValue = coerceAssigned(env, value, T.jsonb, col, raw);
    const fn = editor('jsonb_set_element', T.jsonb, [T.jsonb, T.jsonb, ...keys.map((k) => k.type)], ([doc, v, ...path]) =>
      jsonbSubscriptAssign(doc as string | null, path as (JsonbSubscript | null)[], v as string | null));
    return { kind: 'call', type: T.jsonb, name: 'jsonb_set_element', fn, args: [current, newValue, ...keys] };
  }
  const elem = elementTypeOf(col.type.oid);
  if (elem === undefined || isRowType(elem) || indices.length !== 1 || indices[0]!.is_slice) refuse();
  const index = coerceIndex(env, bindExpr(indices[0]!.uidx, scope, ctx), pos(indices[0]!.uidx));
  const newValue = coerceAssigned(env, value, sqlType(elem!, col.type.typmod), col, raw);
  const fn = editor('array_set_element', col.type, [col.type, newValue.type, T.int4], ([arr, v, i]) => setArrayElement(arr as Value[] | null, v!, i as number | null));
  return { kind: 'call', type: col.type, name: 'array_set_element', fn, args: [current, newValue, index] };
}

function coerceAssigned(env: BindEnv, value: Expr, type: SqlType, col: ColumnDef, raw: RawNode): Expr {
  try {
    return coerce(env, value, type, 'assignment');
  } catch (err) {
    if (!(err instanceof SqlError) || err.code !== SqlState.datatypeMismatch) throw err;
    throw new SqlError(SqlState.datatypeMismatch, `subscripted assignment to "${col.name}" requires type ${formatType(type)} but expression is of type ${formatType(value.type)}`, {
      position: pos(raw), hint: 'You will need to rewrite or cast the expression.',
    });
  }
}

function coerceIndex(env: BindEnv, e: Expr, position: number | undefined): Expr {
  try {
    return coerce(env, e, T.int4, 'assignment');
  } catch (err) {
    if (err instanceof SqlError && err.code === SqlState.datatypeMismatch) throw new SqlError(SqlState.datatypeMismatch, 'array subscript must have type integer', { position });
    throw err;
  }
}

/** array_set_element on a one-dimensional array with lower bound 1 (the only arrays Quiver keeps) */
function setArrayElement(arr: Value[] | null, v: Value, i: number | null): Value[] {
  if (i === null) throw new SqlError(SqlState.nullValueNotAllowed, 'array subscript in assignment must not be null');
  const items = arr ?? [];
  if (items.some((x) => Array.isArray(x))) throw new SqlError(SqlState.featureNotSupported, 'assignment to an element of a multidimensional array is not supported');
  if (i < 1 || (items.length === 0 && i !== 1)) {
    throw new SqlError(SqlState.featureNotSupported, `assignment to element ${i} would make an array whose lower bound is not 1, which Quiver does not keep`);
  }
  const out = [...items];
  while (out.length < i - 1) out.push(null);
  out[i - 1] = v;
  return out;
}
