/** CREATE INDEX: btree / hash (key indexes in storage) and pgvector's hnsw / ivfflat. */
import { currentHeap, recordIndexBuilt } from '../relation-size.js';
import { SqlError, SqlState, type SqlNotice } from '../../errors.js';
import type { IndexCondition, IndexDef, IndexExpression, TableDef } from '../../catalog/catalog.js';
import { childPartitions, leafPartitions } from '../../catalog/partitions.js';
import { OID, T, formatType, type SparseVector, type SqlType } from '../../types/types.js';
import { predicateConditions } from '../../planner/partial-index.js';
import { ruleExprTexts } from '../../planner/rule-expr.js';
import { checkSparsevecHnswValue } from '../../types/sparsevec.js';
import type { AnnOp } from '../../ann/api.js';
import type { VectorIndexBuilt, VectorIndexSpec } from '../../storage/api.js';
import { parseQuantization, QUANTIZATIONS, type Quantization } from '../../ann/quantize.js';
import { toTsvectorCall, typeOf, type CreateIndex, type DdlExpr, type IndexColumnSpec, type QualifiedName } from '../../sql/ddl/index.js';
import { parseRegconfig } from '../../types/regconfig.js';
import { mustFindTable, relationNameFree, findIndex, type DdlContext } from './context.js';
import { addStorageKey, textIndexCreated, vectorIndexBuilt } from './storage-undo.js';
import { textIndexAttachment } from '../../executor/text-index-build.js';
import { checkImmutable, indexExpressionOf, indexStorageKey, vectorIndexKey } from '../../executor/vector-index-key.js';
import { columnsRead } from '../../executor/vector-search.js';
import { keyFunctions, storageKeySpec } from '../../executor/expression-keys.js';
import { keyPredicates } from '../../executor/index-predicate.js';
import { predicateTreeOf } from '../../planner/index-predicate.js';

/**
 * pgvector's operator classes: the type each accepts, the operator it indexes, and the
 * access methods that have it (pgvector's vector.sql).
 */
const OPCLASSES: Readonly<Record<string, { type: number; op: AnnOp; methods: readonly string[] }>> = (() => {
  const out: Record<string, { type: number; op: AnnOp; methods: readonly string[] }> = {};
  const both = ['hnsw', 'ivfflat'];
  for (const [prefix, type] of [['vector', OID.vector], ['halfvec', OID.halfvec], ['sparsevec', OID.sparsevec]] as const) {
    const ivf = prefix === 'sparsevec' ? ['hnsw'] : both;
    out[`${prefix}_l2_ops`] = { type, op: '<->', methods: ivf };
    out[`${prefix}_ip_ops`] = { type, op: '<#>', methods: ivf };
    out[`${prefix}_cosine_ops`] = { type, op: '<=>', methods: ivf };
    out[`${prefix}_l1_ops`] = { type, op: '<+>', methods: ['hnsw'] };
  }
  out.bit_hamming_ops = { type: OID.bit, op: '<~>', methods: both };
  out.bit_jaccard_ops = { type: OID.bit, op: '<%>', methods: ['hnsw'] };
  return out;
})();

/** operator class → the distance operator it indexes */
export const OPCLASS_OPERATOR: Readonly<Record<string, AnnOp>> = Object.fromEntries(Object.entries(OPCLASSES).map(([k, v]) => [k, v.op]));

/**
 * CREATE INDEX. A partial HNSW index on vector / halfvec (f32) whose WHERE is `column op
 * constant` conjuncts holds only the matching rows (planner/partial-index.ts), and so does
 * a partial UNIQUE B-tree index's key (uniqueness among those rows only). Any other partial
 * index's WHERE is not applied: a plain index over every row is a superset that answers the
 * same queries.
 *
 * No build blocks the table: the vector index is built per sealed segment in worker
 * threads while sessions read and write it, and rows committed meanwhile go to the growing
 * segment, indexed when it is sealed. CONCURRENTLY therefore builds the same way; it only
 * brings PostgreSQL's refusals (a transaction block, a partitioned table) and its command
 * name in pg_stat_progress_create_index, whose row the session keeps while it builds. A
 * cancelled build leaves no index, CONCURRENTLY or not (PostgreSQL leaves an invalid one
 * behind a CONCURRENTLY build, to be dropped by hand).
 */
