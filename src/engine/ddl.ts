/**
 * DDL: CREATE/DROP TABLE, INDEX, SEQUENCE, EXTENSION, TRUNCATE, COMMENT. Applies the
 * change to the catalog and the storage layer. (DDL takes effect at once; it is not
 * rolled back with the surrounding transaction.)
 */
import { SqlError, SqlState, type SqlNotice } from '../errors.js';
import type { Catalog, ColumnDef, ConstraintDef, IndexDef, SequenceDef, TableDef } from '../catalog/catalog.js';
import { parseSql, type RawNode } from '../sql/parser.js';
import { resolveTypeName, serialBase } from '../sql/type-names.js';
import type { Storage, Transaction } from '../storage/api.js';
import { OID, formatType, type Row, type SqlType, type Value } from '../types/types.js';
import { resolveCast } from '../functions/index.js';
import { dropFunction } from './create-function.js';
import { formatText, parseText } from '../types/text-io.js';
import { hashKey } from '../types/compare.js';
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
  /** autocommit: drop a table's storage once the catalog without it is saved */
  readonly dropAfterSave?: (tableOid: number) => void;
  /** the session's open transaction block (ALTER TABLE reads and rewrites rows through it) */
  readonly dataTxn?: Transaction;
  /**
   * Bind and compile an expression over a row with the given columns, cast (assignment
   * context) to `type`: ALTER TABLE's DEFAULT values for existing rows and USING.
   */
  /** bind a SELECT (CREATE VIEW): its output columns */
  readonly bindQuery?: (ast: unknown) => readonly { name: string; type: SqlType }[];
  readonly compileRowExpr?: (ast: unknown, columns: readonly { name: string; type: SqlType }[], type: SqlType) => (row: Row) => Value;
}

async function dropStorage(ctx: DdlContext, oid: number): Promise<void> {
  if (ctx.txn) ctx.txn.dropLater(oid);
  else if (ctx.dropAfterSave) ctx.dropAfterSave(oid);
  else await ctx.storage.dropTable(oid);
}

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

function notice(ctx: DdlContext, message: string, code = '00000'): void {
  ctx.notices.push({ severity: 'NOTICE', code, message });
}

/** The (possibly qualified) name of one object of a DROP statement. */
function objectNames(obj: RawNode): string[] {
  return obj.List ? (obj.List.items as RawNode[]).map((x) => x.String.sval as string) : obj.String ? [obj.String.sval as string] : [];
}

/** An object DROP does not find: with IF EXISTS a NOTICE (the caller skips it), else the error. */
function missingObject(ctx: DdlContext, n: RawNode, what: string, name: string, code: string): void {
  if (!n.missing_ok) throw new SqlError(code, `${what} "${name}" does not exist`);
  notice(ctx, `${what} "${name}" does not exist, skipping`);
}

function creationSchema(ctx: DdlContext, schema: string | undefined): string {
  if (schema) {
    if (schema !== 'public') throw new SqlError('3F000', `schema "${schema}" does not exist`);
    return schema;
  }
  return ctx.searchPath.find((s) => s === 'public') ?? 'public';
}

