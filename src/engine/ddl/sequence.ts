/** CREATE SEQUENCE (bigint; INCREMENT, MINVALUE, MAXVALUE, START, CYCLE). */
import { OID } from '../../types/types.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { creationSchema, relationNameFree, type DdlContext } from './context.js';

export function createSequence(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createSequence' }>): void {
  const schema = creationSchema(ctx, stmt.relation.schema);
  const name = stmt.relation.name;
  if (!relationNameFree(ctx, schema, name, stmt.ifNotExists)) return;
  const o = stmt.options;
  const increment = o.increment ?? 1n;
  const min = o.minvalue ?? (increment > 0n ? 1n : -9223372036854775808n);
  const max = o.maxvalue ?? (increment > 0n ? 9223372036854775807n : -1n);
  const start = o.start ?? (increment > 0n ? min : max);
  ctx.catalog.addSequence({
    oid: ctx.catalog.allocateOid(), name, schema, type: { oid: OID.int8, typmod: -1 }, start, increment, min, max,
    cycle: o.cycle, last: start, isCalled: false,
  });
}
