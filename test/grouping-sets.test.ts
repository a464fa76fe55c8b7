/**
 * sql/grouping-sets.ts's expansion (PostgreSQL's expand_grouping_sets) and
 * rules/sort-grouping-rollup.ts's chain test, on GROUP BY clauses as the parser gives them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser, parseSql, type RawNode } from '../src/sql/parser.js';
import { expandGroupingSets, uniqueSets } from '../src/sql/grouping-sets.js';
import { rollupOrder } from '../src/planner/rules/sort-grouping-rollup.js';

/** The sets of `GROUP BY <clause>`, each as its column names. */
async function sets(clause: string): Promise<string[][]> {
  await loadParser();
  const stmt = parseSql(`SELECT 1 FROM t GROUP BY ${clause}`)[0]!.node as RawNode;
  const name = (n: RawNode) => n.ColumnRef.fields.map((f: RawNode) => f.String.sval).join('.');
  return expandGroupingSets(stmt.SelectStmt.groupClause).map((s) => s.map(name));
}

test('ROLLUP, CUBE and GROUPING SETS expand as PostgreSQL lists them', async () => {
  assert.deepEqual(await sets('ROLLUP (a, b)'), [['a', 'b'], ['a'], []]);
  assert.deepEqual(await sets('CUBE (a, b)'), [['a', 'b'], ['a'], ['b'], []]);
  assert.deepEqual(await sets('GROUPING SETS ((a, b), (a), ())'), [['a', 'b'], ['a'], []]);
  assert.deepEqual(await sets('ROLLUP (a, (b, c))'), [['a', 'b', 'c'], ['a'], []]);
  assert.deepEqual(await sets('GROUPING SETS (a, ROLLUP (b))'), [['a'], ['b'], []]);
});

test('top-level items combine as a cross product', async () => {
  assert.deepEqual(await sets('a, ROLLUP (b, c)'), [['a', 'b', 'c'], ['a', 'b'], ['a']]);
  assert.deepEqual(await sets('ROLLUP (a), CUBE (b)'), [['a', 'b'], ['a'], ['b'], []]);
  assert.deepEqual(await sets('a, ()'), [['a']]);
});

test('GROUP BY DISTINCT drops sets equal as sets of expressions', () => {
  assert.deepEqual(uniqueSets([[0, 1], [1, 0], [0], [0], []]), [[0, 1], [0], []]);
});

test('a chain of sets gives the sort order that makes each a prefix; others none', () => {
  assert.deepEqual(rollupOrder([[1, 0], [1], []]), [1, 0]);
  assert.deepEqual(rollupOrder([[0, 1, 2], [0], [], []]), [0, 1, 2]);
  assert.equal(rollupOrder([[0, 1], [0], [1], []]), undefined);
  assert.equal(rollupOrder([[0], [1]]), undefined);
});
