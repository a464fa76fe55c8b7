/**
 * regconfig (OID 3734): a text search configuration by OID, shown and read by name. Quiver
 * has PostgreSQL's built-in `simple` and `english` configurations, at PostgreSQL 15's OIDs.
 */
import { SqlError, SqlState } from '../errors.js';

export const TEXT_SEARCH_CONFIGS: readonly { readonly oid: number; readonly name: string }[] = [
  { oid: 3748, name: 'simple' },
  { oid: 13164, name: 'english' },
];

/** regconfigin: 'english', 'pg_catalog.english', '"simple"' or an OID */
export function parseRegconfig(text: string): number {
  let n = text.trim();
  if (/^\d+$/.test(n)) return Number(n);
  const qualified = /^(?:pg_catalog|"pg_catalog")\.(.*)$/i.exec(n);
  if (qualified) n = qualified[1]!;
  n = n.length >= 2 && n.startsWith('"') && n.endsWith('"') ? n.slice(1, -1) : n.toLowerCase();
  const c = TEXT_SEARCH_CONFIGS.find((x) => x.name === n);
  if (!c) throw new SqlError(SqlState.undefinedObject, `text search configuration "${text}" does not exist`);
  return c.oid;
}

/** regconfigout: the name (pg_catalog is always on the search path), else the number */
export function formatRegconfig(oid: number): string {
  return TEXT_SEARCH_CONFIGS.find((x) => x.oid === oid)?.name ?? String(oid);
}