export async function createIndex(ctx: DdlContext, stmt: CreateIndex): Promise<void> {
  // PostgreSQL refuses this before it looks for the table
  if (stmt.concurrently && ctx.inTransactionBlock) throw new SqlError(SqlState.activeSqlTransaction, 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
  const table = mustFindTable(ctx, stmt.table);
  if (stmt.concurrently && table.kind === 'p') throw new SqlError(SqlState.featureNotSupported, `cannot create index on partitioned table "${table.name}" concurrently`);
  if (stmt.unique && stmt.where && table.kind === 'p') throw new SqlError(SqlState.featureNotSupported, 'partial unique indexes on partitioned tables are not supported yet', { position: stmt.where.position });
  const method = stmt.method;
  if (!['btree', 'hnsw', 'ivfflat', 'hash', 'gin'].includes(method)) {
    throw new SqlError(SqlState.undefinedObject, `access method "${method}" does not exist`);
  }
  if (stmt.unique && method !== 'btree') {
    throw new SqlError(SqlState.featureNotSupported, `access method "${method}" does not support unique indexes`);
  }
  const gin = method === 'gin' ? ginKey(table, stmt.columns) : undefined;
  const keys = gin ? [{ column: gin.column }] : stmt.columns.map((c) => indexKey(ctx, table, c, method));
  const cols = keys.map((k) => k.column);
  const include = stmt.include ? includedColumns(table, stmt.include, method) : undefined;
  // IndexDef.expression is the whole key: one element
  if (keys.length > 1 && keys.some((k) => k.expression)) throw new SqlError(SqlState.featureNotSupported, 'expression indexes of more than one column are not supported yet');
  const expression = keys.length === 1 ? keys[0].expression : undefined;
  // an expression is never a partition key column: PostgreSQL's check of a unique index on a partitioned table
  if (stmt.unique && expression && table.kind === 'p' && table.partition) {
    throw new SqlError(SqlState.featureNotSupported, 'unique constraint on partitioned table must include all partitioning columns', {
      detail: `UNIQUE constraint on table "${table.name}" lacks column "${table.columns[table.partition.columns[0]].name}" which is part of the partition key.`,
    });
  }
  const keyType = (i: number) => keys[i].expression?.type ?? table.columns[cols[i]].type;
  // pgvector's only default operator class for its methods: vector_l2_ops for ivfflat
  const defaultOpclass = (i: number) => (method === 'ivfflat' && keyType(i).oid === OID.vector ? 'vector_l2_ops' : 'default');
  const opclasses = stmt.columns.map((c, i) => c.opclass ?? defaultOpclass(i));
  const options = { ...stmt.options };
  if (method === 'hnsw' || method === 'ivfflat') validateVectorIndex(cols.map((_, i) => keyType(i)), opclasses, options, method, expression !== undefined);
  // PostgreSQL names an expression index after the function: t_to_tsvector_idx, t_binary_quantize_idx
  // (INCLUDE columns too, as ChooseIndexColumnNames names them)
  const nameParts = gin?.config !== undefined ? ['to_tsvector'] : [...keys.map((k) => k.name ?? table.columns[k.column].name), ...(include ?? []).map((c) => table.columns[c].name)];
  const name = stmt.name ?? ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${nameParts.join('_')}`, 'idx');
  if (!relationNameFree(ctx, table.schema, name, stmt.ifNotExists)) return;
  const predicate = stmt.where ? partialPredicate(ctx, table, method, opclasses[0], options, stmt.where, expression !== undefined) : undefined;
  // a partial unique index: its key holds the rows meeting its WHERE only (executor/index-predicate.ts)
  const predicateTree = stmt.unique && stmt.where && ctx.bindRowExpr ? predicateTreeOf(ctx.bindRowExpr(stmt.where.tree, table.columns.map((c) => ({ name: c.name, type: c.type })), T.bool)) : undefined;
  const idx: IndexDef = {
    oid: ctx.catalog.allocateOid(), name, tableOid: table.oid, columns: cols, unique: stmt.unique, primary: false, ...(stmt.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    method, opclasses, options, ...(gin?.config !== undefined ? { tsvectorConfig: gin.config } : {}), ...(expression ? { expression } : {}),
    ...(predicate ? { predicate } : {}), ...(stmt.where ? predicateTexts(ctx, table, stmt.where) : {}), ...(predicateTree ? { predicateTree } : {}),
    ...(include ? { include } : {}),
  };
  // btree indexes (unique or not) become key indexes in storage: equality lookups use them
  if (method === 'btree' || method === 'hash') {
    for (const leaf of table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table]) {
      if (idx.expression) ctx.storage.attachKeyFunctions?.(leaf.oid, keyFunctions({ ...leaf, indexes: [idx] }));
      if (idx.predicateTree) ctx.storage.attachKeyPredicates?.(leaf.oid, keyPredicates({ ...leaf, indexes: [idx] }));
      await addStorageKey(ctx, leaf.oid, leaf.columns, storageKeySpec(idx), idx.expression);
    }
  }
  if ((method === 'btree' || method === 'hash') && table.kind !== 'p') {
    recordIndexBuilt(ctx.catalog, table, idx, await currentHeap(ctx.catalog, ctx.storage, table, ctx.dataTxn));
  }
  if (method === 'hnsw' && opclasses[0].startsWith('sparsevec_')) checkSparseRows(ctx, table, cols[0]);
  table.indexes.push(idx);
  ctx.catalog.version++;
  // ON ONLY a partitioned table: the partitions' own indexes are attached to it afterwards (pg_dump's order)
  if (stmt.only && table.kind === 'p') return;
  const partitions = table.kind === 'p' ? leafPartitions(ctx.catalog, table).length : 0;
  ctx.indexBuild?.start(stmt.concurrently ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX', table.oid, idx.oid, partitions);
  try {
    if (method === 'hnsw' || method === 'ivfflat') await buildVectorIndexesOrNone(ctx, table, idx);
    if (method === 'gin') await buildTextIndexes(ctx, table, idx);
  } finally {
    ctx.indexBuild?.end();
  }
}

/**
 * GIN: sealed segments carry the inverted lists (each in a file beside the segment), so the
 * rows there are get sealed and the growing segment is kept small. On a partitioned table each leaf partition gets its own
 * index (attached to the parent's, as in PostgreSQL), also partitions created later
 * (partitionIndexes).
 */
async function buildTextIndexes(ctx: DdlContext, table: TableDef, idx: IndexDef): Promise<void> {
  if (table.kind === 'p') {
    for (const child of childPartitions(ctx.catalog, table)) {
      await buildTextIndexes(ctx, child, partitionIndex(ctx, table, idx, child));
    }
    return;
  }
  ctx.indexBuild?.building();
  ctx.storage.keepGrowingSmall?.(table.oid, true);
  const attachment = textIndexAttachment(idx);
  if (ctx.storage.createTextIndex) {
    await ctx.storage.createTextIndex(table.oid, attachment.spec, attachment.toVector, attachment.buildFile);
    textIndexCreated(ctx, table.oid, idx.name);
  } else await ctx.storage.seal?.(table.oid);
  ctx.indexBuild?.partitionDone();
}

/** a partition's copy (at any depth below `parent`) of the parent's index, key columns found by name, added to the partition */
function partitionIndex(ctx: DdlContext, parent: TableDef, idx: IndexDef, child: TableDef): IndexDef {
  const columns = idx.columns.map((c) => child.columns.findIndex((x) => x.name === parent.columns[c].name));
  const key = idx.tsvectorConfig !== undefined ? 'to_tsvector'
    : idx.expression ? idx.expression.name : columns.map((c) => child.columns[c].name).join('_');
  const own: IndexDef = { ...idx, oid: ctx.catalog.allocateOid(), tableOid: child.oid, columns, parentIndex: idx.oid, name: ctx.catalog.uniqueRelationName(child.schema, `${child.name}_${key}`, 'idx') };
  child.indexes.push(own);
  return own;
}

/** CREATE TABLE … PARTITION OF: the new partition gets its own copy of the parent's GIN, HNSW and IVFFlat indexes */
export async function partitionIndexes(ctx: DdlContext, parent: TableDef, child: TableDef): Promise<void> {
  for (const idx of parent.indexes) {
    if (idx.method === 'gin') await buildTextIndexes(ctx, child, partitionIndex(ctx, parent, idx, child));
    else if (idx.method === 'hnsw' || idx.method === 'ivfflat') await buildLeafVectorIndex(ctx, parent, idx, child);
  }
}

/**
 * The key of a GIN index: a tsvector column, or to_tsvector('config', text column) (its
 * rows' lexemes computed from the text). Only tsvector_ops exists.
 */
function ginKey(table: TableDef, specs: readonly IndexColumnSpec[]): { column: number; config?: number } {
  if (specs.length !== 1) throw new SqlError(SqlState.featureNotSupported, 'multicolumn gin indexes are not supported yet');
  const spec = specs[0];
  if (spec.opclass && spec.opclass !== 'tsvector_ops') {
    throw new SqlError(SqlState.undefinedObject, `operator class "${spec.opclass}" does not exist for access method "gin"`);
  }
  const noOpclass = (type: number) => new SqlError(SqlState.undefinedObject, `data type ${formatType({ oid: type, typmod: -1 })} has no default operator class for access method "gin"`, {
    hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
  });
  if (spec.kind === 'expression') {
    const call = toTsvectorCall(spec.expr.tree);
    if (!call) throw new SqlError(SqlState.featureNotSupported, 'gin expression indexes other than to_tsvector(\'config\', column) are not supported yet');
    const column = table.columns.findIndex((x) => x.name === call.column);
    if (column < 0) throw new SqlError(SqlState.undefinedColumn, `column "${call.column}" does not exist`);
    const type = table.columns[column].type.oid;
    if (type !== OID.text && type !== OID.varchar && type !== OID.bpchar) {
      throw new SqlError(SqlState.undefinedFunction, `function to_tsvector(unknown, ${formatType(table.columns[column].type)}) does not exist`);
    }
    return { column, config: parseRegconfig(call.config) };
  }
  const column = indexedColumn(table, spec);
  if (table.columns[column].type.oid !== OID.tsvector) throw noOpclass(table.columns[column].type.oid);
  return { column };
}

/**
 * INCLUDE (c, …): non-key columns a B-tree index carries for Index Only Scans (uniqueness is
 * on the key columns alone); other access methods refuse them, as in PostgreSQL.
 */
function includedColumns(table: TableDef, names: readonly string[], method: string): number[] {
  if (method !== 'btree') throw new SqlError(SqlState.featureNotSupported, `access method "${method}" does not support included columns`);
  return names.map((name) => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`);
    return i;
  });
}

