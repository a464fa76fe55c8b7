/**
 * A view's stored query names its relations and functions as they were found at CREATE
 * VIEW: PostgreSQL keeps their OIDs, so a later search path or a renamed schema does not
 * change what the view reads. Quiver keeps the parse tree, so it writes the schema each
 * unqualified name was found in into the tree, and renames the schema in stored trees
 * when a schema is renamed.
 */
import type { ParsedExpr } from './parsed-expr.js';
import { walk as visit } from '../../catalog/system/dependencies.js';

type StringNode = { String?: { sval?: string } };

/**
 * A copy of `query` where each relation named without a schema (WITH names aside) and each
 * call of a function `functionSchema` knows carries the schema it resolves to now.
 */
export function qualifyViewNames(query: ParsedExpr, relationSchema: (name: string) => string | undefined,
  functionSchema: (name: string, argc: number) => string | undefined): ParsedExpr {
  const tree = structuredClone(query) as unknown;
  const ctes = new Set<string>();
  visit(tree, (kind, body) => {
    if (kind === 'CommonTableExpr' && typeof body.ctename === 'string') ctes.add(body.ctename);
  });
  visit(tree, (kind, body) => {
    if (kind === 'RangeVar' && typeof body.relname === 'string' && body.schemaname === undefined && !ctes.has(body.relname)) {
      const schema = relationSchema(body.relname);
      if (schema) body.schemaname = schema;
    } else if (kind === 'FuncCall' && Array.isArray(body.funcname) && body.funcname.length === 1) {
      const name = (body.funcname[0] as StringNode).String?.sval;
      const schema = name ? functionSchema(name, Array.isArray(body.args) ? body.args.length : 0) : undefined;
      if (schema) body.funcname = [{ String: { sval: schema } }, ...body.funcname];
    }
  });
  return tree as ParsedExpr;
}

/**
 * A copy of a stored tree whose qualified relation and function names in schema `from` name
 * `to` instead (ALTER SCHEMA … RENAME); `only` limits that to one relation or function
 * (ALTER TABLE | FUNCTION … SET SCHEMA).
 */
export function renameSchemaInTree<T>(tree: T, from: string, to: string, only?: { readonly relation?: string; readonly function?: string }): T {
  const copy = structuredClone(tree);
  visit(copy, (kind, body) => {
    if (kind === 'RangeVar' && body.schemaname === from && (!only || only.relation === body.relname)) body.schemaname = to;
    if (kind === 'FuncCall' && Array.isArray(body.funcname) && body.funcname.length === 2) {
      const [first, second] = body.funcname as StringNode[];
      if (first!.String?.sval === from && (!only || only.function === second!.String?.sval)) body.funcname = [{ String: { sval: to } }, second];
    }
  });
  return copy;
}

type Fields = { fields?: ({ String?: { sval?: string } } | { A_Star?: unknown })[] };
const fieldName = (f: unknown): string | undefined => (f as StringNode).String?.sval;

/**
 * A copy of a stored tree after ALTER TABLE schema.from RENAME TO to: its relation and the
 * columns qualified by the relation's name (where no alias stands for it) name `to`.
 */
export function renameRelationInTree<T>(tree: T, schema: string, from: string, to: string): T {
  const copy = structuredClone(tree);
  let bare = false;
  visit(copy, (kind, body) => {
    if (kind !== 'RangeVar' || body.schemaname !== schema || body.relname !== from) return;
    body.relname = to;
    if (!body.alias) bare = true;
  });
  if (!bare) return copy;
  visit(copy, (kind, body) => {
    if (kind !== 'ColumnRef') return;
    const fields = (body as Fields).fields ?? [];
    const at = fields.length === 3 && fieldName(fields[0]) === schema ? 1 : fields.length === 2 ? 0 : -1;
    if (at >= 0 && fieldName(fields[at]) === from) fields[at] = { String: { sval: to } };
  });
  return copy;
}

/**
 * A copy of a stored tree after ALTER TABLE schema.relname RENAME COLUMN from TO to: the
 * column references that reach it — qualified by its name or alias, or bare where no other
 * relation of the tree (`columnsOf`) has a column so named — name `to`; a select-list item
 * that was such a bare reference keeps its output name with `AS from` (a subquery's columns
 * keep their names, as PostgreSQL's stored query does).
 */
export function renameColumnInTree<T>(tree: T, schema: string, relname: string, from: string, to: string,
  columnsOf: (schema: string | undefined, relname: string) => readonly string[] | undefined): T {
  const copy = structuredClone(tree);
  const refnames = new Set<string>();
  let elsewhere = false;
  visit(copy, (kind, body) => {
    if (kind !== 'RangeVar' || typeof body.relname !== 'string') return;
    const alias = (body.alias as { aliasname?: string } | undefined)?.aliasname;
    if (body.schemaname === schema && body.relname === relname) refnames.add(alias ?? relname);
    else if (columnsOf(body.schemaname as string | undefined, body.relname)?.includes(from)) elsewhere = true;
  });
  if (refnames.size === 0) return copy;
  const reaches = (fields: readonly unknown[]): boolean => {
    if (fieldName(fields[fields.length - 1]) !== from) return false;
    if (fields.length === 1) return !elsewhere;
    const q = fieldName(fields[fields.length - 2]);
    return q !== undefined && refnames.has(q) && (fields.length === 2 || fieldName(fields[0]) === schema);
  };
  visit(copy, (kind, body) => {
    if (kind === 'ResTarget' && body.name === undefined) {
      const ref = (body.val as { ColumnRef?: Fields } | undefined)?.ColumnRef;
      if (ref?.fields && reaches(ref.fields)) body.name = from;
    }
  });
  visit(copy, (kind, body) => {
    if (kind !== 'ColumnRef') return;
    const fields = (body as Fields).fields ?? [];
    if (reaches(fields)) fields[fields.length - 1] = { String: { sval: to } };
  });
  return copy;
}
