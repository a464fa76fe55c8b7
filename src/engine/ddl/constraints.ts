/** Constraints of CREATE / ALTER TABLE: PRIMARY KEY and UNIQUE (with their index), CHECK, FOREIGN KEY. */
import { isTempSchema } from '../../catalog/schemas.js';
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, ConstraintDef, IndexDef, TableDef } from '../../catalog/catalog.js';
import { leafPartitions } from '../../catalog/partitions.js';
import { hashKey } from '../../types/compare.js';
import { formatText } from '../../types/text-io.js';
import { OID, type Row } from '../../types/types.js';
import { mentionedColumns, namesOwnColumn, renameOwnColumn, type DdlExpr, type ForeignKeySpec, type KeyKind } from '../../sql/ddl/index.js';
import type { AlteredColumn } from './columns.js';
import { findTable, type DdlContext } from './context.js';
import { ruleExprTexts } from '../../planner/rule-expr.js';

const BOOL = { oid: OID.bool, typmod: -1 };

/**
 * A CHECK constraint: bound once now (unknown columns, non-boolean expressions fail the
 * DDL), kept as a parsed tree and bound again by INSERT/UPDATE/COPY. Names as PostgreSQL
 * chooses them: <table>_<column>_check for a column constraint or a table constraint that
 * mentions one column, <table>_check[N] otherwise.
 */
export function checkConstraint(
  ctx: DdlContext, table: { oid: number; name: string }, columns: readonly ColumnDef[], existing: readonly ConstraintDef[],
  check: { name?: string; expr: DdlExpr }, column?: string,
): ConstraintDef {
  ctx.compileRowExpr?.(check.expr.tree, columns.map((c) => ({ name: c.name, type: c.type })), BOOL);
  // the text is printed from the bound tree, with the casts PostgreSQL's analyzer adds (price > 0::numeric)
  const texts = checkTexts(ctx, columns, check.expr.tree);
  let conName = check.name;
  if (!conName) {
    const mentioned = mentionedColumns(check.expr.tree);
    const only = column ?? (mentioned.length === 1 ? mentioned[0] : undefined);
    const base = only ? `${table.name}_${only}_check` : `${table.name}_check`;
    conName = base;
    for (let i = 1; existing.some((c) => c.name === conName); i++) conName = `${base}${i}`;
  }
  if (existing.some((c) => c.name === conName)) {
    throw new SqlError(SqlState.duplicateObject, `constraint "${conName}" for relation "${table.name}" already exists`);
  }
  const cols = column ? [columns.findIndex((c) => c.name === column)] : [];
  return { oid: ctx.catalog.allocateOid(), name: conName, tableOid: table.oid, type: 'c', columns: cols, checkSql: check.expr.sql, ...texts, checkAst: check.expr.tree };
}

/** The texts of a CHECK as ruleutils prints its analyzed tree (absent without a binder: the parser's text). */
function checkTexts(ctx: DdlContext, columns: readonly ColumnDef[], tree: DdlExpr['tree']): { checkSql: string; checkPlainSql: string } | undefined {
  if (!ctx.bindRowExpr) return undefined;
  const texts = ruleExprTexts(ctx.bindRowExpr(tree, columns.map((c) => ({ name: c.name, type: c.type })), BOOL));
  return { checkSql: texts.pretty, checkPlainSql: texts.plain };
}

/** ALTER TABLE … RENAME COLUMN: the table's CHECK constraints name the column by its new name, as PostgreSQL's (which keep attnums) print it. */
export function renameColumnInChecks(ctx: DdlContext, table: TableDef, from: string, to: string): void {
  table.constraints = table.constraints.map((k) => {
    if (k.type !== 'c' || !k.checkAst || !namesOwnColumn(k.checkAst, from)) return k;
    const checkAst = renameOwnColumn(k.checkAst, from, to);
    return { ...k, checkAst, ...checkTexts(ctx, table.columns, checkAst) };
  });
}

