/**
 * bm25_rank(key, query) → bm25_rank over the corpus of key's table
 *
 *   SELECT id, bm25_rank(tsv, q) FROM docs WHERE tsv @@ q ORDER BY 2 DESC LIMIT 10
 *
 * BM25 needs corpus statistics (row count, mean length, rows per lexeme) of the table the
 * tsvector comes from. Where the key is a column of a table scan — or to_tsvector('config',
 * a text column) — seen through projections, filters, sorts and limits, the call gets a
 * function tied to that (table, column, config): the executor supplies the statistics at the
 * statement's snapshot (executor/text-corpus.ts). Over a partitioned table the corpus is the
 * whole table (every partition, whatever the WHERE prunes), as over a plain table. Other
 * calls keep the unbound function, which refuses to run.
 */
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { OID } from '../../types/types.js';
import { mapExpr } from '../expr-walk.js';
import { bm25RankOf } from '../../functions/text-search/bm25.js';

/** the table column a level-0 column reference of this plan's output reads, if it is one */
function sourceColumn(plan: Plan, index: number): { table: number; column: number } | undefined {
  switch (plan.kind) {
    // a partitioned table: its partitions' rows share its columns, and its corpus is all of them
    case 'scan':
      return index < plan.table.columns.length ? { table: plan.table.oid, column: index } : undefined;
    case 'filter': case 'sort': case 'topk': case 'limit': case 'distinct':
      return sourceColumn(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      return e?.kind === 'column' && e.level === 0 ? sourceColumn(plan.input, e.index) : undefined;
    }
    default: return undefined;
  }
}

/** the corpus key of bm25_rank's first argument over `input` */
function corpusOf(input: Plan, key: Expr): { table: number; column: number; config: number | undefined } | undefined {
  if (key.kind === 'column' && key.level === 0 && key.type.oid === OID.tsvector) {
    const src = sourceColumn(input, key.index);
    return src && { ...src, config: undefined };
  }
  if (key.kind === 'call' && key.name === 'to_tsvector' && key.args.length === 2) {
    const [cfg, col] = key.args;
    if (cfg.kind !== 'const' || cfg.type.oid !== OID.regconfig || col.kind !== 'column' || col.level !== 0) return undefined;
    const src = sourceColumn(input, col.index);
    return src && { ...src, config: cfg.value as number };
  }
  return undefined;
}

function bind(e: Expr, input: Plan): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== 'call' || x.name !== 'bm25_rank' || x.args.length !== 2 || x.fn.argTypes[0]?.oid !== OID.tsvector) return undefined;
    const corpus = corpusOf(input, x.args[0]);
    return corpus ? { ...x, args: x.args.map((a) => bind(a, input)), fn: bm25RankOf(corpus.table, corpus.column, corpus.config) } : undefined;
  });
}

function mentions(e: Expr | null): boolean {
  let found = false;
  if (e) mapExpr(e, (x) => { if (x.kind === 'call' && x.name === 'bm25_rank') found = true; return undefined; });
  return found;
}

export const bindBm25Corpus: Rule = {
  name: 'bind-bm25-corpus',
  apply(plan) {
    switch (plan.kind) {
      case 'project':
        return plan.exprs.some(mentions) ? { ...plan, exprs: plan.exprs.map((e) => bind(e, plan.input)) } : undefined;
      case 'sort': case 'topk':
        return plan.keys.some((k) => mentions(k.expr)) ? { ...plan, keys: plan.keys.map((k) => ({ ...k, expr: bind(k.expr, plan.input) })) } as Plan : undefined;
      case 'filter':
        return mentions(plan.predicate) ? { ...plan, predicate: bind(plan.predicate, plan.input) } : undefined;
      case 'scan':
        return mentions(plan.filter) ? { ...plan, filter: bind(plan.filter!, { ...plan, filter: null }) } : undefined;
      default: return undefined;
    }
  },
};
