/**
 * regnamespace and regrole input and output (regnamespacein/out, regrolein/out): a schema's
 * or role's name ↔ its OID, for 'public'::regnamespace, relowner::regrole and Bind parameters
 * of those types.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Roles } from '../catalog/roles.js';
import { parseQualifiedName } from '../sql/names.js';
import { quoteIdent } from '../types/identifiers.js';

/** the one identifier of regnamespace / regrole input ("Public" folds, '"Public"' does not); 42602 otherwise */
function singleName(text: string): string {
  const parts = parseQualifiedName(text);
  if (parts.length !== 1) throw new SqlError('42602', 'invalid name syntax');
  return parts[0]!;
}

export function regnamespaceIn(catalog: Catalog, text: string): number {
  const name = singleName(text);
  const oid = catalog.namespaceOid(name);
  if (oid === undefined) throw new SqlError('3F000', `schema "${name}" does not exist`);
  return oid;
}

/** a schema's name, quoted where needed (undefined for an OID that is none: printed as the number) */
export function regnamespaceOut(catalog: Catalog, oid: number): string | undefined {
  const name = catalog.namespaceName(oid);
  return name === undefined ? undefined : quoteIdent(name);
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
