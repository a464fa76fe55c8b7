/** CREATE SEQUENCE (AS smallint | integer | bigint; INCREMENT, MINVALUE, MAXVALUE, START, CYCLE, OWNED BY) and ALTER SEQUENCE … OWNED BY. */
import { SqlError, SqlState } from '../../errors.js';
import type { SequenceDef } from '../../catalog/catalog.js';
import { OID, formatType, sqlType } from '../../types/types.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { findSequence, findTable, notice, relationCreation, relationNameFree, type DdlContext } from './context.js';

/** the bounds of each sequence type (sequence.c init_params) */
const RANGE: Record<number, [bigint, bigint]> = {
  [OID.int2]: [-32768n, 32767n], [OID.int4]: [-2147483648n, 2147483647n], [OID.int8]: [-9223372036854775808n, 9223372036854775807n],
};

export function createSequence(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createSequence' }>): void {
  const { schema } = relationCreation(ctx, stmt.relation, stmt.temporary ?? false);
  const name = stmt.relation.name;
  if (!relationNameFree(ctx, schema, name, stmt.ifNotExists)) return;
  const o = stmt.options;
  const type = o.type ?? sqlType(OID.int8);
  const range = RANGE[type.oid];
  if (!range) throw new SqlError(SqlState.invalidParameterValue, 'sequence type must be smallint, integer, or bigint');
  const increment = o.increment ?? 1n;
  const min = o.minvalue ?? (increment > 0n ? 1n : range[0]);
  const max = o.maxvalue ?? (increment > 0n ? range[1] : -1n);
  if (max > range[1] || min < range[0]) {
    const which = max > range[1] ? `MAXVALUE (${max})` : `MINVALUE (${min})`;
    throw new SqlError(SqlState.invalidParameterValue, `${which} is out of range for sequence data type ${formatType(type)}`);
  }
  const start = o.start ?? (increment > 0n ? min : max);
  const seq: SequenceDef = {
    oid: ctx.catalog.allocateOid(), name, schema, type: { oid: type.oid, typmod: -1 }, start, increment, min, max,
    cycle: o.cycle, last: start, isCalled: false,
  };
  if (o.ownedBy) setOwner(ctx, seq, o.ownedBy);
  ctx.catalog.addSequence(seq);
}

export function alterSequence(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'alterSequence' }>): void {
  const r = stmt.relation;
  const seq = findSequence(ctx, r);
  if (!seq) {
    if (stmt.missingOk) { notice(ctx, `relation "${r.name}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${r.name}" does not exist`);
  }
  setOwner(ctx, seq, stmt.ownedBy);
  ctx.catalog.version++;
}

/** OWNED BY table.column: the sequence is dropped with the column's table and listed as its serial sequence */
function setOwner(ctx: DdlContext, seq: SequenceDef, ownedBy: readonly string[] | null): void {
  const previous = seq.ownedBy && ctx.catalog.tables.get(seq.ownedBy.table);
  if (previous) previous.columns = previous.columns.map((c) => (c.sequence === seq.name && !c.identity ? { ...c, sequence: undefined } : c));
  if (ownedBy === null) {
    seq.ownedBy = undefined;
    return;
  }
  if (ownedBy.length < 2) throw new SqlError(SqlState.syntaxError, 'invalid OWNED BY option', { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
  const column = ownedBy[ownedBy.length - 1];
  const rel = ownedBy.slice(0, -1);
  const table = findTable(ctx, rel.length > 1 ? { schema: rel[0], name: rel[1] } : { name: rel[0] });
  if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${rel.join('.')}" does not exist`);
  if (table.kind === 'v') throw new SqlError('55000', `sequence cannot be owned by relation "${table.name}"`, { detail: 'This operation is not supported for views.' });
  if (table.schema !== seq.schema) throw new SqlError('55000', 'sequence must be in same schema as table it is linked to');
  const index = table.columns.findIndex((c) => c.name === column);
  if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${column}" of relation "${table.name}" does not exist`);
  seq.ownedBy = { table: table.oid, column: index };
  table.columns = table.columns.map((c, i) => (i === index && !c.sequence ? { ...c, sequence: seq.name } : c));
}
