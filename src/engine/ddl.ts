/**
 * DDL: CREATE/DROP TABLE, INDEX, SEQUENCE, EXTENSION, TRUNCATE, COMMENT. Applies the
 * change to the catalog and the storage layer. (DDL takes effect at once; it is not
 * rolled back with the surrounding transaction.)
 */
import { SqlError, SqlState, type SqlNotice } from '../errors.js';
import type { Catalog, ColumnDef, ConstraintDef, IndexDef, SequenceDef, TableDef } from '../catalog/catalog.js';
import { parseSql, type RawNode } from '../sql/parser.js';
import { resolveTypeName, serialBase } from '../sql/type-names.js';
import type { Storage } from '../storage/api.js';
import { OID, formatType, type SqlType, type Value } from '../types/types.js';
import { parseText } from '../types/text-io.js';
import { rawPosition } from '../sql/positions.js';
import type { DistanceOp } from '../ann/api.js';
import { boundAccepts, boundsOverlap, childPartitions, keyTypes, leafPartitions, type BoundDatum, type PartitionBound } from '../catalog/partitions.js';

export interface DdlContext {
  readonly catalog: Catalog;
  readonly storage: Storage;
  readonly notices: SqlNotice[];
  readonly searchPath: readonly string[];
  /** the statement text, to keep DEFAULT expressions' SQL */
  readonly sql: string;
  /** inside a transaction block: storage drops wait for COMMIT, creations are undone on ROLLBACK */
  readonly txn?: { dropLater(tableOid: number): void; created(tableOid: number): void };
}

async function dropStorage(ctx: DdlContext, oid: number): Promise<void> {
  if (ctx.txn) ctx.txn.dropLater(oid);
  else await ctx.storage.dropTable(oid);
}

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

function notice(ctx: DdlContext, message: string, code = '00000'): void {
  ctx.notices.push({ severity: 'NOTICE', code, message });
}

function creationSchema(ctx: DdlContext, schema: string | undefined): string {
  if (schema) {
    if (schema !== 'public') throw new SqlError('3F000', `schema "${schema}" does not exist`);
    return schema;
  }
  return ctx.searchPath.find((s) => s === 'public') ?? 'public';
}

function parseExprText(sql: string): unknown {
  const stmt = parseSql(`SELECT ${sql}`)[0].node;
  return stmt.SelectStmt.targetList[0].ResTarget.val;
}

/** The SQL text of an expression inside the statement, from its location to where it ends. */
function exprText(ctx: DdlContext, node: RawNode): string {
  const start = findLocation(node);
  if (start === undefined) return '';
  // Scan forward to the end of the expression: the first top-level ',' or ')' or keyword.
  const s = ctx.sql;
  let depth = 0;
  let i = start;
  let inStr = false;
  for (; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      if (ch === "'") {
        if (s[i + 1] === "'") i++;
        else inStr = false;
      }
      continue;
    }
    if (ch === "'") inStr = true;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) break;
      depth--;
    } else if (ch === ',' && depth === 0) break;
    else if (depth === 0 && /\s/.test(ch)) {
      const rest = s.slice(i).trimStart().toUpperCase();
      if (/^(NOT\s+NULL|NULL|PRIMARY|UNIQUE|CHECK|REFERENCES|CONSTRAINT|DEFAULT|COLLATE|GENERATED)\b/.test(rest)) break;
    }
  }
  return s.slice(start, i).trim();
}

function findLocation(node: unknown): number | undefined {
  let best: number | undefined;
  const walk = (x: unknown) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
      if (k === 'location' && typeof v === 'number' && v >= 0) best = best === undefined ? v : Math.min(best, v);
      else walk(v);
    }
  };
  walk(node);
  return best;
}

