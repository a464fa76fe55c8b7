/**
 * The full-text search functions and operators, declared like pg_proc / pg_operator rows;
 * scalar.ts and operators.ts register them. Functions without a configuration argument use
 * default_text_search_config.
 */
import type { Value } from '../../types/types.js';
import { compareTsvectors, parseTsvector } from '../../types/tsvector.js';
import { parseTsquery } from '../../types/tsquery.js';
import type { Impl } from '../registry.js';
import type { EvalContext } from '../api.js';
import { configByOid, defaultConfig, type TextSearchConfig } from './config.js';
import { arrayToTsvector, concatTsvectors, setweight, strip, toTsvector, tsDelete, tsvectorLength, tsvectorToArray } from './vector.js';
import {
  numnode, phraseToTsquery, plainToTsquery, querytree, toTsquery, tsqueryAnd, tsqueryNot, tsqueryOr, tsqueryPhrase, websearchToTsquery,
} from './query.js';
import { matches } from './match.js';
import { tsRank, tsRankCd, weightsOf, WHOLE_VECTOR_NORMS } from './rank.js';
import { queryLexemes } from './query-lexemes.js';
import { parseRegconfig } from '../../types/regconfig.js';
import { lexize } from './debug.js';
import { bm25Unbound } from './bm25.js';
import { tsHeadline } from './headline.js';

export interface TextSearchFunction {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: Impl;
}

export interface TextSearchOperator {
  readonly sym: string;
  /** null: a prefix operator */
  readonly left: string | null;
  readonly right: string;
  readonly ret: string;
  readonly impl: Impl;
}

const current = (ctx: EvalContext): TextSearchConfig => defaultConfig(ctx.setting('default_text_search_config'));
const cfg = (v: Value): TextSearchConfig => configByOid(v as number);
const S = (v: Value): string => v as string;

type Builder = (c: TextSearchConfig, text: string, notice?: (message: string) => void) => string;
const notifier = (ctx: EvalContext): ((message: string) => void) | undefined => (ctx.notice ? (m) => ctx.notice!(m) : undefined);
const withConfig = (name: string, build: Builder, argType = 'text'): TextSearchFunction[] => [
  { name, args: ['regconfig', argType], ret: name === 'to_tsvector' ? 'tsvector' : 'tsquery', impl: ([c, t], ctx) => build(cfg(c!), S(t!), notifier(ctx)) },
  { name, args: [argType], ret: name === 'to_tsvector' ? 'tsvector' : 'tsquery', impl: ([t], ctx) => build(current(ctx), S(t!), notifier(ctx)) },
];

const rank = (score: typeof tsRank): Impl => (a) => {
  // (weights,) tsvector, tsquery (, normalization)
  const hasWeights = Array.isArray(a[0]);
  const w = weightsOf(hasWeights ? a[0]! : undefined);
  const rest = hasWeights ? a.slice(1) : a;
  const q = parseTsquery(S(rest[1]!));
  const method = (rest[2] as number | undefined) ?? 0;
  // only the query's lexemes matter unless a normalization reads the whole vector
  const named = method & WHOLE_VECTOR_NORMS ? undefined : queryLexemes(S(rest[0]!), q);
  return named ? score(w, named.lexemes, q, method, named.empty) : score(w, parseTsvector(S(rest[0]!)), q, method);
};

const rankSignatures = (name: string, score: typeof tsRank): TextSearchFunction[] => [
  { name, args: ['tsvector', 'tsquery'], ret: 'float4', impl: rank(score) },
  { name, args: ['tsvector', 'tsquery', 'int4'], ret: 'float4', impl: rank(score) },
  { name, args: ['_float4', 'tsvector', 'tsquery'], ret: 'float4', impl: rank(score) },
  { name, args: ['_float4', 'tsvector', 'tsquery', 'int4'], ret: 'float4', impl: rank(score) },
];

