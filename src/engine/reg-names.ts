/**
 * regnamespace and regrole input and output (regnamespacein/out, regrolein/out): a schema's
 * or role's name ↔ its OID, for 'public'::regnamespace, relowner::regrole and Bind parameters
 * of those types. Quiver's schemas are the fixed four of pg_namespace.
 */
import { SqlError, SqlState } from '../errors.js';
import { NAMESPACE } from '../catalog/catalog.js';
import type { Roles } from '../catalog/roles.js';
import { parseQualifiedName } from '../sql/names.js';
import { quoteIdent } from '../types/identifiers.js';

/** the one identifier of regnamespace / regrole input ("Public" folds, '"Public"' does not); 42602 otherwise */
function singleName(text: string): string {
  const parts = parseQualifiedName(text);
  if (parts.length !== 1) throw new SqlError('42602', 'invalid name syntax');
  return parts[0]!;
}

export function regnamespaceIn(text: string): number {
  const name = singleName(text);
  const oid = (NAMESPACE as Record<string, number>)[name];
  if (oid === undefined) throw new SqlError('3F000', `schema "${name}" does not exist`);
  return oid;
}

/** a schema's name, quoted where needed (undefined for an OID that is none: printed as the number) */
export function regnamespaceOut(oid: number): string | undefined {
  const found = Object.entries(NAMESPACE).find(([, o]) => o === oid);
  return found ? quoteIdent(found[0]) : undefined;
}

export function regroleIn(roles: Roles, text: string): number {
  const name = singleName(text);
  const role = roles.find(name);
  if (!role) throw new SqlError(SqlState.undefinedObject, `role "${name}" does not exist`);
  return role.oid;
}

export function regroleOut(roles: Roles, oid: number): string | undefined {
  const role = roles.get(oid);
  return role ? quoteIdent(role.name) : undefined;
}
