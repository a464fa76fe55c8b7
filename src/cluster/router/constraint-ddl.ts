/**
 * Constraints no shard can enforce alone, refused at CREATE TABLE / ALTER TABLE / CREATE
 * UNIQUE INDEX with 0A000 (as Citus refuses them) rather than left to each shard's own rows:
 * - a UNIQUE / PRIMARY KEY / EXCLUDE constraint or unique index whose columns do not include
 *   the table's shard key (its primary key's columns, shard-catalog.ts; a table without one
 *   spreads its rows round robin, so nothing unique is enforceable on it): two rows of one
 *   value could land on two shards;
 * - a foreign key that is not co-located: the referencing table's key columns must be among
 *   the foreign key's columns, each referencing the referenced table's key column of the same
 *   place and type, so a row and the row it references hash to the same shard.
 */
import { SqlError } from '../../errors.js';
import { typeByName, formatType, type SqlType } from '../../types/types.js';
import type { RouterTable, TableLookup } from './shard-catalog.js';

type N = Record<string, any>;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const list = (names: readonly string[]): string => names.map(quote).join(', ');

/** What the router knows of a table a statement creates or alters: its name, key and column types. */
interface TableShape {
  readonly name: string;
  readonly key: readonly string[];
  /** a column's type OID, undefined when not known */
  type(column: string): number | undefined;
}

/** serial types and SQL's spellings, as a column definition names them */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2',
};

function typeOid(typeName: N | undefined): number | undefined {
  const names: string[] = (typeName?.names ?? []).map((n: N) => n.String?.sval as string);
  if ((typeName?.arrayBounds ?? []).length > 0 || names.length === 0) return undefined;
  const last = names[names.length - 1]!;
  return typeByName(TYPE_NAMES[last] ?? last)?.oid;
}

/** A column definition's constraints, each naming the column as a table constraint would. */
function columnConstraints(col: N): N[] {
  const self = [{ String: { sval: col.colname } }];
  return ((col.constraints ?? []) as N[]).flatMap((c) => (c.Constraint ? [{ ...c.Constraint, keys: c.Constraint.keys ?? self, fk_attrs: c.Constraint.fk_attrs ?? self }] : []));
}

function shapeOf(table: RouterTable): TableShape {
  return { name: table.name, key: table.keyColumns, type: (c) => table.columns.find((x) => x.name === c)?.type.oid };
}

/** The constraints of a CREATE TABLE (its columns' and its own) no shard could enforce: the refusal, else undefined. */
export function createTableRefusal(node: N, catalog: TableLookup): SqlError | undefined {
  const elts: N[] = node.tableElts ?? [];
  // a partition's key is its parent's (its primary key is the parent's, cloned); LIKE … INCLUDING copies checked constraints
  if (node.partbound || elts.some((e) => e.TableLikeClause)) return undefined;
  const types = new Map<string, number | undefined>();
  const constraints: N[] = [];
  for (const e of elts) {
    const col = e.ColumnDef as N | undefined;
    if (col) {
      types.set(col.colname, typeOid(col.typeName));
      constraints.push(...columnConstraints(col));
    } else if (e.Constraint) constraints.push(e.Constraint);
  }
  const primary = constraints.find((c) => c.contype === 'CONSTR_PRIMARY');
  const table: TableShape = { name: node.relation.relname, key: primary ? names(primary.keys) : [], type: (c) => types.get(c) };
  return constraintsRefusal(constraints, table, catalog, node.relation.relname);
}

/** The constraints an ALTER TABLE adds (ADD CONSTRAINT, ADD COLUMN … UNIQUE / REFERENCES) no shard could enforce. */
export function alterTableRefusal(node: N, table: RouterTable | undefined, catalog: TableLookup): SqlError | undefined {
  if (!table) return undefined;
  const constraints: N[] = [];
  const added = new Map<string, number | undefined>();
  for (const item of (node.cmds ?? []) as N[]) {
    const cmd = item.AlterTableCmd as N | undefined;
    if (cmd?.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) constraints.push(cmd.def.Constraint);
    if (cmd?.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
      const col = cmd.def.ColumnDef as N;
      added.set(col.colname, typeOid(col.typeName));
      constraints.push(...columnConstraints(col));
    }
  }
  if (constraints.length === 0) return undefined;
  // a primary key added here is the key (only on a table without one, and without rows: key-ddl.ts)
  const primary = constraints.find((c) => c.contype === 'CONSTR_PRIMARY' && !c.indexname);
  const base = shapeOf(table);
  const shape: TableShape = { name: table.name, key: primary && table.keyColumns.length === 0 ? names(primary.keys) : table.keyColumns, type: (c) => added.get(c) ?? base.type(c) };
  return constraintsRefusal(constraints, shape, catalog, table.name);
}