/** The rows a partial index holds, when it can hold only them (see createIndex). */
function partialPredicate(ctx: DdlContext, table: TableDef, method: string, opclass: string, options: Readonly<Record<string, string>>, where: DdlExpr, expression: boolean): IndexCondition[] | undefined {
  const floats = opclass.startsWith('vector_') || opclass.startsWith('halfvec_');
  const quantized = options.quantization !== undefined && options.quantization.toLowerCase() !== 'f32';
  // an expression index holds every row (a superset: the expression's search path has no partial indexes)
  if (method !== 'hnsw' || !floats || quantized || table.kind === 'p' || !ctx.bindRowExpr || expression) return undefined;
  return predicateConditions(ctx.bindRowExpr(where.tree, table.columns.map((c) => ({ name: c.name, type: c.type })), T.bool));
}

/** pgvector's HNSW build refuses a sparse vector of more than 1,000 elements already in the table. */
function checkSparseRows(ctx: DdlContext, table: TableDef, column: number): void {
  const name = table.columns[column].name;
  for (const leaf of table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table]) {
    const c = leaf.columns.findIndex((x) => x.name === name);
    for (const batch of ctx.storage.scan(leaf.oid, ctx.storage.snapshot(), ctx.dataTxn)) {
      for (const row of batch.rows) if (row[c] !== null) checkSparsevecHnswValue(row[c] as SparseVector);
    }
  }
}

