/** CREATE TABLE's parts (columns, constraints, PARTITION BY / OF) from the parser's tree; ALTER TABLE reuses them. */
import type { ColumnDef, Constraint, CreateStmt, Node, PartitionBoundSpec as RawBound } from '@pgsql/types';
import { ddlExpr, firstLocation } from './parsed-expr.js';
import { sequenceOptions } from './bind-objects.js';
import { names, pos, qualified, nullsNotDistinctOf, typeRef } from './tree.js';
import type {
  BoundDatumSpec, ColumnConstraint, OnCommit, ColumnSpec, CreateTable, ForeignKeySpec, PartitionBoundSpec, PartitionKeySpec, TableConstraint, TableElement,
} from './types.js';

export function bindCreateTable(n: CreateStmt): CreateTable {
  const parent = n.partbound ? n.inhRelations?.[0] : undefined;
  return {
    kind: 'createTable',
    relation: qualified(n.relation),
    ...(pos(n.relation) !== undefined ? { position: pos(n.relation) } : {}),
    ifNotExists: !!n.if_not_exists,
    ...(n.relation?.relpersistence === 't' ? { temporary: true } : {}),
    ...(onCommitOf(n.oncommit) ? { onCommit: onCommitOf(n.oncommit) } : {}),
    elements: (n.tableElts ?? []).map(tableElement),
    inherits: !!n.inhRelations?.length && !n.partbound,
    ...(n.partspec ? { partitionBy: partitionKey(n) } : {}),
    ...(parent && 'RangeVar' in parent ? { partitionOf: { parent: qualified(parent.RangeVar), bound: partitionBound(n.partbound!) } } : {}),
  };
}

function tableElement(elt: Node): TableElement {
  if ('ColumnDef' in elt) return { kind: 'column', column: columnSpec(elt.ColumnDef) };
  if ('Constraint' in elt) return { kind: 'constraint', constraint: tableConstraint(elt.Constraint) };
  return { kind: 'unsupported' };
}

export function columnSpec(c: ColumnDef): ColumnSpec {
  const constraints = (c.constraints ?? []).flatMap((x) => ('Constraint' in x ? [columnConstraint(x.Constraint, c.colname ?? '')] : []));
  return { name: c.colname ?? '', type: typeRef(c.typeName), constraints };
}

function columnConstraint(k: Constraint, column: string): ColumnConstraint {
  switch (k.contype) {
    case 'CONSTR_NOTNULL': return { kind: 'notNull' };
    case 'CONSTR_NULL': return { kind: 'null' };
    case 'CONSTR_DEFAULT': return { kind: 'default', expr: ddlExpr(k.raw_expr!) };
    case 'CONSTR_PRIMARY': return { kind: 'primaryKey', ...named(k), position: pos(k) };
    case 'CONSTR_UNIQUE': return { kind: 'unique', ...named(k), position: pos(k), ...nullsNotDistinctOf(k.nulls_not_distinct) };
    case 'CONSTR_IDENTITY': return { kind: 'identity', always: k.generated_when === 'a', options: sequenceOptions(k.options) };
    case 'CONSTR_GENERATED': return { kind: 'generated', expr: ddlExpr(k.raw_expr!), position: pos(k) };
    case 'CONSTR_FOREIGN': return { kind: 'foreignKey', fk: foreignKey(k, [column]) };
    case 'CONSTR_CHECK': return { kind: 'check', ...named(k), expr: ddlExpr(k.raw_expr!), skipValidation: !!k.skip_validation };
    default: return { kind: 'unsupported', contype: k.contype ?? '', position: pos(k) };
  }
}

export function tableConstraint(k: Constraint): TableConstraint {
  switch (k.contype) {
    case 'CONSTR_PRIMARY': return { kind: 'primaryKey', ...named(k), columns: names(k.keys), position: pos(k), ...included(k) };
    case 'CONSTR_UNIQUE': return { kind: 'unique', ...named(k), columns: names(k.keys), position: pos(k), ...included(k), ...nullsNotDistinctOf(k.nulls_not_distinct) };
    case 'CONSTR_FOREIGN': return { kind: 'foreignKey', fk: foreignKey(k, names(k.fk_attrs)) };
    case 'CONSTR_CHECK': return { kind: 'check', ...named(k), expr: ddlExpr(k.raw_expr!), skipValidation: !!k.skip_validation };
    default: return { kind: 'unsupported', contype: k.contype ?? '', position: pos(k) };
  }
}

