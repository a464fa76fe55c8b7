/**
 * regconfig (OID 3734) and regdictionary (3769): a text search configuration / dictionary by
 * OID, shown and read by name. Quiver has PostgreSQL's built-in `simple` and `english`
 * configurations and their `simple` and `english_stem` dictionaries, at PostgreSQL 15's OIDs.
 */
import { SqlError, SqlState } from '../errors.js';

export const TEXT_SEARCH_CONFIGS: readonly { readonly oid: number; readonly name: string }[] = [
  { oid: 3748, name: 'simple' },
  { oid: 13164, name: 'english' },
];

export const TEXT_SEARCH_DICTIONARIES: readonly { readonly oid: number; readonly name: string }[] = [
  { oid: 3765, name: 'simple' },
  { oid: 13163, name: 'english_stem' },
];

/** the unqualified, unquoted (or case-folded) name of a pg_catalog object */
function objectName(text: string): string {
  let n = text.trim();
  const qualified = /^(?:pg_catalog|"pg_catalog")\.(.*)$/i.exec(n);
  if (qualified) n = qualified[1]!;
  return n.length >= 2 && n.startsWith('"') && n.endsWith('"') ? n.slice(1, -1) : n.toLowerCase();
}

/** regdictionaryin */
export function parseRegdictionary(text: string): number {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  if (text.trim() === '-') return 0;
  const d = TEXT_SEARCH_DICTIONARIES.find((x) => x.name === objectName(text));
  if (!d) throw new SqlError(SqlState.undefinedObject, `text search dictionary "${text}" does not exist`);
  return d.oid;
}

export function formatRegdictionary(oid: number): string {
  return TEXT_SEARCH_DICTIONARIES.find((x) => x.oid === oid)?.name ?? String(oid);
}

/** regconfigin: 'english', 'pg_catalog.english', '"simple"' or an OID */
export function parseRegconfig(text: string): number {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  if (text.trim() === '-') return 0;
  const c = TEXT_SEARCH_CONFIGS.find((x) => x.name === objectName(text));
  if (!c) throw new SqlError(SqlState.undefinedObject, `text search configuration "${text}" does not exist`);
  return c.oid;
}

/** regconfigout: the name (pg_catalog is always on the search path), else the number */
export function formatRegconfig(oid: number): string {
  return TEXT_SEARCH_CONFIGS.find((x) => x.oid === oid)?.name ?? String(oid);
}
