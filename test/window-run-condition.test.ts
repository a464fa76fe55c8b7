/**
 * The WindowAgg's Run Condition in the executor (executor/window.ts): without PARTITION BY
 * the input is not read past the first row failing it; with PARTITION BY the rest of that
 * partition is dropped and the next partition numbered again. Plans and rows against
 * PostgreSQL are in sql-tests/window_run_condition.sql.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowAgg } from '../src/executor/window.js';
import type { ExecEnv } from '../src/executor/expr.js';
import type { RunContext } from '../src/executor/operators.js';
import type { Step } from '../src/executor/suspend.js';
import type { Expr, Plan } from '../src/planner/plan.js';
import { resolveOperator } from '../src/functions/index.js';
import { T } from '../src/types/types.js';
import type { Row } from '../src/types/types.js';

const env = { params: [], outer: [], checkCancel: () => {} } as unknown as ExecEnv;
const rc = {} as RunContext;
const column = (index: number, name: string): Expr => ({ kind: 'column', type: T.int4, level: 0, index, name });

/** row_number() OVER ([PARTITION BY col 0] ORDER BY col 1) over rows (g, id), with Run Condition `rn <= limit` */
function rowNumberPlan(partitioned: boolean, limit: number, passThrough = false): Extract<Plan, { kind: 'window' }> {
  const input: Plan = { kind: 'values', schema: [{ name: 'g', type: T.int4, tableOid: 0, attnum: 0 }, { name: 'id', type: T.int4, tableOid: 0, attnum: 0 }], rows: [] } as unknown as Plan;
  const rn: Expr = { kind: 'column', type: T.int8, level: 0, index: 2, name: 'row_number' };
  const bound: Expr = { kind: 'const', type: T.int4, value: limit } as Expr;
  return {
    kind: 'window', schema: [...input.schema, { name: 'row_number', type: T.int8, tableOid: 0, attnum: 0 }], input,
    fns: [{
      kind: 'window', type: T.int8, name: 'row_number', fn: null, args: [], partitionBy: partitioned ? [column(0, 'g')] : [],
      orderBy: [{ expr: column(1, 'id'), desc: false, nullsFirst: false }],
      frame: { mode: 'range', start: { kind: 'unboundedPreceding' }, end: { kind: 'currentRow' }, exclude: 'noOthers' },
    }],
    runCondition: { kind: 'call', type: T.bool, name: '<=', fn: resolveOperator('<=', T.int8, T.int4), args: [rn, bound] },
    ...(passThrough ? { passThrough: true as const } : {}),
  };
}

function rowsOf(steps: Iterable<Step>): Row[] {
  const out: Row[] = [];
  for (const s of steps) if (Array.isArray(s)) out.push(...s);
  return out;
}

test('without PARTITION BY the window stops reading at the first row failing the Run Condition', () => {
  let batches = 0;
  // an endless input, 100 rows a batch: only a stop ends the query
  function* endless(): Generator<Step> {
    for (let b = 0; ; b++) {
      batches++;
      yield Array.from({ length: 100 }, (_, i) => [0, b * 100 + i]);
    }
  }
  const rows = rowsOf(windowAgg(rowNumberPlan(false, 150), endless(), rc, env));
  assert.deepEqual(rows.map((r) => Number(r[2])), Array.from({ length: 150 }, (_, i) => i + 1));
  assert.equal(batches, 2);
});

test('with PARTITION BY the rows after the failing one are dropped and the next partition starts again', () => {
  // three partitions (g = 0, 1, 2) of 5, 1 and 4 rows, over two batches
  const all: Row[] = [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [1, 6], [2, 7], [2, 8], [2, 9], [2, 10]];
  const rows = rowsOf(windowAgg(rowNumberPlan(true, 2), [all.slice(0, 3), all.slice(3)], rc, env));
  assert.deepEqual(rows.map((r) => [r[0], r[1], Number(r[2])]), [[0, 1, 1], [0, 2, 2], [1, 6, 1], [2, 7, 1], [2, 8, 2]]);
});

test('below the top of its stack the window hands every row on, NULL past the Run Condition, until the next partition', () => {
  const all: Row[] = [[0, 1], [0, 2], [0, 3], [1, 4], [1, 5], [1, 6]];
  const unpartitioned = rowsOf(windowAgg(rowNumberPlan(false, 2, true), [all.slice(0, 2), all.slice(2)], rc, env));
  assert.deepEqual(unpartitioned.map((r) => r[2] === null ? null : Number(r[2])), [1, 2, null, null, null, null]);
  const partitioned = rowsOf(windowAgg(rowNumberPlan(true, 2, true), [all], rc, env));
  assert.deepEqual(partitioned.map((r) => r[2] === null ? null : Number(r[2])), [1, 2, null, 1, 2, null]);
});
