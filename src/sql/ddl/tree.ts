/** Small readers over the parser's tree shared by the DDL binders. */
import type { DefElem, Node, RangeVar, TypeName } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { resolveTypeName, serialBase } from '../type-names.js';
import type { SqlType } from '../../types/types.js';
import type { QualifiedName, TypeRef } from './types.js';

export function qualified(rv: RangeVar | undefined): QualifiedName {
  return rv?.schemaname ? { schema: rv.schemaname, name: rv.relname ?? '' } : { name: rv?.relname ?? '' };
}

/** `a.b.c` of a list of String nodes, as strings. */
export function names(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => ('String' in n ? n.String.sval ?? '' : ''));
}

/** The last two parts of a dotted name as schema and name. */
export function qualifiedFromNames(parts: readonly string[]): QualifiedName {
  return parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] ?? '' };
}

/** 1-based position of a node that has its own location. */
export function pos(x: { location?: number } | undefined): number | undefined {
  return x && typeof x.location === 'number' && x.location >= 0 ? x.location + 1 : undefined;
}

export function defElems(nodes: readonly Node[] | undefined): DefElem[] {
  return (nodes ?? []).flatMap((n) => ('DefElem' in n ? [n.DefElem] : []));
}

/** A column type, or the error resolving it raises later. */
export function typeRef(t: TypeName | undefined): TypeRef {
  try {
    const serial = serialBase(t as never);
    return serial ? { type: serial, serial: true } : { type: resolveTypeName(t as never), serial: false };
  } catch (e) {
    if (e instanceof SqlError) return { error: e };
    throw e;
  }
}

/** The type of a TypeRef, or its error thrown now. */
export function typeOf(ref: TypeRef): SqlType {
  if ('error' in ref) throw ref.error;
  return ref.type;
}

/** UNIQUE … NULLS NOT DISTINCT (PostgreSQL 15): NULLs compare equal in the key; NULLS DISTINCT is the default. */
export function nullsNotDistinctOf(nullsNotDistinct: boolean | undefined): { nullsNotDistinct?: true } {
  return nullsNotDistinct ? { nullsNotDistinct: true } : {};
}
