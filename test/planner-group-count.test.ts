/**
 * estimate_num_groups as PostgreSQL 15 computes it (planner/selectivity.ts groupCount): the
 * cases sql-tests cannot show byte for byte (PostgreSQL computes an expression key in the
 * scan below, whose cost and width Quiver's plans do not carry). The expected counts are
 * PostgreSQL 15's for the same statistics (sql-tests/group_estimates.sql's table: 5,600
 * rows, a with 5,000 distinct values, b with 10, c with 38; checked on the reference server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupCount, type ColumnInfo } from '../src/planner/selectivity.js';
import type { Expr } from '../src/planner/plan.js';
import { T } from '../src/types/types.js';

const ROWS = 5600;
const stats = (nDistinct: number, nullFrac = 100 / ROWS) => ({ nullFrac, avgWidth: 4, nDistinct, mostCommonVals: null, mostCommonFreqs: null, histogramBounds: null, correlation: null });
const columns: ColumnInfo[] = [
  { type: T.int4, stats: stats(-5000 / ROWS), rows: ROWS, unique: false, relation: 1 },
  { type: T.int4, stats: stats(10), rows: ROWS, unique: false, relation: 1 },
  { type: T.text, stats: stats(38), rows: ROWS, unique: false, relation: 1 },
];
const lookup = (c: Extract<Expr, { kind: 'column' }>) => columns[c.index];
const col = (index: number): Expr => ({ kind: 'column', type: columns[index]!.type, level: 0, index, name: 'abc'[index]! });
const call = (name: string, type: typeof T.int4, args: Expr[], volatile = false): Expr => ({ kind: 'call', type, name, fn: { volatile } as never, args });
const num = (n: number): Expr => ({ kind: 'const', type: T.int4, value: n } as Expr);

test('an expression key counts the distinct values of the columns it reads', () => {
  // GROUP BY a % 10: PostgreSQL 5000 (a's count), where Quiver used to say 200
  assert.equal(groupCount([call('%', T.int4, [col(0), num(10)])], ROWS, lookup), 5000);
  // GROUP BY lower(c): c's 38
  assert.equal(groupCount([call('lower', T.text, [col(2)])], ROWS, lookup), 38);
});

test('several columns of one relation: at most a tenth of its rows, never below the largest count', () => {
  // GROUP BY b % 3, c: 10 × 38 = 380 (under 560)
  assert.equal(groupCount([call('%', T.int4, [col(1), num(3)]), col(2)], ROWS, lookup), 380);
  // GROUP BY a + b: 5000 × 10 clamped to 560, then raised to a's 5000
  assert.equal(groupCount([call('+', T.int4, [col(0), col(1)])], ROWS, lookup), 5000);
  // a column read by two keys counts once: GROUP BY b, b + 1
  assert.equal(groupCount([col(1), call('+', T.int4, [col(1), num(1)])], ROWS, lookup), 10);
});

test('a boolean key counts 2, a constant 1, a volatile expression makes every row a group', () => {
  assert.equal(groupCount([call('>', T.bool, [col(0), num(5)])], ROWS, lookup), 2);
  assert.equal(groupCount([{ kind: 'const', type: T.text, value: 'x' } as Expr, col(1)], ROWS, lookup), 10);
  assert.equal(groupCount([call('random', T.float8, [], true)], ROWS, lookup), ROWS);
});
