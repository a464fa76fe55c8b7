/**
 * Partition pruning with an operator over an array (planner/partition-pruning.ts): `= ANY`
 * of a $n array prunes when the statement runs, and the executor's scan then reads only
 * the partitions kept (a storage that records the tables scanned); plan-time pruning of
 * ARRAY[…], IN, <> ALL on list partitions, and ranges. Plans against PostgreSQL are in
 * sql-tests/partition_dml_explain.sql.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Catalog, TableDef } from '../src/catalog/catalog.js';
import type { PartitionBound } from '../src/catalog/partitions.js';
import { runPlan, type RunContext } from '../src/executor/operators.js';
import type { ExecEnv } from '../src/executor/expr.js';
import { resolveOperator } from '../src/functions/index.js';
import { constantValue, prunePartitions } from '../src/planner/partition-pruning.js';
import type { Expr, Plan } from '../src/planner/plan.js';
import { T, type Row, type SqlType, type Value } from '../src/types/types.js';

function table(oid: number, name: string, type: SqlType, extra: Partial<TableDef>): TableDef {
  return { oid, name, schema: 'public', kind: 'r', columns: [{ name: 'k', type }], indexes: [], constraints: [], rowTypeOid: 0, ...extra } as unknown as TableDef;
}

/** a parent partitioned by `strategy` on its one column k, with a partition per bound */
function partitioned(strategy: 'range' | 'list' | 'hash', type: SqlType, bounds: PartitionBound[]): { catalog: Catalog; parent: TableDef; parts: TableDef[] } {
  const parent = table(100, 'p', type, { kind: 'p', partition: { strategy, columns: [0] } });
  const parts = bounds.map((bound, i) => table(101 + i, `p${i + 1}`, type, { partitionOf: { parent: 100, bound } }));
  const catalog = { tables: new Map([parent, ...parts].map((t) => [t.oid, t])) } as unknown as Catalog;
  return { catalog, parent, parts };
}

const key = (type: SqlType): Expr => ({ kind: 'column', type, level: 0, index: 0, name: 'k' });
const arrayOf = (type: SqlType): SqlType => (type.oid === T.int4.oid ? T._int4 : T._text);
const quantified = (op: string, all: boolean, type: SqlType, right: Expr): Expr => ({ kind: 'anyall', type: T.bool, all, left: key(type), right, fn: resolveOperator(op, type, type), op });
const constArray = (type: SqlType, values: Value[]): Expr => ({ kind: 'const', type: arrayOf(type), value: values });
const arrayCtor = (type: SqlType, values: Value[]): Expr => ({ kind: 'array', type: arrayOf(type), elems: values.map((value) => ({ kind: 'const', type, value }) as Expr) });
const kept = (t: ReturnType<typeof partitioned>, filter: Expr) => prunePartitions(t.catalog, t.parent, filter, constantValue).map((p) => p.name);

const RANGES: PartitionBound[] = [
  { kind: 'range', from: [{ value: 0 }], to: [{ value: 500 }] },
  { kind: 'range', from: [{ value: 500 }], to: [{ value: 1000 }] },
  { kind: 'range', from: [{ value: 1000 }], to: ['maxvalue'] },
];

test('= ANY of an ARRAY[…] or a constant array keeps the union of each element\'s range partitions', () => {
  const t = partitioned('range', T.int4, RANGES);
  assert.deepEqual(kept(t, quantified('=', false, T.int4, arrayCtor(T.int4, [1, 2, 3]))), ['p1']);
  assert.deepEqual(kept(t, quantified('=', false, T.int4, constArray(T.int4, [1, 1500]))), ['p1', 'p3']);
  assert.deepEqual(kept(t, quantified('=', false, T.int4, constArray(T.int4, [null, 700]))), ['p2']);
  assert.deepEqual(kept(t, quantified('=', false, T.int4, constArray(T.int4, []))), []);
  // < ANY: below the largest element; > ALL: above the largest
  assert.deepEqual(kept(t, quantified('<', false, T.int4, constArray(T.int4, [3, 600]))), ['p1', 'p2']);
  assert.deepEqual(kept(t, quantified('>', true, T.int4, constArray(T.int4, [3, 600]))), ['p2', 'p3']);
  // ALL over a NULL element is never true
  assert.deepEqual(kept(t, quantified('=', true, T.int4, constArray(T.int4, [3, null]))), []);
  // equalities outside a range limit on the same key match nothing
  const below400: Expr = { kind: 'call', type: T.bool, name: '<', fn: resolveOperator('<', T.int4, T.int4), args: [key(T.int4), { kind: 'const', type: T.int4, value: 400 }] } as Expr;
  assert.deepEqual(kept(t, { kind: 'and', type: T.bool, args: [quantified('=', false, T.int4, constArray(T.int4, [3, 800])), below400] } as Expr), ['p1']);
});

