/**
 * DDL, one module per object kind. runDdl is the one entry: it takes a statement bound by
 * src/sql/ddl (bindDdl) and applies it to the catalog and the storage.
 */
import type { TableDef } from '../../catalog/catalog.js';
import type { BoundDdl, DdlKind } from '../../sql/ddl/index.js';
import { alterTable } from './alter-table.js';
import { comment } from './comment.js';
import type { DdlContext } from './context.js';
import { createDatabase, dropDatabase } from './database.js';
import { drop } from './drop.js';
import { createExtension } from './extension.js';
import { createFunction } from './function.js';
import { alterType, createEnum } from './enum-type.js';
import { createComposite } from './composite-type.js';
import { alterDomain, createDomain } from './domain.js';
import { createIndex } from './indexes.js';
import { rename } from './rename.js';
import { initialAcl } from '../default-privileges.js';
import type { Securable } from '../../catalog/roles.js';
import { alterSchema, createSchema } from './schema.js';
import { setSchema } from './set-schema.js';
import { alterSequence, createSequence } from './sequence.js';
import { createTable, createTableAs } from './table.js';
import { truncate } from './truncate.js';
import { reindex } from './reindex.js';
import { dropSchemaContents, schemaDependents } from './schema-dependents.js';
import { createView } from './view.js';
import { refreshMaterializedView } from './materialized-view.js';
import { checkDdl } from './privileges.js';
import { alterPolicy, createPolicy, dropPolicy } from './policy.js';

export type { DdlContext } from './context.js';
export { OPCLASS_OPERATOR } from './indexes.js';

/** What a DDL statement leaves for the session to do: TRUNCATE's tables to empty, CREATE TABLE AS's table to fill. */
export interface DdlOutcome {
  readonly truncate?: readonly TableDef[];
  /** CREATE TABLE … AS: the new table (absent when IF NOT EXISTS found one) */
  readonly created?: TableDef;
  /** REFRESH MATERIALIZED VIEW: the view whose rows to replace, and its definition before the statement */
  readonly refresh?: { readonly view: TableDef; readonly previous: TableDef };
}

type Runner<K extends DdlKind> = (ctx: DdlContext, stmt: Extract<BoundDdl, { kind: K }>) => Promise<DdlOutcome | void> | DdlOutcome | void;

/** One runner per statement kind: a new kind fails to compile until it has one. */
const RUNNERS: { readonly [K in DdlKind]: Runner<K> } = {
  createTable, alterTable, drop, createIndex, createView, createSequence, alterSequence, createExtension, createFunction, alterSchema, setSchema,
  // the schema's elements are DDL statements of their own
  createSchema: (ctx, s) => createSchema(ctx, s, runDdl),
  createDatabase, dropDatabase, comment, rename, createPolicy, alterPolicy, dropPolicy, createEnum, createComposite, alterType, createDomain, alterDomain,
  createTableAs: async (ctx, s) => {
    const created = await createTableAs(ctx, s.relation, s.columns, s.ifNotExists, s, s.materialized);
    return created ? { created } : {};
  },
  truncate: (ctx, s) => ({ truncate: truncate(ctx, s) }),
  refreshMaterializedView: (ctx, s) => ({ refresh: refreshMaterializedView(ctx, s) }),
  reindex,
  discardTemp: async (ctx) => {
    const schema = ctx.temp?.name;
    // quietly, as RemoveTempRelations drops them (no "drop cascades to" notices)
    if (schema !== undefined) await dropSchemaContents(ctx, [schema], schemaDependents(ctx, [schema]));
  },
};

export async function runDdl(ctx: DdlContext, bound: BoundDdl): Promise<DdlOutcome> {
  const stmt = ctx.access ? checkDdl(ctx, ctx.access, bound) : bound;
  const run = RUNNERS[stmt.kind] as Runner<typeof stmt.kind>;
  const tablesBefore = new Set(ctx.catalog.tables.keys());
  const sequencesBefore = new Set(ctx.catalog.sequences.keys());
  const functionsBefore = new Set(ctx.catalog.functions.keys());
  const outcome = (await run(ctx, stmt as never)) ?? {};
  // what the statement created belongs to current_user, with its default privileges (ALTER DEFAULT PRIVILEGES)
  if (ctx.access) {
    const owner = ctx.access.role;
    const created = <T extends Securable & { schema: string }>(objects: Map<number, T>, before: Set<number>, objtype: 'r' | 'S' | 'f') => {
      for (const [oid, obj] of objects) {
        // owned already: made by a schema element, which runs as the schema's owner
        if (before.has(oid) || obj.owner !== undefined) continue;
        obj.owner = owner;
        const acl = initialAcl(ctx.catalog, objtype, owner, obj.schema);
        if (acl) obj.acl = acl;
      }
    };
    created(ctx.catalog.tables, tablesBefore, 'r');
    created(ctx.catalog.sequences, sequencesBefore, 'S');
    created(ctx.catalog.functions, functionsBefore, 'f');
  }
  return outcome;
}
