/**
 * ruleutils.c qualifies a name with its schema exactly when the schema is not on the search
 * path: pg_dump sets an empty one, so its output names public.items, public.vector(3),
 * public.vector_l2_ops and OPERATOR(public.<->). Quiver keeps definitions as text; these
 * helpers qualify that text for the caller's search path.
 */
import type { Catalog, TableDef } from '../catalog.js';
import { quoteIdent } from '../../types/identifiers.js';

/** whether a schema is on the session's search path (pg_catalog always is) */
export type Visible = (schema: string) => boolean;

export const ALL_VISIBLE: Visible = () => true;

/** pgvector's objects live in public */
const VECTOR_SCHEMA = 'public';

export function qualifiedIn(visible: Visible, schema: string, name: string): string {
  return schema === 'pg_catalog' || visible(schema) ? name : `${quoteIdent(schema)}.${name}`;
}

export function vectorObject(visible: Visible, name: string): string {
  return qualifiedIn(visible, VECTOR_SCHEMA, name);
}

/**
 * A deparsed expression (a default, a CHECK): 'name'::regclass literals and casts to
 * pgvector's types get their schema when it is not visible.
 */
export function qualifyExpressionText(catalog: Catalog, visible: Visible, sql: string): string {
  if (visible(VECTOR_SCHEMA)) return sql;
  return sql
    .replace(/'((?:[^']|'')*)'::regclass/g, (whole, name: string) => {
      if (name.includes('.')) return whole;
      const unquoted = name.replace(/''/g, "'").replace(/^"(.*)"$/, '$1');
      const exists = catalog.findTable(VECTOR_SCHEMA, unquoted) ?? catalog.findSequence(VECTOR_SCHEMA, unquoted);
      return exists ? `'${VECTOR_SCHEMA}.${name}'::regclass` : whole;
    })
    .replace(/::(vector|halfvec|sparsevec)\b/g, `::${VECTOR_SCHEMA}.$1`);
}

/** a view's query text with its recorded unqualified names qualified (pg_get_viewdef) */
export function qualifyViewText(catalog: Catalog, visible: Visible, view: TableDef): string {
  const def = view.view;
  if (!def) return '';
  let text = def.sql;
  // from the end, so earlier offsets stay valid
  for (const ref of [...(def.names ?? [])].sort((a, b) => b.at - a.at)) {
    let schema: string | undefined;
    if (ref.kind === 'relation') {
      const t = catalog.findTable(view.schema, ref.name) ?? catalog.findTable(VECTOR_SCHEMA, ref.name) ?? catalog.findSequence(VECTOR_SCHEMA, ref.name);
      schema = t?.schema;
    } else if (ref.kind === 'function') {
      schema = [...catalog.functions.values()].find((f) => f.name === ref.name.toLowerCase())?.schema;
    } else {
      schema = VECTOR_SCHEMA;
    }
    if (!schema || visible(schema)) continue;
    const end = ref.at + (ref.kind === 'operator' ? ref.name.length : 0);
    text = ref.kind === 'operator'
      ? `${text.slice(0, ref.at)}OPERATOR(${quoteIdent(schema)}.${ref.name})${text.slice(end)}`
      : `${text.slice(0, ref.at)}${quoteIdent(schema)}.${text.slice(ref.at)}`;
  }
  return text;
}
