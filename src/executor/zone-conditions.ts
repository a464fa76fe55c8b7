/**
 * Zone maps: the comparisons in a scan's filter that sealed segments' min/max statistics
 * can decide — `column op value` with op in = < <= > >=, on an integer or date/time column
 * (whose statistics compare like JS numbers; text and floats are left out: collation and
 * NaN order differ), the value a constant or parameter of the same type or a narrower
 * integer, evaluated when the scan starts. The storage skips segments no row of which can
 * meet them; the filter still runs on every row read.
 */
import type { Expr } from '../planner/plan.js';
import type { ZoneCondition } from '../storage/api.js';
import { OID } from '../types/types.js';
import { compileExpr, type ExecEnv } from './expr.js';

const ORDERED_LIKE_NUMBERS = new Set<number>([OID.int2, OID.int4, OID.int8, OID.oid, OID.date, OID.timestamp, OID.timestamptz]);
const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);
const FLIPPED: Record<ZoneCondition['op'], ZoneCondition['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const isValue = (x: Expr): boolean => x.kind === 'const' || x.kind === 'param' || (x.kind === 'cast' && isValue(x.arg));

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

export function zoneConditions(filter: Expr | null | undefined, env: ExecEnv): ZoneCondition[] {
  if (!filter) return [];
  const out: ZoneCondition[] = [];
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.args.length !== 2 || !(c.name in FLIPPED)) continue;
    const [a, b] = c.args;
    const columnFirst = a.kind === 'column';
    const col = columnFirst ? a : b;
    const other = columnFirst ? b : a;
    if (col.kind !== 'column' || col.level !== 0 || !ORDERED_LIKE_NUMBERS.has(col.type.oid) || !isValue(other)) continue;
    const sameKind = other.type.oid === col.type.oid || (INTEGERS.has(col.type.oid) && INTEGERS.has(other.type.oid));
    if (!sameKind) continue;
    const v = compileExpr(other)([], env);
    if (typeof v !== 'number' && typeof v !== 'bigint') continue;
    const op = c.name as ZoneCondition['op'];
    out.push({ column: col.index, op: columnFirst ? op : FLIPPED[op], value: v });
  }
  return out;
}
