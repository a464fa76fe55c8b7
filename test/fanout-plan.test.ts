/**
 * The fan-out planner against real servers: two standalone Quivers hold a table split by a
 * hash of its key (with a vector column and HNSW indexes), a third holds all of it. For
 * each query shape the plan's shard statement runs on both shards, the plan merges their
 * rows, and the answer must be the one server's: the same column names and types, the
 * same rows (in order where the ORDER BY fixes it). Shapes a sharded cluster cannot run
 * yet must be 0A000.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import * as libpg from 'libpg-query';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import type { ShardedTable, ShardResult } from '../src/cluster/router/fanout-api.js';
import { SqlError } from '../src/errors.js';
import { parseText } from '../src/types/text-io.js';
import { T, type Value } from '../src/types/types.js';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

const ROWS = 240;
let servers: QuiverServer[] = [];
let shards: pg.Client[] = [];
let single: pg.Client;

/** a deterministic pseudo-random number in [0, 1) from an integer */
function noise(n: number): number {
  let x = (n * 2654435761) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 1274126177) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** the shard of a key: any hash splits the rows; the router's own is not under test here */
const shardOf = (id: number) => (noise(id * 7 + 3) < 0.5 ? 0 : 1);

function itemRow(id: number): string {
  const qty = id % 11 === 0 ? 'NULL' : String(id % 13);
  const score = id % 9 === 0 ? 'NULL' : String(Math.round(noise(id) * 1e6) / 1e3);
  const flag = id % 17 === 0 ? 'NULL' : id % 3 === 0 ? 'true' : 'false';
  const emb = `[${[1, 2, 3, 4].map((k) => (noise(id * 10 + k) * 2 - 1).toFixed(4)).join(',')}]`;
  return `(${id}, ${id % 5}, 'l${id % 7}', ${((id * 37) % 1000) / 10}, ${qty}, ${score}, ${flag}, '${emb}')`;
}

const SCHEMA = [
  'CREATE TABLE items (id bigint PRIMARY KEY, tenant int, label text, price numeric(10,2), qty int, score float8, flag bool, emb vector(4))',
  'CREATE INDEX items_emb_l2 ON items USING hnsw (emb vector_l2_ops)',
  'CREATE INDEX items_emb_cos ON items USING hnsw (emb vector_cosine_ops)',
  'CREATE TABLE tags (id bigint PRIMARY KEY, tag text)',
];

before(async () => {
  await libpg.loadModule();
  servers = await Promise.all([startQuiver(), startQuiver(), startQuiver()]);
  const clients = await Promise.all(servers.map((s) => connectClient(s)));
  shards = clients.slice(0, 2);
  single = clients[2];
  const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
  for (const c of clients) for (const ddl of SCHEMA) await c.query(ddl);
  const insert = async (c: pg.Client, part: number[]) => {
    if (part.length === 0) return;
    await c.query(`INSERT INTO items VALUES ${part.map(itemRow).join(', ')}`);
    const tagged = part.filter((id) => id % 4 !== 0);
    if (tagged.length > 0) await c.query(`INSERT INTO tags VALUES ${tagged.map((id) => `(${id}, 't${id % 3}')`).join(', ')}`);
  };
  await insert(single, ids);
  await insert(shards[0], ids.filter((id) => shardOf(id) === 0));
  await insert(shards[1], ids.filter((id) => shardOf(id) === 1));
  for (const c of shards) {
    const n = Number((await c.query('SELECT count(*) AS n FROM items')).rows[0].n);
    assert.ok(n > ROWS / 4 && n < (ROWS * 3) / 4, `each shard holds part of the rows (${n})`);
  }
});

after(async () => {
  for (const c of [...shards, single]) await c?.end().catch(() => {});
  await Promise.all(servers.map((s) => s.stop()));
});

const TABLES: Record<string, ShardedTable> = {
  items: { schema: 'public', name: 'items', oid: 1, keyColumns: ['id'], keyTypes: [T.int8] },
  tags: { schema: 'public', name: 'tags', oid: 2, keyColumns: ['id'], keyTypes: [T.int8] },
  // a key of another type: its rows hash apart from items' even where the values are equal
  small: { schema: 'public', name: 'small', oid: 3, keyColumns: ['id'], keyTypes: [T.int4] },
};
const tableOf = (schema: string | undefined, name: string) => (schema === undefined || schema === 'public' ? TABLES[name] : undefined);