function parseExprText(sql: string): unknown {
  const stmt = parseSql(`SELECT ${sql}`)[0].node as RawNode;
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
  const pendingForeign: { cols: string[]; k: RawNode }[] = [];
  const pendingChecks: { name?: string; column?: string; k: RawNode }[] = [];
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
      // a partition inherits its parent's CHECK constraints (same names, as in PostgreSQL)
      if (k.type === 'c') constraints.push({ ...k, oid: catalog.allocateOid(), tableOid: oid });
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
            // kept for introspection; not enforced yet
            pendingForeign.push({ cols: [colName], k });
            break;
          case 'CONSTR_CHECK':
            pendingChecks.push({ name: k.conname, column: colName, k });
            break;
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
      else if (k.contype === 'CONSTR_FOREIGN') pendingForeign.push({ cols: ((k.fk_attrs ?? []) as RawNode[]).map((x) => x.String.sval as string), k });
      else if (k.contype === 'CONSTR_CHECK') pendingChecks.push({ name: k.conname, k });
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
  for (const c of pendingChecks) {
    constraints.push(checkConstraint(ctx, oid, name, columns, constraints, c.k, c.name, c.column));
  }
  for (const f of pendingForeign) {
    const self = f.k.pktable.relname === name && (!f.k.pktable.schemaname || f.k.pktable.schemaname === schema);
    const altered = columns.map((def, i) => ({ def, old: i }));
    constraints.push(foreignKey(ctx, table, altered, f.cols, f.k, self ? table : undefined));
  }
  catalog.addTable(table);
  for (const s of sequences) catalog.addSequence(s);
  // a partitioned table stores nothing itself: its rows live in its leaf partitions
  if (table.kind === 'p') return;
  await ctx.storage.createTable({ id: oid, columns: columns.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(oid);
  for (const idx of table.indexes) ctx.storage.addUniqueKey(oid, { name: idx.name, columns: idx.columns });
}

/** ALTER TABLE … ADD FOREIGN KEY: every existing referencing key must be present. */
function validateForeignKey(ctx: DdlContext, table: TableDef, fk: ConstraintDef): void {
  const parent = ctx.catalog.tables.get(fk.refTable!);
  if (!parent || !fk.refColumns) return;
  const snapshot = ctx.storage.snapshot();
  const keyOf = (t: TableDef, row: Row, columns: readonly number[]): string | undefined => {
    const parts: string[] = [];
    for (const c of columns) {
      const v = row[c];
      if (v === null) return undefined;
      parts.push(String(hashKey(t.columns[c].type, v)));
    }
    return parts.join('\u0000');
  };
  const present = new Set<string>();
  for (const leaf of leafPartitions(ctx.catalog, parent)) {
    for (const batch of ctx.storage.scan(leaf.oid, snapshot)) for (const r of batch.rows) {
      const k = keyOf(parent, r, fk.refColumns);
      if (k !== undefined) present.add(k);
    }
  }
  for (const leaf of leafPartitions(ctx.catalog, table)) {
    for (const batch of ctx.storage.scan(leaf.oid, snapshot)) for (const r of batch.rows) {
      const k = keyOf(table, r, fk.columns);
      if (k === undefined || present.has(k)) continue;
      const cols = fk.columns.map((c) => table.columns[c].name).join(', ');
      const vals = fk.columns.map((c) => formatText(table.columns[c].type, r[c])).join(', ');
      throw new SqlError(SqlState.foreignKeyViolation, `insert or update on table "${table.name}" violates foreign key constraint "${fk.name}"`, {
        detail: `Key (${cols})=(${vals}) is not present in table "${parent.name}".`,
      });
    }
  }
}

/**
 * A CHECK constraint: bound once now (unknown columns, non-boolean expressions fail the
 * DDL), kept as AST and re-bound by INSERT/UPDATE/COPY. Names as PostgreSQL chooses them:
 * <table>_<column>_check for a column constraint, <table>_check[N] for a table one.
 */
function checkConstraint(ctx: DdlContext, tableOid: number, tableName: string, columns: readonly ColumnDef[], existing: readonly ConstraintDef[], k: RawNode, name: string | undefined, column?: string): ConstraintDef {
  if (ctx.compileRowExpr) ctx.compileRowExpr(k.raw_expr, columns.map((c) => ({ name: c.name, type: c.type })), { oid: OID.bool, typmod: -1 });
  let conName = name;
  if (!conName) {
    // PostgreSQL names a table-level CHECK after its column when it mentions exactly one
    const mentioned = new Set<string>();
    const walk = (x: unknown): void => {
      if (!x || typeof x !== 'object') return;
      const o = x as RawNode;
      if (o.ColumnRef) {
        const f = o.ColumnRef.fields as RawNode[];
        const last = f[f.length - 1];
        if (last?.String) mentioned.add(last.String.sval as string);
        return;
      }
      for (const v of Object.values(o)) walk(v);
    };
    walk(k.raw_expr);
    const only = column ?? (mentioned.size === 1 ? [...mentioned][0] : undefined);
    const base = only ? `${tableName}_${only}_check` : `${tableName}_check`;
    conName = base;
    for (let i = 1; existing.some((c) => c.name === conName); i++) conName = `${base}${i}`;
  }
  if (existing.some((c) => c.name === conName)) {
    throw new SqlError(SqlState.duplicateObject, `constraint "${conName}" for relation "${tableName}" already exists`);
  }
  const cols = column ? [columns.findIndex((c) => c.name === column)] : [];
  return { oid: ctx.catalog.allocateOid(), name: conName, tableOid, type: 'c', columns: cols, checkSql: exprText(ctx, k.raw_expr), checkAst: k.raw_expr };
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
  if (type === 'OBJECT_FUNCTION') {
    const objects = ((n.objects ?? []) as RawNode[]).map((o) => o.ObjectWithArgs);
    // all-or-nothing: check every object exists before dropping any
    if (!n.missing_ok) for (const o of objects) dropFunction(ctx.catalog, o, false, () => {}, ctx.searchPath, false);
    for (const o of objects) dropFunction(ctx.catalog, o, !!n.missing_ok, (m) => notice(ctx, m), ctx.searchPath);
    return;
  }
  // Like PostgreSQL, a missing object fails the whole statement before anything is dropped.
  if (!n.missing_ok) {
    for (const obj of (n.objects ?? []) as RawNode[]) {
      const names = objectNames(obj);
      const { schema, name } = resolveRelation(ctx, names);
      if (type === 'OBJECT_TABLE' && !findTable(ctx, schema, name)) throw new SqlError(SqlState.undefinedTable, `table "${name}" does not exist`);
      if (type === 'OBJECT_VIEW' && !findTable(ctx, schema, name)) throw new SqlError(SqlState.undefinedTable, `view "${name}" does not exist`);
      if (type === 'OBJECT_TABLE' && findTable(ctx, schema, name)?.kind === 'v') {
        throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' });
      }
      if (type === 'OBJECT_INDEX' && !ctx.catalog.findIndex(schema, name)) throw new SqlError(SqlState.undefinedObject, `index "${name}" does not exist`);
    }
  }
  // tables dropped by this same statement don't count as dependents
  const alsoDropped: number[] = [];
  if (type === 'OBJECT_TABLE') {
    for (const obj of (n.objects ?? []) as RawNode[]) {
      const names = objectNames(obj);
      const { schema, name } = resolveRelation(ctx, names);
      const t = findTable(ctx, schema, name);
      if (t) alsoDropped.push(t.oid, ...leafPartitions(ctx.catalog, t).map((x) => x.oid));
    }
  }
  for (const obj of (n.objects ?? []) as RawNode[]) {
    const names = objectNames(obj);
    const { schema, name } = resolveRelation(ctx, names);
    switch (type) {
      case 'OBJECT_TABLE': {
        const t = findTable(ctx, schema, name);
        if (!t) {
          missingObject(ctx, n, 'table', name, SqlState.undefinedTable);
          continue;
        }
        // foreign keys of other tables that reference this one: an error, or dropped with CASCADE
        const dropping = new Set(leafPartitions(ctx.catalog, t).map((x) => x.oid).concat(t.oid, ...alsoDropped));
        const dependents: { table: TableDef; fk: ConstraintDef }[] = [];
        for (const other of ctx.catalog.tables.values()) {
          if (dropping.has(other.oid)) continue;
          for (const c of other.constraints) if (c.type === 'f' && c.refTable !== undefined && dropping.has(c.refTable)) dependents.push({ table: other, fk: c });
        }
        if (dependents.length > 0) {
          const lines = dependents.map((d) => `constraint ${d.fk.name} on table ${d.table.name} depends on table ${t.name}`);
          if (n.behavior !== 'DROP_CASCADE') {
            throw new SqlError('2BP01', `cannot drop table ${t.name} because other objects depend on it`, {
              detail: lines.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
            });
          }
          notice(ctx, dependents.length === 1
            ? `drop cascades to constraint ${dependents[0].fk.name} on table ${dependents[0].table.name}`
            : `drop cascades to ${dependents.length} other objects`);
          for (const d of dependents) d.table.constraints = d.table.constraints.filter((c) => c !== d.fk);
        }
        const leaves = leafPartitions(ctx.catalog, t).filter((x) => x.kind !== 'p');
        ctx.catalog.dropTable(t.oid);
        for (const leaf of leaves) await dropStorage(ctx, leaf.oid);
        break;
      }
      case 'OBJECT_INDEX': {
        const idx = ctx.catalog.findIndex(schema, name);
        if (!idx) {
          missingObject(ctx, n, 'index', name, SqlState.undefinedObject);
          continue;
        }
        const t = ctx.catalog.tables.get(idx.tableOid)!;
        if (idx.constraintOid) {
          const con = t.constraints.find((c) => c.oid === idx.constraintOid)!;
          throw new SqlError('2BP01', `cannot drop index ${name} because constraint ${con.name} on table ${t.name} requires it`, {
            hint: `You can drop constraint ${con.name} on table ${t.name} instead.`,
          });
        }
        t.indexes = t.indexes.filter((i) => i.oid !== idx.oid);
        if (idx.unique || idx.method === 'btree' || idx.method === 'hash') {
          for (const leaf of t.kind === 'p' ? leafPartitions(ctx.catalog, t) : [t]) ctx.storage.dropUniqueKey(leaf.oid, idx.name);
        }
        if (idx.method === 'hnsw') await ctx.storage.dropVectorIndex?.(t.oid, idx.name);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_SEQUENCE': {
        const s = ctx.catalog.findSequence(schema, name);
        if (!s) {
          missingObject(ctx, n, 'sequence', name, SqlState.undefinedTable);
          continue;
        }
        ctx.catalog.sequences.delete(s.oid);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_EXTENSION': {
        if (!ctx.catalog.extensions.has(name)) {
          missingObject(ctx, n, 'extension', name, SqlState.undefinedObject);
          continue;
        }
        ctx.catalog.extensions.delete(name);
        ctx.catalog.version++;
        break;
      }
      case 'OBJECT_VIEW': {
        const t = findTable(ctx, schema, name);
        if (!t || t.kind !== 'v') {
          if (t) throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
          missingObject(ctx, n, 'view', name, SqlState.undefinedTable);
          continue;
        }
        ctx.catalog.dropTable(t.oid);
        break;
      }
      case 'OBJECT_SCHEMA':
      case 'OBJECT_TYPE':
        missingObject(ctx, n, type.slice(7).toLowerCase(), name, SqlState.undefinedObject);
        continue;
      default:
        throw new SqlError(SqlState.featureNotSupported, `DROP ${type.slice(7)} is not supported`);
    }
  }
}

const VECTOR_OPCLASSES = ['vector_l2_ops', 'vector_ip_ops', 'vector_cosine_ops', 'vector_l1_ops'];
const HALFVEC_OPCLASSES = ['halfvec_l2_ops', 'halfvec_ip_ops', 'halfvec_cosine_ops', 'halfvec_l1_ops'];
/** operator class → the distance operator it indexes (vector and halfvec) */
export const OPCLASS_OPERATOR: Readonly<Record<string, DistanceOp>> = {
  vector_l2_ops: '<->', vector_ip_ops: '<#>', vector_cosine_ops: '<=>', vector_l1_ops: '<+>',
  halfvec_l2_ops: '<->', halfvec_ip_ops: '<#>', halfvec_cosine_ops: '<=>', halfvec_l1_ops: '<+>',
};

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
    const e = castToOwnTypeAsColumn(table, p.IndexElem);
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
  // btree indexes (unique or not) become key indexes in storage: equality lookups use them
  if (method === 'btree' || method === 'hash') {
    for (const leaf of table.kind === 'p' ? leafPartitions(ctx.catalog, table) : [table]) {
      ctx.storage.addUniqueKey(leaf.oid, { name, columns: cols, unique: idx.unique });
    }
  }
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
  const op = OPCLASS_OPERATOR[idx.opclasses[0]];
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
  const isHalf = col.type.oid === OID.halfvec;
  if (opclasses[0] === 'default' || (col.type.oid !== OID.vector && !isHalf)) {
    throw new SqlError(SqlState.undefinedObject, `data type ${formatType({ oid: col.type.oid, typmod: -1 })} has no default operator class for access method "${method}"`, {
      hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
    });
  }
  const known = [...VECTOR_OPCLASSES, ...HALFVEC_OPCLASSES];
  if (!known.includes(opclasses[0]) || (method === 'ivfflat' && opclasses[0].endsWith('_l1_ops'))) {
    throw new SqlError(SqlState.undefinedObject, `operator class "${opclasses[0]}" does not exist for access method "${method}"`);
  }
  if (isHalf !== opclasses[0].startsWith('halfvec_')) {
    throw new SqlError(SqlState.datatypeMismatch, `operator class "${opclasses[0]}" does not accept data type ${formatType({ oid: col.type.oid, typmod: -1 })}`);
  }
  if (col.type.typmod < 1) throw new SqlError(SqlState.dataException, 'column does not have dimensions');
  // pgvector: 2000 dimensions for vector, 4000 for halfvec
  const limit = isHalf ? 4000 : 2000;
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
  if (n.objtype === 'OBJECT_COLUMN') {
    const names = (n.object.List.items as RawNode[]).map((x) => x.String.sval as string);
    const col = names.pop()!;
    const { schema, name } = resolveRelation(ctx, names);
    const t = findTable(ctx, schema, name);
    if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
    const c = t.columns.find((x) => x.name === col);
    if (!c) throw new SqlError(SqlState.undefinedColumn, `column "${col}" of relation "${name}" does not exist`);
    c.comment = n.comment ?? undefined;
    ctx.catalog.version++;
    return;
  }
  if (n.objtype === 'OBJECT_INDEX') {
    const names = (n.object.List.items as RawNode[]).map((x) => x.String.sval as string);
    const { schema, name } = resolveRelation(ctx, names);
    const idx = ctx.catalog.findIndex(schema, name);
    if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${name}" does not exist`);
    (idx as { comment?: string }).comment = n.comment ?? undefined;
    return;
  }
  // Comments on other objects are accepted and not kept.
}

// ------------------------------------------------------------------ ALTER TABLE

/** One column of the table being altered: its new definition and how to compute it from an old row. */
interface AlteredColumn {
  def: ColumnDef;
  /** position in the old row, or -1 for a new column */
  old: number;
  /** value for existing rows (new columns, type changes); undefined = copy old[old] */
  compute?: (row: Row) => Value;
}

/**
 * ALTER TABLE: ADD/DROP COLUMN, ALTER COLUMN SET/DROP DEFAULT, SET/DROP NOT NULL, TYPE
 * [USING], ADD/DROP CONSTRAINT (PRIMARY KEY, UNIQUE, FOREIGN KEY — foreign keys are kept
 * for introspection, not enforced), ATTACH/DETACH PARTITION, OWNER TO (ignored).
 *
 * A change of the row layout (added, dropped or retyped columns) rewrites the table: its
 * rows are copied, converted, into new storage under a new table OID (PostgreSQL keeps the
 * OID and changes the relfilenode; Quiver's storage is keyed by OID). The new storage is
 * complete before the catalog points at it, and the old one is dropped after (at COMMIT
 * inside a transaction block), so a crash in between loses nothing.
 */
export async function alterTable(ctx: DdlContext, n: RawNode): Promise<void> {
  if (n.objtype && n.objtype !== 'OBJECT_TABLE') throw new SqlError(SqlState.featureNotSupported, `ALTER ${String(n.objtype).slice(7)} is not supported yet`);
  const cmds = ((n.cmds ?? []) as RawNode[]).map((c) => c.AlterTableCmd);
  if (cmds.every((c) => c.subtype === 'AT_AttachPartition' || c.subtype === 'AT_DetachPartition')) return alterPartitions(ctx, n);
  const table = findTable(ctx, n.relation.schemaname, n.relation.relname);
  if (!table) {
    if (n.missing_ok) { notice(ctx, `relation "${n.relation.relname}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
  }
  if (table.kind === 'v') throw new SqlError(SqlState.wrongObjectType, `"${table.name}" is a view`);
  const cols: AlteredColumn[] = table.columns.map((def, i) => ({ def, old: i }));
  let indexes = [...table.indexes];
  let constraints = [...table.constraints];
  const sequences: SequenceDef[] = [];
  const checkNotNull = new Set<string>();
  let rewrite = false;
  const find = (name: string): number => cols.findIndex((c) => c.def.name === name);
  const mustFind = (name: string): number => {
    const i = find(name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
    return i;
  };
  const layoutChange = (): void => {
    if (table.kind === 'p' || table.partitionOf) {
      throw new SqlError(SqlState.featureNotSupported, 'changing the columns of partitioned tables and partitions is not supported yet');
    }
    rewrite = true;
  };
  for (const cmd of cmds) {
    switch (cmd.subtype as string) {
      case 'AT_AddColumn': {
        const c = cmd.def.ColumnDef;
        if (find(c.colname) >= 0) {
          if (cmd.missing_ok) {
            notice(ctx, `column "${c.colname}" of relation "${table.name}" already exists, skipping`, SqlState.duplicateColumn);
            continue;
          }
          throw new SqlError(SqlState.duplicateColumn, `column "${c.colname}" of relation "${table.name}" already exists`);
        }
        layoutChange();
        const added = columnFromDef(ctx, table, c, cols.length, sequences);
        cols.push({ def: added.def, old: -1, compute: added.def.defaultExpr ? compileFor(ctx, added.def.defaultExpr.ast, cols, added.def.type) : () => null });
        if (added.def.notNull) checkNotNull.add(added.def.name);
        for (const k of added.keys) addKey(ctx, table, cols, indexes, constraints, k.type, [c.colname], k.name, checkNotNull);
        for (const f of added.foreign) constraints.push(foreignKey(ctx, table, cols, [c.colname], f));
        break;
      }
      case 'AT_DropColumn': {
        const i = find(cmd.name);
        if (i < 0) {
          if (cmd.missing_ok) { notice(ctx, `column "${cmd.name}" of relation "${table.name}" does not exist, skipping`); continue; }
          mustFind(cmd.name);
        }
        layoutChange();
        // indexes and constraints on the column go with it (PostgreSQL drops them too)
        const gone = new Set(indexes.filter((x) => x.columns.includes(i)).map((x) => x.oid));
        constraints = constraints.filter((k) => !k.columns.includes(i) && !(k.indexOid && gone.has(k.indexOid)));
        indexes = indexes.filter((x) => !gone.has(x.oid));
        cols.splice(i, 1);
        const shift = (x: number): number => (x > i ? x - 1 : x);
        indexes = indexes.map((x) => ({ ...x, columns: x.columns.map(shift) }));
        constraints = constraints.map((k) => ({ ...k, columns: k.columns.map(shift) }));
        break;
      }
      case 'AT_ColumnDefault': {
        const i = mustFind(cmd.name);
        const d = cmd.def ? { ast: cmd.def, sql: exprText(ctx, cmd.def) } : null;
        if (d) compileFor(ctx, d.ast, cols, cols[i].def.type); // type-check now, as PostgreSQL does
        cols[i] = { ...cols[i], def: { ...cols[i].def, defaultExpr: d } };
        break;
      }
      case 'AT_SetNotNull': {
        const i = mustFind(cmd.name);
        cols[i] = { ...cols[i], def: { ...cols[i].def, notNull: true } };
        checkNotNull.add(cmd.name);
        break;
      }
      case 'AT_DropNotNull': {
        const i = mustFind(cmd.name);
        if (constraints.some((k) => k.type === 'p' && k.columns.includes(i))) {
          throw new SqlError(SqlState.invalidTableDefinition, `column "${cmd.name}" is in a primary key`);
        }
        if (cols[i].def.identity) throw new SqlError(SqlState.syntaxError, `column "${cmd.name}" of relation "${table.name}" is an identity column`);
        cols[i] = { ...cols[i], def: { ...cols[i].def, notNull: false } };
        break;
      }
      case 'AT_AlterColumnType': {
        const i = mustFind(cmd.name);
        const c = cmd.def.ColumnDef;
        const type = resolveTypeName(c.typeName);
        const cur = cols[i];
        if (c.raw_default) {
          layoutChange();
          // USING sees the row as it was before this statement
          cols[i] = { ...cur, def: { ...cur.def, type }, compute: compileFor(ctx, c.raw_default, cols, type) };
        } else if (cur.def.type.oid !== type.oid || cur.def.type.typmod !== type.typmod) {
          const cast = cur.def.type.oid === type.oid && type.typmod < 0 ? (v: Value) => v : resolveCast(cur.def.type, type, 'assignment');
          if (!cast) {
            throw new SqlError(SqlState.datatypeMismatch, `column "${cmd.name}" cannot be cast automatically to type ${formatType(type)}`, {
              hint: `You might need to specify "USING ${cmd.name}::${formatType(type)}".`,
            });
          }
          layoutChange();
          const ref = { ColumnRef: { fields: [{ String: { sval: cmd.name } }] } };
          cols[i] = { ...cur, def: { ...cur.def, type }, compute: cur.old < 0 ? cur.compute : compileFor(ctx, ref, cols, type) };
        }
        break;
      }
      case 'AT_AddConstraint': {
        const k = cmd.def.Constraint;
        const keys = ((k.keys ?? []) as RawNode[]).map((x) => x.String.sval as string);
        switch (k.contype as string) {
          case 'CONSTR_PRIMARY':
          case 'CONSTR_UNIQUE':
            addKey(ctx, table, cols, indexes, constraints, k.contype === 'CONSTR_PRIMARY' ? 'p' : 'u', keys, k.conname, checkNotNull);
            break;
          case 'CONSTR_FOREIGN': {
            const fk = foreignKey(ctx, table, cols, ((k.fk_attrs ?? []) as RawNode[]).map((x) => x.String.sval as string), k);
            if (!k.skip_validation) validateForeignKey(ctx, table, fk);
            constraints.push(fk);
            break;
          }
          case 'CONSTR_CHECK': {
            const current = cols.map((c) => c.def);
            const con = checkConstraint(ctx, table.oid, table.name, current, constraints, k, k.conname);
            // existing rows must satisfy it (unless NOT VALID)
            if (!k.skip_validation) {
              const test = ctx.compileRowExpr!(con.checkAst, table.columns.map((c) => ({ name: c.name, type: c.type })), { oid: OID.bool, typmod: -1 });
              for (const leaf of leafPartitions(ctx.catalog, table)) {
                for (const batch of ctx.storage.scan(leaf.oid, ctx.storage.snapshot())) {
                  for (const row of batch.rows) {
                    if (test(row) === false) {
                      throw new SqlError(SqlState.checkViolation, `check constraint "${con.name}" of relation "${table.name}" is violated by some row`, { table: table.name, constraint: con.name });
                    }
                  }
                }
              }
            }
            constraints.push(con);
            break;
          }
          default:
            throw new SqlError(SqlState.featureNotSupported, `ALTER TABLE ADD CONSTRAINT of type ${String(k.contype).replace(/^CONSTR_/, '')} is not supported yet`);
        }
        break;
      }
      case 'AT_DropConstraint': {
        const k = constraints.find((x) => x.name === cmd.name);
        if (!k) {
          if (cmd.missing_ok) { notice(ctx, `constraint "${cmd.name}" of relation "${table.name}" does not exist, skipping`); continue; }
          throw new SqlError(SqlState.undefinedObject, `constraint "${cmd.name}" of relation "${table.name}" does not exist`);
        }
        constraints = constraints.filter((x) => x !== k);
        if (k.indexOid) indexes = indexes.filter((x) => x.oid !== k.indexOid);
        break;
      }
      case 'AT_ChangeOwner':
      case 'AT_SetRelOptions':
      case 'AT_ResetRelOptions':
      case 'AT_SetStatistics':
      case 'AT_SetStorage':
      case 'AT_ReplicaIdentity':
      case 'AT_ClusterOn':
        break; // accepted: nothing in Quiver depends on them
      default:
        throw new SqlError(SqlState.featureNotSupported, `ALTER TABLE ${String(cmd.subtype).replace(/^AT_/, '')} is not supported yet`);
    }
  }
  const newColumns = cols.map((c, i) => ({ ...c.def, attnum: i + 1 }));
  const oldUnique = new Map(table.indexes.filter((x) => x.unique).map((x) => [x.name, x]));
  if (!rewrite) {
    // catalog-only change: verify NOT NULL on existing rows, update unique keys in storage
    if (checkNotNull.size) {
      for (const batch of ctx.storage.scan(table.oid, ctx.storage.snapshot(), ctx.dataTxn)) {
        for (const row of batch.rows) checkRowNotNull(table, newColumns, checkNotNull, row);
      }
    }
    const newUnique = new Set(indexes.filter((x) => x.unique).map((x) => x.name));
    for (const name of oldUnique.keys()) if (!newUnique.has(name)) ctx.storage.dropUniqueKey(table.oid, name);
    for (const x of indexes) if (x.unique && !oldUnique.has(x.name)) ctx.storage.addUniqueKey(table.oid, { name: x.name, columns: x.columns });
    table.columns = newColumns;
    table.indexes = indexes;
    table.constraints = constraints;
    for (const q of sequences) ctx.catalog.addSequence(q);
    ctx.catalog.version++;
    return;
  }
  await rewriteTable(ctx, table, cols, newColumns, indexes, constraints, sequences, checkNotNull);
}

async function rewriteTable(
  ctx: DdlContext, table: TableDef, cols: AlteredColumn[], newColumns: ColumnDef[], indexes: IndexDef[], constraints: ConstraintDef[],
  sequences: SequenceDef[], checkNotNull: ReadonlySet<string>,
): Promise<void> {
  const { catalog, storage } = ctx;
  const newOid = catalog.allocateOid();
  const getters = cols.map((c) => c.compute ?? ((row: Row) => row[c.old]));
  const rows: Row[] = [];
  // sequences of new serial columns must exist before their nextval() defaults run
  for (const q of sequences) catalog.sequences.set(q.oid, q);
  try {
    for (const batch of storage.scan(table.oid, storage.snapshot(), ctx.dataTxn)) {
      for (const old of batch.rows) {
        const row = getters.map((g) => g(old as Row));
        checkRowNotNull(table, newColumns, checkNotNull, row);
        rows.push(row);
      }
    }
  } catch (e) {
    for (const q of sequences) catalog.sequences.delete(q.oid);
    throw e;
  }
  await storage.createTable({ id: newOid, columns: newColumns.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(newOid);
  try {
    for (const x of indexes) if (x.unique || x.method === 'btree') storage.addUniqueKey(newOid, { name: x.name, columns: x.columns, unique: x.unique });
    const txn = ctx.dataTxn ?? storage.begin();
    try {
      for (let i = 0; i < rows.length; i += 10_000) txn.insert(newOid, rows.slice(i, i + 10_000));
      if (!ctx.dataTxn) await txn.commit();
    } catch (e) {
      if (!ctx.dataTxn) txn.rollback();
      throw e;
    }
  } catch (e) {
    for (const q of sequences) catalog.sequences.delete(q.oid);
    if (!ctx.txn) await storage.dropTable(newOid);
    throw e;
  }
  const replaced: TableDef = {
    ...table, oid: newOid, columns: newColumns,
    indexes: indexes.map((x) => ({ ...x, tableOid: newOid })),
    constraints: constraints.map((k) => ({ ...k, tableOid: newOid })),
  };
  catalog.tables.delete(table.oid);
  catalog.tables.set(newOid, replaced);
  for (const q of sequences) q.ownedBy = { table: newOid, column: newColumns.findIndex((c) => c.sequence === q.name) };
  for (const q of catalog.sequences.values()) {
    if (q.ownedBy?.table !== table.oid) continue;
    const col = newColumns.findIndex((c) => c.name === table.columns[q.ownedBy!.column]?.name);
    if (col < 0) catalog.sequences.delete(q.oid);
    else q.ownedBy = { table: newOid, column: col };
  }
  for (const t of catalog.tables.values()) {
    if (t.constraints.some((k) => k.refTable === table.oid)) t.constraints = t.constraints.map((k) => (k.refTable === table.oid ? { ...k, refTable: newOid } : k));
  }
  catalog.version++;
  await dropStorage(ctx, table.oid);
  for (const x of replaced.indexes) if (x.method === 'hnsw') await buildVectorIndexes(ctx, replaced, x);
}

function checkRowNotNull(table: TableDef, columns: readonly ColumnDef[], names: ReadonlySet<string>, row: Row): void {
  for (let i = 0; i < columns.length; i++) {
    if (names.has(columns[i].name) && (row[i] === null || row[i] === undefined)) {
      throw new SqlError(SqlState.notNullViolation, `column "${columns[i].name}" of relation "${table.name}" contains null values`);
    }
  }
}

function compileFor(ctx: DdlContext, ast: unknown, cols: readonly AlteredColumn[], type: SqlType): (row: Row) => Value {
  if (!ctx.compileRowExpr) throw new SqlError(SqlState.internalError, 'bug: ALTER TABLE without an expression compiler');
  // expressions see the old row: its columns by their old positions
  const oldCols: { name: string; type: SqlType }[] = [];
  for (const c of cols) if (c.old >= 0) oldCols[c.old] = { name: c.def.name, type: c.def.type };
  for (let i = 0; i < oldCols.length; i++) oldCols[i] ??= { name: `\u0000dropped${i}`, type: { oid: OID.int4, typmod: -1 } };
  return ctx.compileRowExpr(ast, oldCols, type);
}

/** A column definition of ADD COLUMN (type, serial, DEFAULT, NOT NULL, inline keys and REFERENCES). */
function columnFromDef(ctx: DdlContext, table: TableDef, c: RawNode, index: number, sequences: SequenceDef[]) {
  const serial = serialBase(c.typeName);
  const type: SqlType = serial ?? resolveTypeName(c.typeName);
  let notNull = false;
  let defaultExpr: ColumnDef['defaultExpr'] = null;
  let sequence: string | undefined;
  let identity: 'a' | 'd' | undefined;
  const keys: { type: 'p' | 'u'; name?: string }[] = [];
  const foreign: RawNode[] = [];
  const makeSequence = (): string => {
    const seqName = ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${c.colname}`, 'seq');
    const max = type.oid === OID.int2 ? 32767n : type.oid === OID.int4 ? 2147483647n : 9223372036854775807n;
    sequences.push({
      oid: ctx.catalog.allocateOid(), name: seqName, schema: table.schema, type, start: 1n, increment: 1n, min: 1n, max,
      cycle: false, last: 1n, isCalled: false, ownedBy: { table: table.oid, column: index },
    });
    const sql = `nextval('${seqName}'::regclass)`;
    defaultExpr = { ast: parseExprText(sql), sql };
    notNull = true;
    return seqName;
  };
  if (serial) sequence = makeSequence();
  for (const con of (c.constraints ?? []) as RawNode[]) {
    const k = con.Constraint;
    switch (k.contype as string) {
      case 'CONSTR_NOTNULL': notNull = true; break;
      case 'CONSTR_NULL': notNull = false; break;
      case 'CONSTR_DEFAULT': defaultExpr = { ast: k.raw_expr, sql: exprText(ctx, k.raw_expr) }; break;
      case 'CONSTR_PRIMARY': notNull = true; keys.push({ type: 'p', name: k.conname }); break;
      case 'CONSTR_UNIQUE': keys.push({ type: 'u', name: k.conname }); break;
      case 'CONSTR_FOREIGN': foreign.push(k); break;
      case 'CONSTR_IDENTITY': identity = k.generated_when === 'a' ? 'a' : 'd'; sequence = makeSequence(); break;
      default:
        throw new SqlError(SqlState.featureNotSupported, `column constraint ${String(k.contype).replace(/^CONSTR_/, '')} is not supported yet`, { position: pos(k) });
    }
  }
  const def: ColumnDef = { name: c.colname, type, notNull, defaultExpr, attnum: index + 1, sequence, identity };
  return { def, keys, foreign };
}

function addKey(
  ctx: DdlContext, table: TableDef, cols: AlteredColumn[], indexes: IndexDef[], constraints: ConstraintDef[],
  type: 'p' | 'u', names: readonly string[], conname: string | undefined, checkNotNull: Set<string>,
): void {
  if (type === 'p' && constraints.some((k) => k.type === 'p')) {
    throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
  }
  const columns = names.map((name) => {
    const i = cols.findIndex((c) => c.def.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" named in key does not exist`);
    if (type === 'p') {
      cols[i] = { ...cols[i], def: { ...cols[i].def, notNull: true } };
      checkNotNull.add(name);
    }
    return i;
  });
  const name = conname ?? (type === 'p'
    ? ctx.catalog.uniqueRelationName(table.schema, table.name, 'pkey')
    : ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${names.join('_')}`, 'key'));
  if (ctx.catalog.relationNameTaken(table.schema, name) || indexes.some((x) => x.name === name)) {
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const indexOid = ctx.catalog.allocateOid();
  const conOid = ctx.catalog.allocateOid();
  constraints.push({ oid: conOid, name, tableOid: table.oid, type, columns, indexOid });
  indexes.push({
    oid: indexOid, name, tableOid: table.oid, columns, unique: true, primary: type === 'p',
    method: 'btree', opclasses: columns.map(() => 'default'), options: {}, constraintOid: conOid,
  });
}

/** FOREIGN KEY … REFERENCES t (cols): kept as a 'f' constraint for introspection, not enforced. */
function foreignKey(ctx: DdlContext, table: TableDef, cols: readonly AlteredColumn[], names: readonly string[], k: RawNode, self?: TableDef): ConstraintDef {
  const ref = self ?? findTable(ctx, k.pktable.schemaname, k.pktable.relname);
  if (!ref) throw new SqlError(SqlState.undefinedTable, `relation "${k.pktable.relname}" does not exist`);
  const columns = names.map((name) => {
    const i = cols.findIndex((c) => c.def.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" referenced in foreign key constraint does not exist`);
    return i;
  });
  let refNames = ((k.pk_attrs ?? []) as RawNode[]).map((x) => x.String.sval as string);
  if (refNames.length === 0) {
    const pk = ref.constraints.find((x) => x.type === 'p');
    if (!pk) throw new SqlError(SqlState.undefinedObject, `there is no primary key for referenced table "${ref.name}"`);
    refNames = pk.columns.map((i) => ref.columns[i].name);
  }
  const refColumns = refNames.map((name) => {
    const i = ref.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" referenced in foreign key constraint does not exist`);
    return i;
  });
  if (refColumns.length !== columns.length) {
    throw new SqlError('42830', 'number of referencing and referenced columns for foreign key disagree');
  }
  const name = k.conname ?? ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${names.join('_')}`, 'fkey');
  const action = (a: unknown): string => (typeof a === 'string' && 'arncd'.includes(a) && a !== '' ? a : 'a');
  return {
    oid: ctx.catalog.allocateOid(), name, tableOid: table.oid, type: 'f', columns, refTable: ref.oid, refColumns,
    onUpdate: action(k.fk_upd_action), onDelete: action(k.fk_del_action), match: typeof k.fk_matchtype === 'string' && 'sfp'.includes(k.fk_matchtype) && k.fk_matchtype !== '' ? k.fk_matchtype : 's',
  };
}

/** ALTER TABLE … RENAME [COLUMN] a TO b, ALTER TABLE a RENAME TO b. */
export function rename(ctx: DdlContext, n: RawNode): void {
  const type = n.renameType as string;
  if (type !== 'OBJECT_TABLE' && type !== 'OBJECT_COLUMN' && type !== 'OBJECT_VIEW' && type !== 'OBJECT_INDEX' && type !== 'OBJECT_TABCONSTRAINT') {
    throw new SqlError(SqlState.featureNotSupported, `ALTER ${type.slice(7)} RENAME is not supported yet`);
  }
  if (type === 'OBJECT_INDEX') {
    const idx = ctx.catalog.findIndex(n.relation.schemaname, n.relation.relname);
    if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
    const t = ctx.catalog.tables.get(idx.tableOid)!;
    if (ctx.catalog.relationNameTaken(t.schema, n.newname)) throw new SqlError(SqlState.duplicateTable, `relation "${n.newname}" already exists`);
    t.indexes = t.indexes.map((x) => (x.oid === idx.oid ? { ...x, name: n.newname } : x));
    t.constraints = t.constraints.map((k) => (k.indexOid === idx.oid ? { ...k, name: n.newname } : k));
    ctx.catalog.version++;
    return;
  }
  const table = findTable(ctx, n.relation.schemaname, n.relation.relname);
  if (!table) {
    if (n.missing_ok) { notice(ctx, `relation "${n.relation.relname}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
  }
  if (type === 'OBJECT_TABLE' || type === 'OBJECT_VIEW') {
    if (ctx.catalog.relationNameTaken(table.schema, n.newname)) throw new SqlError(SqlState.duplicateTable, `relation "${n.newname}" already exists`);
    ctx.catalog.tables.set(table.oid, { ...table, name: n.newname });
  } else if (type === 'OBJECT_TABCONSTRAINT') {
    if (!table.constraints.some((k) => k.name === n.subname)) {
      throw new SqlError(SqlState.undefinedObject, `constraint "${n.subname}" for table "${table.name}" does not exist`);
    }
    table.constraints = table.constraints.map((k) => (k.name === n.subname ? { ...k, name: n.newname } : k));
    table.indexes = table.indexes.map((x) => (x.name === n.subname && x.constraintOid ? { ...x, name: n.newname } : x));
  } else {
    const i = table.columns.findIndex((c) => c.name === n.subname);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${n.subname}" does not exist`);
    if (table.columns.some((c) => c.name === n.newname)) {
      throw new SqlError(SqlState.duplicateColumn, `column "${n.newname}" of relation "${table.name}" already exists`);
    }
    table.columns = table.columns.map((c, j) => (j === i ? { ...c, name: n.newname } : c));
    // partitions share their parent's column names
    for (const leaf of childPartitions(ctx.catalog, table)) leaf.columns = leaf.columns.map((c, j) => (j === i ? { ...c, name: n.newname } : c));
  }
  ctx.catalog.version++;
}