/** ALTER INDEX parent ATTACH PARTITION child: the child (an index of a partition of parent's table) now belongs to parent */
export function attachIndex(ctx: DdlContext, parentName: QualifiedName, childName: QualifiedName): void {
  const parent = findIndex(ctx, parentName);
  if (!parent) throw new SqlError(SqlState.undefinedTable, `relation "${parentName.name}" does not exist`);
  const child = findIndex(ctx, childName);
  if (!child) throw new SqlError(SqlState.undefinedTable, `relation "${childName.name}" does not exist`);
  const childTable = ctx.catalog.tables.get(child.tableOid);
  const partitionOf = (childTable as { partitionOf?: { parent: number } } | undefined)?.partitionOf;
  if (!childTable || partitionOf?.parent !== parent.tableOid) {
    const parentTable = ctx.catalog.tables.get(parent.tableOid);
    throw new SqlError(SqlState.invalidObjectDefinition, `cannot attach index "${child.name}" as a partition of index "${parent.name}"`, {
      detail: `Index "${child.name}" is not an index on any partition of table "${parentTable?.name ?? '?'}".`,
    });
  }
  if (child.parentIndex === parent.oid) return;
  childTable.indexes = childTable.indexes.map((i) => (i === child ? { ...i, parentIndex: parent.oid } : i));
  ctx.catalog.version++;
}

