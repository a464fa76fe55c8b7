/**
 * CREATE FUNCTION … LANGUAGE sql and DROP FUNCTION: the definition is kept in the catalog;
 * its body is bound at each call site (src/sql/bind-function.ts).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Catalog, SqlFunctionDef } from '../../catalog/catalog.js';
import { formatType, type SqlType } from '../../types/types.js';
import type { BoundDdl, Drop, FunctionRef } from '../../sql/ddl/index.js';
import { creationSchema, notice, type DdlContext } from './context.js';
import { functionPath } from '../../catalog/schemas.js';
import { isOwner } from '../../catalog/roles.js';
import { checkTypeUsage, notOwner } from './privileges.js';

type Params = SqlFunctionDef['params'];

export function createFunction(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createFunction' }>): void {
  // pg_temp.f: the session's temporary schema (where only a qualified call finds it)
  const schema = stmt.schema === 'pg_temp' && ctx.temp ? ctx.temp.ensure() : creationSchema(ctx, stmt.schema);
  const def: SqlFunctionDef = { oid: 0, schema, ...stmt.definition };
  for (const p of def.params) checkTypeUsage(ctx, p.type);
  if (def.returns.kind !== 'table') checkTypeUsage(ctx, def.returns.type);
  // validate now, like PostgreSQL's check_function_bodies: the body must bind
  ctx.checkFunctionBody?.(def);
  const existing = stmt.replace ? sameSignature(ctx.catalog, def) : undefined;
  if (existing && ctx.access && !isOwner(ctx.access.roles, ctx.access.role, existing)) throw notOwner('function', existing.name);
  storeFunction(ctx.catalog, def, stmt.replace);
}

/** The function `def` would replace (same name, schema and parameter types), if any. */
function sameSignature(catalog: Catalog, def: SqlFunctionDef): SqlFunctionDef | undefined {
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
function describeFunction(def: { name: string; params: Params }): string {
  return `${def.name}(${def.params.map((p) => formatType(p.type)).join(', ')})`;
}

/** Store a validated definition (CREATE OR REPLACE keeps the oid). */
function storeFunction(catalog: Catalog, def: SqlFunctionDef, replace: boolean): void {
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
  // OR REPLACE keeps the owner and the privileges
  catalog.functions.set(oid, existing ? { ...def, oid, owner: existing.owner, acl: existing.acl } : { ...def, oid });
  catalog.version++;
}

/** DROP FUNCTION: all-or-nothing, every object is checked to exist before any is dropped. */
export function dropFunctions(ctx: DdlContext, stmt: Extract<Drop, { functions: unknown }>): void {
  if (!stmt.missingOk) for (const f of stmt.functions) dropFunction(ctx, f, false, false);
  for (const f of stmt.functions) dropFunction(ctx, f, stmt.missingOk, true);
}

/** One object of DROP FUNCTION name[(types)] (apply=false only checks it exists). */
function dropFunction(ctx: DdlContext, ref: FunctionRef, missingOk: boolean, apply: boolean): void {
  const found = resolveFunction(ctx, ref, missingOk);
  if (!found) return;
  if (ctx.access && !isOwner(ctx.access.roles, ctx.access.role, found)) throw notOwner('function', found.name);
  if (!apply) return;
  ctx.catalog.functions.delete(found.oid);
  ctx.catalog.version++;
}

/** The function name[(types)] names (DROP FUNCTION, COMMENT ON FUNCTION); undefined only when missingOk (after a NOTICE) */
export function resolveFunction(ctx: Pick<DdlContext, 'catalog' | 'searchPath' | 'notices'>, ref: FunctionRef, missingOk: boolean): SqlFunctionDef | undefined {
  const { catalog } = ctx;
  const { name, schema } = ref;
  const candidates = [...catalog.functions.values()].filter((f) => f.name === name && (schema ? f.schema === schema : functionPath(ctx.searchPath).includes(f.schema)));
  let matches = candidates;
  let label = name;
  if (ref.argTypes) {
    const key = signature(ref.argTypes);
    matches = candidates.filter((f) => signature(f.params.map((p) => p.type)) === key);
    label = `${name}(${ref.argTypes.map(formatType).join(', ')})`;
  }
  if (matches.length > 1) {
    throw new SqlError('42725', `function name "${name}" is not unique`, { hint: 'Specify the argument list to select the function unambiguously.' });
  }
  if (!matches.length) {
    if (missingOk) { notice(ctx, `function ${ref.argTypes ? label : `${name}()`} does not exist, skipping`); return undefined; }
    if (!ref.argTypes) throw new SqlError(SqlState.undefinedFunction, `could not find a function named "${name}"`);
    throw new SqlError(SqlState.undefinedFunction, `function ${label} does not exist`);
  }
  return matches[0];
}