const matchVQ: Impl = ([v, q]) => matches(parseTsvector(S(v!)), parseTsquery(S(q!)));
const matchTQ: Impl = ([t, q], ctx) => matches(parseTsvector(toTsvector(current(ctx), S(t!))), parseTsquery(S(q!)));
const matchTT: Impl = ([t, q], ctx) => matches(parseTsvector(toTsvector(current(ctx), S(t!))), parseTsquery(plainToTsquery(current(ctx), S(q!), notifier(ctx))));

export const TEXT_SEARCH_FUNCTIONS: readonly TextSearchFunction[] = [
  ...withConfig('to_tsvector', toTsvector),
  ...withConfig('to_tsquery', toTsquery),
  ...withConfig('plainto_tsquery', plainToTsquery),
  ...withConfig('phraseto_tsquery', phraseToTsquery),
  ...withConfig('websearch_to_tsquery', websearchToTsquery),
  { name: 'setweight', args: ['tsvector', 'char'], ret: 'tsvector', impl: ([v, w]) => setweight(v!, w!) },
  { name: 'setweight', args: ['tsvector', 'char', '_text'], ret: 'tsvector', impl: ([v, w, l]) => setweight(v!, w!, l!) },
  { name: 'strip', args: ['tsvector'], ret: 'tsvector', impl: ([v]) => strip(v!) },
  { name: 'length', args: ['tsvector'], ret: 'int4', impl: ([v]) => tsvectorLength(v!) },
  { name: 'ts_delete', args: ['tsvector', 'text'], ret: 'tsvector', impl: ([v, w]) => tsDelete(v!, w!) },
  { name: 'ts_delete', args: ['tsvector', '_text'], ret: 'tsvector', impl: ([v, w]) => tsDelete(v!, w!) },
  { name: 'tsvector_to_array', args: ['tsvector'], ret: '_text', impl: ([v]) => tsvectorToArray(v!) },
  { name: 'array_to_tsvector', args: ['_text'], ret: 'tsvector', impl: ([a]) => arrayToTsvector(a!) },
  { name: 'tsvector_concat', args: ['tsvector', 'tsvector'], ret: 'tsvector', impl: ([a, b]) => concatTsvectors(a!, b!) },
  { name: 'tsvector_cmp', args: ['tsvector', 'tsvector'], ret: 'int4', impl: ([a, b]) => compareTsvectors(S(a!), S(b!)) },
  { name: 'numnode', args: ['tsquery'], ret: 'int4', impl: ([q]) => numnode(q!) },
  { name: 'ts_lexize', args: ['regdictionary', 'text'], ret: '_text', impl: ([d, w]) => lexize(d as number, S(w!)) },
  { name: 'querytree', args: ['tsquery'], ret: 'text', impl: ([q]) => querytree(q!) },
  { name: 'tsquery_phrase', args: ['tsquery', 'tsquery'], ret: 'tsquery', impl: ([a, b]) => tsqueryPhrase(a!, b!) },
  { name: 'tsquery_phrase', args: ['tsquery', 'tsquery', 'int4'], ret: 'tsquery', impl: ([a, b, d]) => tsqueryPhrase(a!, b!, d!) },
  { name: 'tsquery_and', args: ['tsquery', 'tsquery'], ret: 'tsquery', impl: ([a, b]) => tsqueryAnd(a!, b!) },
  { name: 'tsquery_or', args: ['tsquery', 'tsquery'], ret: 'tsquery', impl: ([a, b]) => tsqueryOr(a!, b!) },
  { name: 'tsquery_not', args: ['tsquery'], ret: 'tsquery', impl: ([a]) => tsqueryNot(a!) },
  { name: 'ts_match_vq', args: ['tsvector', 'tsquery'], ret: 'bool', impl: matchVQ },
  { name: 'ts_match_qv', args: ['tsquery', 'tsvector'], ret: 'bool', impl: ([q, v], ctx, t) => matchVQ([v!, q!], ctx, t) },
  { name: 'ts_match_tq', args: ['text', 'tsquery'], ret: 'bool', impl: matchTQ },
  { name: 'ts_match_tt', args: ['text', 'text'], ret: 'bool', impl: matchTT },
  { name: 'get_current_ts_config', args: [], ret: 'regconfig', impl: (_a, ctx) => parseRegconfig(ctx.setting('default_text_search_config') ?? 'pg_catalog.english') },
  ...rankSignatures('ts_rank', tsRank),
  ...rankSignatures('ts_rank_cd', tsRankCd),
  { name: 'bm25_rank', args: ['tsvector', 'tsquery'], ret: 'float4', impl: () => bm25Unbound() },
  { name: 'ts_headline', args: ['regconfig', 'text', 'tsquery'], ret: 'text', impl: ([c, t, q]) => tsHeadline(cfg(c!), S(t!), parseTsquery(S(q!))) },
  { name: 'ts_headline', args: ['regconfig', 'text', 'tsquery', 'text'], ret: 'text', impl: ([c, t, q, o]) => tsHeadline(cfg(c!), S(t!), parseTsquery(S(q!)), S(o!)) },
  { name: 'ts_headline', args: ['text', 'tsquery'], ret: 'text', impl: ([t, q], ctx) => tsHeadline(current(ctx), S(t!), parseTsquery(S(q!))) },
  { name: 'ts_headline', args: ['text', 'tsquery', 'text'], ret: 'text', impl: ([t, q, o], ctx) => tsHeadline(current(ctx), S(t!), parseTsquery(S(q!)), S(o!)) },
];

