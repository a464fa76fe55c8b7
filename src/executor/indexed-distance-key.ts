/**
 * The part the bit and sparsevec index paths share: reading `column <op> per-query value`
 * (either side) from a Top-K's single ascending key, and finding the table's HNSW index
 * for that column with the operator's class.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, SortKey } from '../planner/plan.js';

export interface DistanceKey<Op extends string> { column: number; query: Expr; op: Op }

const perQuery = (x: Expr): boolean =>
  x.kind === 'const' || x.kind === 'param' || (x.kind === 'cast' && (x.arg.kind === 'const' || x.arg.kind === 'param'));

/** The key when it is one of `opclasses`' operators between a column of `typeOid` and a constant or parameter. */
export function distanceKey<Op extends string>(keys: readonly SortKey[], typeOid: number, opclasses: Readonly<Record<Op, string>>): DistanceKey<Op> | undefined {
  if (keys.length !== 1 || keys[0].desc) return undefined;
  const e = keys[0].expr;
  if (e.kind !== 'call' || !(e.name in opclasses) || e.args.length !== 2) return undefined;
  const op = e.name as Op;
  const [a, b] = e.args;
  if (a.kind === 'column' && a.level === 0 && a.type.oid === typeOid && perQuery(b)) return { column: a.index, query: b, op };
  if (b.kind === 'column' && b.level === 0 && b.type.oid === typeOid && perQuery(a)) return { column: b.index, query: a, op };
  return undefined;
}

/** The HNSW index of this table (or partition) on the column with the operator's class. */
export function hnswIndexFor(table: TableDef, column: number, opclass: string): string | undefined {
  return table.indexes.find((i) => i.method === 'hnsw' && i.columns[0] === column && i.opclasses[0] === opclass)?.name;
}
