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
  const on = visible(VECTOR_SCHEMA);
  // string literals and quoted names are kept as they are; only the text between them is rewritten
  const parts = sql.split(/('(?:[^']|'')*'|"(?:[^"]|"")*")/);
  return parts.map((part, i) => {
    if (i % 2 === 1) {
      // 'name'::regclass names its schema exactly when that is off the search path (a restored default says 'public.s')
      if (!part.startsWith("'") || !(parts[i + 1] ?? '').startsWith('::regclass')) return part;
      const inner = part.slice(1, -1).replace(/''/g, "'");
      const dot = inner.indexOf('.');
      // a sequence named with its schema: the bare name when that schema is on the search path
      if (dot >= 0) return visible(inner.slice(0, dot).replace(/^"(.*)"$/, '$1')) ? `'${part.slice(dot + 2)}` : part;
      const name = inner.replace(/^"(.*)"$/, '$1');
      const exists = catalog.findTable(VECTOR_SCHEMA, name) ?? catalog.findSequence(VECTOR_SCHEMA, name);
      return exists && !on ? `'${VECTOR_SCHEMA}.${part.slice(1)}` : part;
    }
    return part
      .replace(/::(public\.)?(vector|halfvec|sparsevec)\b/g, (_w, _q, t: string) => `::${on ? '' : `${VECTOR_SCHEMA}.`}${t}`)
      // calls of SQL functions: add_one(1) with public on the search path, public.add_one(1) without
      .replace(/(?<![\w.$])(public\.)?([a-z_][a-z0-9_$]*)\(/g, (whole, q: string | undefined, fname: string) => {
        const f = [...catalog.functions.values()].find((x) => x.name === fname && (!q || x.schema === VECTOR_SCHEMA));
        if (!f) return whole;
        return visible(f.schema) ? `${fname}(` : `${quoteIdent(f.schema)}.${fname}(`;
      });
  }).join('');
}

/**
 * pg_get_viewdef's text, without its semicolon: the deparsed query, each relation named
 * with its schema where the caller's search path does not find it (and pgvector's
 * operators and types likewise, else the query as written), or the query as written with
 * the names qualified that need it.
 */
export function viewDefinitionText(catalog: Catalog, visible: Visible, view: TableDef, pretty: boolean, wrap?: number): string {
  const d = view.view?.deparsed;
  if (d && deparsedStillNames(catalog, visible, view, d)) {
    const text = wrap !== undefined && d.wrapped !== undefined ? d.wrapped : pretty ? d.pretty : d.plain;
    if (visible(VECTOR_SCHEMA) || !VECTOR_TEXT.test(text)) {
      const named = resolveRelationMarkers(text, visible);
      return wrap !== undefined && d.wrapped !== undefined ? resolveWrapMarkers(named, wrap) : named;
    }
  }
  return qualifyViewText(catalog, visible, view);
}

/** pgvector's operators and types in a deparsed text (named with their schema off the search path: not done here) */
const VECTOR_TEXT = /<->|<#>|<=>|<\+>|<~>|<%>|::(vector|halfvec|sparsevec)\b/;

/** `schema`.`name` of a relation in a deparsed text, resolved against the reader's search path when it is read */
export function relationMarker(schema: string, name: string): string {
  return quotedRelationMarker(schema, quoteIdent(name));
}

export function quotedRelationMarker(schema: string, quotedName: string): string {
  return `\u0001${schema}\u0002${quotedName}\u0003`;
}

/** The text with each relation marker replaced: bare where `visible(schema)`, else schema-qualified (generate_relation_name). */
export function resolveRelationMarkers(text: string, visible: Visible): string {
  return mapRelationMarkers(text, (schema, name) => (visible(schema) ? name : `${quoteIdent(schema)}.${name}`));
}

/** Each relation marker of a deparsed text replaced by `f(schema, quoted name)`. */
export function mapRelationMarkers(text: string, f: (schema: string, quotedName: string) => string): string {
  return text.replace(/\u0001([^\u0002]*)\u0002([^\u0003]*)\u0003/g, (_m, schema: string, name: string) => f(schema, name));
}

/** a select-list (T) or FROM (F) item of a deparsed text whose line break depends on the wrap column */
export function wrapMarker(kind: 'T' | 'F', first: boolean, amount: number, text: string): string {
  return `\u0004${kind}${first ? 1 : 0}:${amount}\u0006${text}\u0005`;
}

/**
 * pg_get_viewdef(v, wrap): the text with each item's line break decided as get_target_list
 * and get_from_clause decide it — a new line (at the item's indentation) when the item would
 * run past the wrap column, or the select-list item before it took several lines; each item
 * measured as printed, its own items decided first.
 */
export function resolveWrapMarkers(text: string, wrap: number): string {
  let pos = 0;
  const sequence = (): string => {
    let buf = '';
    let lastMultiline = false;
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\u0005') {
        pos++;
        return buf;
      }
      if (ch !== '\u0004') {
        const next = text.slice(pos).search(/[\u0004\u0005]/);
        const end = next < 0 ? text.length : pos + next;
        buf += text.slice(pos, end);
        pos = end;
        continue;
      }
      const close = text.indexOf('\u0006', pos);
      const head = text.slice(pos + 1, close);
      pos = close + 1;
      const target = head[0] === 'T';
      const first = head[1] === '1';
      const amount = Number(head.slice(3));
      const item = sequence();
      if (item.startsWith('\n')) {
        buf = buf.replace(/ +$/, '');
      } else {
        const line = buf.length - (buf.lastIndexOf('\n') + 1);
        const breaks = target ? !first && (line + item.length > wrap || lastMultiline) : line + item.length > wrap;
        if (breaks) buf = `${buf.replace(/ +$/, '')}\n${' '.repeat(amount)}`;
      }
      if (target) lastMultiline = item.slice(item.startsWith('\n') ? 1 : 0).includes('\n');
      buf += item;
    }
    return buf;
  };
  return sequence();
}

/** the names a deparsed view's text holds are still current (an older catalog's one-relation text: no RENAME since) */
function deparsedStillNames(catalog: Catalog, visible: Visible, view: TableDef, d: NonNullable<NonNullable<TableDef['view']>['deparsed']>): boolean {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(view.columns.map((c) => c.name), d.viewColumns)) return false;
  if (d.relation === undefined) return true;
  const t = catalog.tables.get(d.relation);
  return !!t && t.schema === d.schema && d.schema !== undefined && visible(d.schema) && same([t.name, ...t.columns.map((c) => c.name)], d.names ?? []);
}

/** a view's query text with its recorded unqualified names qualified (pg_get_viewdef) */
export function qualifyViewText(catalog: Catalog, visible: Visible, view: TableDef): string {
  const def = view.view;
  if (!def) return '';
  let text = def.sql;
  // from the end, so earlier offsets stay valid
  for (const ref of [...(def.names ?? [])].sort((a, b) => b.at - a.at)) {
    let schema: string | undefined = ref.schema;
    if (schema !== undefined) {
      // resolved at CREATE VIEW
    } else if (ref.kind === 'relation') {
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
