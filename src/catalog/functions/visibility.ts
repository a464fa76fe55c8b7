/**
 * pg_table_is_visible, pg_type_is_visible, pg_function_is_visible (namespace.c): an object
 * is visible when naming it without its schema finds it — its schema is on the search path
 * and no schema earlier on the path has an object of that name (a function: that name and
 * those argument types). psql's \dt, \df, \dT without a pattern list only visible objects.
 * Built-in objects (pg_catalog, searched first) are visible.
 */
import type { Catalog } from '../catalog.js';

/** the first schema of the path that has a relation (table, view, sequence, index) called `name` */
function firstWithRelation(catalog: Catalog, path: readonly string[], name: string): string | undefined {
  return path.find((s) => catalog.relationNameTaken(s, name));
}

/** pg_table_is_visible: a table, view, sequence or index (other OIDs: true) */
export function tableIsVisible(catalog: Catalog, path: readonly string[], oid: number): boolean {
  const rel = catalog.relationOf(oid);
  return rel ? firstWithRelation(catalog, path, rel.name) === rel.schema : true;
}

/** pg_type_is_visible: a table's row type follows the table; built-in types are visible */
export function typeIsVisible(catalog: Catalog, path: readonly string[], oid: number): boolean {
  for (const t of catalog.tables.values()) {
    if (t.rowTypeOid === oid) return path.find((s) => catalog.findTable(s, t.name) !== undefined) === t.schema;
  }
  const d = catalog.domains.get(oid);
  if (d) return path.find((s) => catalog.findDomain(s, d.name) !== undefined) === d.schema;
  return true;
}

/** pg_function_is_visible: a CREATE FUNCTION function (built-ins: true) */
export function functionIsVisible(catalog: Catalog, path: readonly string[], oid: number): boolean {
  const f = catalog.functions.get(oid);
  if (!f) return true;
  const signature = (x: typeof f) => x.params.map((p) => p.type.oid).join(',');
  const first = path.find((s) => [...catalog.functions.values()].some((x) => x.schema === s && x.name === f.name && signature(x) === signature(f)));
  return first === f.schema;
}
