/**
 * ALTER TABLE: ADD/DROP COLUMN, ALTER COLUMN SET/DROP DEFAULT, SET/DROP NOT NULL, TYPE
 * [USING], ADD/DROP CONSTRAINT (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK), ATTACH/DETACH
 * PARTITION, OWNER TO and other settings Quiver has no use for (accepted, ignored).
 *
 * The subcommands edit a draft of the table (one function each); the draft is then applied
 * at once. A change of the row layout (added, dropped or retyped columns) rewrites the
 * table (rewrite-table.ts).
 */
import { alterCompositeAttributes } from './composite-type.js';
import { movePredicateColumns, predicateColumns } from '../../planner/index-predicate.js';
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, ConstraintDef, IndexDef, PolicyDef, SequenceDef, TableDef } from '../../catalog/catalog.js';
import { leafPartitions } from '../../catalog/partitions.js';
import { resolveCast } from '../../functions/index.js';
import { OID, formatType, type Row, type SqlType, type Value } from '../../types/types.js';
import { columnReference, nextvalDefault, typeOf, type AlterTable, type AlterTableCommand, type ParsedExpr, storedDefault } from '../../sql/ddl/index.js';
import { buildColumn, checkGenerationExpressions, type AlteredColumn } from './columns.js';
import { addKey, checkConstraint, foreignKey, keyConstraint, validateCheckOnRows, validateForeignKey } from './constraints.js';
import { findTable, mustFindTable, notice, type DdlContext } from './context.js';
import { attachPartition, detachPartition } from './partition.js';
import { attachIndex, partitionIndexes } from './indexes.js';
import { checkRowNotNull, rewriteTable } from './rewrite-table.js';
import { policiesWithoutColumn } from './policy.js';
import { checkRelationKind } from './relation-kind.js';
import { dependentsError, dropViewDependents, viewDependents, type ViewDependent } from './drop.js';
import { addStorageKey, dropStorageKey } from './storage-undo.js';
import { storageKeySpec } from '../../executor/expression-keys.js';
import { checkTypeUsage } from './privileges.js';
import { sequenceParams } from './sequence.js';

/** The table as the subcommands so far left it. */
interface AlterDraft {
  readonly table: TableDef;
  cols: AlteredColumn[];
  indexes: IndexDef[];
  constraints: ConstraintDef[];
  readonly sequences: SequenceDef[];
  /** SET GENERATED / SET options / RESTART of identity columns: their sequences' new parameters */
  readonly sequenceChanges: { seq: SequenceDef; params: Partial<SequenceDef> }[];
  /** DROP IDENTITY: the columns' sequences */
  readonly droppedSequences: number[];
  /** columns whose existing rows must be checked for NULLs */
  readonly checkNotNull: Set<string>;
  /** the row layout changes: the table is rewritten */
  rewrite: boolean;
  /** ALTER TABLE ONLY */
  readonly only: boolean;
  /** the table's policies, when a dropped column took some with it */
  policies?: PolicyDef[];
  /** DROP COLUMN … CASCADE: the views reading the column, dropped before the table changes */
  readonly droppedViews: ViewDependent[];
}

/**
 * The views reading column `column` of `table` (and those reading them): DROP COLUMN is 2BP01
 * without CASCADE (they are returned to be dropped with it), ALTER COLUMN TYPE 0A000, as
 * PostgreSQL (it cannot revise a view's stored query).
 */
function dependentsOfColumn(ctx: DdlContext, table: TableDef, column: string, op: 'drop' | 'alterType', cascade: boolean): ViewDependent[] {
  const dependents = viewDependents(ctx, table, new Set([table.oid]), column);
  if (dependents.length === 0) return [];
  if (op === 'alterType') {
    const v = dependents[0].relation;
    throw new SqlError(SqlState.featureNotSupported, 'cannot alter type of a column used by a view or rule', {
      detail: `rule _RETURN on ${v.kind === 'm' ? 'materialized view' : 'view'} ${v.name} depends on column "${column}"`,
    });
  }
  if (!cascade) throw dependentsError(`column ${column} of table ${table.name}`, dependents);
  return dependents;
}