/** A CREATE UNIQUE INDEX on a sharded table whose columns do not include its key: the refusal. */
export function uniqueIndexRefusal(node: N, catalog: TableLookup): SqlError | undefined {
  if (!node.unique) return undefined;
  const table = catalog.table(node.relation?.schemaname, node.relation?.relname);
  if (!table) return undefined;
  const columns = ((node.indexParams ?? []) as N[]).map((p) => p.IndexElem?.name as string | undefined);
  if (columns.some((c) => c === undefined)) return undefined; // on an expression: refused apart (route.ts)
  return includesKey(columns as string[], shapeOf(table), 'unique index');
}

function constraintsRefusal(constraints: readonly N[], table: TableShape, catalog: TableLookup, name: string): SqlError | undefined {
  for (const c of constraints) {
    if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
      // USING INDEX: the index was created (and checked) first
      if (c.indexname) continue;
      const refusal = includesKey(names(c.keys), table, 'constraint');
      if (refusal) return refusal;
    } else if (c.contype === 'CONSTR_EXCLUSION') {
      // each key column compared with = (an exclusion on other operators holds across rows of several keys)
      const equal = ((c.exclusions ?? []) as N[]).flatMap((x) => {
        const [elem, op] = (x.List?.items ?? []) as N[];
        const opName = ((op?.List?.items ?? []) as N[]).map((o) => o.String?.sval).pop();
        return elem?.IndexElem?.name && opName === '=' ? [elem.IndexElem.name as string] : [];
      });
      const refusal = includesKey(equal, table, 'constraint');
      if (refusal) return refusal;
    } else if (c.contype === 'CONSTR_FOREIGN') {
      const refusal = foreignKeyRefusal(c, table, catalog, name);
      if (refusal) return refusal;
    }
  }
  return undefined;
}

function names(keys: N[] | undefined): string[] {
  return ((keys ?? []) as N[]).map((k) => k.String?.sval as string);
}

function includesKey(columns: readonly string[], table: TableShape, what: string): SqlError | undefined {
  if (table.key.length > 0 && table.key.every((k) => columns.includes(k))) return undefined;
  const detail = table.key.length === 0
    ? `Sharded tables cannot have UNIQUE, EXCLUDE, or PRIMARY KEY constraints that do not include the shard key; "${table.name}" has no primary key, so its rows are spread over the shards round robin and no shard could enforce one.`
    : `Sharded tables cannot have UNIQUE, EXCLUDE, or PRIMARY KEY constraints that do not include the shard key (the primary key's ${list(table.key)}, with an equality operator if EXCLUDE): two rows of the same ${list(columns)} could be on different shards.`;
  return new SqlError('0A000', `cannot create ${what} on "${table.name}"`, {
    detail,
    hint: table.key.length === 0 ? `Give "${table.name}" a primary key and include its columns.` : `Include ${list(table.key)} in the ${what}.`,
  });
}

/**
 * A foreign key is co-located when the referencing table's key columns each reference the
 * referenced table's key column of the same place, of the same type: then a row's shard is
 * the shard of the row it references.
 */
function foreignKeyRefusal(c: N, child: TableShape, catalog: TableLookup, name: string): SqlError | undefined {
  const pk = c.pktable as N;
  const self = !pk.schemaname && pk.relname === name;
  const parentTable = self ? undefined : catalog.table(pk.schemaname, pk.relname);
  // a table the router does not shard (a temporary one: PostgreSQL refuses that reference itself) is shard 0's
  if (!self && !parentTable) return undefined;
  const parent: TableShape = parentTable ? shapeOf(parentTable) : child;
  const from = names(c.fk_attrs);
  const to = (c.pk_attrs ?? []).length > 0 ? names(c.pk_attrs) : parent.key;
  const colocated = child.key.length > 0 && child.key.length === parent.key.length && child.key.every((k, i) => {
    const at = from.indexOf(k);
    if (at < 0 || to[at] !== parent.key[i]) return false;
    const [a, b] = [child.type(k), parent.type(parent.key[i]!)];
    return a !== undefined && a === b;
  });
  if (colocated) return undefined;
  const shown = (t: TableShape): string => (t.key.length > 0 ? `${quote(t.name)} (${list(t.key)})` : `${quote(t.name)} (none: its rows are spread round robin)`);
  const typeOf = (t: TableShape, k: string): string => {
    const oid = t.type(k);
    return oid === undefined ? '?' : formatType({ oid, typmod: -1 } as SqlType);
  };
  const types = child.key.length > 0 && child.key.length === parent.key.length ? ` of the same types (${child.key.map((k) => typeOf(child, k)).join(', ')} / ${parent.key.map((k) => typeOf(parent, k)).join(', ')})` : '';
  return new SqlError('0A000', 'cannot create foreign key constraint', {
    detail: `Foreign keys between sharded tables are supported only when co-located: the referencing columns must include the referencing table's shard key and reference the referenced table's shard key${types}, so that a row and the row it references are on the same shard. Shard keys (primary keys): ${shown(child)}, ${shown(parent)}.`,
  });
}
