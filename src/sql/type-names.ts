/** SQL type names (as the grammar gives them) → SqlType with typmod. */
import { SqlError, SqlState } from '../errors.js';
import { OID, arrayTypeOf, sqlType, typeByName, type SqlType } from '../types/types.js';
import type { RawNode } from './parser.js';
import { domainType, findDomain, findUserType, typeSchemaExists, type UserTypeEntry } from '../types/user-types.js';

const ALIASES: Record<string, string> = {
  int: 'int4', integer: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', float: 'float8',
  'double precision': 'float8', boolean: 'bool', decimal: 'numeric', character: 'bpchar', char: 'bpchar',
  'character varying': 'varchar', 'bit varying': 'varbit', timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp', 'time without time zone': 'time', string: 'text',
  serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2',
};

const MAX_VECTOR_DIMS = 16000;

/** The serial pseudo-types: their column type and that they need a sequence. */
export function serialBase(typeName: RawNode): SqlType | undefined {
  const names = (typeName.names as RawNode[]).map((n) => n.String.sval as string);
  if (names.length !== 1 || typeName.arrayBounds) return undefined;
  switch (names[0].toLowerCase()) {
    case 'serial': case 'serial4': return sqlType(OID.int4);
    case 'bigserial': case 'serial8': return sqlType(OID.int8);
    case 'smallserial': case 'serial2': return sqlType(OID.int2);
  }
  return undefined;
}

export function resolveTypeName(typeName: RawNode): SqlType {
  const names = (typeName.names as RawNode[]).map((n) => n.String.sval as string);
  const user = names.length <= 2 ? findUserType(names.length === 2 ? names[0] : undefined, names[names.length - 1]!) : undefined;
  if (user) return userTypeOf(user, typeName);
  const domain = names.length <= 2 ? findDomain(names.length === 2 ? names[0] : undefined, names[names.length - 1]!) : undefined;
  if (domain) {
    if (((typeName.typmods ?? []) as RawNode[]).length > 0) {
      throw new SqlError(SqlState.syntaxError, `type modifier is not allowed for type "${domain.name}"`, { position: pos(typeName) });
    }
    return domainType(domain, !!typeName.arrayBounds);
  }
  let name = names[names.length - 1].toLowerCase();
  if (names.length === 2 && !typeSchemaExists(names[0]!)) {
    throw new SqlError('3F000', `schema "${names[0]}" does not exist`, { position: pos(typeName) });
  }
  if (names.length > 1 && !['pg_catalog', 'public'].includes(names[0])) {
    throw new SqlError(SqlState.undefinedObject, `type "${names.join('.')}" does not exist`, { position: pos(typeName) });
  }
  // the grammar spells CHAR / CHARACTER pg_catalog.bpchar: a lone "char" is the quoted one-byte internal type
  const internalChar = names.length === 1 && names[0] === 'char';
  name = internalChar ? 'char' : ALIASES[name] ?? name;
  const info = typeByName(name);
  if (!info || info.name.startsWith('_') && !typeName.arrayBounds && false) {
    throw new SqlError(SqlState.undefinedObject, `type "${names[names.length - 1]}" does not exist`, { position: pos(typeName) });
  }
  const mods = ((typeName.typmods ?? []) as RawNode[]).map((m) => {
    const v = m.A_Const?.ival?.ival;
    if (m.A_Const && m.A_Const.ival !== undefined) return (v ?? 0) as number;
    throw new SqlError(SqlState.syntaxError, 'type modifiers must be simple constants or identifiers', { position: pos(typeName) });
  });
  const typmod = computeTypmod(info.name, mods, typeName);
  let type = sqlType(info.oid, typmod);
  if (typeName.arrayBounds) {
    const arr = arrayTypeOf(info.oid);
    if (arr === undefined) throw new SqlError(SqlState.undefinedObject, `type "${name}[]" does not exist`);
    type = sqlType(arr, typmod);
  }
  return type;
}