/** PRIMARY KEY (…) INCLUDE (c, …) */
function included(k: Constraint): { include?: string[] } {
  return k.including?.length ? { include: names(k.including) } : {};
}

function named(k: Constraint): { name?: string } {
  return k.conname ? { name: k.conname } : {};
}

function foreignKey(k: Constraint, columns: string[]): ForeignKeySpec {
  // a letter from its set, else the default (protobuf leaves unset fields empty)
  const letter = (v: string | undefined, set: string, dflt: string): string => (v && set.includes(v) ? v : dflt);
  return {
    ...named(k), columns, refTable: qualified(k.pktable), refColumns: names(k.pk_attrs),
    onUpdate: letter(k.fk_upd_action, 'arncd', 'a'), onDelete: letter(k.fk_del_action, 'arncd', 'a'), match: letter(k.fk_matchtype, 'sfp', 's'),
    skipValidation: !!k.skip_validation,
  };
}

function partitionKey(n: CreateStmt): PartitionKeySpec {
  const strategy = ({ PARTITION_STRATEGY_LIST: 'list', PARTITION_STRATEGY_RANGE: 'range', PARTITION_STRATEGY_HASH: 'hash' } as const)[n.partspec!.strategy ?? 'PARTITION_STRATEGY_LIST'];
  const keys = (n.partspec!.partParams ?? []).flatMap((p) => ('PartitionElem' in p ? [p.PartitionElem] : []))
    .map((e) => ({ ...(e.name ? { column: e.name } : {}), position: pos(e) }));
  return { strategy, keys };
}

/** FOR VALUES … / DEFAULT of PARTITION OF and ATTACH PARTITION. */
export function partitionBound(b: RawBound): PartitionBoundSpec {
  const position = pos(b);
  if (b.is_default) return { kind: 'default', position };
  switch (b.strategy) {
    case 'l': return { kind: 'list', values: (b.listdatums ?? []).map(boundDatum), position };
    case 'r': return { kind: 'range', from: (b.lowerdatums ?? []).map(boundDatum), to: (b.upperdatums ?? []).map(boundDatum), position };
    default: return { kind: 'hash', modulus: Number(b.modulus ?? 0), remainder: Number(b.remainder ?? 0), position };
  }
}

function boundDatum(node: Node): BoundDatumSpec {
  if ('ColumnRef' in node) {
    const first = node.ColumnRef.fields?.[0];
    const word = (first && 'String' in first ? first.String.sval ?? '' : '').toLowerCase();
    if (word === 'minvalue' || word === 'maxvalue') return { kind: word };
    return { kind: 'columnRef', position: pos(node.ColumnRef) };
  }
  const c = 'A_Const' in node ? node.A_Const : 'TypeCast' in node && node.TypeCast.arg && 'A_Const' in node.TypeCast.arg ? node.TypeCast.arg.A_Const : undefined;
  if (!c) return { kind: 'notConstant' };
  // the datum's own location (a cast's), where PostgreSQL points at an overlapping value
  const position = pos(Object.values(node)[0] as { location?: number }) ?? firstLocation(node);
  if (c.isnull) return { kind: 'value', text: null, position };
  const text = c.sval ? c.sval.sval ?? '' : c.ival ? String(c.ival.ival ?? 0) : c.fval ? c.fval.fval ?? '0' : c.boolval ? String(c.boolval.boolval ?? false) : '0';
  return { kind: 'value', text, position };
}

/** ON COMMIT as written (ONCOMMIT_NOOP: none) */
export function onCommitOf(action: string | undefined): OnCommit | undefined {
  switch (action) {
    case 'ONCOMMIT_PRESERVE_ROWS': return 'preserveRows';
    case 'ONCOMMIT_DELETE_ROWS': return 'deleteRows';
    case 'ONCOMMIT_DROP': return 'drop';
    default: return undefined;
  }
}