const rawText = { getTypeParser: () => (v: string) => v };

/** a query's answer as Quiver values, decoded from the text format */
async function run(c: pg.Client, text: string, values: unknown[]): Promise<ShardResult> {
  const r = await c.query({ text, values, rowMode: 'array', types: rawText } as never) as unknown as pg.QueryResult<(string | null)[]>;
  const fields = r.fields.map((f) => ({
    name: f.name, type: { oid: f.dataTypeID, typmod: f.dataTypeModifier }, tableOid: f.tableID, columnAttr: f.columnID,
  }));
  const rows = r.rows.map((row) => row.map((v, i): Value => (v === null ? null : parseText(fields[i].type, v))));
  return { fields, rows };
}

function plan(sql: string) {
  return planFanout(sql, libpg.parseSync(sql), tableOf);
}

/**
 * one value as a comparable string; floats to 12 significant digits, float4 to 5 (shards
 * sum in another order than one server, and PostgreSQL fixes no order for a float sum)
 */
function show(v: Value, oid = 0): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(oid === 700 ? 5 : 12)));
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof Float32Array) return `[${Array.from(v).join(',')}]`;
  if (Array.isArray(v)) return `{${v.map(show).join(',')}}`;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
const showRow = (r: readonly Value[], oids: readonly number[] = []) => r.map((v, i) => show(v, oids[i])).join(' | ');

/**
 * ordered: the same rows in the same order; unordered: the same rows; subsetOf: LIMIT n
 * without a full order, any n rows of the answer; tiesOn: ORDER BY with ties, which
 * PostgreSQL may return in any order and, at the LIMIT, any of: the same sort-key columns
 * row by row, and rows of the unlimited answer, none twice.
 */
type Compare = 'ordered' | 'unordered' | { subsetOf: number } | { tiesOn: number[] };

async function check(sql: string, values: unknown[], compare: Compare): Promise<void> {
  const p = plan(sql);
  if (p instanceof SqlError) assert.fail(`${sql}: ${p.code} ${p.message}`);
  const expected = await run(single, sql, values);
  const parts = await Promise.all(shards.map((c) => run(c, p.shardSql, values)));
  const got = p.merge(parts);
  const context = `${sql}\n  shard SQL: ${p.shardSql}`;
  assert.deepEqual(got.fields.map((f) => [f.name, f.type.oid, f.type.typmod]), expected.fields.map((f) => [f.name, f.type.oid, f.type.typmod]), context);
  const oids = expected.fields.map((f) => f.type.oid);
  const g = got.rows.map((r) => showRow(r, oids)), e = expected.rows.map((r) => showRow(r, oids));
  if (compare === 'ordered') assert.deepEqual(g, e, context);
  else if (compare === 'unordered') assert.deepEqual([...g].sort(), [...e].sort(), context);
  else {
    const n = 'subsetOf' in compare ? compare.subsetOf : e.length;
    assert.equal(g.length, n, context);
    if ('tiesOn' in compare) {
      const keys = (rows: readonly (readonly Value[])[]) => rows.map((r) => compare.tiesOn.map((i) => show(r[i]!, oids[i])).join(' | '));
      assert.deepEqual(keys(got.rows), keys(expected.rows), `${context}\n  (sort keys)`);
      assert.equal(new Set(g).size, g.length, `${context}\n  a row twice`);
    }
    const all = new Set((await run(single, sql.replace(/ LIMIT \d+( OFFSET \d+)?$/, ''), values)).rows.map((r) => showRow(r, oids)));
    for (const row of g) assert.ok(all.has(row), `${context}\n  row ${row} is not in the answer`);
  }
}

const Q = '[0.3,-0.2,0.5,0.1]';

