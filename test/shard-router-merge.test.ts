/**
 * The shard router and MERGE. Routing: into a sharded table joined on its key it ships the
 * source's rows to their keys' shards; other forms over sharded tables are refused with 0A000
 * (each shard would join only its own rows); over shard 0's own tables it runs there as a
 * write. Running: two standalone Quiver servers as shards behind a router, every statement's
 * answer (tag, error) and the rows after it compared with one server holding all the rows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as pgQuery from 'libpg-query';
import { routeStatement } from '../src/cluster/router/route.js';
import { mergeBatches } from '../src/cluster/router/merge-sharded.js';
import type { RouterTable } from '../src/cluster/router/shard-catalog.js';
import { T } from '../src/types/types.js';
import pg from 'pg';
import { idsOn, rowsOnEach, shardOfInt } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';

function routerTable(name: string): RouterTable {
  return {
    schema: 'public', name, oid: name.length, keyColumns: ['id'], keyTypes: [T.int4], keyDefaults: [undefined],
    columns: [{ name: 'id', type: T.int4 }, { name: 'v', type: T.text }], drawn: [],
  };
}

describe('shard router: MERGE', () => {
  const tables = new Map([['a', routerTable('a')], ['bb', routerTable('bb')]]);
  const lookup = { table: (_s: string | undefined, n: string) => tables.get(n) };
  const route = (sql: string) => routeStatement(sql, pgQuery.parseSync(sql).stmts![0]!.stmt as Record<string, unknown>, lookup);
  before(async () => {
    await (pgQuery as { loadModule?: () => Promise<void> }).loadModule?.();
  });

  it('refuses MERGE into or from a sharded table with 0A000', () => {
    for (const sql of [
      'MERGE INTO local l USING a ON a.id = l.id WHEN NOT MATCHED THEN INSERT VALUES (a.id, a.v)',
      'MERGE INTO local l USING (SELECT * FROM bb WHERE id > 1) s ON s.id = l.id WHEN MATCHED THEN UPDATE SET v = s.v',
      'WITH s AS (SELECT * FROM a) MERGE INTO local l USING s ON s.id = l.id WHEN MATCHED THEN DO NOTHING',
      'MERGE INTO local l USING local2 s ON s.id = l.id WHEN MATCHED AND EXISTS (SELECT 1 FROM a) THEN DELETE',
    ]) {
      const r = route(sql);
      assert.equal(r.kind, 'unsupported', sql);
      if (r.kind !== 'unsupported') continue;
      assert.equal(r.error.code, '0A000');
      assert.match(r.error.message, /MERGE into a table that is not sharded from a sharded source/);
    }
  });

  it('ships the source of a MERGE into a sharded table joined on its key to the key\'s shards', () => {
    const r = route('WITH w AS (SELECT 1) MERGE INTO a AS t USING (SELECT * FROM bb WHERE id > $1) s ON s.id = t.id AND t.v <> $2 WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (v, id) VALUES (s.v, s.id)');
    assert.equal(r.kind, 'mergeSharded');
    if (r.kind !== 'mergeSharded') return;
    assert.equal(r.select, 'WITH w AS (SELECT 1) SELECT "s".* FROM (SELECT * FROM bb WHERE id > $1) s');
    assert.equal(r.source.kind, 'fanout');
    assert.deepEqual([r.target, r.sourceName, r.sourceKeys, r.rest], ['a AS t', 's', ['id'], 'ON s.id = t.id AND t.v <> $2 WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (v, id) VALUES (s.v, s.id)']);
    // a source of shard 0's own, a bare table
    const local = route('MERGE INTO a USING local ON a.id = local.id WHEN MATCHED THEN DELETE');
    assert.equal(local.kind === 'mergeSharded' && local.source.kind, 'shard0');
  });

  it('batches each shard\'s rows with one key\'s rows together, the client\'s parameters after', () => {
    const r = route('MERGE INTO a t USING bb s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = $1');
    assert.equal(r.kind, 'mergeSharded');
    if (r.kind !== 'mergeSharded') return;
    const fields = [{ name: 'id', type: T.int4, tableOid: 0, columnAttr: 0 }, { name: 'v', type: T.text, tableOid: 0, columnAttr: 0 }];
    const rows = [[1, 'a'], [2, 'b'], [1, 'c'], [3, 'd'], [2, 'e']];
    // 4 parameters a batch: two rows, unless one key has more
    const batches = mergeBatches(r, fields, rows, (i) => ({ shard: rows[i]![0] === 3 ? 1 : 0, key: String(rows[i]![0]) }), {}, { types: [25], values: ['x'] }, 4);
    // (int4 and text go in binary: int4 as 4 bytes, text as its bytes; the client's as it sent it)
    const readable = (b: { params: readonly unknown[] }) => b.params.map((p) => (Buffer.isBuffer(p) ? (p.length === 4 ? p.readInt32BE(0) : p.toString()) : p));
    const zero = batches.get(0)!;
    assert.deepEqual(zero.map(readable), [[1, 'a', 1, 'c', 'x'], [2, 'b', 2, 'e', 'x']]);
    assert.equal(zero[0]!.sql, 'MERGE INTO a t USING (VALUES ($1, $2), ($3, $4)) AS "s"("id", "v")\nON t.id = s.id WHEN MATCHED THEN UPDATE SET v = $5');
    assert.deepEqual(zero[0]!.types, [23, 25, 23, 25, 25]);
    assert.deepEqual(batches.get(1)!.map(readable), [[3, 'd', 'x']]);
  });

  it('refuses with 0A000 the MERGE forms no shard could run alone, saying why', () => {
    for (const [sql, why] of [
      ['MERGE INTO a USING bb s ON a.v = s.v WHEN MATCHED THEN DELETE', /does not equate each key column of "a"/],
      ['MERGE INTO a USING bb s ON a.id = s.id OR a.v = s.v WHEN MATCHED THEN DELETE', /does not equate each key column/],
      ['MERGE INTO a USING bb s ON a.id = s.id + 1 WHEN MATCHED THEN DELETE', /does not equate each key column/],
      ['MERGE INTO a USING bb s ON a.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id + 1, s.v)', /INSERT whose key column "id" is not the source column/],
      ['MERGE INTO a USING bb s ON a.id = s.id WHEN NOT MATCHED THEN INSERT (v) VALUES (s.v)', /INSERT whose key column "id"/],
      ['MERGE INTO a USING bb s ON a.id = s.id WHEN MATCHED THEN UPDATE SET id = s.id + 1', /UPDATE SET of the key column "id"/],
      ['MERGE INTO a USING bb s ON a.id = s.id WHEN MATCHED AND EXISTS (SELECT 1 FROM bb) THEN DELETE', /subquery in its ON or WHEN/],
      ["MERGE INTO a USING bb s ON a.id = s.id WHEN MATCHED THEN UPDATE SET v = nextval('q')::text", /nextval/],
      ['MERGE INTO a USING bb s JOIN local l ON l.id = s.id ON a.id = s.id WHEN MATCHED THEN DELETE', /from a join/],
    ] as [string, RegExp][]) {
      const r = route(sql);
      assert.equal(r.kind, 'unsupported', sql);
      if (r.kind !== 'unsupported') continue;
      assert.equal(r.error.code, '0A000', sql);
      assert.match(r.error.message, why, sql);
    }
  });

  it('runs MERGE over shard 0\'s own tables there, as a write', () => {
    const r = route('MERGE INTO local l USING local2 s ON s.id = l.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)');
    assert.deepEqual(r, { kind: 'shard0', write: true });
  });
});

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE items (id int PRIMARY KEY, label text, n int CHECK (n >= 0))',
  'CREATE TABLE src (id int PRIMARY KEY, label text, n int)',
  'CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))',
  'CREATE TABLE counted (id int PRIMARY KEY, seq serial, v text)',
];

describe('shard router: MERGE into a sharded table, run', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;
  let s: pg.Client;
  const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  /** the statement through the router and on the single server: equal tags or errors */
  async function same(sql: string, params: unknown[] = []): Promise<pg.QueryResult | pg.DatabaseError> {
    const run = async (cl: pg.Client) => {
      try {
        return await cl.query({ text: sql, values: params, rowMode: 'array' });
      } catch (e) {
        return e as pg.DatabaseError;
      }
    };
    const [got, want] = [await run(c), await run(s)];
    if (want instanceof Error) {
      assert.ok(got instanceof Error, `${sql}: the router answered ${(got as pg.QueryResult).command} ${(got as pg.QueryResult).rowCount} where the server failed with ${want.message}`);
      assert.deepEqual([got.code, got.message, got.detail], [want.code, want.message, want.detail], sql);
      return got;
    }
    assert.ok(!(got instanceof Error), `${sql}: ${(got as Error).message}`);
    assert.deepEqual([got.command, got.rowCount], [want.command, want.rowCount], sql);
    return got;
  }

  /** each table's rows on their keys' shards, all of them the single server's; no prepared transaction left */
  async function assertSameRows(): Promise<void> {
    for (const [table, key] of [['items', 'id'], ['pairs', 'a, b'], ['counted', 'id']]) {
      const perShard = await rowsOnEach(shards, `SELECT * FROM ${table} ORDER BY ${key}`);
      if (table === 'items') perShard.forEach((rows, shard) => { for (const [id] of rows) assert.equal(shardOfInt(id, SHARDS), shard, `items ${id} on shard ${shard}`); });
      const all = (await s.query({ text: `SELECT * FROM ${table}`, rowMode: 'array' })).rows;
      assert.deepEqual(sorted(perShard.flat()), sorted(all), table);
    }
    assert.deepEqual(await rowsOnEach(shards, 'SELECT gid FROM pg_prepared_xacts'), [[], []]);
  }

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, standalone: true });
    ({ shards, client: c } = cluster);
    s = cluster.alone!;
    await same("INSERT INTO items SELECT g, 'i' || g, g FROM generate_series(1, 40) g");
    await same("INSERT INTO src SELECT g, 's' || g, g * 2 FROM generate_series(21, 60) g");
    await same("INSERT INTO pairs SELECT g % 5, 'k' || (g % 3), g FROM generate_series(1, 15) g ON CONFLICT DO NOTHING");
  });

  after(async () => {
    await cluster?.close();
  });

  it('updates, deletes and inserts on every shard from a sharded source, MERGE n summed', async () => {
    const before = await rowsOnEach(shards, 'SELECT id, label, n FROM items ORDER BY id');
    const r = await same(`MERGE INTO items t USING src s ON t.id = s.id
      WHEN MATCHED AND s.n > 70 THEN DELETE
      WHEN MATCHED THEN UPDATE SET label = s.label, n = t.n + s.n
      WHEN NOT MATCHED AND s.id % 4 = 0 THEN DO NOTHING
      WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.label, s.n)`) as pg.QueryResult;
    // 20 matched (15 updated, 5 deleted), 20 not matched of which 15 inserted
    assert.equal(r.rowCount, 35);
    await assertSameRows();
    // both shards were written (the transaction committed on both in two phases)
    const after = await rowsOnEach(shards, 'SELECT id, label, n FROM items ORDER BY id');
    after.forEach((rows, shard) => assert.notDeepEqual(rows, before[shard], `shard ${shard} unchanged`));
  });

  it('takes subquery, VALUES, temporary-table and parameter sources, a WITH and keys of another type', async () => {
    await same(`MERGE INTO items USING (SELECT $1::int AS id, $2::text AS label) s ON items.id = s.id
      WHEN MATCHED THEN UPDATE SET label = s.label || $3 WHEN NOT MATCHED THEN INSERT (n, label, id) VALUES (0, s.label, s.id)`, [3, 'p', '!']);
    await same('MERGE INTO items USING (SELECT $1::int AS id, $2::text AS label) s ON items.id = s.id WHEN MATCHED THEN UPDATE SET label = s.label', [500, 'none']);
    await same(`MERGE INTO items AS t USING (VALUES (1, 'v1'), (2, 'v2'), (1000, 'v1000'), (1001, NULL)) AS v(id, label) ON v.id = t.id AND t.n < 30
      WHEN MATCHED THEN UPDATE SET label = v.label WHEN NOT MATCHED THEN INSERT VALUES (v.id, coalesce(v.label, 'null'), 1)`);
    await same(`WITH big AS (SELECT id::bigint AS id, n FROM src WHERE n >= 100)
      MERGE INTO items t USING big ON t.id = big.id WHEN MATCHED THEN UPDATE SET n = big.n WHEN NOT MATCHED THEN INSERT (id, n) VALUES (big.id, big.n)`);
    await same('CREATE TEMP TABLE patch (id int, label text)');
    await same("INSERT INTO patch VALUES (4, 'temp4'), (5, 'temp5'), (2000, 'temp2000')");
    await same('MERGE INTO items USING patch p ON p.id = items.id WHEN MATCHED THEN UPDATE SET label = p.label WHEN NOT MATCHED THEN INSERT (id, label) VALUES (p.id, p.label)');
    await same('MERGE INTO items USING (SELECT * FROM src WHERE false) s ON s.id = items.id WHEN MATCHED THEN DELETE');
    // composite keys, on either side of =
    await same(`MERGE INTO pairs p USING (SELECT g % 7 AS a, 'k' || (g % 3) AS b, g AS v FROM generate_series(1, 30) g) s ON s.b = p.b AND p.a = s.a
      WHEN MATCHED THEN UPDATE SET v = p.v + 1 WHEN NOT MATCHED THEN INSERT VALUES (s.a, s.b, s.v)`);
    await assertSameRows();
  });

  it('fails as PostgreSQL does, all or nothing across shards', async () => {
    const before = await rowsOnEach(shards, 'SELECT * FROM items ORDER BY id');
    const [a, b] = [idsOn(0, 1, SHARDS, 6)[0]!, idsOn(1, 1, SHARDS, 6)[0]!];
    // a row of each shard changed, then a CHECK fails on one of them
    const check = await same(`MERGE INTO items t USING (VALUES (${a}, 1), (${b}, -1000)) v(id, d) ON t.id = v.id WHEN MATCHED THEN UPDATE SET n = t.n + v.d`) as pg.DatabaseError;
    assert.equal(check.code, '23514');
    // a target row changed twice (the two source rows meet on its shard)
    assert.equal((await same(`MERGE INTO items t USING (VALUES (${a}, 'x'), (${b}, 'y'), (${a}, 'z')) v(id, l) ON t.id = v.id WHEN MATCHED THEN UPDATE SET label = v.l`) as pg.DatabaseError).code, '21000');
    assert.equal((await same('MERGE INTO items t USING (VALUES (NULL::int, 1)) v(id, n) ON t.id = v.id WHEN NOT MATCHED THEN INSERT VALUES (v.id, \'x\', v.n)') as pg.DatabaseError).code, '23502');
    assert.equal((await same('MERGE INTO items t USING (VALUES (2001), (2001)) v(id) ON t.id = v.id WHEN NOT MATCHED THEN INSERT (id) VALUES (v.id)') as pg.DatabaseError).code, '23505');
    assert.equal((await same("MERGE INTO items t USING (VALUES ('7')) v(id) ON t.id = v.id WHEN MATCHED THEN DELETE") as pg.DatabaseError).code, '42883');
    assert.deepEqual(await rowsOnEach(shards, 'SELECT * FROM items ORDER BY id'), before);
    // in a block: rolled back with it, or seen by the block and committed
    await same('BEGIN');
    await same(`MERGE INTO items t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET n = 0`);
    await same('ROLLBACK');
    assert.deepEqual(await rowsOnEach(shards, 'SELECT * FROM items ORDER BY id'), before);
    await same('BEGIN');
    await same(`MERGE INTO items t USING (VALUES (${a}), (${b})) v(id) ON t.id = v.id WHEN MATCHED THEN UPDATE SET label = 'in block'`);
    assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM items WHERE label = 'in block'")).rows, [{ n: 2 }]);
    await same('COMMIT');
    await assertSameRows();
  });

  it('refuses with 0A000 what no shard could decide alone, changing nothing', async () => {
    const before = await rowsOnEach(shards, 'SELECT * FROM items ORDER BY id');
    for (const sql of [
      'MERGE INTO items t USING src s ON t.label = s.label WHEN MATCHED THEN DELETE',
      'MERGE INTO items t USING src s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id + 1, s.label, s.n)',
      'MERGE INTO items t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET id = s.id + 100',
      'MERGE INTO counted t USING src s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.label)',
      'MERGE INTO src s USING items t ON t.id = s.id WHEN MATCHED AND t.n > (SELECT avg(n) FROM items) THEN DELETE',
    ]) {
      const e = await c.query(sql).then(() => undefined, (err: pg.DatabaseError) => err);
      assert.equal(e?.code, '0A000', sql);
      assert.match(e!.message, /is not supported by the shard router yet/);
    }
    // a statement PostgreSQL refuses gets PostgreSQL's error, not 0A000
    for (const sql of [
      'MERGE INTO items t USING src s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (t.id, s.label, s.n)',
      'MERGE INTO items t USING src s ON t.zz = s.id WHEN MATCHED THEN DELETE',
      'MERGE INTO items t USING src t ON t.id = t.id WHEN MATCHED THEN DELETE',
    ]) assert.notEqual((await same(sql) as pg.DatabaseError).code, '0A000', sql);
    assert.deepEqual(await rowsOnEach(shards, 'SELECT * FROM items ORDER BY id'), before);
  });
});