/**
 * A cancelled or failed HNSW build leaves no index: not in the catalog (of the table or
 * its partitions), not in storage (createVectorIndex removes its files).
 */
async function buildVectorIndexesOrNone(ctx: DdlContext, table: TableDef, idx: IndexDef): Promise<void> {
  try {
    await buildVectorIndexes(ctx, table, idx);
  } catch (e) {
    const leaves = table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table];
    for (const t of new Set([table, ...leaves])) {
      for (const x of t.indexes.filter((i) => i === idx || builtFor.get(i) === idx)) {
        // the builds that finished before the failing one (the failing one removed itself)
        if (x !== idx) await ctx.storage.dropVectorIndex(t.oid, x.name);
        t.indexes.splice(t.indexes.indexOf(x), 1);
      }
    }
    ctx.catalog.version++;
    if (ctx.interrupted?.aborted) ctx.checkCancelled?.();
    throw e;
  }
}

/** a partition's index → the partitioned table's index it was made for */
const builtFor = new WeakMap<IndexDef, IndexDef>();

/**
 * What an index element indexes: a column, or for HNSW and IVFFlat an expression of one
 * column (its key, computed for each row by storage: see executor/vector-index-key.ts).
 * `name`: PostgreSQL's name part for the index (t_binary_quantize_idx).
 */
function indexKey(ctx: DdlContext, table: TableDef, c: IndexColumnSpec, method: string): { column: number; expression?: IndexExpression; name?: string } {
  const vector = method === 'hnsw' || method === 'ivfflat';
  const keyed = method === 'btree' || method === 'hash';
  const expr = c.kind === 'expression' || (c.kind === 'castColumn' && !ownTypeCast(table, c)) ? c.expr : undefined;
  if (!expr || !(vector || keyed) || !ctx.bindRowExpr) return { column: indexedColumn(table, c) };
  const bound = ctx.bindRowExpr(expr.tree, table.columns.map((x) => ({ name: x.name, type: x.type })), undefined);
  checkImmutable(bound);
  const read = columnsRead(bound) ?? [];
  if (read.length !== 1) throw new SqlError(SqlState.featureNotSupported, `${vector ? 'vector ' : ''}index expressions over ${read.length ? 'more than one column' : 'no column'} are not supported yet`);
  if (keyed) {
    const expression = indexExpressionOf(bound, read[0]);
    return { column: read[0], expression, name: expression.name };
  }
  // storage packs sparse rows from a sparsevec column only
  if (bound.type.oid === OID.sparsevec || table.columns[read[0]].type.oid === OID.sparsevec) {
    throw new SqlError(SqlState.featureNotSupported, 'sparsevec index expressions are not supported yet');
  }
  const expression = indexExpressionOf(bound, read[0]);
  return { column: read[0], expression, name: expression.name };
}