export async function createTable(ctx: DdlContext, n: RawNode): Promise<void> {
  const { catalog } = ctx;
  const schema = creationSchema(ctx, n.relation.schemaname);
  const name: string = n.relation.relname;
  if (n.inhRelations?.length && !n.partbound) {
    throw new SqlError(SqlState.featureNotSupported, 'table inheritance (INHERITS) is not supported');
  }
  if (catalog.relationNameTaken(schema, name)) {
    if (n.if_not_exists) {
      notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
      return;
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const oid = catalog.allocateOid();
  const columns: ColumnDef[] = [];
  const constraints: ConstraintDef[] = [];
  const sequences: SequenceDef[] = [];
  const pendingKeys: { type: 'p' | 'u'; cols: string[]; name?: string; position?: number }[] = [];
  let partitionOf: TableDef['partitionOf'];
  if (n.partbound) {
    const rv = n.inhRelations[0].RangeVar;
    const parent = findTable(ctx, rv.schemaname, rv.relname);
    if (!parent) throw new SqlError(SqlState.undefinedTable, `relation "${rv.relname}" does not exist`);
    if (parent.kind !== 'p') {
      throw new SqlError(SqlState.wrongObjectType, `"${parent.name}" is not partitioned`);
    }
    partitionOf = { parent: parent.oid, bound: partitionBound(ctx, parent, n.partbound, name) };
    // a partition has its parent's columns; its keys mirror the parent's
    for (const c of parent.columns) columns.push({ ...c, sequence: c.sequence, attnum: columns.length + 1 });
    for (const k of parent.constraints) {
      if (k.type === 'p' || k.type === 'u') pendingKeys.push({ type: k.type, cols: k.columns.map((i) => parent.columns[i].name) });
    }
  }
  for (const elt of (n.tableElts ?? []) as RawNode[]) {
    if (partitionOf && elt.ColumnDef) {
      // PARTITION OF … (col WITH OPTIONS …): only constraints on existing columns
      const i = columns.findIndex((c) => c.name === elt.ColumnDef.colname);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${elt.ColumnDef.colname}" does not exist`);
      for (const con of (elt.ColumnDef.constraints ?? []) as RawNode[]) {
        if (con.Constraint.contype === 'CONSTR_NOTNULL') columns[i] = { ...columns[i], notNull: true };
      }
      continue;
    }
    if (elt.ColumnDef) {
      const c = elt.ColumnDef;
      const colName: string = c.colname;
      if (columns.some((x) => x.name === colName)) {
        throw new SqlError(SqlState.duplicateColumn, `column "${colName}" specified more than once`);
      }
      const serial = serialBase(c.typeName);
      const type: SqlType = serial ?? resolveTypeName(c.typeName);
      let notNull = false;
      let defaultExpr: ColumnDef['defaultExpr'] = null;
      let sequence: string | undefined;
      let identity: 'a' | 'd' | undefined;
      const makeSequence = (): string => {
        const seqName = catalog.uniqueRelationName(schema, `${name}_${colName}`, 'seq');
        const max = type.oid === OID.int2 ? 32767n : type.oid === OID.int4 ? 2147483647n : 9223372036854775807n;
        sequences.push({
          oid: catalog.allocateOid(), name: seqName, schema, type, start: 1n, increment: 1n, min: 1n, max,
          cycle: false, last: 1n, isCalled: false, ownedBy: { table: oid, column: columns.length },
        });
        return seqName;
      };
      if (serial) {
        sequence = makeSequence();
        notNull = true;
        const sql = `nextval('${sequence}'::regclass)`;
        defaultExpr = { ast: parseExprText(sql), sql };
      }
      for (const con of (c.constraints ?? []) as RawNode[]) {
        const k = con.Constraint;
        switch (k.contype as string) {
          case 'CONSTR_NOTNULL': notNull = true; break;
          case 'CONSTR_NULL': notNull = false; break;
          case 'CONSTR_DEFAULT': defaultExpr = { ast: k.raw_expr, sql: exprText(ctx, k.raw_expr) }; break;
          case 'CONSTR_PRIMARY': notNull = true; pendingKeys.push({ type: 'p', cols: [colName], name: k.conname, position: pos(k) }); break;
          case 'CONSTR_UNIQUE': pendingKeys.push({ type: 'u', cols: [colName], name: k.conname, position: pos(k) }); break;
          case 'CONSTR_IDENTITY': {
            identity = k.generated_when === 'a' ? 'a' : 'd';
            notNull = true;
            sequence = makeSequence();
            const sql = `nextval('${sequence}'::regclass)`;
            defaultExpr = { ast: parseExprText(sql), sql };
            break;
          }
          case 'CONSTR_FOREIGN':
            // Accepted for ORM compatibility; not enforced yet.
            break;
          case 'CONSTR_CHECK':
            throw new SqlError(SqlState.featureNotSupported, 'CHECK constraints are not supported yet', { position: pos(k) });
          default:
            throw new SqlError(SqlState.featureNotSupported, `column constraint ${k.contype} is not supported`, { position: pos(k) });
        }
      }
      columns.push({ name: colName, type, notNull, defaultExpr, attnum: columns.length + 1, sequence, identity });
    } else if (elt.Constraint) {
      const k = elt.Constraint;
      const keys = ((k.keys ?? []) as RawNode[]).map((x) => x.String.sval as string);
      if (k.contype === 'CONSTR_PRIMARY') pendingKeys.push({ type: 'p', cols: keys, name: k.conname, position: pos(k) });
      else if (k.contype === 'CONSTR_UNIQUE') pendingKeys.push({ type: 'u', cols: keys, name: k.conname, position: pos(k) });
      else if (k.contype === 'CONSTR_FOREIGN') { /* accepted, not enforced */ }
      else throw new SqlError(SqlState.featureNotSupported, `table constraint ${k.contype} is not supported yet`, { position: pos(k) });
    } else {
      throw new SqlError(SqlState.featureNotSupported, 'LIKE and other table elements are not supported', {});
    }
  }
  const primaries = pendingKeys.filter((k) => k.type === 'p');
  if (primaries.length > 1) {
    throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${name}" are not allowed`, { position: primaries[1].position });
  }
  let partition: TableDef['partition'];
  if (n.partspec) {
    const strategy = ({ PARTITION_STRATEGY_LIST: 'list', PARTITION_STRATEGY_RANGE: 'range', PARTITION_STRATEGY_HASH: 'hash' } as const)[n.partspec.strategy as string]!;
    const keyCols = ((n.partspec.partParams ?? []) as RawNode[]).map((p) => {
      const e = p.PartitionElem;
      if (!e.name) throw new SqlError(SqlState.featureNotSupported, 'partition keys must be columns', { position: pos(e) });
      const i = columns.findIndex((c) => c.name === e.name);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${e.name}" named in partition key does not exist`, { position: pos(e) });
      return i;
    });
    if (strategy === 'list' && keyCols.length !== 1) {
      throw new SqlError(SqlState.invalidObjectDefinition, 'cannot use "list" partition strategy with more than one column');
    }
    partition = { strategy, columns: keyCols };
    for (const key of pendingKeys) {
      const missing = keyCols.find((kc) => !key.cols.includes(columns[kc].name));
      if (missing !== undefined) {
        throw new SqlError(SqlState.featureNotSupported, 'unique constraint on partitioned table must include all partitioning columns', {
          detail: `${key.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} constraint on table "${name}" lacks column "${columns[missing].name}" which is part of the partition key.`,
        });
      }
    }
  }
  const table: TableDef = {
    oid, name, schema, kind: partition ? 'p' : 'r', columns, indexes: [], constraints, rowTypeOid: catalog.allocateOid(), partition, partitionOf,
  };
  for (const key of pendingKeys) {
    const cols = key.cols.map((cn) => {
      const i = columns.findIndex((c) => c.name === cn);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${cn}" named in key does not exist`, { position: key.position });
      if (key.type === 'p') columns[i] = { ...columns[i], notNull: true };
      return i;
    });
    const conName = key.name ?? (key.type === 'p'
      ? catalog.uniqueRelationName(schema, name, 'pkey')
      : catalog.uniqueRelationName(schema, `${name}_${key.cols.join('_')}`, 'key'));
    const indexOid = catalog.allocateOid();
    const conOid = catalog.allocateOid();
    constraints.push({ oid: conOid, name: conName, tableOid: oid, type: key.type, columns: cols, indexOid });
    table.indexes.push({
      oid: indexOid, name: conName, tableOid: oid, columns: cols, unique: true, primary: key.type === 'p',
      method: 'btree', opclasses: cols.map(() => 'default'), options: {}, constraintOid: conOid,
    });
  }
  catalog.addTable(table);
  for (const s of sequences) catalog.addSequence(s);
  // a partitioned table stores nothing itself: its rows live in its leaf partitions
  if (table.kind === 'p') return;
  await ctx.storage.createTable({ id: oid, columns: columns.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(oid);
  for (const idx of table.indexes) ctx.storage.addUniqueKey(oid, { name: idx.name, columns: idx.columns });
}

function boundDatum(ctx: DdlContext, node: RawNode, type: SqlType): BoundDatum {
  if (node.ColumnRef) {
    const word = String(node.ColumnRef.fields[0].String.sval).toLowerCase();
    if (word === 'minvalue' || word === 'maxvalue') return word;
    throw new SqlError(SqlState.invalidTableDefinition, `cannot use column reference in partition bound expression`, { position: pos(node.ColumnRef) });
  }
  return { value: boundValue(node, type) };
}

function boundValue(node: RawNode, type: SqlType): Value {
  const c = node.A_Const ?? node.TypeCast?.arg?.A_Const;
  if (!c) throw new SqlError(SqlState.featureNotSupported, 'partition bounds must be constants');
  if (c.isnull) return null;
  const text = c.sval ? c.sval.sval : c.ival ? String(c.ival.ival ?? 0) : c.fval ? c.fval.fval : c.boolval ? String(c.boolval.boolval ?? false) : '0';
  return parseText(type, text);
}

/** FOR VALUES … of CREATE TABLE … PARTITION OF / ATTACH PARTITION, checked against the siblings. */
export function partitionBound(ctx: DdlContext, parent: TableDef, b: RawNode, childName: string): PartitionBound {
  const spec = parent.partition!;
  const types = keyTypes(parent);
  let bound: PartitionBound;
  if (b.is_default) {
    bound = { kind: 'default' };
  } else {
    const strategy = ({ l: 'list', r: 'range', h: 'hash' } as Record<string, string>)[b.strategy as string];
    if (strategy !== spec.strategy) {
      throw new SqlError(SqlState.invalidTableDefinition, `invalid bound specification for a ${spec.strategy} partition`, { position: pos(b) });
    }
    if (strategy === 'list') {
      bound = { kind: 'list', values: ((b.listdatums ?? []) as RawNode[]).map((d) => boundValue(d, types[0])) };
    } else if (strategy === 'range') {
      const side = (list: RawNode[]) => {
        if (list.length !== types.length) {
          throw new SqlError(SqlState.invalidTableDefinition, `${list === b.lowerdatums ? 'FROM' : 'TO'} must specify exactly one value per partitioning column`);
        }
        return list.map((d, i) => boundDatum(ctx, d, types[i]));
      };
      bound = { kind: 'range', from: side(b.lowerdatums ?? []), to: side(b.upperdatums ?? []) };
    } else {
      const modulus = Number(b.modulus ?? 0);
      const remainder = Number(b.remainder ?? 0);
      if (modulus < 1) throw new SqlError(SqlState.invalidTableDefinition, 'modulus for hash partition must be an integer value greater than zero');
      if (remainder >= modulus) throw new SqlError(SqlState.invalidTableDefinition, 'remainder for hash partition must be less than modulus');
      bound = { kind: 'hash', modulus, remainder };
    }
  }
  for (const sibling of childPartitions(ctx.catalog, parent)) {
    if (sibling.name === childName) continue;
    if (boundsOverlap(types, bound, sibling.partitionOf!.bound)) {
      if (bound.kind === 'default') {
        throw new SqlError(SqlState.invalidObjectDefinition, `partition "${childName}" conflicts with existing default partition "${sibling.name}"`, { position: pos(b) });
      }
      // PostgreSQL points at the offending datum: the overlapping list value, or the range's lower bound
      let position = pos(b);
      if (bound.kind === 'list') {
        const i = bound.values.findIndex((v) => boundsOverlap(types, { kind: 'list', values: [v] }, sibling.partitionOf!.bound));
        position = rawPosition(((b.listdatums ?? []) as RawNode[])[i]) ?? position;
      } else if (bound.kind === 'range') {
        position = rawPosition(((b.lowerdatums ?? []) as RawNode[])[0]) ?? position;
      }
      throw new SqlError(SqlState.invalidObjectDefinition, `partition "${childName}" would overlap partition "${sibling.name}"`, { position });
    }
  }
  return bound;
}

/** ALTER TABLE parent DETACH PARTITION child / ATTACH PARTITION child FOR VALUES … */
export function alterPartitions(ctx: DdlContext, n: RawNode): void {
  if (n.objtype && n.objtype !== 'OBJECT_TABLE') throw new SqlError(SqlState.featureNotSupported, `ALTER ${String(n.objtype).slice(7)} is not supported yet`);
  const parent = findTable(ctx, n.relation.schemaname, n.relation.relname);
  if (!parent) throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
  for (const c of (n.cmds ?? []) as RawNode[]) {
    const cmd = c.AlterTableCmd;
    const pc = cmd.def?.PartitionCmd;
    if (!pc || (cmd.subtype !== 'AT_DetachPartition' && cmd.subtype !== 'AT_AttachPartition')) {
      throw new SqlError(SqlState.featureNotSupported, `ALTER TABLE ${String(cmd.subtype).replace(/^AT_/, '')} is not supported yet`);
    }
    if (parent.kind !== 'p') throw new SqlError(SqlState.wrongObjectType, `table "${parent.name}" is not partitioned`);
    const child = findTable(ctx, pc.name.schemaname, pc.name.relname);
    if (!child) throw new SqlError(SqlState.undefinedTable, `relation "${pc.name.relname}" does not exist`);
    if (cmd.subtype === 'AT_DetachPartition') {
      if (child.partitionOf?.parent !== parent.oid) {
        throw new SqlError(SqlState.undefinedTable, `relation "${child.name}" is not a partition of relation "${parent.name}"`);
      }
      child.partitionOf = undefined;
    } else {
      if (child.partitionOf) throw new SqlError(SqlState.wrongObjectType, `"${child.name}" is already a partition`);
      const bound = partitionBound(ctx, parent, pc.bound, child.name);
      // every existing row must fit the new bound
      const types = keyTypes(parent);
      const keyCols = parent.partition!.columns;
      const siblings = childPartitions(ctx.catalog, parent);
      for (const batch of ctx.storage.scan(child.oid, ctx.storage.snapshot())) {
        for (const row of batch.rows) {
          const key = keyCols.map((c) => row[c]);
          const fits = bound.kind === 'default'
            ? !siblings.some((x) => x.partitionOf!.bound.kind !== 'default' && boundAccepts(types, x.partitionOf!.bound, key))
            : boundAccepts(types, bound, key);
          if (!fits) throw new SqlError(SqlState.checkViolation, `partition constraint of relation "${child.name}" is violated by some row`);
        }
      }
      child.partitionOf = { parent: parent.oid, bound };
    }
    ctx.catalog.version++;
  }
}

function resolveRelation(ctx: DdlContext, names: string[]): { schema: string | undefined; name: string } {
  return names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { schema: undefined, name: names[0] };
}

function findTable(ctx: DdlContext, schema: string | undefined, name: string): TableDef | undefined {
  if (schema) return ctx.catalog.findTable(schema, name);
  for (const s of ctx.searchPath) {
    const t = ctx.catalog.findTable(s, name);
    if (t) return t;
  }
  return undefined;
}

export async function drop(ctx: DdlContext, n: RawNode): Promise<void> {
  const type = n.removeType as string;
  // Like PostgreSQL, a missing object fails the whole statement before anything is dropped.
  if (!n.missing_ok) {
    for (const obj of (n.objects ?? []) as RawNode[]) {
      const names: string[] = obj.List ? (obj.List.items as RawNode[]).map((x) => x.String.sval) : obj.String ? [obj.String.sval] : [];
      const { schema, name } = resolveRelation(ctx, names);
      if (type === 'OBJECT_TABLE' && !findTable(ctx, schema, name)) throw new SqlError(SqlState.undefinedTable, `table "${name}" does not exist`);
      if (type === 'OBJECT_INDEX' && !ctx.catalog.findIndex(schema, name)) throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
    }
  }
  for (const obj of (n.objects ?? []) as RawNode[]) {
    const names: string[] = obj.List ? (obj.List.items as RawNode[]).map((x) => x.String.sval) : obj.String ? [obj.String.sval] : [];
    const { schema, name } = resolveRelation(ctx, names);
    switch (type) {
      case 'OBJECT_TABLE': {
        const t = findTable(ctx, schema, name);
        if (!t) {
          if (n.missing_ok) { notice(ctx, `table "${name}" does not exist, skipping`); continue; }
          throw new SqlError(SqlState.undefinedTable, `table "${name}" does not exist`);
        }
        const leaves = leafPartitions(ctx.catalog, t).filter((x) => x.kind !== 'p');
        ctx.catalog.dropTable(t.oid);
        for (const leaf of leaves) await dropStorage(ctx, leaf.oid);
        break;
      }
      case 'OBJECT_INDEX': {
        const idx = ctx.catalog.findIndex(schema, name);
        if (!idx) {
          if (n.missing_ok) { notice(ctx, `index "${name}" does not exist, skipping`); continue; }
          throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
        }
        const t = ctx.catalog.tables.get(idx.tableOid)!;
        if (idx.constraintOid) {
          const con = t.constraints.find((c) => c.oid === idx.constraintOid)!;
          throw new SqlError('2BP01', `cannot drop index ${name} because constraint ${con.name} on table ${t.name} requires it`, {
            hint: `You can drop constraint ${con.name} on table ${t.name} instead.`,
          });
        }
        t.indexes = t.indexes.filter((i) => i.oid !== idx.oid);
        if (idx.unique) ctx.storage.dropUniqueKey(t.oid, idx.name);
        if (idx.method === 'hnsw') await ctx.storage.dropVectorIndex?.(t.oid, idx.name);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_SEQUENCE': {
        const s = ctx.catalog.findSequence(schema, name);
        if (!s) {
          if (n.missing_ok) { notice(ctx, `sequence "${name}" does not exist, skipping`); continue; }
          throw new SqlError(SqlState.undefinedTable, `sequence "${name}" does not exist`);
        }
        ctx.catalog.sequences.delete(s.oid);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_EXTENSION': {
        if (!ctx.catalog.extensions.has(name)) {
          if (n.missing_ok) { notice(ctx, `extension "${name}" does not exist, skipping`); continue; }
          throw new SqlError(SqlState.undefinedObject, `extension "${name}" does not exist`);
        }
        ctx.catalog.extensions.delete(name);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_VIEW':
      case 'OBJECT_SCHEMA':
      case 'OBJECT_TYPE':
      case 'OBJECT_FUNCTION':
        if (n.missing_ok) { notice(ctx, `${type.slice(7).toLowerCase()} "${name}" does not exist, skipping`); continue; }
        throw new SqlError(SqlState.undefinedObject, `${type.slice(7).toLowerCase()} "${name}" does not exist`);
      default:
        throw new SqlError(SqlState.featureNotSupported, `DROP ${type.slice(7)} is not supported`);
    }
  }
}

const VECTOR_OPCLASSES = ['vector_l2_ops', 'vector_ip_ops', 'vector_cosine_ops', 'vector_l1_ops'];

export async function createIndex(ctx: DdlContext, n: RawNode): Promise<void> {
  const table = findTable(ctx, n.relation.schemaname, n.relation.relname);
  if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
  const method = ((n.accessMethod as string) ?? 'btree').toLowerCase();
  if (!['btree', 'hnsw', 'ivfflat', 'hash'].includes(method)) {
    throw new SqlError(SqlState.undefinedObject, `access method "${method}" does not exist`);
  }
  const cols: number[] = [];
  const opclasses: string[] = [];
  for (const p of (n.indexParams ?? []) as RawNode[]) {
    const e = p.IndexElem;
    if (!e.name) throw new SqlError(SqlState.featureNotSupported, 'expression indexes are not supported yet');
    const i = table.columns.findIndex((c) => c.name === e.name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${e.name}" does not exist`);
    cols.push(i);
    const opclass = e.opclass ? (e.opclass as RawNode[]).map((x) => x.String.sval).pop() as string : 'default';
    opclasses.push(opclass);
  }
  const options: Record<string, string> = {};
  for (const o of (n.options ?? []) as RawNode[]) {
    const d = o.DefElem;
    // protobuf omits zero values: an Integer node without ival is 0
    const v = d.arg?.Integer ? (d.arg.Integer.ival ?? 0) : d.arg?.String?.sval ?? d.arg?.Float?.fval ?? d.arg?.A_Const?.ival?.ival;
    options[d.defname] = String(v ?? '');
  }
  if (method === 'hnsw' || method === 'ivfflat') validateVectorIndex(table, cols, opclasses, options, method);
  const name = n.idxname ?? ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${cols.map((c) => table.columns[c].name).join('_')}`, 'idx');
  if (ctx.catalog.relationNameTaken(table.schema, name)) {
    if (n.if_not_exists) {
      notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
      return;
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const idx: IndexDef = {
    oid: ctx.catalog.allocateOid(), name, tableOid: table.oid, columns: cols, unique: !!n.unique, primary: false,
    method, opclasses, options,
  };
  if (idx.unique) ctx.storage.addUniqueKey(table.oid, { name, columns: cols });
  table.indexes.push(idx);
  ctx.catalog.version++;
  if (method === 'hnsw') await buildVectorIndexes(ctx, table, idx);
}

/**
 * HNSW: the storage builds the index for every sealed segment (sealing the growing one
 * first, so all existing rows are covered) and for each segment sealed later. On a
 * partitioned table each leaf partition gets its own index, as in PostgreSQL.
 */
async function buildVectorIndexes(ctx: DdlContext, table: TableDef, idx: IndexDef): Promise<void> {
  const ops: Record<string, DistanceOp> = { vector_l2_ops: '<->', vector_ip_ops: '<#>', vector_cosine_ops: '<=>', vector_l1_ops: '<+>' };
  const op = ops[idx.opclasses[0]];
  const leaves = table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table];
  for (const leaf of leaves) {
    let leafIdx = idx;
    if (leaf !== table) {
      leafIdx = { ...idx, oid: ctx.catalog.allocateOid(), tableOid: leaf.oid, name: ctx.catalog.uniqueRelationName(leaf.schema, `${leaf.name}_${leaf.columns[idx.columns[0]].name}`, 'idx') };
      leaf.indexes.push(leafIdx);
    }
    // L1 has no HNSW metric in usearch: such an index is kept but searches stay exact
    if (!ctx.storage.createVectorIndex || op === '<+>') continue;
    await ctx.storage.createVectorIndex(leaf.oid, {
      name: leafIdx.name, column: idx.columns[0], op,
      m: Number(idx.options.m ?? 16), efConstruction: Number(idx.options.ef_construction ?? 64),
    });
  }
}

function validateVectorIndex(table: TableDef, cols: number[], opclasses: string[], options: Record<string, string>, method: string): void {
  if (cols.length !== 1) throw new SqlError(SqlState.featureNotSupported, `access method "${method}" does not support multicolumn indexes`);
  const col = table.columns[cols[0]];
  if (col.type.oid !== OID.vector) {
    throw new SqlError(SqlState.undefinedObject, `data type ${formatType(col.type)} has no default operator class for access method "${method}"`, {
      hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
    });
  }
  if (opclasses[0] === 'default') {
    throw new SqlError(SqlState.undefinedObject, `data type vector has no default operator class for access method "${method}"`, {
      hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
    });
  }
  if (!VECTOR_OPCLASSES.includes(opclasses[0]) || (method === 'ivfflat' && opclasses[0] === 'vector_l1_ops')) {
    throw new SqlError(SqlState.undefinedObject, `operator class "${opclasses[0]}" does not exist for access method "${method}"`);
  }
  if (col.type.typmod < 1) throw new SqlError(SqlState.dataException, 'column does not have dimensions');
  const limit = method === 'hnsw' ? 2000 : 2000;
  if (col.type.typmod > limit) throw new SqlError(SqlState.programLimitExceeded, `column cannot have more than ${limit} dimensions for ${method} index`);
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
    for (const k of Object.keys(options)) if (!['m', 'ef_construction'].includes(k)) throw new SqlError(SqlState.invalidParameterValue, `unrecognized parameter "${k}"`);
    range('m', 2, 100);
    range('ef_construction', 4, 1000);
    const m = Number(options.m ?? 16);
    const ef = Number(options.ef_construction ?? 64);
    if (ef < 2 * m) throw new SqlError(SqlState.invalidParameterValue, 'ef_construction must be greater than or equal to 2 * m');
  } else {
    for (const k of Object.keys(options)) if (k !== 'lists') throw new SqlError(SqlState.invalidParameterValue, `unrecognized parameter "${k}"`);
    range('lists', 1, 32768);
  }
}

const KNOWN_EXTENSIONS: Record<string, string> = { vector: '0.8.6', plpgsql: '1.0' };

export function createExtension(ctx: DdlContext, n: RawNode): void {
  const name: string = n.extname;
  if (ctx.catalog.extensions.has(name)) {
    if (n.if_not_exists) {
      notice(ctx, `extension "${name}" already exists, skipping`, SqlState.duplicateObject);
      return;
    }
    throw new SqlError(SqlState.duplicateObject, `extension "${name}" already exists`);
  }
  const version = KNOWN_EXTENSIONS[name];
  if (!version) {
    throw new SqlError(SqlState.featureNotSupported, `extension "${name}" is not available`, {
      detail: `Could not open extension control file "/usr/share/postgresql/15/extension/${name}.control": No such file or directory.`,
      hint: 'The extension must first be installed on the system where PostgreSQL is running.',
    });
  }
  ctx.catalog.extensions.set(name, { oid: ctx.catalog.allocateOid(), name, version });
  ctx.catalog.version++;
}

export function createSequence(ctx: DdlContext, n: RawNode): void {
  const schema = creationSchema(ctx, n.sequence.schemaname);
  const name: string = n.sequence.relname;
  if (ctx.catalog.relationNameTaken(schema, name)) {
    if (n.if_not_exists) {
      notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
      return;
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const opt = (key: string): bigint | undefined => {
    const d = ((n.options ?? []) as RawNode[]).find((o) => o.DefElem.defname === key)?.DefElem;
    if (!d || !d.arg) return undefined;
    const v = d.arg.Integer?.ival ?? d.arg.Float?.fval;
    return v === undefined ? undefined : BigInt(v);
  };
  const increment = opt('increment') ?? 1n;
  const min = opt('minvalue') ?? (increment > 0n ? 1n : -9223372036854775808n);
  const max = opt('maxvalue') ?? (increment > 0n ? 9223372036854775807n : -1n);
  const start = opt('start') ?? (increment > 0n ? min : max);
  ctx.catalog.addSequence({
    oid: ctx.catalog.allocateOid(), name, schema, type: { oid: OID.int8, typmod: -1 }, start, increment, min, max,
    cycle: ((n.options ?? []) as RawNode[]).some((o) => o.DefElem.defname === 'cycle' && o.DefElem.arg?.Boolean?.boolval !== false),
    last: start, isCalled: false,
  });
}

export async function truncate(ctx: DdlContext, n: RawNode): Promise<TableDef[]> {
  const tables: TableDef[] = [];
  for (const rv of (n.relations ?? []) as RawNode[]) {
    const r = rv.RangeVar;
    const t = findTable(ctx, r.schemaname, r.relname);
    if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${r.relname}" does not exist`);
    tables.push(t);
  }
  if (n.restart_seqs) {
    for (const t of tables) {
      for (const s of ctx.catalog.sequences.values()) if (s.ownedBy?.table === t.oid) { s.last = s.start; s.isCalled = false; }
    }
  }
  return tables;
}

export function comment(ctx: DdlContext, n: RawNode): void {
  if (n.objtype === 'OBJECT_TABLE') {
    const names = (n.object.List.items as RawNode[]).map((x) => x.String.sval as string);
    const { schema, name } = resolveRelation(ctx, names);
    const t = findTable(ctx, schema, name);
    if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
    t.comment = n.comment ?? undefined;
    return;
  }
  // Comments on other objects are accepted and not kept.
}
