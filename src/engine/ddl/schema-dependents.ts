/**
 * What DROP SCHEMA takes with it, listed as PostgreSQL's reportDependentObjects lists it:
 * the schema's objects newest first are visited depth-first (an object after what depends
 * on it), and the list is reported in reverse — so the oldest object comes first, each
 * followed by the objects elsewhere that depend on it (views, foreign keys of other
 * tables). Objects that go with another one (a table's indexes, owned sequences,
 * partitions, its own constraints) are not listed.
 */
import type { ConstraintDef, DomainTypeDef, EnumTypeDef, SequenceDef, SqlFunctionDef, TableDef } from '../../catalog/catalog.js';
import { SqlError, SqlState } from '../../errors.js';
import { leafPartitions } from '../../catalog/partitions.js';
import { viewDependencies } from '../../catalog/system/dependencies.js';
import { RELATION_KINDS, relationKindWord } from './relation-kind.js';
import { CLASS_OID } from '../../catalog/system/objects.js';
import { quoteIdent } from '../../types/identifiers.js';
import { formatType, sqlType } from '../../types/types.js';
import { dropStorage, type DdlContext } from './context.js';

type DroppedObject =
  | { readonly kind: 'table'; readonly def: TableDef }
  | { readonly kind: 'sequence'; readonly def: SequenceDef }
  | { readonly kind: 'function'; readonly def: SqlFunctionDef }
  | { readonly kind: 'type'; readonly def: EnumTypeDef }
  | { readonly kind: 'domain'; readonly def: DomainTypeDef }
  | { readonly kind: 'constraint'; readonly def: ConstraintDef; readonly table: TableDef };

/** One object a DROP SCHEMA drops too, with the descriptions its messages use. */
export interface SchemaDependent {
  readonly object: DroppedObject;
  /** e.g. `table s1.t`, `view v`, `function s1.f(integer)` (the schema shown when it is off the search path) */
  readonly description: string;
  /** what it depends on: `schema s1`, or the object of the schema it was reached from */
  readonly dependsOn: string;
}

const oidOf = (o: DroppedObject): number => o.def.oid;

/** What dropping `schemas` drops besides them, in PostgreSQL's report order (empty: they are empty). */
export function schemaDependents(ctx: DdlContext, schemas: readonly string[]): SchemaDependent[] {
  const { catalog } = ctx;
  const inSchemas = (s: string) => schemas.includes(s);
  const direct: DroppedObject[] = [
    // partitions go with their parent, owned sequences with their table
    ...[...catalog.tables.values()].filter((t) => inSchemas(t.schema) && !(t.partitionOf && inSchemas(catalog.tables.get(t.partitionOf.parent)?.schema ?? '')))
      .map((def) => ({ kind: 'table' as const, def })),
    ...[...catalog.sequences.values()].filter((s) => inSchemas(s.schema) && !s.ownedBy).map((def) => ({ kind: 'sequence' as const, def })),
    ...[...catalog.functions.values()].filter((f) => inSchemas(f.schema)).map((def) => ({ kind: 'function' as const, def })),
    ...[...catalog.types.values()].filter((t) => inSchemas(t.schema)).map((def) => ({ kind: 'type' as const, def })),
    ...[...catalog.domains.values()].filter((d) => inSchemas(d.schema)).map((def) => ({ kind: 'domain' as const, def })),
  ];
  const droppedTables = new Set([...catalog.tables.values()].filter((t) => inSchemas(t.schema)).map((t) => t.oid));
  const seen = new Set<string>();
  const key = (o: DroppedObject) => `${o.kind}${oidOf(o)}`;
  const postOrder: SchemaDependent[] = [];
  const visit = (o: DroppedObject, dependsOn: string): void => {
    if (seen.has(key(o))) return;
    seen.add(key(o));
    const description = describe(ctx, o);
    for (const child of dependentsOf(ctx, o, droppedTables).sort((a, b) => oidOf(b) - oidOf(a))) visit(child, description);
    postOrder.push({ object: o, description, dependsOn });
  };
  for (const s of schemas) for (const o of direct.filter((x) => schemaOf(x) === s).sort((a, b) => oidOf(b) - oidOf(a))) visit(o, `schema ${s}`);
  return postOrder.reverse();
}

function schemaOf(o: DroppedObject): string {
  return o.kind === 'constraint' ? o.table.schema : o.def.schema;
}

