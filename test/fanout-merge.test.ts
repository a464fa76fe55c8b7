/**
 * The fan-out merge on its own, with shard answers written by hand: the corners a
 * two-server run rarely reaches — NaN and NULL placement in PostgreSQL's sort order, a sum
 * of partial sums that leaves bigint, numeric avg digits from partial sums and counts,
 * DISTINCT of values that compare equal but are written differently, no rows at all.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as libpg from 'libpg-query';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import type { FanoutPlan, ShardedTable, ShardResult } from '../src/cluster/router/fanout-api.js';
import { SqlError } from '../src/errors.js';
import { OID, type Value } from '../src/types/types.js';
import type { FieldInfo } from '../src/wire/backend.js';

before(() => libpg.loadModule());

const items: ShardedTable = { schema: 'public', name: 'items', oid: 1, keyColumns: ['id'] };
const tableOf = (_s: string | undefined, name: string) => (name === 'items' ? items : undefined);

function plan(sql: string): FanoutPlan {
  const p = planFanout(sql, libpg.parseSync(sql), tableOf);
  if (p instanceof SqlError) assert.fail(`${sql}: ${p.message}`);
  return p;
}

const field = (name: string, oid: number): FieldInfo => ({ name, type: { oid, typmod: -1 }, tableOid: 0, columnAttr: 0 });
const shard = (fields: FieldInfo[], rows: Value[][]): ShardResult => ({ fields, rows });

test('floats sort as PostgreSQL orders them: NaN above every number, NULLS LAST ascending and FIRST descending', () => {
  const f = [field('x', OID.float8)];
  const asc = plan('SELECT x FROM items ORDER BY x LIMIT 10');
  const parts = [shard(f, [[NaN], [1], [null]]), shard(f, [[-Infinity], [null], [0.5]])];
  assert.deepEqual(asc.merge(parts).rows.map((r) => r[0]), [-Infinity, 0.5, 1, NaN, null, null]);
  const desc = plan('SELECT x FROM items ORDER BY x DESC LIMIT 3');
  assert.deepEqual(desc.merge(parts).rows.map((r) => r[0]), [null, null, NaN]);
  const last = plan('SELECT x FROM items ORDER BY x DESC NULLS LAST OFFSET 1');
  assert.deepEqual(last.merge(parts).rows.map((r) => r[0]), [1, 0.5, -Infinity, null, null]);
});

test('partial sums that leave bigint are 22003, as one server\'s sum(int4) would be', () => {
  const p = plan('SELECT sum(qty) FROM items');
  const f = [field('sum', OID.int8)];
  assert.throws(() => p.merge([shard(f, [[2n ** 62n]]), shard(f, [[2n ** 62n]])]), (e: unknown) => e instanceof SqlError && e.code === '22003');
  assert.deepEqual(p.merge([shard(f, [[5n]]), shard(f, [[null]])]).rows, [[5n]]);
});

test('numeric avg is numeric_div of the summed partial sums by the summed counts', () => {
  const p = plan('SELECT avg(qty) FROM items');
  assert.match(p.shardSql, /sum\(qty\).*count\(qty\)/);
  const f = [field('avg', OID.numeric), field('s', OID.int8), field('n', OID.int8)];
  // shard averages 10/3 and 5/1 cannot be averaged; 15/4 can
  const merged = p.merge([shard(f, [['3.3333333333333333', 10n, 3n]]), shard(f, [['5.0000000000000000', 5n, 1n]])]);
  assert.deepEqual(merged.rows, [['3.7500000000000000']]);
  assert.deepEqual(merged.fields.map((x) => x.name), ['avg']);
  assert.deepEqual(p.merge([shard(f, [[null, null, 0n]]), shard(f, [[null, null, 0n]])]).rows, [[null]]);
});

test('DISTINCT treats equal values as one however the shards wrote them (numeric scale, bpchar padding)', () => {
  const p = plan('SELECT DISTINCT price, code FROM items');
  const f = [field('price', OID.numeric), field('code', OID.bpchar)];
  const merged = p.merge([shard(f, [['1.0', 'ab  '], ['2', 'x']]), shard(f, [['1.00', 'ab'], ['2', 'y']])]);
  assert.equal(merged.rows.length, 3);
});

test('GROUP BY merges a group that several shards hold and keeps a NULL group apart', () => {
  const p = plan('SELECT flag, count(*), max(label) FROM items GROUP BY flag ORDER BY flag');
  const f = [field('flag', OID.bool), field('count', OID.int8), field('max', OID.text), field('g', OID.bool)];
  const merged = p.merge([
    shard(f, [[true, 2n, 'b', true], [null, 1n, 'z', null]]),
    shard(f, [[true, 3n, 'c', true], [false, 1n, 'a', false]]),
  ]);
  assert.deepEqual(merged.rows, [[false, 1n, 'a'], [true, 5n, 'c'], [null, 1n, 'z']]);
});

test('no shard rows: plain rows give none, ungrouped count gives its zero row from each shard summed', () => {
  const rows = plan('SELECT id FROM items ORDER BY id LIMIT $1');
  const f = [field('id', OID.int8), field('limit', OID.int8)];
  assert.deepEqual(rows.merge([shard(f, []), shard(f, [])]), { fields: [f[0]], rows: [] });
  const count = plan('SELECT count(*) FROM items');
  const c = [field('count', OID.int8)];
  assert.deepEqual(count.merge([shard(c, [[0n]]), shard(c, [[0n]])]).rows, [[0n]]);
});