/** `(col::type)` of the column's own type (and typmod, or none): the plain column */
function ownTypeCast(table: TableDef, c: Extract<IndexColumnSpec, { kind: 'castColumn' }>): boolean {
  const col = table.columns.find((x) => x.name === c.column);
  const type = col && 'type' in c.type ? c.type.type : undefined;
  return !!(col && type && type.oid === col.type.oid && (type.typmod < 0 || type.typmod === col.type.typmod));
}

/**
 * The column an index element names. A cast of a column to its own type — LangChain's
 * `((embedding::vector(4)) vector_cosine_ops)` — is the plain column; other expressions
 * are not supported yet.
 */
function indexedColumn(table: TableDef, c: IndexColumnSpec): number {
  let name: string | undefined;
  if (c.kind === 'column') name = c.column;
  else if (c.kind === 'castColumn') {
    const col = table.columns.find((x) => x.name === c.column);
    if (col && ownTypeCast(table, c)) name = col.name;
    else if (col && !('type' in c.type)) typeOf(c.type);
  }
  if (name === undefined) throw new SqlError(SqlState.featureNotSupported, 'expression indexes are not supported yet');
  const i = table.columns.findIndex((x) => x.name === name);
  if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`);
  return i;
}

/**
 * Whether storage builds this index, or keeps it in the catalog only (searches then stay
 * exact): IVFFlat clusters bit strings by Hamming distance (bit-ivf.ts) but has no Jaccard
 * lists (neither has pgvector). (L1 graphs and sparse vector indexes are the native
 * addon's: storage skips them when it was not built.)
 */
function indexBuilt(idx: IndexDef): boolean {
  const op = OPCLASS_OPERATOR[idx.opclasses[0]];
  return !(idx.method === 'ivfflat' && op === '<%>');
}

/**
 * HNSW and IVFFlat: the storage builds the index for every sealed segment (sealing the growing one
 * first, so all existing rows are covered) and for each segment sealed later. On a
 * partitioned table each leaf partition gets its own index, as in PostgreSQL.
 */
export async function buildVectorIndexes(ctx: DdlContext, table: TableDef, idx: IndexDef): Promise<void> {
  const leaves = table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table];
  for (const leaf of leaves) {
    await buildLeafVectorIndex(ctx, table, idx, leaf);
    if (leaf !== table) ctx.indexBuild?.partitionDone();
  }
}

/** `idx` (of `table`) on one leaf: the table itself, or a partition that gets its own copy (or one it had already, attached). */
async function buildLeafVectorIndex(ctx: DdlContext, table: TableDef, idx: IndexDef, leaf: TableDef): Promise<void> {
  let leafIdx = idx;
  if (leaf !== table) {
    // as PostgreSQL's DefineIndex: a partition's own index of the same definition is attached, not built again
    const names = idx.columns.map((c) => table.columns[c].name);
    const same = leaf.indexes.find((i) => i.parentIndex === undefined && i.method === idx.method && !i.unique
      && i.expression?.sql === idx.expression?.sql && i.columns.length === names.length && i.columns.every((c, k) => leaf.columns[c]?.name === names[k])
      && i.opclasses.join() === idx.opclasses.join() && JSON.stringify(i.options) === JSON.stringify(idx.options));
    if (same) {
      leaf.indexes = leaf.indexes.map((i) => (i === same ? { ...i, parentIndex: idx.oid } : i));
      return;
    }
    leafIdx = partitionIndex(ctx, table, idx, leaf);
    builtFor.set(leafIdx, idx);
  }
  if (!indexBuilt(idx)) return;
  const ivf = idx.method === 'ivfflat';
  const lists = Number(idx.options.lists ?? 100);
  const built = await createStoredVectorIndex(ctx, leaf, leafIdx);
  vectorIndexBuilt(ctx, leaf.oid, leafIdx.name);
  // pgvector's ivfbuild.c: fewer sampled vectors than lists
  if (ivf && built.samples !== undefined && built.samples < lists) ctx.notices.push(littleDataNotice());
}

/** pgvector's notice when an IVFFlat build samples fewer vectors than it has lists (ivfbuild.c). */
export function littleDataNotice(): SqlNotice {
  return {
    severity: 'NOTICE', code: '00000', message: 'ivfflat index created with little data',
    detail: 'This will cause low recall.', hint: 'Drop the index until the table has more data.',
  };
}

/**
 * Storage builds `idx`, an index of `table` (a leaf), for its rows, under `name` (another
 * than its own: REINDEX CONCURRENTLY's index built beside it): an expression index's key
 * function is given first.
 */
export async function createStoredVectorIndex(ctx: DdlContext, table: TableDef, idx: IndexDef, name = idx.name): Promise<VectorIndexBuilt> {
  if (idx.expression) {
    const def = { columns: idx.columns, expression: idx.expression };
    ctx.storage.attachVectorKeys?.(table.oid, [vectorIndexKey(def, table)]);
  }
  return ctx.storage.createVectorIndex(table.oid, vectorIndexSpec(idx, name), ctx.interrupted, (p) => ctx.indexBuild?.storage(p));
}

/** What storage builds for a vector index (a partition's under its own name) */
export function vectorIndexSpec(idx: IndexDef, name: string): VectorIndexSpec {
  return {
    name, column: idx.columns[0], op: OPCLASS_OPERATOR[idx.opclasses[0]],
    ...(idx.expression ? { expression: { key: indexStorageKey({ columns: idx.columns, expression: idx.expression }), dim: idx.expression.type.typmod } } : {}),
    m: Number(idx.options.m ?? 16), efConstruction: Number(idx.options.ef_construction ?? 64),
    ...(idx.method === 'ivfflat' ? { method: 'ivfflat' as const, lists: Number(idx.options.lists ?? 100) } : {}),
    ...quantizationOf(idx.options),
    ...(idx.predicate ? { rows: idx.predicate } : {}),
  };
}

/** Whether storage holds files for this index on this table (see indexBuilt) */
export function storesVectorIndex(idx: IndexDef, table: TableDef): boolean {
  return (idx.method === 'hnsw' || idx.method === 'ivfflat') && indexBuilt(idx);
}

/** `types`: the keys' types (an expression's, or the column's); a `bit` expression without a length has no dimensions */
function validateVectorIndex(types: readonly SqlType[], opclasses: string[], options: Record<string, string>, method: string, expression: boolean): void {
  if (types.length !== 1) throw new SqlError(SqlState.featureNotSupported, `access method "${method}" does not support multicolumn indexes`);
  const col = { type: types[0] };
  const typeName = formatType({ oid: col.type.oid, typmod: -1 });
  if (opclasses[0] === 'default') {
    throw new SqlError(SqlState.undefinedObject, `data type ${typeName} has no default operator class for access method "${method}"`, {
      hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
    });
  }
  const opclass = OPCLASSES[opclasses[0]];
  if (!opclass || !opclass.methods.includes(method)) {
    throw new SqlError(SqlState.undefinedObject, `operator class "${opclasses[0]}" does not exist for access method "${method}"`);
  }
  // varbit is binary-coercible to bit, but has no fixed length (pgvector's build refuses it)
  if (opclass.type === OID.bit && col.type.oid === OID.varbit) throw new SqlError(SqlState.featureNotSupported, `type not supported for ${method} index`);
  if (col.type.oid !== opclass.type) {
    throw new SqlError(SqlState.datatypeMismatch, `operator class "${opclasses[0]}" does not accept data type ${typeName}`);
  }
  // bit without a length is bit(1)
  const dims = col.type.oid === OID.bit && col.type.typmod < 1 && !expression ? 1 : col.type.typmod;
  if (dims < 1) throw new SqlError(SqlState.invalidParameterValue, 'column does not have dimensions');
  const limit = maxDimensions(method, col.type.oid);
  if (dims > limit) throw new SqlError(SqlState.programLimitExceeded, `column cannot have more than ${limit} dimensions for ${method} index`);
  validateIndexOptions(options, method, opclass.type === OID.bit ? 'bit' : opclass.type === OID.sparsevec ? 'sparsevec' : undefined);
  // pgvector's ivfbuild.c: spherical k-means needs more than one dimension
  if (method === 'ivfflat' && dims === 1 && (opclass.op === '<#>' || opclass.op === '<=>')) {
    throw new SqlError(SqlState.invalidParameterValue, 'dimensions must be greater than one for this opclass');
  }
}

/**
 * pgvector's limits, except HNSW on vector and halfvec: pgvector takes 2,000 and 4,000
 * dimensions (an 8 kB page must hold a graph element); Quiver's index files have no
 * pages, so both go to 16,000. Sparse vectors have no dimension limit.
 */
function maxDimensions(method: string, type: number): number {
  if (type === OID.bit) return 64000;
  if (type === OID.sparsevec) return Infinity;
  if (method === 'hnsw') return 16000;
  return type === OID.halfvec ? 4000 : 2000;
}

/** WITH (quantization = …): absent or f32 store the vectors as they are. */
function quantizationOf(options: Readonly<Record<string, string>>): { quantization?: Quantization } {
  const q = options.quantization === undefined ? undefined : parseQuantization(options.quantization);
  return q && q !== 'f32' ? { quantization: q } : {};
}

/** `unquantized`: the type whose indexes store its values as they are (bit strings, sparse vectors) */
function validateIndexOptions(options: Record<string, string>, method: string, unquantized: 'bit' | 'sparsevec' | undefined): void {
  const range = (key: string, lo: number, hi: number) => {
    if (options[key] === undefined) return;
    const v = Number(options[key]);
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new SqlError(SqlState.invalidParameterValue, `value ${options[key]} out of bounds for option "${key}"`, {
        detail: `Valid values are between "${lo}" and "${hi}".`,
      });
    }
  };
  if (method === 'hnsw') {
    for (const k of Object.keys(options)) if (!['m', 'ef_construction', 'quantization'].includes(k)) throw new SqlError(SqlState.invalidParameterValue, `unrecognized parameter "${k}"`);
    range('m', 2, 100);
    range('ef_construction', 4, 1000);
    if (options.quantization !== undefined) {
      const q = parseQuantization(options.quantization);
      // PostgreSQL's message for an enum reloption (reloptions.c, parse_one_reloption)
      if (!q) {
        throw new SqlError(SqlState.invalidParameterValue, `invalid value for enum option "quantization": ${options.quantization}`, {
          detail: `Valid values are ${QUANTIZATIONS.slice(0, -1).map((v) => `"${v}"`).join(', ')}, and "${QUANTIZATIONS[QUANTIZATIONS.length - 1]}".`,
        });
      }
      // bit strings are stored one bit a dimension already; sparse vectors as their elements
      if (unquantized && q !== 'f32') throw new SqlError(SqlState.featureNotSupported, `quantization "${q}" is not supported for ${unquantized} columns`);
    }
    const m = Number(options.m ?? 16);
    const ef = Number(options.ef_construction ?? 64);
    if (ef < 2 * m) throw new SqlError(SqlState.invalidParameterValue, 'ef_construction must be greater than or equal to 2 * m');
  } else {
    for (const k of Object.keys(options)) if (k !== 'lists') throw new SqlError(SqlState.invalidParameterValue, `unrecognized parameter "${k}"`);
    range('lists', 1, 32768);
  }
}

/** A partial index's WHERE as ruleutils prints it, from the bound tree (price > 0::numeric), in both modes. */
function predicateTexts(ctx: DdlContext, table: TableDef, where: DdlExpr): { predicateSql: string; predicatePlainSql?: string } {
  if (!ctx.bindRowExpr) return { predicateSql: where.sql };
  const texts = ruleExprTexts(ctx.bindRowExpr(where.tree, table.columns.map((c) => ({ name: c.name, type: c.type })), T.bool));
  return { predicateSql: texts.pretty, predicatePlainSql: texts.plain };
}