/** views and materialized views (of any schema) that read a table or call a function, foreign keys of other tables that reference a table */
function dependentsOf(ctx: DdlContext, o: DroppedObject, droppedTables: ReadonlySet<number>): DroppedObject[] {
  const { catalog } = ctx;
  if (o.kind !== 'table' && o.kind !== 'function') return [];
  const classid = o.kind === 'table' ? CLASS_OID.pg_class : CLASS_OID.pg_proc;
  const out: DroppedObject[] = [];
  for (const t of catalog.tables.values()) {
    if ((t.kind === 'v' || t.kind === 'm') && viewDependencies(catalog, t).some((d) => d.classid === classid && d.objid === o.def.oid)) out.push({ kind: 'table', def: t });
    if (o.kind !== 'table' || droppedTables.has(t.oid)) continue;
    for (const c of t.constraints) if (c.type === 'f' && c.refTable === o.def.oid) out.push({ kind: 'constraint', def: c, table: t });
  }
  return out;
}

/** getObjectDescription: the name qualified only when it is not visible through the search path */
function describe(ctx: DdlContext, o: DroppedObject): string {
  switch (o.kind) {
    case 'table': return `${RELATION_KINDS[relationKindWord(o.def)].what} ${relationName(ctx, o.def.schema, o.def.name)}`;
    case 'sequence': return `sequence ${relationName(ctx, o.def.schema, o.def.name)}`;
    case 'constraint': return `constraint ${o.def.name} on table ${relationName(ctx, o.table.schema, o.table.name)}`;
    case 'type': return `type ${formatType(sqlType(o.def.oid))}`;
    case 'domain': return `type ${formatType({ oid: o.def.base.oid, typmod: -1, domain: o.def.oid })}`;
    case 'function': {
      const visible = ctx.searchPath.includes(o.def.schema);
      return `function ${visible ? '' : `${quoteIdent(o.def.schema)}.`}${quoteIdent(o.def.name)}(${o.def.params.map((p) => formatType(p.type)).join(',')})`;
    }
  }
}

/** RelationIsVisible: the first schema of the path with a relation of that name is its own */
function relationName(ctx: DdlContext, schema: string, name: string): string {
  const first = ctx.searchPath.find((s) => ctx.catalog.relationNameTaken(s, name));
  return first === schema ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Drop the schemas' objects and what depends on them (their storage at commit, or after the catalog is saved). */
export async function dropSchemaContents(ctx: DdlContext, schemas: readonly string[], dependents: readonly SchemaDependent[]): Promise<void> {
  const { catalog } = ctx;
  for (const { object: o } of dependents) {
    if (o.kind === 'constraint') o.table.constraints = o.table.constraints.filter((c) => c.oid !== o.def.oid);
  }
  // a column of a table that stays (in another schema) cannot lose its type
  const types = new Set(dependents.flatMap((d) => (d.object.kind === 'type' || d.object.kind === 'domain' ? [d.object.def.oid, d.object.def.arrayOid] : [])));
  const user = [...catalog.tables.values()].find((t) => !schemas.includes(t.schema) && t.columns.some((c) => types.has(c.type.domain ?? c.type.oid)));
  if (user) throw new SqlError(SqlState.featureNotSupported, `DROP SCHEMA … CASCADE of a type that table ${user.name} uses is not supported`);
  for (const { object: o } of dependents) {
    if (o.kind === 'function') catalog.functions.delete(o.def.oid);
    else if (o.kind === 'sequence') catalog.sequences.delete(o.def.oid);
  }
  const tables = [...dependents.flatMap((d) => (d.object.kind === 'table' ? [d.object.def] : [])),
    ...[...catalog.tables.values()].filter((t) => schemas.includes(t.schema))];
  for (const t of tables) {
    if (!catalog.tables.has(t.oid)) continue;
    const leaves = t.kind === 'v' ? [] : leafPartitions(catalog, t).filter((x) => x.kind !== 'p');
    catalog.dropTable(t.oid);
    for (const leaf of leaves) await dropStorage(ctx, leaf.oid);
  }
  for (const [oid, s] of catalog.sequences) if (schemas.includes(s.schema)) catalog.sequences.delete(oid);
  for (const [oid, f] of catalog.functions) if (schemas.includes(f.schema)) catalog.functions.delete(oid);
  for (const [oid, t] of catalog.types) if (schemas.includes(t.schema)) catalog.dropType(oid);
  for (const [oid, d] of catalog.domains) if (schemas.includes(d.schema)) catalog.dropDomain(oid);
}
