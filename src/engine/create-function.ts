/**
 * CREATE FUNCTION … LANGUAGE sql and DROP FUNCTION: the definition is kept in the catalog;
 * its body is bound at each call site (src/sql/bind-function.ts). Other languages
 * (plpgsql, c, …) are refused with 0A000 rather than accepted and never run.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, SqlFunctionDef } from '../catalog/catalog.js';
import { formatType, type SqlType } from '../types/types.js';
import { resolveTypeName } from '../sql/type-names.js';
import type { RawNode } from '../sql/parser.js';

type Params = SqlFunctionDef['params'];

/** The definition a CreateFunctionStmt describes (not yet validated nor stored). */
export function functionDefinition(catalog: Catalog, n: RawNode, searchPath: readonly string[]): SqlFunctionDef {
  const names = ((n.funcname ?? []) as RawNode[]).map((x) => x.String.sval as string);
  const name = names[names.length - 1];
  const schema = names.length > 1 ? names[names.length - 2] : searchPath.find((s) => s !== 'pg_catalog') ?? 'public';
  if (n.is_procedure) throw new SqlError(SqlState.featureNotSupported, 'CREATE PROCEDURE is not supported');
  const option = (key: string): RawNode | undefined => ((n.options ?? []) as RawNode[]).find((o) => o.DefElem.defname === key)?.DefElem.arg;
  const language = (option('language')?.String?.sval as string | undefined)?.toLowerCase() ?? 'sql';
  if (language !== 'sql') {
    throw new SqlError(SqlState.featureNotSupported, `functions in language "${language}" are not supported`, {
      hint: 'Only LANGUAGE sql functions can be created in Quiver.',
    });
  }
  const params: { name?: string; type: SqlType; defaultAst?: unknown }[] = [];
  const tableColumns: { name: string; type: SqlType }[] = [];
  for (const raw of (n.parameters ?? []) as RawNode[]) {
    const p = raw.FunctionParameter;
    // like PostgreSQL, a function's parameter and result types carry no typmod (vector(3) is vector)
    const type = withoutTypmod(resolveTypeName(p.argType));
    switch (p.mode) {
      case 'FUNC_PARAM_TABLE':
        tableColumns.push({ name: p.name, type });
        break;
      case 'FUNC_PARAM_DEFAULT':
      case 'FUNC_PARAM_IN':
        if (p.defexpr === undefined && params.some((q) => q.defaultAst !== undefined)) {
          throw new SqlError(SqlState.invalidFunctionDefinition, 'input parameters after one with a default value must also have defaults');
        }
        params.push({ ...(p.name ? { name: p.name } : {}), type, ...(p.defexpr !== undefined ? { defaultAst: p.defexpr } : {}) });
        break;
      default:
        throw new SqlError(SqlState.featureNotSupported, 'OUT, INOUT and VARIADIC parameters are not supported');
    }
  }
  const returns = returnsOf(n.returnType, tableColumns);
  const volatility = ({ immutable: 'i', stable: 's', volatile: 'v' } as const)[(option('volatility')?.String?.sval as 'immutable') ?? 'volatile'] ?? 'v';
  const as = option('as');
  let body: SqlFunctionDef['body'];
  if (n.sql_body) body = { ast: n.sql_body };
  else if (as?.List) body = { sql: (as.List.items as RawNode[])[0].String.sval as string };
  else throw new SqlError(SqlState.invalidFunctionDefinition, 'no function body specified');
  return { oid: 0, name, schema, params, returns, body, volatility };
}

function returnsOf(typeName: RawNode | undefined, tableColumns: { name: string; type: SqlType }[]): SqlFunctionDef['returns'] {
  if (tableColumns.length) return { kind: 'table', columns: tableColumns };
  if (!typeName) throw new SqlError(SqlState.invalidFunctionDefinition, 'function result type must be specified');
  const typeNames = (typeName.names as RawNode[]).map((x) => x.String.sval as string);
  const last = typeNames[typeNames.length - 1];
  if (last === 'record' || last === 'void' || last === 'trigger') {
    throw new SqlError(SqlState.featureNotSupported, `functions returning ${last} are not supported`, { hint: 'Declare RETURNS TABLE (…) or a scalar type.' });
  }
  const type = withoutTypmod(resolveTypeName(typeName));
  return typeName.setof ? { kind: 'setof', type } : { kind: 'scalar', type };
}

function withoutTypmod(t: SqlType): SqlType {
  return t.typmod < 0 ? t : { ...t, typmod: -1 };
}

/** The function `def` would replace (same name, schema and parameter types), if any. */
export function sameSignature(catalog: Catalog, def: SqlFunctionDef): SqlFunctionDef | undefined {
  const key = signature(def.params.map((p) => p.type));
  for (const f of catalog.functions.values()) {
    if (f.name === def.name && f.schema === def.schema && signature(f.params.map((p) => p.type)) === key) return f;
  }
  return undefined;
}

function signature(types: readonly SqlType[]): string {
  return types.map((t) => t.oid).join(',');
}

/** `name(type, …)` as PostgreSQL prints a function in messages. */
export function describeFunction(def: { name: string; params: Params }): string {
  return `${def.name}(${def.params.map((p) => formatType(p.type)).join(', ')})`;
}

/** Store a validated definition (CREATE OR REPLACE keeps the oid). */
export function storeFunction(catalog: Catalog, def: SqlFunctionDef, replace: boolean): void {
  const existing = sameSignature(catalog, def);
  if (existing && !replace) {
    throw new SqlError(SqlState.duplicateFunction, `function "${def.name}" already exists with same argument types`);
  }
  if (existing && JSON.stringify(existing.returns) !== JSON.stringify(def.returns)) {
    throw new SqlError(SqlState.invalidFunctionDefinition, 'cannot change return type of existing function', {
      hint: `Use DROP FUNCTION ${describeFunction(existing)} first.`,
    });
  }
  const oid = existing?.oid ?? catalog.allocateOid();
  catalog.functions.set(oid, { ...def, oid });
  catalog.version++;
}

/** DROP FUNCTION name[(types)]: one object of the statement (apply=false only checks it exists). */
export function dropFunction(catalog: Catalog, obj: RawNode, missingOk: boolean, notice: (msg: string) => void, searchPath: readonly string[], apply = true): void {
  const names = ((obj.objname ?? []) as RawNode[]).map((x) => x.String.sval as string);
  const name = names[names.length - 1];
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  const candidates = [...catalog.functions.values()].filter((f) => f.name === name && (schema ? f.schema === schema : searchPath.includes(f.schema)));
  let matches = candidates;
  let label = name;
  if (!obj.args_unspecified) {
    const types = ((obj.objargs ?? []) as RawNode[]).map((t) => resolveTypeName(t.TypeName ?? t));
    matches = candidates.filter((f) => signature(f.params.map((p) => p.type)) === signature(types));
    label = `${name}(${types.map(formatType).join(', ')})`;
  }
  if (matches.length > 1) {
    throw new SqlError('42725', `function name "${name}" is not unique`, { hint: 'Specify the argument list to select the function unambiguously.' });
  }
  if (!matches.length) {
    if (missingOk) { notice(`function ${obj.args_unspecified ? `${name}()` : label} does not exist, skipping`); return; }
    if (obj.args_unspecified) throw new SqlError(SqlState.undefinedFunction, `could not find a function named "${name}"`);
    throw new SqlError(SqlState.undefinedFunction, `function ${label} does not exist`);
  }
  if (!apply) return;
  catalog.functions.delete(matches[0].oid);
  catalog.version++;
}
