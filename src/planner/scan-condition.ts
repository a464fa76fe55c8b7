/**
 * A scan's whole row condition: its filter (the query's WHERE) and, when it reads through a
 * vector index, what every row of that index satisfies (`indexQual`, see plan.ts). Every
 * path that runs a scan — the scan operator, the vector searches in this thread, in query
 * workers and on cluster query nodes (whose position bitmaps are built from it here),
 * each partition — tests rows with this, so none needs to know why a row is left out.
 */
import type { Expr, Plan } from './plan.js';
import { T } from '../types/types.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/** The filter and the index's implied conditions, as one conjunction (null: every row passes). */
export function scanCondition(scan: Scan): Expr | null {
  return conjoin([scan.filter, scan.indexQual ?? null]);
}

/**
 * The scan's condition as a vector search over `column` needs it: `column IS NOT NULL`
 * conjuncts taken out (`nonNull`), since a search leaves out NULL vectors by itself — its
 * segment bitmaps never hold them, so an unfiltered search keeps its fast path — and then
 * only has to drop the NULL-vector rows it would otherwise return last. With
 * `zeroVectors` (a dense vector search, executor/zero-vectors.ts) `norm(column) > 0`
 * conjuncts are taken out too (`nonZero`): the search leaves out zero vectors by position.
 */
export function vectorSearchCondition(scan: Scan, column: number, opts: { zeroVectors?: boolean } = {}): { condition: Expr | null; nonNull: boolean; nonZero: boolean } {
  const all = scanCondition(scan);
  if (!all) return { condition: null, nonNull: false, nonZero: false };
  const parts = conjuncts(all);
  const nonNull = parts.some((e) => isNotNullOf(e, column));
  const nonZero = opts.zeroVectors === true && parts.some((e) => isNormPositiveOf(e, column));
  const rest = parts.filter((e) => !isNotNullOf(e, column) && !(nonZero && isNormPositiveOf(e, column)));
  return { condition: rest.length === parts.length ? all : conjoin(rest), nonNull, nonZero };
}

function isColumn(e: Expr, column: number): boolean {
  return e.kind === 'column' && e.level === 0 && e.index === column;
}

function isNotNullOf(e: Expr, column: number): boolean {
  return e.kind === 'isnull' && e.negate && isColumn(e.arg, column);
}

/** vector_norm(column) > 0 or l2_norm(column) > 0 (pgvector's test before a cosine index holds a value) */
function isNormPositiveOf(e: Expr, column: number): boolean {
  if (e.kind !== 'call' || e.name !== '>' || e.args.length !== 2) return false;
  const [norm, zero] = e.args;
  return norm.kind === 'call' && (norm.name === 'vector_norm' || norm.name === 'l2_norm') && norm.args.length === 1 && isColumn(norm.args[0], column)
    && zero.kind === 'const' && zero.value === 0;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** AND of the present parts; stopOnNull as a scan's filter (a NULL part rejects the row). */
export function conjoin(parts: readonly (Expr | null)[]): Expr | null {
  const present = parts.filter((p): p is Expr => p !== null);
  if (present.length <= 1) return present[0] ?? null;
  return { kind: 'and', type: T.bool, args: present, stopOnNull: true };
}
