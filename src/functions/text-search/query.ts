/**
 * Building and combining tsqueries (to_tsquery.c, tsquery_op.c, tsquery_cleanup.c):
 * to_tsquery, plainto_tsquery, phraseto_tsquery and websearch_to_tsquery run each operand
 * through the configuration (pushval_morph), then && || !! <->, numnode and querytree.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Value } from '../../types/types.js';
import { formatTsquery, parseQueryText, parseTsquery, queryNodeCount, type Operator, type PushValue, type QueryNode, type TsQuery } from '../../types/tsquery.js';
import { MAX_ENTRY_POS } from '../../types/tsvector.js';
import { parseText } from './vector.js';
import type { TextSearchConfig } from './config.js';

/**
 * pushval_morph: the operand's lexemes in order; lexemes of one token are ANDed (variants
 * ORed), consecutive tokens are joined with `op` (distance 1), and removed stop words leave
 * placeholders so phrase distances stay right.
 */
function morph(cfg: TextSearchConfig, op: Operator): PushValue {
  return (b, text, weight, prefix) => {
    const words = parseText(cfg, text);
    if (words.length === 0) {
      b.pushStop();
      return;
    }
    let pos = 0, cntpos = 0, k = 0;
    while (k < words.length) {
      if (pos > 0 && pos + 1 < words[k]!.pos) {
        while (pos + 1 < words[k]!.pos) {
          b.pushStop();
          if (cntpos) b.pushOperator(op, 1);
          cntpos++;
          pos++;
        }
      }
      pos = words[k]!.pos;
      let cnt = 0;
      while (k < words.length && words[k]!.pos === pos) {
        b.pushValue(words[k]!.word, weight, prefix);
        if (cnt) b.pushOperator('and');
        cnt++;
        k++;
      }
      if (cntpos) b.pushOperator(op, 1);
      cntpos++;
    }
  };
}

/** `notice`: where PostgreSQL's NOTICEs about an empty query go */
type Notice = ((message: string) => void) | undefined;
export const toTsquery = (cfg: TextSearchConfig, text: string, notice?: Notice): string => formatTsquery(parseQueryText(text, morph(cfg, 'phrase'), 'standard', notice));
export const plainToTsquery = (cfg: TextSearchConfig, text: string, notice?: Notice): string => formatTsquery(parseQueryText(text, morph(cfg, 'and'), 'plain', notice));
export const phraseToTsquery = (cfg: TextSearchConfig, text: string, notice?: Notice): string => formatTsquery(parseQueryText(text, morph(cfg, 'phrase'), 'plain', notice));
export const websearchToTsquery = (cfg: TextSearchConfig, text: string, notice?: Notice): string => formatTsquery(parseQueryText(text, morph(cfg, 'phrase'), 'web', notice));

const Q = (v: Value): TsQuery => parseTsquery(v as string);

export function tsqueryAnd(a: Value, b: Value): string {
  const x = Q(a), y = Q(b);
  if (!x) return b as string;
  if (!y) return a as string;
  return formatTsquery({ type: 'and', left: x, right: y });
}

export function tsqueryOr(a: Value, b: Value): string {
  const x = Q(a), y = Q(b);
  if (!x) return b as string;
  if (!y) return a as string;
  return formatTsquery({ type: 'or', left: x, right: y });
}

export function tsqueryNot(a: Value): string {
  const x = Q(a);
  return x ? formatTsquery({ type: 'not', arg: x }) : (a as string);
}

export function tsqueryPhrase(a: Value, b: Value, distance: Value = 1): string {
  const d = distance as number;
  if (d < 0 || d > MAX_ENTRY_POS) {
    throw new SqlError(SqlState.invalidParameterValue, `distance in phrase operator must be an integer value between zero and ${MAX_ENTRY_POS} inclusive`);
  }
  const x = Q(a), y = Q(b);
  if (!x) return b as string;
  if (!y) return a as string;
  return formatTsquery({ type: 'phrase', left: x, right: y, distance: d });
}

export function numnode(a: Value): number {
  return queryNodeCount(Q(a));
}

/** clean_NOT: drop negated branches; what is left is what an index could search */
function withoutNot(n: QueryNode): QueryNode | null {
  switch (n.type) {
    case 'val': case 'stop': return n;
    case 'not': return null;
    case 'or': {
      const l = withoutNot(n.left), r = withoutNot(n.right);
      return l && r ? { type: 'or', left: l, right: r } : null;
    }
    default: {
      const l = withoutNot(n.left), r = withoutNot(n.right);
      if (!l) return r;
      if (!r) return l;
      return n.type === 'phrase' ? { type: 'phrase', left: l, right: r, distance: n.distance } : { type: 'and', left: l, right: r };
    }
  }
}

export function querytree(a: Value): string {
  const q = Q(a);
  if (!q) return '';
  const r = withoutNot(q);
  return r ? formatTsquery(r) : 'T';
}