type Handler<K extends AlterTableCommand['kind']> = (ctx: DdlContext, d: AlterDraft, cmd: Extract<AlterTableCommand, { kind: K }>) => void;

export async function alterTable(ctx: DdlContext, stmt: AlterTable): Promise<void> {
  // OWNER TO, SET STATISTICS …: PostgreSQL takes ALTER TABLE for any relation (pg_dump writes it for views and sequences)
  if (stmt.commands.every((c) => c.kind === 'ignored')) {
    checkRelationExists(ctx, stmt);
    const named = stmt.objectType === 'matview' ? findTable(ctx, stmt.relation) : undefined;
    if (named) checkRelationKind('matview', named);
    return;
  }
  if (stmt.objectType === 'index' && stmt.commands.every((c) => c.kind === 'attachPartition')) {
    for (const c of stmt.commands) if (c.kind === 'attachPartition') attachIndex(ctx, stmt.relation, c.child);
    return;
  }
  if (stmt.objectType === 'type') return alterCompositeAttributes(ctx, stmt);
  if (stmt.objectType !== 'table' && stmt.objectType !== 'matview') throw new SqlError(SqlState.featureNotSupported, `ALTER ${stmt.objectType.toUpperCase()} is not supported yet`);
  if (stmt.commands.every((c) => c.kind === 'attachPartition' || c.kind === 'detachPartition')) return alterPartitions(ctx, stmt);
  const table = findTable(ctx, stmt.relation);
  if (!table) {
    if (stmt.missingOk) { notice(ctx, `relation "${stmt.relation.name}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${stmt.relation.name}" does not exist`);
  }
  if (table.kind === 'v') throw new SqlError(SqlState.wrongObjectType, `"${table.name}" is a view`);
  if (stmt.objectType === 'matview') checkRelationKind('matview', table);
  if (table.kind === 'm') checkMaterializedViewCommands(table, stmt.commands);
  const draft: AlterDraft = {
    table, cols: table.columns.map((def, i) => ({ def, old: i })), indexes: [...table.indexes], constraints: [...table.constraints],
    sequences: [], sequenceChanges: [], droppedSequences: [], checkNotNull: new Set(), rewrite: false, only: stmt.only, droppedViews: [],
  };
  for (const cmd of stmt.commands) (HANDLERS[cmd.kind] as Handler<typeof cmd.kind>)(ctx, draft, cmd as never);
  await dropViewDependents(ctx, true, '', draft.droppedViews);
  if (draft.rewrite) {
    const newColumns = draft.cols.map((c, i) => ({ ...c.def, attnum: i + 1 }));
    await rewriteTable(ctx, table, draft.cols, newColumns, draft.indexes, draft.constraints, draft.sequences, draft.checkNotNull);
  } else {
    await applyInPlace(ctx, draft);
  }
  // identity sequences changed or dropped, once the table's change went through
  for (const c of draft.sequenceChanges) Object.assign(c.seq, c.params);
  for (const oid of draft.droppedSequences) ctx.catalog.sequences.delete(oid);
  // a rewrite replaces the table's catalog entry (under a new OID)
  const now = ctx.catalog.findTable(table.schema, table.name);
  if (draft.policies && now) now.policies = draft.policies;
}

/** a materialized view's columns are its query's: only OWNER TO and the ignored settings apply to it (ATSimplePermissions) */
function checkMaterializedViewCommands(table: TableDef, commands: readonly AlterTableCommand[]): void {
  for (const c of commands) {
    if (c.kind === 'owner' || c.kind === 'ignored' || c.kind === 'unsupported') continue;
    throw new SqlError(SqlState.wrongObjectType, `ALTER action ${alterActionName(c)} cannot be performed on relation "${table.name}"`, {
      detail: 'This operation is not supported for materialized views.',
    });
  }
}

/** alter_table_type_to_string */
function alterActionName(c: AlterTableCommand): string {
  switch (c.kind) {
    case 'addColumn': return 'ADD COLUMN';
    case 'dropColumn': return 'DROP COLUMN';
    case 'setDefault': return 'ALTER COLUMN ... SET DEFAULT';
    case 'setNotNull': return 'ALTER COLUMN ... SET NOT NULL';
    case 'dropNotNull': return 'ALTER COLUMN ... DROP NOT NULL';
    case 'alterType': return 'ALTER COLUMN ... SET DATA TYPE';
    case 'addConstraint': return 'ADD CONSTRAINT';
    case 'dropConstraint': return 'DROP CONSTRAINT';
    case 'attachPartition': return 'ATTACH PARTITION';
    case 'detachPartition': return 'DETACH PARTITION';
    case 'addIdentity': return 'ALTER COLUMN ... ADD IDENTITY';
    case 'rowSecurity':
      if (c.enable !== undefined) return c.enable ? 'ENABLE ROW SECURITY' : 'DISABLE ROW SECURITY';
      return c.force ? 'FORCE ROW SECURITY' : 'NO FORCE ROW SECURITY';
    default: return c.kind;
  }
}

function checkRelationExists(ctx: DdlContext, stmt: AlterTable): void {
  const r = stmt.relation;
  const schemas = r.schema ? [r.schema] : ctx.searchPath;
  if (schemas.some((s) => ctx.catalog.relationNameTaken(s, r.name))) return;
  if (stmt.missingOk) { notice(ctx, `relation "${r.name}" does not exist, skipping`); return; }
  throw new SqlError(SqlState.undefinedTable, `relation "${r.name}" does not exist`);
}

/** ATTACH / DETACH PARTITION: the parent is the table named. An attached table gets the parent's indexes it lacks. */
async function alterPartitions(ctx: DdlContext, stmt: AlterTable): Promise<void> {
  const parent = mustFindTable(ctx, stmt.relation);
  for (const cmd of stmt.commands) {
    if (parent.kind !== 'p') throw new SqlError(SqlState.wrongObjectType, `table "${parent.name}" is not partitioned`);
    if (cmd.kind === 'detachPartition') detachPartition(ctx, parent, cmd.child);
    else if (cmd.kind === 'attachPartition') {
      attachPartition(ctx, parent, cmd.child, cmd.bound);
      await partitionIndexes(ctx, parent, mustFindTable(ctx, cmd.child));
    }
  }
}

/** A catalog-only change: verify NOT NULL on existing rows, update unique keys in storage. */
async function applyInPlace(ctx: DdlContext, d: AlterDraft): Promise<void> {
  const { table } = d;
  const newColumns = d.cols.map((c, i) => ({ ...c.def, attnum: i + 1 }));
  if (d.checkNotNull.size) {
    for (const batch of ctx.storage.scan(table.oid, ctx.storage.snapshot(), ctx.dataTxn)) {
      for (const row of batch.rows) checkRowNotNull(table, newColumns, d.checkNotNull, row);
    }
  }
  const oldUnique = new Set(table.indexes.filter((x) => x.unique).map((x) => x.name));
  const newUnique = new Set(d.indexes.filter((x) => x.unique).map((x) => x.name));
  if (table.kind === 'p') {
    // a partitioned table keeps no rows: its new keys are its partitions' keys
    if (!d.only) for (const x of d.indexes) if (x.unique && !oldUnique.has(x.name)) await keyOnPartitions(ctx, table, newColumns, x, d.constraints);
  } else {
    for (const x of table.indexes) if (x.unique && !newUnique.has(x.name)) dropStorageKey(ctx, table.oid, storageKeySpec(x));
    for (const x of d.indexes) if (x.unique && !oldUnique.has(x.name)) await addStorageKey(ctx, table.oid, newColumns, storageKeySpec(x));
  }
  table.columns = newColumns;
  table.indexes = d.indexes;
  table.constraints = d.constraints;
  for (const q of d.sequences) ctx.catalog.addSequence(q);
  ctx.catalog.version++;
}

/**
 * ADD PRIMARY KEY / UNIQUE on a partitioned table: each leaf partition with a unique key on
 * the same columns already has it (PostgreSQL attaches that index; pg_dump's scripts add the
 * partitions' keys first); the others get their own key, named as PostgreSQL names it.
 */
async function keyOnPartitions(ctx: DdlContext, table: TableDef, columns: readonly ColumnDef[], x: IndexDef, constraints: readonly ConstraintDef[]): Promise<void> {
  const names = x.columns.map((c) => columns[c].name);
  const primary = constraints.find((k) => k.oid === x.constraintOid)?.type === 'p';
  for (const leaf of leafPartitions(ctx.catalog, table)) {
    const cols = names.map((n) => leaf.columns.findIndex((c) => c.name === n));
    if (leaf.indexes.some((i) => i.unique && !!i.nullsNotDistinct === !!x.nullsNotDistinct && i.columns.length === cols.length && i.columns.every((c, k) => c === cols[k]))) continue;
    const made = keyConstraint(ctx, leaf, primary ? 'primaryKey' : 'unique', cols, names, undefined, undefined, x.nullsNotDistinct);
    await addStorageKey(ctx, leaf.oid, leaf.columns, storageKeySpec(made.index));
    leaf.constraints = [...leaf.constraints, made.constraint];
    leaf.indexes = [...leaf.indexes, { ...made.index, parentIndex: x.oid }];
  }
}

function columnIndex(d: AlterDraft, name: string): number {
  return d.cols.findIndex((c) => c.def.name === name);
}

function mustFindColumn(d: AlterDraft, name: string): number {
  const i = columnIndex(d, name);
  if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${d.table.name}" does not exist`);
  return i;
}

/** The rows get a new layout: not yet for partitioned tables and partitions. */
function layoutChange(d: AlterDraft): void {
  if (d.table.kind === 'p' || d.table.partitionOf) {
    throw new SqlError(SqlState.featureNotSupported, 'changing the columns of partitioned tables and partitions is not supported yet');
  }
  d.rewrite = true;
}

/** An expression over the old row (DEFAULT for existing rows, USING), cast to `type`. */
function compileForOldRow(ctx: DdlContext, expr: ParsedExpr, cols: readonly AlteredColumn[], type: SqlType): (row: Row) => Value {
  if (!ctx.compileRowExpr) throw new SqlError(SqlState.internalError, 'bug: ALTER TABLE without an expression compiler');
  // expressions see the old row: its columns by their old positions
  const oldCols: { name: string; type: SqlType }[] = [];
  for (const c of cols) if (c.old >= 0) oldCols[c.old] = { name: c.def.name, type: c.def.type };
  for (let i = 0; i < oldCols.length; i++) oldCols[i] ??= { name: `\u0000dropped${i}`, type: { oid: OID.int4, typmod: -1 } };
  return ctx.compileRowExpr(expr, oldCols, type);
}

const addColumn: Handler<'addColumn'> = (ctx, d, cmd) => {
  const name = cmd.column.name;
  if (columnIndex(d, name) >= 0) {
    if (cmd.ifNotExists) {
      notice(ctx, `column "${name}" of relation "${d.table.name}" already exists, skipping`, SqlState.duplicateColumn);
      return;
    }
    throw new SqlError(SqlState.duplicateColumn, `column "${name}" of relation "${d.table.name}" already exists`);
  }
  layoutChange(d);
  const added = buildColumn(ctx, d.table, cmd.column, d.cols.length, d.sequences);
  if (added.checks.length) throw new SqlError(SqlState.featureNotSupported, 'column constraint CHECK is not supported yet');
  checkGenerationExpressions([...d.cols.map((c) => c.def), added.def], false);
  // a column of a domain without a DEFAULT of its own gets the domain's, or a NULL its NOT NULL must allow
  const domain = added.def.type.domain === undefined ? undefined : ctx.catalog.domains.get(added.def.type.domain);
  const dflt = added.def.defaultExpr?.ast ?? domain?.default?.ast ?? (added.def.type.domain !== undefined ? { A_Const: { isnull: true } } : undefined);
  d.cols.push({ def: added.def, old: -1, compute: dflt ? compileForOldRow(ctx, dflt as ParsedExpr, d.cols, added.def.type) : () => null });
  if (added.def.notNull) d.checkNotNull.add(name);
  for (const k of added.keys) addKey(ctx, d.table, d.cols, d.indexes, d.constraints, k.kind, [name], k.name, d.checkNotNull, [], !!k.nullsNotDistinct);
  for (const f of added.foreign) d.constraints.push(foreignKey(ctx, d.table, d.cols, f));
};

const dropColumn: Handler<'dropColumn'> = (ctx, d, cmd) => {
  const i = columnIndex(d, cmd.column);
  if (i < 0) {
    if (cmd.missingOk) { notice(ctx, `column "${cmd.column}" of relation "${d.table.name}" does not exist, skipping`); return; }
    mustFindColumn(d, cmd.column);
  }
  const policies = policiesWithoutColumn(ctx, d.table, cmd.column, !!cmd.cascade);
  if (policies) d.policies = policies;
  d.droppedViews.push(...dependentsOfColumn(ctx, d.table, cmd.column, 'drop', !!cmd.cascade));
  layoutChange(d);
  // indexes and constraints on the column go with it (PostgreSQL drops them too)
  const gone = new Set(d.indexes.filter((x) => x.columns.includes(i) || x.predicate?.some((c) => c.column === i) || (x.predicateTree && predicateColumns(x.predicateTree).includes(i)) || x.include?.includes(i)).map((x) => x.oid));
  d.constraints = d.constraints.filter((k) => !k.columns.includes(i) && !(k.indexOid && gone.has(k.indexOid)));
  d.indexes = d.indexes.filter((x) => !gone.has(x.oid));
  d.cols.splice(i, 1);
  const shift = (x: number): number => (x > i ? x - 1 : x);
  d.indexes = d.indexes.map((x) => ({
    ...x, columns: x.columns.map(shift), ...(x.predicate ? { predicate: x.predicate.map((c) => ({ ...c, column: shift(c.column) })) } : {}),
    ...(x.predicateTree ? { predicateTree: movePredicateColumns(x.predicateTree, shift) } : {}),
    ...(x.include ? { include: x.include.map(shift) } : {}),
  }));
  d.constraints = d.constraints.map((k) => ({ ...k, columns: k.columns.map(shift) }));
};

const setDefault: Handler<'setDefault'> = (ctx, d, cmd) => {
  const i = mustFindColumn(d, cmd.column);
  const e = cmd.expr;
  if (e) compileForOldRow(ctx, e.tree, d.cols, d.cols[i].def.type); // type-check now, as PostgreSQL does
  d.cols[i] = { ...d.cols[i], def: { ...d.cols[i].def, defaultExpr: e ? storedDefault(e) : null } };
};

const setNotNull: Handler<'setNotNull'> = (_ctx, d, cmd) => {
  const i = mustFindColumn(d, cmd.column);
  d.cols[i] = { ...d.cols[i], def: { ...d.cols[i].def, notNull: true } };
  d.checkNotNull.add(cmd.column);
};

const dropNotNull: Handler<'dropNotNull'> = (_ctx, d, cmd) => {
  const i = mustFindColumn(d, cmd.column);
  if (d.constraints.some((k) => k.type === 'p' && k.columns.includes(i))) {
    throw new SqlError(SqlState.invalidTableDefinition, `column "${cmd.column}" is in a primary key`);
  }
  if (d.cols[i].def.identity) throw new SqlError(SqlState.syntaxError, `column "${cmd.column}" of relation "${d.table.name}" is an identity column`);
  d.cols[i] = { ...d.cols[i], def: { ...d.cols[i].def, notNull: false } };
};

const alterType: Handler<'alterType'> = (ctx, d, cmd) => {
  const i = mustFindColumn(d, cmd.column);
  dependentsOfColumn(ctx, d.table, cmd.column, 'alterType', false);
  const type = typeOf(cmd.type);
  checkTypeUsage(ctx, type);
  const cur = d.cols[i];
  if (cmd.using) {
    layoutChange(d);
    // USING sees the row as it was before this statement
    d.cols[i] = { ...cur, def: { ...cur.def, type }, compute: compileForOldRow(ctx, cmd.using.tree, d.cols, type) };
    return;
  }
  if (cur.def.type.oid === type.oid && cur.def.type.typmod === type.typmod && cur.def.type.domain === type.domain) return;
  // to a domain: the stored values are coerced (and so checked) by compileForOldRow
  const cast = (cur.def.type.oid === type.oid && type.typmod < 0) || type.domain !== undefined ? (v: Value) => v : resolveCast(cur.def.type, type, 'assignment');
  if (!cast) {
    throw new SqlError(SqlState.datatypeMismatch, `column "${cmd.column}" cannot be cast automatically to type ${formatType(type)}`, {
      hint: `You might need to specify "USING ${cmd.column}::${formatType(type)}".`,
    });
  }
  layoutChange(d);
  d.cols[i] = { ...cur, def: { ...cur.def, type }, compute: cur.old < 0 ? cur.compute : compileForOldRow(ctx, columnReference(cmd.column), d.cols, type) };
};

const addConstraint: Handler<'addConstraint'> = (ctx, d, cmd) => {
  const k = cmd.constraint;
  switch (k.kind) {
    case 'primaryKey':
    case 'unique':
      addKey(ctx, d.table, d.cols, d.indexes, d.constraints, k.kind, k.columns, k.name, d.checkNotNull, k.include, !!k.nullsNotDistinct);
      return;
    case 'foreignKey': {
      const fk = foreignKey(ctx, d.table, d.cols, k.fk);
      if (!k.fk.skipValidation) validateForeignKey(ctx, d.table, fk);
      d.constraints.push(k.fk.skipValidation ? { ...fk, notValid: true } : fk);
      return;
    }
    case 'check': {
      const con = checkConstraint(ctx, d.table, d.cols.map((c) => c.def), d.constraints, k);
      if (!k.skipValidation) validateCheckOnRows(ctx, d.table, con);
      d.constraints.push(k.skipValidation ? { ...con, notValid: true } : con);
      return;
    }
    case 'unsupported':
      throw new SqlError(SqlState.featureNotSupported, `ALTER TABLE ADD CONSTRAINT of type ${k.contype.replace(/^CONSTR_/, '')} is not supported yet`);
  }
};

const dropConstraint: Handler<'dropConstraint'> = (ctx, d, cmd) => {
  const k = d.constraints.find((x) => x.name === cmd.name);
  if (!k) {
    if (cmd.missingOk) { notice(ctx, `constraint "${cmd.name}" of relation "${d.table.name}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedObject, `constraint "${cmd.name}" of relation "${d.table.name}" does not exist`);
  }
  d.constraints = d.constraints.filter((x) => x !== k);
  if (k.indexOid) d.indexes = d.indexes.filter((x) => x.oid !== k.indexOid);
};

/** VALIDATE CONSTRAINT: a NOT VALID check or foreign key is checked on every row now, then marked valid */
const validateConstraint: Handler<'validateConstraint'> = (ctx, d, cmd) => {
  const at = d.constraints.findIndex((x) => x.name === cmd.name);
  const k = d.constraints[at];
  if (!k) throw new SqlError(SqlState.undefinedObject, `constraint "${cmd.name}" of relation "${d.table.name}" does not exist`);
  if (k.type !== 'c' && k.type !== 'f') throw new SqlError(SqlState.wrongObjectType, `constraint "${cmd.name}" of relation "${d.table.name}" is not a foreign key or check constraint`);
  if (!k.notValid) return;
  if (k.type === 'c') validateCheckOnRows(ctx, d.table, k);
  else validateForeignKey(ctx, d.table, k);
  const { notValid: _, ...valid } = k;
  d.constraints[at] = valid;
};

const unsupported = (subtype: string): never => {
  throw new SqlError(SqlState.featureNotSupported, `ALTER TABLE ${subtype} is not supported yet`);
};

/** One handler per subcommand kind: a new kind fails to compile until it has one. */
/** ADD GENERATED … AS IDENTITY: the column gets its own sequence (named as given, else <table>_<column>_seq) as its default */
const addIdentity: Handler<'addIdentity'> = (ctx, d, cmd) => {
  const i = mustFindColumn(d, cmd.column);
  const col = d.cols[i].def;
  const where = `column "${cmd.column}" of relation "${d.table.name}"`;
  if (col.identity) throw new SqlError('55000', `${where} is already an identity column`);
  if (!col.notNull) throw new SqlError('55000', `${where} must be declared NOT NULL before identity can be added`);
  if (col.defaultExpr) throw new SqlError('55000', `${where} already has a default value`);
  if (!IDENTITY_TYPES.has(col.type.oid)) throw new SqlError(SqlState.invalidParameterValue, `identity column type must be smallint, integer, or bigint`);
  const schema = d.table.schema;
  const name = cmd.sequenceName?.name ?? ctx.catalog.uniqueRelationName(schema, `${d.table.name}_${cmd.column}`, 'seq');
  if (ctx.catalog.relationNameTaken(schema, name) || d.sequences.some((q) => q.name === name)) throw new SqlError(SqlState.duplicateTable, `relation "${name}" already exists`);
  d.sequences.push({
    oid: ctx.catalog.allocateOid(), name, schema, ...sequenceParams({ ...cmd.options, type: col.type }), ownedBy: { table: d.table.oid, column: i },
  });
  const dflt = nextvalDefault(name, schema);
  d.cols[i] = { ...d.cols[i], def: { ...col, identity: cmd.always ? 'a' : 'd', sequence: name, defaultExpr: storedDefault(dflt) } };
};

/** The identity column's sequence, or 55000 as PostgreSQL says a column is not one */
function identitySequence(ctx: DdlContext, d: AlterDraft, column: string): { i: number; seq: SequenceDef } | undefined {
  const i = mustFindColumn(d, column);
  const col = d.cols[i].def;
  const seq = col.identity ? [...ctx.catalog.sequences.values()].find((q) => q.name === col.sequence && q.schema === d.table.schema) : undefined;
  return seq ? { i, seq } : undefined;
}

const notIdentity = (d: AlterDraft, column: string): SqlError => new SqlError('55000', `column "${column}" of relation "${d.table.name}" is not an identity column`);

/** SET GENERATED ALWAYS | BY DEFAULT, SET INCREMENT BY …, RESTART [WITH n]: the column's kind and its sequence's parameters */
const setIdentity: Handler<'setIdentity'> = (ctx, d, cmd) => {
  const found = identitySequence(ctx, d, cmd.column);
  if (!found) throw notIdentity(d, cmd.column);
  d.sequenceChanges.push({ seq: found.seq, params: sequenceParams(cmd.options, found.seq) });
  if (cmd.always !== undefined) d.cols[found.i] = { ...d.cols[found.i], def: { ...d.cols[found.i].def, identity: cmd.always ? 'a' : 'd' } };
};

/** DROP IDENTITY [IF EXISTS]: a plain column again, its sequence dropped */
const dropIdentity: Handler<'dropIdentity'> = (ctx, d, cmd) => {
  const found = identitySequence(ctx, d, cmd.column);
  if (!found) {
    if (!cmd.missingOk) throw notIdentity(d, cmd.column);
    notice(ctx, `column "${cmd.column}" of relation "${d.table.name}" is not an identity column, skipping`);
    return;
  }
  const { identity: _i, sequence: _s, ...plain } = d.cols[found.i].def;
  d.cols[found.i] = { ...d.cols[found.i], def: { ...plain, defaultExpr: null } };
  d.droppedSequences.push(found.seq.oid);
};

const IDENTITY_TYPES: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8]);

const HANDLERS: { readonly [K in AlterTableCommand['kind']]: Handler<K> } = {
  addIdentity, addColumn, dropColumn, setDefault, setNotNull, dropNotNull, alterType, addConstraint, dropConstraint, validateConstraint, setIdentity, dropIdentity,
  // mixed with other subcommands (alone they go to alterPartitions)
  attachPartition: () => unsupported('AttachPartition'),
  detachPartition: () => unsupported('DetachPartition'),
  ignored: () => {},
  // applied before ALTER TABLE runs (privileges.ts: it needs the roles)
  owner: () => {},
  rowSecurity: (ctx, d, cmd) => {
    if (cmd.enable !== undefined) d.table.rowSecurity = cmd.enable;
    if (cmd.force !== undefined) d.table.forceRowSecurity = cmd.force;
    ctx.catalog.version++;
  },
  unsupported: (_ctx, _d, cmd) => unsupported(cmd.subtype),
};