const SHAPES: [string, unknown[], Compare][] = [
  // (a) rows, concatenated
  ['SELECT id, label FROM items WHERE tenant = $1', [2], 'unordered'],
  ['SELECT * FROM items WHERE price > 50', [], 'unordered'],
  ['SELECT id, qty * 2 AS dbl, upper(label) FROM items WHERE flag', [], 'unordered'],
  ['SELECT id, qty IS DISTINCT FROM 3 AS d FROM items WHERE qty IS NOT DISTINCT FROM NULL ORDER BY id', [], 'ordered'],
  ['SELECT a.id, b.tag FROM items a JOIN tags b ON a.id = b.id WHERE a.tenant < 3', [], 'unordered'],
  ['SELECT a.id, b.tag FROM items a LEFT JOIN tags b USING (id) WHERE a.qty = 4', [], 'unordered'],
  ['SELECT id FROM items WHERE id % 7 = 0 LIMIT 5', [], { subsetOf: 5 }],
  // (b) ORDER BY … LIMIT/OFFSET, k-NN first
  ['SELECT id, emb <=> $1 AS d FROM items ORDER BY emb <=> $1 LIMIT 10', [Q], 'ordered'],
  ['SELECT id FROM items ORDER BY emb <-> $1 LIMIT $2', [Q, 7], 'ordered'],
  ['SELECT id, label FROM items WHERE tenant = 2 ORDER BY emb <-> $1 LIMIT 5 OFFSET 3', [Q], 'ordered'],
  ['SELECT id, qty FROM items ORDER BY qty DESC NULLS LAST, id LIMIT 15', [], 'ordered'],
  ['SELECT id, qty FROM items ORDER BY qty NULLS FIRST, id DESC LIMIT 12 OFFSET 4', [], 'ordered'],
  ['SELECT id, score FROM items ORDER BY score DESC, id', [], 'ordered'],
  ['SELECT label, id FROM items ORDER BY 1, 2 DESC LIMIT 20', [], 'ordered'],
  ['SELECT id, price AS p FROM items ORDER BY p, id LIMIT 10 OFFSET $1', [6], 'ordered'],
  ['SELECT id FROM items ORDER BY price * qty DESC NULLS LAST, id FETCH FIRST 7 ROWS ONLY', [], 'ordered'],
  ['SELECT * FROM items ORDER BY id DESC LIMIT 3', [], 'ordered'],
  ['SELECT id FROM items ORDER BY score NULLS FIRST, id OFFSET 5 ROWS FETCH FIRST ROW ONLY', [], 'ordered'],
  ['SELECT id FROM items ORDER BY id LIMIT ALL OFFSET 235', [], 'ordered'],
  ['TABLE tags ORDER BY tag DESC, 1 LIMIT 5', [], 'ordered'],
  ['SELECT *, price * 2 AS p2 FROM items ORDER BY p2 DESC, id LIMIT 6', [], 'ordered'],
  ["SELECT id AS \"Ü\", 'é' || label AS l /* é */ FROM items -- note\n ORDER BY l DESC, \"Ü\" LIMIT 4 OFFSET 2", [], 'ordered'],
  ['SELECT id FROM items ORDER BY id DESC, emb <#> $1 LIMIT 4', [Q], 'ordered'],
  ['SELECT FROM items WHERE qty = 3 ORDER BY id LIMIT 2', [], 'ordered'],
  ['SELECT id, emb FROM items ORDER BY emb <-> $1 LIMIT 3', [Q], 'ordered'],
  ['SELECT * FROM items WHERE id = ANY($1::bigint[]) ORDER BY id', ['{1,2,3,100,239}'], 'ordered'],
  ['SELECT id FROM items ORDER BY label COLLATE "C" DESC, id LIMIT 5', [], 'ordered'],
  ['SELECT id, tenant FROM items ORDER BY tenant DESC LIMIT 10', [], { tiesOn: [1] }],
  ['SELECT label, qty, id FROM items ORDER BY label, qty NULLS FIRST LIMIT 20 OFFSET 30', [], { tiesOn: [0, 1] }],
  ['SELECT DISTINCT ON (tenant) tenant, label FROM items ORDER BY tenant, label DESC', [], { tiesOn: [0, 1] }],
  // (c) aggregates
  ['SELECT count(*), sum(qty), min(price), max(label), avg(qty), avg(price), avg(score), bool_and(flag), bool_or(flag), every(flag) FROM items', [], 'ordered'],
  ['SELECT tenant, count(*), sum(price), avg(qty) FROM items GROUP BY tenant', [], 'unordered'],
  ['SELECT tenant, label, count(qty), max(score) FROM items WHERE id > 20 GROUP BY tenant, label HAVING count(*) > 3 ORDER BY tenant, label', [], 'ordered'],
  ['SELECT label, sum(qty) AS s FROM items GROUP BY 1 HAVING sum(qty) >= 100 AND min(id) < 50 ORDER BY s DESC, label LIMIT 3', [], 'ordered'],
  ['SELECT tenant % 2 AS parity, count(*) FROM items GROUP BY tenant % 2 ORDER BY 1', [], 'ordered'],
  ['SELECT count(DISTINCT id), count(id) FROM items WHERE tenant = $1', [1], 'ordered'],
  ['SELECT id, count(*), sum(qty) FROM items GROUP BY id HAVING sum(qty) > 3 ORDER BY id LIMIT 5', [], 'ordered'],
  ['SELECT count(*) FROM items WHERE id < 0', [], 'ordered'],
  ['SELECT sum(qty), avg(score), max(label), bool_and(flag) FROM items WHERE id < 0', [], 'ordered'],
  ['SELECT tenant, avg(price) FROM items GROUP BY tenant ORDER BY avg(price) DESC LIMIT 2', [], 'ordered'],
  ['SELECT flag, count(*) FROM items GROUP BY flag ORDER BY flag NULLS FIRST', [], 'ordered'],
  ['SELECT sum(id), sum(score), min(emb <-> $1), avg(id), avg(score::real), sum(score::real) FROM items', [Q], 'ordered'],
  ['SELECT count(*) FROM items LIMIT $1', [1], 'ordered'],
  ["SELECT tenant, avg(qty * interval '1 day 7 minutes'), sum(make_interval(months => qty)), avg(make_interval(months => qty, secs => score)) FROM items GROUP BY tenant", [], 'unordered'],
  ['SELECT label, max(price) FROM items GROUP BY label HAVING count(*) > $1 AND $2 <= max(price) ORDER BY label', [33, '99.5'], 'ordered'],
  ['SELECT tenant, avg(qty) FROM items GROUP BY tenant HAVING count(*) > 47.5 AND avg(qty) < 6 OR max(label) = \'l9\' ORDER BY 1', [], 'ordered'],
  ['SELECT label FROM items GROUP BY label HAVING max(qty) IS NOT NULL AND NOT bool_or(flag) IS NULL ORDER BY label LIMIT $1 OFFSET $2', [3, 1], 'ordered'],
  ['SELECT count(*) FILTER (WHERE flag), avg(qty) FILTER (WHERE tenant = 1) FROM items a JOIN tags b USING (id)', [], 'ordered'],
  ['SELECT label, count(*) FROM items GROUP BY label ORDER BY count(*) DESC, label LIMIT 3', [], 'ordered'],
  ['SELECT tenant, sum(qty) FILTER (WHERE flag) AS s FROM items GROUP BY tenant ORDER BY s DESC NULLS LAST, tenant', [], 'ordered'],
  ['SELECT tenant, count(*) FROM items GROUP BY tenant HAVING tenant > 1 ORDER BY 1', [], 'ordered'],
  ['SELECT upper(label) AS u, count(*) FROM items GROUP BY u ORDER BY u', [], 'ordered'],
  ['SELECT 1 AS one, count(*), \'x\' FROM items', [], 'ordered'],
  ['SELECT count(*) AS n FROM items a JOIN tags b ON a.id = b.id AND b.tag = \'t1\' WHERE a.tenant IN (1, 2)', [], 'ordered'],
  // (d) DISTINCT
  ['SELECT DISTINCT tenant FROM items', [], 'unordered'],
  ['SELECT DISTINCT emb <-> $1 < 1 AS near FROM items', [Q], 'unordered'],
  ['SELECT DISTINCT label, tenant FROM items ORDER BY label, tenant LIMIT 8', [], 'ordered'],
  ['SELECT DISTINCT qty FROM items ORDER BY qty DESC LIMIT 5', [], 'ordered'],
  ['SELECT DISTINCT count(*) FROM items GROUP BY tenant', [], 'unordered'],
  ['SELECT DISTINCT ON (tenant) tenant, id, qty FROM items ORDER BY tenant, qty DESC NULLS LAST, id', [], 'ordered'],
  ['SELECT DISTINCT ON (label) id, label FROM items ORDER BY label, emb <-> $1 LIMIT 4 OFFSET 1', [Q], 'ordered'],
  ['SELECT DISTINCT ON (tenant % 2) id FROM items ORDER BY tenant % 2, id DESC', [], 'ordered'],
  ['SELECT DISTINCT ON (tenant) tenant, count(*) FROM items GROUP BY tenant, label ORDER BY tenant, count(*) DESC, label', [], 'ordered'],
];