// ------------------------------------------------------------------ views

/**
 * CREATE [OR REPLACE] VIEW name [(columns)] AS SELECT …: the query is kept as parser AST
 * and bound again wherever the view is used; its columns are fixed at creation.
 */
export function createView(ctx: DdlContext, n: RawNode): void {
  if (!ctx.bindQuery) throw new SqlError(SqlState.internalError, 'bug: CREATE VIEW without a query binder');
  const schema = creationSchema(ctx, n.view.schemaname);
  const name: string = n.view.relname;
  if (n.query.SelectStmt === undefined) throw new SqlError(SqlState.featureNotSupported, 'views must be defined by a SELECT');
  const out = ctx.bindQuery(n.query);
  const aliases = ((n.aliases ?? []) as RawNode[]).map((a) => a.String.sval as string);
  if (aliases.length > out.length) throw new SqlError(SqlState.syntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns: ColumnDef[] = out.map((c, i) => ({
    name: aliases[i] ?? c.name, type: c.type.oid === OID.unknown ? { oid: OID.text, typmod: -1 } : c.type, notNull: false, defaultExpr: null, attnum: i + 1,
  }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  const match = /\bAS\s+([\s\S]*?)\s*;?\s*$/i.exec(ctx.sql.replace(/^[\s\S]*?\bVIEW\s+("[^"]*"|[^\s(]+)(\.("[^"]*"|[^\s(]+))?\s*(\([^)]*\))?\s*(WITH\s*\([^)]*\)\s*)?/i, ' '));
  const view = { ast: n.query, sql: match ? match[1] : '' };
  const existing = ctx.catalog.findTable(schema, name);
  if (existing) {
    if (!n.replace || existing.kind !== 'v') {
      throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
    }
    // OR REPLACE may add columns at the end, not change or drop existing ones
    if (columns.length < existing.columns.length) throw new SqlError(SqlState.invalidTableDefinition, 'cannot drop columns from view');
    existing.columns.forEach((c, i) => {
      if (c.name !== columns[i].name) {
        throw new SqlError(SqlState.invalidTableDefinition, `cannot change name of view column "${c.name}" to "${columns[i].name}"`, {
          hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
        });
      }
      if (c.type.oid !== columns[i].type.oid) {
        throw new SqlError(SqlState.invalidTableDefinition, `cannot change data type of view column "${c.name}" from ${formatType(c.type)} to ${formatType(columns[i].type)}`);
      }
    });
    ctx.catalog.tables.set(existing.oid, { ...existing, columns, view });
    ctx.catalog.version++;
    return;
  }
  if (ctx.catalog.relationNameTaken(schema, name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  ctx.catalog.addTable({
    oid: ctx.catalog.allocateOid(), name, schema, kind: 'v', columns, indexes: [], constraints: [], rowTypeOid: ctx.catalog.allocateOid(), view,
  });
}

/**
 * An index expression that only casts a column to its own type — LangChain's
 * `((embedding::vector(4)) vector_cosine_ops)` — is the plain column.
 */
export function castToOwnTypeAsColumn(table: TableDef, elem: RawNode): RawNode {
  const cast = elem.expr?.TypeCast;
  const ref = cast?.arg?.ColumnRef;
  if (elem.name || !cast || !ref || ref.fields.length !== 1 || !ref.fields[0].String) return elem;
  const col = table.columns.find((c) => c.name === ref.fields[0].String.sval);
  if (!col) return elem;
  const type = resolveTypeName(cast.typeName);
  if (type.oid !== col.type.oid || (type.typmod >= 0 && type.typmod !== col.type.typmod)) return elem;
  return { ...elem, name: col.name, expr: undefined };
}

/**
 * CREATE TABLE … AS SELECT: a plain table with the query's columns (no constraints); the
 * caller inserts the rows. Returns undefined when IF NOT EXISTS found the table.
 */
export async function createTableAs(ctx: DdlContext, rel: RawNode, columns: readonly { name: string; type: SqlType }[], ifNotExists: boolean): Promise<TableDef | undefined> {
  const schema = creationSchema(ctx, rel.schemaname);
  const name: string = rel.relname;
  if (ctx.catalog.relationNameTaken(schema, name)) {
    if (ifNotExists) {
      notice(ctx, `relation "${name}" already exists, skipping`, SqlState.duplicateTable);
      return undefined;
    }
    throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  }
  const seen = new Set<string>();
  const defs: ColumnDef[] = columns.map((c, i) => {
    if (seen.has(c.name)) throw new SqlError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
    const type = c.type.oid === OID.unknown ? { oid: OID.text, typmod: -1 } : c.type;
    if (type.oid === OID.record) throw new SqlError(SqlState.featureNotSupported, `column "${c.name}" has pseudo-type record`);
    return { name: c.name, type, notNull: false, defaultExpr: null, attnum: i + 1 };
  });
  const table: TableDef = { oid: ctx.catalog.allocateOid(), name, schema, kind: 'r', columns: defs, indexes: [], constraints: [], rowTypeOid: ctx.catalog.allocateOid() };
  ctx.catalog.addTable(table);
  await ctx.storage.createTable({ id: table.oid, columns: defs.map((c) => ({ name: c.name, type: c.type })) });
  ctx.txn?.created(table.oid);
  return table;
}
