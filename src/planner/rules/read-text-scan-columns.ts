/**
 * Bitmap Heap Scan over a GIN index: decode only the columns the query reads
 *
 *   SELECT id FROM docs, plainto_tsquery('english', $1) q
 *     WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 10
 *
 * Every candidate the index hands on is ranked, but only `id` and `tsv` are read: decoding
 * each candidate's whole row (its `body` text too) was 16 % of this query's server CPU
 * (60k man-page paragraphs, --cpu-prof). Walking down from the root through Project, Filter,
 * Sort, Top-K and Limit — the nodes whose input columns are exactly what their expressions
 * and their parent read — the scan learns the columns anyone above it reads
 * (`textLookup.columns`); a sealed segment then decodes only those, the others stay NULL.
 * Anything else on the way (a join, an aggregate, a subquery that might read the row) keeps
 * whole rows. Runs once over the whole plan after the rewrite rules.
 */
import type { Expr, Plan } from '../plan.js';
import { mapExpr } from '../expr-walk.js';

export function readTextScanColumns(plan: Plan): Plan {
  return narrow(plan, null);
}

/** `needed`: the output columns of `plan` its parent reads (null: all of them) */
function narrow(plan: Plan, needed: Set<number> | null): Plan {
  switch (plan.kind) {
    case 'project': {
      const exprs = needed ? plan.exprs.filter((_, i) => needed.has(i)) : plan.exprs;
      return { ...plan, input: narrow(plan.input, columnsOf(exprs)) };
    }
    case 'filter':
      return { ...plan, input: narrow(plan.input, union(needed, columnsOf([plan.predicate]))) };
    case 'sort':
      return { ...plan, input: narrow(plan.input, union(needed, columnsOf(plan.keys.map((k) => k.expr)))) };
    case 'topk': {
      if (plan.vectorSearch) return plan;
      const limits = [plan.limit, plan.offset].filter((e): e is Expr => e !== null);
      return { ...plan, input: narrow(plan.input, union(needed, columnsOf([...plan.keys.map((k) => k.expr), ...limits]))) };
    }
    case 'limit':
      return { ...plan, input: narrow(plan.input, union(needed, columnsOf([plan.limit, plan.offset].filter((e): e is Expr => e !== null)))) };
    case 'scan': {
      const lookup = plan.textLookup;
      if (!lookup || plan.partitions || !needed) return plan;
      const read = union(needed, columnsOf(plan.filter ? [plan.filter] : []));
      if (!read) return plan;
      const width = plan.table.columns.length;
      const columns = [...read].filter((c) => c < width).sort((a, b) => a - b);
      return columns.length === width ? plan : { ...plan, textLookup: { ...lookup, columns } };
    }
    default:
      return plan;
  }
}

function union(a: Set<number> | null, b: Set<number> | null): Set<number> | null {
  return a && b ? new Set([...a, ...b]) : null;
}

/** the input columns these expressions read, or null when one might read more (a subquery, an aggregate) */
function columnsOf(exprs: readonly Expr[]): Set<number> | null {
  const out = new Set<number>();
  let unknown = false;
  for (const e of exprs) {
    mapExpr(e, (x) => {
      if (x.kind === 'column' && x.level === 0) out.add(x.index);
      else if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'agg' || x.kind === 'window') unknown = true;
      return undefined;
    });
  }
  return unknown ? null : out;
}
