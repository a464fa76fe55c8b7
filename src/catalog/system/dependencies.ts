/**
 * What a view's query reads, for pg_depend: the relations its FROM lists name and the SQL
 * functions it calls, found in the stored parse tree (plain JSON; CREATE VIEW writes the schema
 * each name resolved to into it). Names without one (older views) resolve in public, WITH names aside.
 */
import type { Catalog, TableDef } from '../catalog.js';
import { CLASS_OID } from './objects.js';

export interface Dependency {
  readonly classid: number;
  readonly objid: number;
  readonly objsubid: number;
}

export type Json = { [key: string]: unknown };

/** Calls `visit` with every node of a stored parse tree (plain JSON): its kind (RangeVar, FuncCall …) and body. */
export function walk(node: unknown, visit: (kind: string, body: Json) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Json)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && /^[A-Z]/.test(key)) visit(key, value as Json);
    walk(value, visit);
  }
}

function stringList(items: unknown): string[] {
  return Array.isArray(items) ? items.map((i) => String((i as { String?: { sval?: string } }).String?.sval ?? '')) : [];
}

export function viewDependencies(catalog: Catalog, view: TableDef): Dependency[] {
  const ast = view.view?.ast;
  if (!ast) return [];
  const ctes = new Set<string>();
  walk(ast, (kind, body) => {
    if (kind === 'CommonTableExpr' && typeof body.ctename === 'string') ctes.add(body.ctename);
  });
  const seen = new Set<string>();
  const deps: Dependency[] = [];
  const add = (classid: number, objid: number, objsubid = 0) => {
    const key = `${classid}/${objid}/${objsubid}`;
    if (objid === view.oid || seen.has(key)) return;
    seen.add(key);
    deps.push({ classid, objid, objsubid });
  };
  // the columns read, one row each (the whole row: the relation's row), as PostgreSQL records a query's Vars
  const reads = view.view?.reads;
  for (const r of reads ?? []) {
    const t = catalog.tables.get(r.oid);
    if (!t) continue;
    if (r.columns.length === 0) add(CLASS_OID.pg_class, t.oid);
    for (const c of r.columns) {
      const i = t.columns.findIndex((x) => x.name === c);
      if (i >= 0) add(CLASS_OID.pg_class, t.oid, i + 1);
    }
  }
  walk(ast, (kind, body) => {
    if (kind === 'RangeVar' && typeof body.relname === 'string') {
      if (reads) return;
      const schema = typeof body.schemaname === 'string' ? body.schemaname : undefined;
      if (!schema && ctes.has(body.relname)) return;
      const t = catalog.findTable(schema ?? 'public', body.relname);
      if (t) add(CLASS_OID.pg_class, t.oid);
    } else if (kind === 'FuncCall') {
      const parts = stringList(body.funcname);
      const fname = parts.pop();
      const schema = parts.pop();
      for (const f of catalog.functions.values()) if (f.name === fname && (schema === undefined || f.schema === schema)) add(CLASS_OID.pg_proc, f.oid);
    }
  });
  return deps;
}

/** The relations a view's query reads directly (its recorded reads, else its tree's names). */
export function viewReads(catalog: Catalog, view: TableDef): number[] {
  return view.view?.reads?.map((r) => r.oid) ?? viewDependencies(catalog, view).filter((d) => d.classid === CLASS_OID.pg_class).map((d) => d.objid);
}