/** ALTER TABLE … ADD CHECK: every existing row must satisfy it. */
export function validateCheckOnRows(ctx: DdlContext, table: TableDef, con: ConstraintDef): void {
  const test = ctx.compileRowExpr!(con.checkAst as DdlExpr['tree'], table.columns.map((c) => ({ name: c.name, type: c.type })), BOOL);
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

/** PRIMARY KEY / UNIQUE: the constraint and the unique btree index behind it. */
export function keyConstraint(
  ctx: DdlContext, table: { oid: number; name: string; schema: string }, kind: KeyKind, columns: readonly number[], columnNames: readonly string[], conname?: string,
  include?: { readonly columns: readonly number[]; readonly names: readonly string[] }, nullsNotDistinct?: boolean,
): { constraint: ConstraintDef; index: IndexDef } {
  const primary = kind === 'primaryKey';
  // a UNIQUE constraint's name has its INCLUDE columns too (ChooseIndexColumnNames)
  const name = conname ?? (primary
    ? ctx.catalog.uniqueRelationName(table.schema, table.name, 'pkey')
    : ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${[...columnNames, ...(include?.names ?? [])].join('_')}`, 'key'));
  const indexOid = ctx.catalog.allocateOid();
  const conOid = ctx.catalog.allocateOid();
  return {
    constraint: { oid: conOid, name, tableOid: table.oid, type: primary ? 'p' : 'u', columns, indexOid },
    index: {
      oid: indexOid, name, tableOid: table.oid, columns, unique: true, primary,
      method: 'btree', opclasses: columns.map(() => 'default'), options: {}, constraintOid: conOid,
      ...(include?.columns.length ? { include: include.columns } : {}), ...(nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    },
  };
}

/** ALTER TABLE … ADD PRIMARY KEY / UNIQUE (and ADD COLUMN … PRIMARY KEY): key columns become NOT NULL, checked on existing rows. */
export function addKey(
  ctx: DdlContext, table: TableDef, cols: AlteredColumn[], indexes: IndexDef[], constraints: ConstraintDef[],
  kind: KeyKind, names: readonly string[], conname: string | undefined, checkNotNull: Set<string>, includeNames: readonly string[] = [], nullsNotDistinct = false,
): void {
  if (kind === 'primaryKey' && constraints.some((k) => k.type === 'p')) {
    throw new SqlError(SqlState.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
  }
  const columns = names.map((name) => {
    const i = cols.findIndex((c) => c.def.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" named in key does not exist`);
    if (kind === 'primaryKey') {
      cols[i] = { ...cols[i], def: { ...cols[i].def, notNull: true } };
      checkNotNull.add(name);
    }
    return i;
  });
  const include = includeNames.map((name) => {
    const i = cols.findIndex((c) => c.def.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" named in key does not exist`);
    return i;
  });
  const key = keyConstraint(ctx, table, kind, columns, names, conname, { columns: include, names: includeNames }, nullsNotDistinct);
  if (ctx.catalog.relationNameTaken(table.schema, key.index.name) || indexes.some((x) => x.name === key.index.name)) {
    throw new SqlError(SqlState.duplicateTable, `relation "${key.index.name}" already exists`);
  }
  constraints.push(key.constraint);
  indexes.push(key.index);
}

/** FOREIGN KEY … REFERENCES t (cols): a 'f' constraint on the referenced table's columns (its primary key by default). */
/** A foreign key stays among permanent tables, or among one session's temporary tables (ATAddForeignKeyConstraint). */
function checkReferencePersistence(table: TableDef, ref: TableDef): void {
  const temp = isTempSchema(table.schema);
  if (!temp && isTempSchema(ref.schema)) throw new SqlError(SqlState.invalidTableDefinition, 'constraints on permanent tables may reference only permanent tables');
  if (temp && !isTempSchema(ref.schema)) throw new SqlError(SqlState.invalidTableDefinition, 'constraints on temporary tables may reference only temporary tables');
  if (temp && ref.schema !== table.schema) throw new SqlError(SqlState.invalidTableDefinition, 'constraints on temporary tables must involve temporary tables of this session');
}

export function foreignKey(ctx: DdlContext, table: TableDef, cols: readonly AlteredColumn[], fk: ForeignKeySpec, self?: TableDef): ConstraintDef {
  const ref = self ?? findTable(ctx, fk.refTable);
  if (!ref) throw new SqlError(SqlState.undefinedTable, `relation "${fk.refTable.name}" does not exist`);
  checkReferencePersistence(table, ref);
  const columnOf = (list: readonly { name: string }[], name: string): number => {
    const i = list.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" referenced in foreign key constraint does not exist`);
    return i;
  };
  const columns = fk.columns.map((name) => columnOf(cols.map((c) => c.def), name));
  let refNames = fk.refColumns;
  if (refNames.length === 0) {
    const pk = ref.constraints.find((x) => x.type === 'p');
    if (!pk) throw new SqlError(SqlState.undefinedObject, `there is no primary key for referenced table "${ref.name}"`);
    refNames = pk.columns.map((i) => ref.columns[i].name);
  }
  const refColumns = refNames.map((name) => columnOf(ref.columns, name));
  if (refColumns.length !== columns.length) {
    throw new SqlError('42830', 'number of referencing and referenced columns for foreign key disagree');
  }
  const refIndex = referencedKeyIndex(ref, refColumns);
  const name = fk.name ?? ctx.catalog.uniqueRelationName(table.schema, `${table.name}_${fk.columns.join('_')}`, 'fkey');
  return {
    oid: ctx.catalog.allocateOid(), name, tableOid: table.oid, type: 'f', columns, refTable: ref.oid, refColumns, refIndex: refIndex.oid,
    onUpdate: fk.onUpdate, onDelete: fk.onDelete, match: fk.match,
  };
}

/**
 * The unique index a foreign key's referenced columns must have (PostgreSQL's
 * transformFkeyCheckAttrs): unique, not partial, on exactly those columns in any order;
 * the first by OID, as RelationGetIndexList orders them.
 */
function referencedKeyIndex(ref: TableDef, refColumns: readonly number[]): IndexDef {
  const wanted = new Set(refColumns);
  const found = [...ref.indexes].sort((a, b) => a.oid - b.oid).find((i) => i.unique && !i.predicateSql && !i.expression && i.tsvectorConfig === undefined
    && i.columns.length === refColumns.length && wanted.size === refColumns.length && i.columns.every((c) => wanted.has(c)));
  if (!found) throw new SqlError('42830', `there is no unique constraint matching given keys for referenced table "${ref.name}"`);
  return found;
}

/** ALTER TABLE … ADD FOREIGN KEY: every existing referencing key must be present. */
export function validateForeignKey(ctx: DdlContext, table: TableDef, fk: ConstraintDef): void {
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