test('<> ALL (NOT IN) removes the list partitions holding only excluded values, the default stays', () => {
  const t = partitioned('list', T.text, [
    { kind: 'list', values: ['a', 'b'] }, { kind: 'list', values: ['c'] }, { kind: 'list', values: ['d', null] }, { kind: 'default' },
  ]);
  assert.deepEqual(kept(t, quantified('<>', true, T.text, constArray(T.text, ['a', 'b', 'c']))), ['p3', 'p4']);
  assert.deepEqual(kept(t, quantified('<>', true, T.text, constArray(T.text, ['a']))), ['p1', 'p2', 'p3', 'p4']);
  assert.deepEqual(kept(t, quantified('=', false, T.text, arrayCtor(T.text, ['b', 'zz']))), ['p1', 'p4']);
  assert.deepEqual(kept(t, quantified('=', false, T.text, arrayCtor(T.text, ['b', 'c']))), ['p1', 'p2']);
});

test('= ANY on a hash partitioned table keeps the partitions the elements hash to', () => {
  const t = partitioned('hash', T.int4, [0, 1, 2].map((remainder) => ({ kind: 'hash', modulus: 3, remainder })));
  // PostgreSQL 15 places 1 in remainder 0, 3 in 1 and 2 in 2 (sql-tests/partition_dml_explain.out)
  assert.deepEqual(kept(t, quantified('=', false, T.int4, constArray(T.int4, [3]))), ['p2']);
  assert.deepEqual(kept(t, quantified('=', false, T.int4, constArray(T.int4, [1, 2]))), ['p1', 'p3']);
});

test('= ANY ($1) prunes when the statement runs: the scan reads only the partitions kept', () => {
  const t = partitioned('range', T.int4, RANGES);
  const rows: Record<number, Row[]> = { 101: [[1], [499]], 102: [[500], [700]], 103: [[1000], [5000]] };
  const scanned: number[] = [];
  const storage = {
    *scan(oid: number) {
      scanned.push(oid);
      yield { rowIds: rows[oid]!.map((_, i) => i), rows: rows[oid]! };
    },
  };
  const rc = { storage, system: { catalog: t.catalog }, cteResults: new Map() } as unknown as RunContext;
  const filter = quantified('=', false, T.int4, { kind: 'param', type: T._int4, index: 0 });
  const plan = { kind: 'scan', schema: [{ name: 'k', type: T.int4, tableOid: 100, attnum: 1 }], table: t.parent, filter, partitions: t.parts } as unknown as Plan;
  const run = (array: Value) => {
    scanned.length = 0;
    const env = { params: [array], outer: [], checkCancel: () => {} } as unknown as ExecEnv;
    const out: Value[] = [];
    for (const step of runPlan(plan, rc, env)) if (Array.isArray(step)) out.push(...step.map((r) => r[0]));
    return out;
  };
  assert.deepEqual(run([700, 5000]), [700, 5000]);
  assert.deepEqual(scanned, [102, 103]);
  assert.deepEqual(run([1, 499]), [1, 499]);
  assert.deepEqual(scanned, [101]);
  assert.deepEqual(run([]), []);
  assert.deepEqual(scanned, []);
  // an unknown (NULL) array prunes nothing, and matches nothing
  assert.deepEqual(run(null), []);
  assert.deepEqual(scanned, [101, 102, 103]);
});
