/**
 * `column op value` comparisons that order like numbers — op in = < <= > >=, the column an
 * integer or date/time one (text and floats are left out: collation and NaN order differ),
 * the value a constant or parameter of the same type or a narrower integer. Zone maps
 * (executor/zone-conditions.ts) and B-tree range scans (rules/use-index-range.ts) act on them.
 */
import { OID } from '../types/types.js';
import type { Expr } from './plan.js';

export type RangeOp = '=' | '<' | '<=' | '>' | '>=';

export const ORDERED_LIKE_NUMBERS: ReadonlySet<number> = new Set<number>([OID.int2, OID.int4, OID.int8, OID.oid, OID.date, OID.timestamp, OID.timestamptz]);
const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);
const FLIPPED: Record<RangeOp, RangeOp> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const isValue = (x: Expr): boolean => x.kind === 'const' || x.kind === 'param' || (x.kind === 'cast' && isValue(x.arg));

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

export interface RangeComparison {
  /** the conjunct itself */
  readonly cond: Expr;
  /** level-0 column index */
  readonly column: number;
  /** as `column op value` (flipped when written `value op column`) */
  readonly op: RangeOp;
  readonly value: Expr;
}

export function rangeComparisons(filter: Expr | null | undefined): RangeComparison[] {
  if (!filter) return [];
  const out: RangeComparison[] = [];
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.args.length !== 2 || !(c.name in FLIPPED)) continue;
    const [a, b] = c.args;
    const columnFirst = a.kind === 'column';
    const col = columnFirst ? a : b;
    const other = columnFirst ? b : a;
    if (col.kind !== 'column' || col.level !== 0 || !ORDERED_LIKE_NUMBERS.has(col.type.oid) || !isValue(other)) continue;
    const sameKind = other.type.oid === col.type.oid || (INTEGERS.has(col.type.oid) && INTEGERS.has(other.type.oid));
    if (!sameKind) continue;
    const op = c.name as RangeOp;
    out.push({ cond: c, column: col.index, op: columnFirst ? op : FLIPPED[op], value: other });
  }
  return out;
}
