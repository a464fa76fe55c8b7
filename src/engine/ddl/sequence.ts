/** CREATE SEQUENCE and ALTER SEQUENCE (AS smallint | integer | bigint; INCREMENT, [NO] MINVALUE, [NO] MAXVALUE, START, RESTART, CACHE, [NO] CYCLE, OWNED BY). */
import { SqlError, SqlState } from '../../errors.js';
import type { SequenceDef } from '../../catalog/catalog.js';
import { OID, formatType, sqlType } from '../../types/types.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import type { SequenceOptions } from '../../sql/ddl/types.js';
import { findSequence, findTable, notice, relationCreation, relationNameFree, type DdlContext } from './context.js';

/** the bounds of each sequence type (sequence.c init_params) */
const RANGE: Record<number, [bigint, bigint]> = {
  [OID.int2]: [-32768n, 32767n], [OID.int4]: [-2147483648n, 2147483647n], [OID.int8]: [-9223372036854775808n, 9223372036854775807n],
};

type SequenceParams = Pick<SequenceDef, 'type' | 'start' | 'increment' | 'min' | 'max' | 'cycle' | 'cache' | 'last' | 'isCalled'>;
const invalid = (message: string): SqlError => new SqlError(SqlState.invalidParameterValue, message);

/**
 * sequence.c init_params: the options over the sequence's current parameters (none for
 * CREATE), defaults by type and direction, PostgreSQL's checks and messages. Changing the
 * type moves a bound that was the old type's default to the new type's.
 */
export function sequenceParams(o: SequenceOptions, current?: SequenceDef): SequenceParams {
  const init = current === undefined;
  const type = o.type ?? current?.type ?? sqlType(OID.int8);
  const range = RANGE[type.oid];
  if (!range) throw invalid('sequence type must be smallint, integer, or bigint');
  // a new type resets a bound that was the old type's default
  const oldRange = current && o.type && o.type.oid !== current.type.oid ? RANGE[current.type.oid] : undefined;
  const resetMax = oldRange !== undefined && current!.max === oldRange[1];
  const resetMin = oldRange !== undefined && current!.min === oldRange[0];
  const increment = o.increment ?? current?.increment ?? 1n;
  if (increment === 0n) throw invalid('INCREMENT must not be zero');
  let max = current?.max ?? 0n;
  if (o.maxvalue !== undefined && o.maxvalue !== null) max = o.maxvalue;
  else if (init || o.maxvalue === null || resetMax) max = increment > 0n || resetMax ? range[1] : -1n;
  let min = current?.min ?? 0n;
  if (o.minvalue !== undefined && o.minvalue !== null) min = o.minvalue;
  else if (init || o.minvalue === null || resetMin) min = increment < 0n || resetMin ? range[0] : 1n;
  if (max < range[0] || max > range[1]) throw invalid(`MAXVALUE (${max}) is out of range for sequence data type ${formatType(type)}`);
  if (min < range[0] || min > range[1]) throw invalid(`MINVALUE (${min}) is out of range for sequence data type ${formatType(type)}`);
  if (min >= max) throw invalid(`MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  const start = o.start ?? (init ? (increment > 0n ? min : max) : current.start);
  if (start < min) throw invalid(`START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) throw invalid(`START value (${start}) cannot be greater than MAXVALUE (${max})`);
  let last = current?.last ?? start;
  let isCalled = current?.isCalled ?? false;
  if (o.restart !== undefined) {
    last = o.restart === true ? start : o.restart;
    isCalled = false;
  }
  // RESTART, or the current value when the bounds change
  if (last < min) throw invalid(`RESTART value (${last}) cannot be less than MINVALUE (${min})`);
  if (last > max) throw invalid(`RESTART value (${last}) cannot be greater than MAXVALUE (${max})`);
  const cache = o.cache ?? current?.cache ?? 1n;
  if (cache <= 0n) throw invalid(`CACHE (${cache}) must be greater than zero`);
  return { type: { oid: type.oid, typmod: -1 }, start, increment, min, max, cycle: o.cycle ?? current?.cycle ?? false, cache, last, isCalled };
}

export function createSequence(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createSequence' }>): void {
  const { schema } = relationCreation(ctx, stmt.relation, stmt.temporary ?? false);
  const name = stmt.relation.name;
  if (!relationNameFree(ctx, schema, name, stmt.ifNotExists)) return;
  const seq: SequenceDef = { oid: ctx.catalog.allocateOid(), name, schema, ...sequenceParams(stmt.options) };
  if (stmt.options.ownedBy) setOwner(ctx, seq, stmt.options.ownedBy);
  ctx.catalog.addSequence(seq);
}

/** ALTER SEQUENCE: its parameters (RESTART sets the next value), OWNED BY */
export function alterSequence(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'alterSequence' }>): void {
  const r = stmt.relation;
  const seq = findSequence(ctx, r);
  if (!seq) {
    if (stmt.missingOk) { notice(ctx, `relation "${r.name}" does not exist, skipping`); return; }
    throw new SqlError(SqlState.undefinedTable, `relation "${r.name}" does not exist`);
  }
  Object.assign(seq, sequenceParams(stmt.options, seq));
  if (stmt.options.ownedBy !== undefined) setOwner(ctx, seq, stmt.options.ownedBy);
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
