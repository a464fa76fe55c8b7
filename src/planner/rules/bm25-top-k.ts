/**
 * TopK(bm25_rank(key, query) DESC …) over [Project over] Scan → the scan prunes by score
 *
 *   SELECT id, bm25_rank(tsv, q) AS s FROM docs ORDER BY s DESC LIMIT 10
 *
 * The scan's sealed segments then hand on only rows that can be among the first
 * limit + offset (their scores summed term by term from the inverted lists,
 * executor/bm25-top-k.ts); the Top-K still evaluates and orders them exactly. Runs after
 * bind-bm25-corpus, which tied the call to the scan's table.
 */
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { bm25CorpusOf } from '../../functions/text-search/bm25.js';
import { isValue } from './use-key-lookup.js';

/** the bm25_rank call a sort key computes, looking through a projection */
function rankCall(key: Expr, input: Plan): { call: Extract<Expr, { kind: 'call' }>; scanParent: Plan } | undefined {
  if (key.kind === 'call' && key.name === 'bm25_rank') return { call: key, scanParent: input };
  if (key.kind === 'column' && key.level === 0 && input.kind === 'project') {
    const e = input.exprs[key.index];
    if (e?.kind === 'call' && e.name === 'bm25_rank') return { call: e, scanParent: input.input };
  }
  return undefined;
}

export const bm25TopK: Rule = {
  name: 'bm25-top-k',
  apply(plan) {
    if (plan.kind !== 'topk' || !plan.limit || plan.keys.length === 0 || !plan.keys[0].desc) return undefined;
    const found = rankCall(plan.keys[0].expr, plan.input);
    if (!found) return undefined;
    const scan = found.scanParent;
    const corpus = bm25CorpusOf(found.call.fn);
    // (a partitioned table's scan: each partition's segments prune with the whole table's corpus)
    if (!corpus || scan.kind !== 'scan' || scan.keyLookup || scan.bm25TopK || scan.table.oid !== corpus.table) return undefined;
    const [key, query] = found.call.args;
    // the call must read the scan's own column (not another level's), with one query for the whole execution
    const col = key.kind === 'call' ? key.args[1] : key;
    if (col?.kind !== 'column' || col.level !== 0 || col.index !== corpus.column || !isValue(query)) return undefined;
    const pruned: Plan = { ...scan, bm25TopK: { column: corpus.column, config: corpus.config, query, limit: plan.limit, offset: plan.offset } };
    if (plan.input === scan) return { ...plan, input: pruned };
    if (plan.input.kind === 'project' && plan.input.input === scan) return { ...plan, input: { ...plan.input, input: pruned } };
    return undefined;
  },
};