export const TEXT_SEARCH_OPERATORS: readonly TextSearchOperator[] = [
  { sym: '@@', left: 'tsvector', right: 'tsquery', ret: 'bool', impl: matchVQ },
  { sym: '@@', left: 'tsquery', right: 'tsvector', ret: 'bool', impl: ([q, v], ctx, t) => matchVQ([v!, q!], ctx, t) },
  { sym: '@@', left: 'text', right: 'tsquery', ret: 'bool', impl: matchTQ },
  { sym: '@@', left: 'text', right: 'text', ret: 'bool', impl: matchTT },
  { sym: '||', left: 'tsvector', right: 'tsvector', ret: 'tsvector', impl: ([a, b]) => concatTsvectors(a!, b!) },
  { sym: '||', left: 'tsquery', right: 'tsquery', ret: 'tsquery', impl: ([a, b]) => tsqueryOr(a!, b!) },
  { sym: '&&', left: 'tsquery', right: 'tsquery', ret: 'tsquery', impl: ([a, b]) => tsqueryAnd(a!, b!) },
  { sym: '!!', left: null, right: 'tsquery', ret: 'tsquery', impl: ([a]) => tsqueryNot(a!) },
  { sym: '<->', left: 'tsquery', right: 'tsquery', ret: 'tsquery', impl: ([a, b]) => tsqueryPhrase(a!, b!) },
  // values are canonical text, so equality is string equality; tsvector also orders (tsvector_cmp), tsquery not yet
  ...(['tsvector', 'tsquery'] as const).flatMap((t): TextSearchOperator[] => [
    { sym: '=', left: t, right: t, ret: 'bool', impl: ([a, b]) => a === b },
    { sym: '<>', left: t, right: t, ret: 'bool', impl: ([a, b]) => a !== b },
  ]),
  ...([['<', (c: number) => c < 0], ['<=', (c: number) => c <= 0], ['>', (c: number) => c > 0], ['>=', (c: number) => c >= 0]] as const).map(
    ([sym, test]): TextSearchOperator => ({ sym, left: 'tsvector', right: 'tsvector', ret: 'bool', impl: ([a, b]) => test(compareTsvectors(S(a!), S(b!))) }),
  ),
];
