/**
 * Partial HNSW indexes (`CREATE INDEX … USING hnsw (…) WHERE category_id = 7`): when the
 * WHERE is a conjunction of `column op constant` on integer or date columns — what a
 * sealed segment can test itself, as its zone maps do — the index holds only the rows
 * meeting it, and the planner uses it only for a query whose WHERE implies it: each of
 * its conditions follows from one of the query's conjuncts. Any other WHERE gives no
 * predicate: the index then covers every row, a superset that answers every query as a
 * full index would (the behaviour before partial indexes).
 */
import type { IndexCondition } from '../catalog/catalog.js';
import type { Expr } from './plan.js';
import { OID } from '../types/types.js';

const NUMBER_LIKE = new Set<number>([OID.int2, OID.int4, OID.date]);
const FLIPPED: Record<IndexCondition['op'], IndexCondition['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** `column op constant` (either side), or undefined. */
function condition(e: Expr): IndexCondition | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || !(e.name in FLIPPED)) return undefined;
  const [a, b] = e.args;
  const constant = (x: Expr): number | undefined => {
    if (x.kind === 'cast') return constant(x.arg);
    return x.kind === 'const' && typeof x.value === 'number' ? x.value : undefined;
  };
  const op = e.name as IndexCondition['op'];
  const sameType = (col: Expr, other: Expr) => col.kind === 'column' && NUMBER_LIKE.has(col.type.oid) && NUMBER_LIKE.has(other.type.oid) && (col.type.oid === OID.date) === (other.type.oid === OID.date);
  if (a.kind === 'column' && a.level === 0 && sameType(a, b) && constant(b) !== undefined) return { column: a.index, op, value: constant(b)! };
  if (b.kind === 'column' && b.level === 0 && sameType(b, a) && constant(a) !== undefined) return { column: b.index, op: FLIPPED[op], value: constant(a)! };
  return undefined;
}

/** The conditions of a bound WHERE that is only such conjuncts (else undefined: a superset index). */
export function predicateConditions(bound: Expr): IndexCondition[] | undefined {
  const out: IndexCondition[] = [];
  for (const c of conjuncts(bound)) {
    const cond = condition(c);
    if (!cond) return undefined;
    out.push(cond);
  }
  return out.length > 0 ? out : undefined;
}

/** Whether every value meeting `c` meets `p` (same column; numbers compare as reals, so it holds for integers too). */
function implies(c: IndexCondition, p: IndexCondition): boolean {
  const v = c.value;
  const w = p.value;
  switch (c.op) {
    case '=': return p.op === '=' ? v === w : p.op === '<' ? v < w : p.op === '<=' ? v <= w : p.op === '>' ? v > w : v >= w;
    case '<': return (p.op === '<' || p.op === '<=') && v <= w;
    case '<=': return (p.op === '<' && v < w) || (p.op === '<=' && v <= w);
    case '>': return (p.op === '>' || p.op === '>=') && v >= w;
    case '>=': return (p.op === '>' && v > w) || (p.op === '>=' && v >= w);
  }
}

/**
 * Whether a query's filter implies the index's predicate: each of its conditions follows
 * from one conjunct of the filter on the same column (`category_id = 7` implies
 * `category_id = 7` and `category_id < 10`; `id > 100` implies `id > 50`).
 */
export function impliesPredicate(filter: Expr | null | undefined, predicate: readonly IndexCondition[]): boolean {
  if (!filter) return false;
  const have = conjuncts(filter).map(condition).filter((c) => c !== undefined);
  return predicate.every((p) => have.some((c) => c.column === p.column && implies(c, p)));
}