test('each shape fanned out over two shards gives the one server\'s answer', async () => {
  for (const [sql, values, compare] of SHAPES) await check(sql, values, compare);
});

test('a k-NN shard statement keeps the HNSW top-k plan of the client\'s statement', async () => {
  const sql = 'SELECT id FROM items WHERE tenant = 2 ORDER BY emb <=> $1 LIMIT $2 OFFSET 3';
  const p = plan(sql);
  assert.ok(!(p instanceof SqlError));
  for (const text of [sql, p.shardSql]) {
    const explained = (await shards[0].query({ text: `EXPLAIN ${text}`, values: [Q, 4] })).rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(explained, /Vector Top-K \(hnsw index items_emb_cos/, `${text}\n${explained}`);
  }
});

test('the shard statement keeps the client\'s $n and asks each shard for LIMIT + OFFSET rows', () => {
  const p = plan('SELECT id FROM items ORDER BY emb <=> $1 LIMIT $2 OFFSET 5');
  assert.ok(!(p instanceof SqlError));
  assert.match(p.shardSql, /ORDER BY emb <=> \$1 LIMIT \(\$2\)::bigint \+ 5$/);
  assert.doesNotMatch(p.shardSql, /OFFSET/);
  const k = plan('SELECT id FROM items ORDER BY emb <=> $1 LIMIT 10');
  assert.ok(!(k instanceof SqlError));
  assert.equal(k.shardSql, 'SELECT id, emb <=> $1 AS "?quiver_merge_1" FROM items ORDER BY emb <=> $1 LIMIT 10');
});

test('the merge reports what one server would: DISTINCT needs its ORDER BY in the list, OFFSET is not negative', async () => {
  const d = plan('SELECT DISTINCT tenant FROM items ORDER BY id');
  assert.ok(d instanceof SqlError && d.code === '42P10', 'DISTINCT with an ORDER BY outside the select list');
  const o = plan('SELECT id FROM items ORDER BY id LIMIT 3 OFFSET $1');
  assert.ok(!(o instanceof SqlError));
  const parts = await Promise.all(shards.map((c) => run(c, o.shardSql, [-1]).catch((e: Error) => e)));
  // the shards run LIMIT 3 + -1 = 2 rows; the merge still refuses the negative OFFSET as PostgreSQL does
  assert.ok(parts.every((p) => !(p instanceof Error)));
  assert.throws(() => o.merge(parts as ShardResult[]), (e: unknown) => e instanceof SqlError && e.code === '2201X');
});

test('shapes a sharded cluster cannot run yet are 0A000 naming the shape', () => {
  const refused: [string, RegExp][] = [
    ['SELECT id, rank() OVER (ORDER BY price) FROM items', /window functions/],
    ['SELECT id FROM items UNION SELECT id FROM tags', /set operations/],
    ['SELECT * FROM items a JOIN tags b ON a.tenant = b.id', /joins of sharded tables not on their distribution keys/],
    ['SELECT * FROM items, tags', /joins of sharded tables not on their distribution keys/],
    ['SELECT * FROM items JOIN small USING (id)', /distribution keys of different types/],
    ['SELECT * FROM items WHERE id IN (SELECT id FROM tags)', /subqueries/],
    ['SELECT * FROM (SELECT * FROM items) s', /subqueries/],
    ['SELECT * FROM items FOR UPDATE', /SELECT FOR UPDATE/],
    ['WITH x AS (SELECT * FROM items) SELECT * FROM x', /WITH queries/],
    ['SELECT count(DISTINCT tenant) FROM items', /count\(DISTINCT …\).*distribution key/],
    ['SELECT string_agg(label, \',\') FROM items', /aggregate string_agg\(\)/],
    ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price) FROM items', /ordered-set aggregates/],
    ['SELECT sum(qty) / count(*) FROM items', /expressions over aggregates/],
    ['SELECT tenant FROM items GROUP BY tenant ORDER BY max(id) - min(id)', /ORDER BY and DISTINCT ON expressions over aggregates/],
    ['SELECT tenant FROM items GROUP BY tenant HAVING count(*) + 1 > $1', /HAVING conditions of this form/],
    ['SELECT tenant, count(*) FROM items GROUP BY ROLLUP (tenant)', /GROUPING SETS/],
    ['SELECT id FROM items ORDER BY price FETCH FIRST 3 ROWS WITH TIES', /WITH TIES/],
  ];
  for (const [sql, message] of refused) {
    const p = plan(sql);
    assert.ok(p instanceof SqlError, `${sql} should be refused`);
    assert.equal(p.code, '0A000', sql);
    assert.match(p.message, message, sql);
    assert.match(p.message, /not supported yet|supported only when/, sql);
  }
});