/** an enum named in a type name (its array type with []); enums take no modifiers */
function userTypeOf(user: UserTypeEntry, typeName: RawNode): SqlType {
  if (((typeName.typmods ?? []) as RawNode[]).length > 0) {
    throw new SqlError(SqlState.syntaxError, `type modifier is not allowed for type "${user.name}"`, { position: pos(typeName) });
  }
  return sqlType(typeName.arrayBounds ? user.arrayOid : user.oid);
}

function pos(n: RawNode): number | undefined {
  return typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined;
}

function computeTypmod(name: string, mods: number[], node: RawNode): number {
  if (mods.length === 0) return -1;
  const bad = (msg: string) => new SqlError(SqlState.invalidParameterValue, msg, { position: pos(node) });
  switch (name) {
    case 'varchar':
    case 'bpchar': {
      const kind = name === 'varchar' ? 'varchar' : 'char';
      if (mods.length !== 1) throw bad(`invalid type modifier`);
      if (mods[0] < 1) throw bad(`length for type ${kind} must be at least 1`);
      if (mods[0] > 10485760) throw bad(`length for type ${kind} cannot exceed 10485760`);
      return mods[0] + 4;
    }
    case 'numeric': {
      const [p, s = 0] = mods;
      if (p < 1 || p > 1000) throw bad(`NUMERIC precision ${p} must be between 1 and 1000`);
      if (s < -1000 || s > 1000) throw bad(`NUMERIC scale ${s} must be between -1000 and 1000`);
      return ((p << 16) | (s & 0xffff)) + 4;
    }
    case 'vector': {
      if (mods.length !== 1) throw bad('invalid type modifier');
      if (mods[0] < 1) throw bad('dimensions for type vector must be at least 1');
      if (mods[0] > MAX_VECTOR_DIMS) throw bad(`dimensions for type vector cannot exceed ${MAX_VECTOR_DIMS}`);
      return mods[0];
    }
    case 'halfvec': case 'sparsevec': {
      if (mods.length !== 1) throw bad('invalid type modifier');
      const max = name === 'halfvec' ? MAX_VECTOR_DIMS : 1000000000;
      if (mods[0] < 1) throw bad(`dimensions for type ${name} must be at least 1`);
      if (mods[0] > max) throw bad(`dimensions for type ${name} cannot exceed ${max}`);
      return mods[0];
    }
    case 'bit': case 'varbit': {
      if (mods.length !== 1) throw bad('invalid type modifier');
      if (mods[0] < 1) throw bad(`length for type ${name} must be at least 1`);
      if (mods[0] > 83886080) throw bad(`length for type ${name} cannot exceed 83886080`);
      return mods[0];
    }
    case 'interval': {
      // typmods: [field range] or [field range, precision] (the grammar always puts the range first)
      if (mods.length < 2) return -1;
      const p = mods[1];
      if (p < 0) throw bad(`INTERVAL(${p}) precision must not be negative`);
      return Math.min(p, 6);
    }
    case 'timestamp':
    case 'timestamptz':
    case 'time': {
      const p = mods[mods.length - 1];
      if (p < 0) throw bad(`TIMESTAMP(${p}) precision must not be negative`);
      return Math.min(p, 6);
    }
    default:
      throw bad(`type modifier is not allowed for type "${name}"`);
  }
}

const INTERVAL_FULL_RANGE = 0x7fff;

/** The field range of `interval '…' day` / `hour to minute` (a bit mask), undefined when none. */
export function intervalRange(typeName: RawNode): number | undefined {
  const names = (typeName.names as RawNode[]).map((n) => n.String.sval as string);
  if (names[names.length - 1] !== 'interval' || typeName.arrayBounds) return undefined;
  const range = (typeName.typmods as RawNode[] | undefined)?.[0]?.A_Const?.ival?.ival as number | undefined;
  return range === undefined || range === INTERVAL_FULL_RANGE ? undefined : range;
}
