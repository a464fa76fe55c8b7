/** A column of CREATE TABLE or ADD COLUMN: its type, NOT NULL, DEFAULT, serial/identity sequence and inline constraints. */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, SequenceDef } from '../../catalog/catalog.js';
import { OID, type Row, type SqlType, type Value } from '../../types/types.js';
import { nextvalDefault, typeOf, type ColumnSpec, type DdlExpr, type ForeignKeySpec, type KeyKind, storedDefault } from '../../sql/ddl/index.js';
import type { DdlContext } from './context.js';
import { checkTypeUsage } from './privileges.js';
import { sequenceParams } from './sequence.js';
import type { SequenceOptions } from '../../sql/ddl/types.js';

/** One column of the table being built or altered: its definition and how to compute it from an old row. */
export interface AlteredColumn {
  def: ColumnDef;
  /** position in the old row, or -1 for a new column */
  old: number;
  /** value for existing rows (new columns, type changes); undefined = copy old[old] */
  compute?: (row: Row) => Value;
}

export interface BuiltColumn {
  readonly def: ColumnDef;
  readonly keys: { readonly kind: KeyKind; readonly name?: string; readonly position?: number; readonly nullsNotDistinct?: true }[];
  readonly foreign: ForeignKeySpec[];
  readonly checks: { readonly name?: string; readonly expr: DdlExpr }[];
}

/** The table a column belongs to, as far as naming its sequence needs. */
export interface ColumnOwner {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
}

/** The catalog form of a column definition; a serial or identity column adds its sequence to `sequences`. */
export function buildColumn(ctx: DdlContext, owner: ColumnOwner, spec: ColumnSpec, index: number, sequences: SequenceDef[]): BuiltColumn {
  const type = typeOf(spec.type);
  checkTypeUsage(ctx, type);
  let notNull = false;
  let defaultExpr: ColumnDef['defaultExpr'] = null;
  let sequence: string | undefined;
  let identity: 'a' | 'd' | undefined;
  let generated: 's' | undefined;
  const keys: BuiltColumn['keys'] = [];
  const foreign: ForeignKeySpec[] = [];
  const checks: { name?: string; expr: DdlExpr }[] = [];
  const withSequence = (options: SequenceOptions = {}): void => {
    sequence = ownedSequence(ctx, owner, spec.name, type, index, sequences, options);
    const d = nextvalDefault(sequence, owner.schema);
    defaultExpr = storedDefault(d);
    notNull = true;
  };
  if ('type' in spec.type && spec.type.serial) withSequence();
  for (const k of spec.constraints) {
    switch (k.kind) {
      case 'notNull': notNull = true; break;
      case 'null': notNull = false; break;
      case 'default':
        if (generated) throw new SqlError(SqlState.syntaxError, `both default and generation expression specified for column "${spec.name}" of table "${owner.name}"`);
        defaultExpr = storedDefault(k.expr);
        break;
      case 'primaryKey': notNull = true; keys.push(k); break;
      case 'unique': keys.push(k); break;
      case 'identity': identity = k.always ? 'a' : 'd'; withSequence(k.options); break;
      case 'generated':
        if (defaultExpr) throw new SqlError(SqlState.syntaxError, `both default and generation expression specified for column "${spec.name}" of table "${owner.name}"`, { position: k.position });
        defaultExpr = storedDefault(k.expr);
        generated = 's';
        break;
      // resolved once the table exists (it may reference itself)
      case 'foreignKey': foreign.push(k.fk); break;
      case 'check': checks.push(k); break;
      case 'unsupported':
        throw new SqlError(SqlState.featureNotSupported, `column constraint ${k.contype.replace(/^CONSTR_/, '')} is not supported yet`, { position: k.position });
    }
  }
  const def: ColumnDef = { name: spec.name, type, notNull, defaultExpr, attnum: index + 1, sequence, identity, ...(generated ? { generated } : {}) };
  return { def, keys, foreign, checks };
}

/** The sequence a serial / identity column owns, named <table>_<column>_seq like PostgreSQL's. */
/** a serial or identity column's sequence (an identity column's options: START WITH, INCREMENT BY, …) */
function ownedSequence(ctx: DdlContext, owner: ColumnOwner, column: string, type: SqlType, index: number, sequences: SequenceDef[], options: SequenceOptions): string {
  const name = ctx.catalog.uniqueRelationName(owner.schema, `${owner.name}_${column}`, 'seq');
  sequences.push({ oid: ctx.catalog.allocateOid(), name, schema: owner.schema, ...sequenceParams({ ...options, type }), ownedBy: { table: owner.oid, column: index } });
  return name;
}

/** the columns an expression tree refers to: each ColumnRef's last field and its 0-based location */
function referencedColumns(tree: unknown, out: { name: string; location?: number }[] = []): { name: string; location?: number }[] {
  if (Array.isArray(tree)) for (const t of tree) referencedColumns(t, out);
  else if (tree && typeof tree === 'object') {
    const ref = (tree as { ColumnRef?: { fields?: { String?: { sval?: string } }[]; location?: number } }).ColumnRef;
    const last = ref?.fields?.[ref.fields.length - 1]?.String?.sval;
    if (last !== undefined) out.push({ name: last, location: ref!.location });
    for (const v of Object.values(tree)) referencedColumns(v, out);
  }
  return out;
}

/**
 * 42P17 like PostgreSQL: a generation expression may not read another generated column
 * (CREATE TABLE points at the reference, ALTER TABLE ADD COLUMN does not).
 */
export function checkGenerationExpressions(columns: readonly ColumnDef[], withPosition: boolean): void {
  const generated = new Set(columns.filter((c) => c.generated).map((c) => c.name));
  for (const c of columns) {
    if (!c.generated || !c.defaultExpr) continue;
    for (const ref of referencedColumns(c.defaultExpr.ast)) {
      if (generated.has(ref.name)) {
        const position = withPosition && ref.location !== undefined && ref.location >= 0 ? ref.location + 1 : undefined;
        throw new SqlError('42P17', `cannot use generated column "${ref.name}" in column generation expression`, {
          detail: 'A generated column cannot reference another generated column.', ...(position ? { position } : {}),
        });
      }
    }
  }
}
