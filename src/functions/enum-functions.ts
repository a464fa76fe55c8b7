/**
 * enum_first, enum_last and enum_range (PostgreSQL's enum.c): they read only their argument's
 * type, so a NULL of the enum (`null::mood`) is the usual argument; not strict.
 */
import { SqlError, SqlState } from '../errors.js';
import type { SqlType, Value } from '../types/types.js';
import { checkSafeEnumUse, enumPosition, userType } from '../types/user-types.js';
import type { EvalContext } from './api.js';

type EnumImpl = (args: readonly Value[], ctx: EvalContext, types: readonly SqlType[]) => Value;

/** the enum's label OIDs in order */
function labelsOf(type: SqlType | undefined): number[] {
  const e = type && userType(type.oid);
  if (!e) throw new SqlError(SqlState.wrongObjectType, 'could not determine actual enum type');
  return e.labels.map((l) => l.oid);
}

/** enum_range(lower, upper): the labels from lower to upper (NULL: from the first / to the last) */
function range(type: SqlType | undefined, lower: Value, upper: Value): Value[] {
  const labels = labelsOf(type);
  const lo = lower === null ? -Infinity : enumPosition(lower as number);
  const hi = upper === null ? Infinity : enumPosition(upper as number);
  return labels.filter((l) => enumPosition(l) >= lo && enumPosition(l) <= hi).map(checkSafeEnumUse);
}

/** enum_first / enum_last: the label at one end of the order (enum_endpoint checks it is safe to use) */
function endpoint(type: SqlType | undefined, last: boolean): Value {
  const labels = labelsOf(type);
  const label = last ? labels.at(-1) : labels[0];
  return label === undefined ? null : checkSafeEnumUse(label);
}

export const ENUM_FUNCTIONS: readonly { name: string; args: string[]; ret: string; impl: EnumImpl }[] = [
  { name: 'enum_first', args: ['anyenum'], ret: 'anyenum', impl: (_a, _c, types) => endpoint(types[0], false) },
  { name: 'enum_last', args: ['anyenum'], ret: 'anyenum', impl: (_a, _c, types) => endpoint(types[0], true) },
  { name: 'enum_range', args: ['anyenum'], ret: 'anyarray', impl: (_a, _c, types) => range(types[0], null, null) },
  { name: 'enum_range', args: ['anyenum', 'anyenum'], ret: 'anyarray', impl: ([lo, hi], _c, types) => range(types[0], lo!, hi!) },
];
