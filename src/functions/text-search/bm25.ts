/**
 * bm25_rank(tsvector, tsquery) → float4: Okapi BM25 with k1 = 1.2, b = 0.75 over the
 * corpus of the table the tsvector comes from (its live rows at the statement's snapshot):
 *
 *   score(D, Q) = Σ over the terms t of Q:  IDF(t) × tf × (k1 + 1) / (tf + k1 × (1 − b + b × |D| / avgdl))
 *   IDF(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
 *
 * terms of Q: its distinct operands outside any ! (a prefix operand foo:* is one term: tf
 * sums the frequencies of D's lexemes starting with foo, n(t) counts rows holding any);
 * tf: the lexeme's position count in D (1 for a lexeme without positions); |D|: the sum of
 * tf over D's lexemes; avgdl, N, n(t): over the rows whose tsvector is not NULL. Weights
 * and phrase operators are not scored (a phrase's operands count as terms).
 */
import { SqlError, SqlState } from '../../errors.js';
import { parseTsvector, type TsVector } from '../../types/tsvector.js';
import { parseTsquery, type QueryNode, type TsQuery } from '../../types/tsquery.js';
import { findLexemes } from './match.js';
import type { EvalContext, ScalarFunction, TextCorpus } from '../api.js';
import type { Value } from '../../types/types.js';
import { OID } from '../../types/types.js';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export interface Term { readonly word: string; readonly prefix: boolean }

/** the distinct operands of the query outside any ! */
export function bm25Terms(q: TsQuery): Term[] {
  const out = new Map<string, Term>();
  const walk = (n: QueryNode): void => {
    switch (n.type) {
      case 'val': out.set(`${n.prefix ? '*' : ''}${n.word}`, { word: n.word, prefix: n.prefix }); return;
      case 'and': case 'or': case 'phrase': walk(n.left); walk(n.right); return;
      default: return;
    }
  };
  if (q) walk(q);
  return [...out.values()];
}

/** IDF of a term held by n of the corpus' rows */
export const bm25Idf = (corpus: TextCorpus, n: number): number => Math.log(1 + (corpus.docs - n + 0.5) / (n + 0.5));
/** k1 × (1 − b + b × |D| / avgdl) */
export const bm25Norm = (corpus: TextCorpus, dl: number): number => BM25_K1 * (1 - BM25_B + BM25_B * (corpus.avgLength > 0 ? dl / corpus.avgLength : 0));
/** one term's share (the top-k pruning in executor/bm25-top-k.ts adds the same shares in the same order) */
export const bm25Share = (idf: number, tf: number, norm: number): number => idf * (tf * (BM25_K1 + 1)) / (tf + norm);

export function bm25Score(v: TsVector, q: TsQuery, corpus: TextCorpus): number {
  if (corpus.docs === 0) return 0;
  let dl = 0;
  for (const l of v) dl += Math.max(1, l.pos.length);
  const norm = bm25Norm(corpus, dl);
  let score = 0;
  for (const t of bm25Terms(q)) {
    let tf = 0;
    for (const l of findLexemes(v, { type: 'val', word: t.word, prefix: t.prefix, weight: 0 })) tf += Math.max(1, l.pos.length);
    if (tf === 0) continue;
    score += bm25Share(bm25Idf(corpus, corpus.documents(t.word, t.prefix)), tf, norm);
  }
  return Math.fround(score);
}

/** bm25_rank as the user calls it, before the planner tied it to a table (planner/rules/bind-bm25-corpus.ts) */
export function bm25Unbound(): Value {
  throw new SqlError(SqlState.featureNotSupported, 'bm25_rank needs a tsvector column of a table (or to_tsvector of a text column) as its first argument',
    { hint: 'Call it in a query over that table, e.g. SELECT bm25_rank(tsv, q) FROM docs.' });
}

export interface CorpusKey { readonly table: number; readonly column: number; readonly config: number | undefined }

/** the corpus a bm25_rank function was tied to (undefined: not a bound bm25_rank) */
export function bm25CorpusOf(fn: ScalarFunction): CorpusKey | undefined {
  return (fn as ScalarFunction & { bm25Corpus?: CorpusKey }).bm25Corpus;
}

/** bm25_rank over the corpus of one table's tsvector key */
export function bm25RankOf(table: number, column: number, config: number | undefined): ScalarFunction {
  const fn: ScalarFunction & { bm25Corpus: CorpusKey } = {
    bm25Corpus: { table, column, config },
    kind: 'scalar',
    argTypes: [{ oid: OID.tsvector, typmod: -1 }, { oid: OID.tsquery, typmod: -1 }],
    returnType: { oid: OID.float4, typmod: -1 },
    strict: true,
    volatile: false,
    impl([v, q]: readonly Value[], ctx: EvalContext): Value {
      const corpus = ctx.textCorpus?.(table, column, config);
      if (!corpus) return bm25Unbound();
      return bm25Score(parseTsvector(v as string), parseTsquery(q as string), corpus);
    },
  };
  return fn;
}
