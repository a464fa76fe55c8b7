/**
 * ts_rank and ts_rank_cd read only the query's lexemes out of a stored tsvector's text
 * (functions/text-search/query-lexemes.ts): over generated tsvectors (weights, lexemes with
 * quotes, backslashes, spaces and other lexemes' names inside them, no positions) and
 * queries (&, |, !, <->, weights, repeated words), every score equals the score over the
 * fully parsed tsvector, for each normalization.
 */
import { seededRandom } from '../bench/util.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryLexemes } from '../src/functions/text-search/query-lexemes.js';
import { tsRank, tsRankCd, weightsOf } from '../src/functions/text-search/rank.js';
import { formatTsvector, parseTsvector, type TsVector } from '../src/types/tsvector.js';
import { formatTsquery, parseTsquery, type QueryNode } from '../src/types/tsquery.js';

const WORDS = ['cat', 'dog', "it's", "a'cat", "x 'dog", 'back\\slash', 'x cat', "x 'cat'", 'cat dog', 'catalog', 'ca', 'dogs', 'é', 'zz'];

test('scores from the query\'s lexemes equal scores from the whole tsvector', () => {
  const r = seededRandom(3);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)]!;
  const weights = weightsOf(undefined);
  let fast = 0;
  for (let i = 0; i < 3000; i++) {
    // a canonical tsvector text: sorted, unique lexemes, some without positions
    const words = [...new Set(Array.from({ length: Math.floor(r() * 6) }, pick))];
    const v: TsVector = words.map((word) => ({
      word, pos: r() < 0.2 ? [] : [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => 1 + Math.floor(r() * 40)))].sort((a, b) => a - b).map((p) => p | (Math.floor(r() * 4) << 14)),
    }));
    const text = formatTsvector(parseTsvector(formatTsvector([...v].sort((a, b) => (a.word < b.word ? -1 : 1)))));
    const leaf = (): QueryNode => ({ type: 'val', word: pick(), weight: r() < 0.2 ? 1 << Math.floor(r() * 4) : 0, prefix: false });
    const node = (depth: number): QueryNode => {
      if (depth === 0 || r() < 0.3) return leaf();
      const k = r();
      if (k < 0.1) return { type: 'not', arg: node(depth - 1) };
      return k < 0.5 ? { type: 'and', left: node(depth - 1), right: node(depth - 1) }
        : k < 0.8 ? { type: 'or', left: node(depth - 1), right: node(depth - 1) }
          : { type: 'phrase', left: node(depth - 1), right: node(depth - 1), distance: 1 } as QueryNode;
    };
    const q = parseTsquery(formatTsquery(node(3)));
    const whole = parseTsvector(text);
    const named = queryLexemes(text, q);
    if (!named) continue;
    fast++;
    for (const method of [0, 4, 32, 36]) {
      assert.equal(tsRank(weights, named.lexemes, q, method, named.empty), tsRank(weights, whole, q, method), `ts_rank(${text}, ${formatTsquery(q)}, ${method})`);
      assert.equal(tsRankCd(weights, named.lexemes, q, method), tsRankCd(weights, whole, q, method), `ts_rank_cd(${text}, ${formatTsquery(q)}, ${method})`);
    }
  }
  assert.ok(fast > 500, `${fast} queries took the fast path`);
  // a prefix query needs the whole vector
  assert.equal(queryLexemes("'cat':1", parseTsquery("'ca':*")), undefined);
});
