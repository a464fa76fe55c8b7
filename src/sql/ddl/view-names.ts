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
