/**
 * UPDATE of a sharded table's key through the shard router (two standalone Quiver servers as
 * shards, static directory): a row whose new key hashes to another shard moves there, all or
 * nothing. Every statement's answer (rows, tag, error) is compared with one standalone server
 * holding all the rows; where rows landed is checked on the shards directly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { idsOn, shardOfInt, sqlError, rowsOnEach } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';

const SHARDS = 2;
const TABLES = [
  "CREATE TABLE items (id int PRIMARY KEY, label text DEFAULT 'dflt', n int CHECK (n >= 0), twice int GENERATED ALWAYS AS (n * 2) STORED)",
  'CREATE TABLE dst (id int PRIMARY KEY, label text, hits int DEFAULT 0)',
  'CREATE TABLE serials (id serial PRIMARY KEY, v text)',
  'CREATE TABLE vecs (id int PRIMARY KEY, emb vector(3), tags text[], at timestamptz, price numeric(8, 2))',
];
const shardOf = (id: number): number => shardOfInt(id, SHARDS);

describe('shard router: UPDATE of a key column', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;
  let s: pg.Client;

  const onShards = (sql: string) => rowsOnEach(shards, sql);
  const sorted = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  /** the statement through the router and on the single server: equal rows (in any order), tags and errors */
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
      assert.ok(got instanceof Error, `${sql}: the router answered ${(got as pg.QueryResult).command} where the server failed with ${want.message}`);
      assert.equal(got.code, want.code, sql);
      assert.equal(got.message, want.message, sql);
      assert.equal(got.detail, want.detail, sql);
      return got;
    }
    assert.ok(!(got instanceof Error), `${sql}: ${(got as Error).message}`);
    assert.equal(got.command, want.command, sql);
    assert.equal(got.rowCount, want.rowCount, sql);
    assert.deepEqual(got.fields.map((f) => [f.name, f.dataTypeID]), want.fields.map((f) => [f.name, f.dataTypeID]), sql);
    assert.deepEqual(sorted(got.rows), sorted(want.rows), sql);
    return got;
  }

  /** every row is on its key's shard, and the shards together hold what the single server holds */
  async function assertSameRows(): Promise<void> {
    const perShard = await onShards('SELECT id, label, n, twice FROM items');
    perShard.forEach((rows, shard) => {
      for (const [id] of rows) assert.equal(shardOf(id), shard, `id ${id} on shard ${shard}`);
    });
    const all = (await s.query({ text: 'SELECT id, label, n, twice FROM items', rowMode: 'array' })).rows;
    assert.deepEqual(sorted(perShard.flat()), sorted(all));
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  }

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, standalone: true });
    ({ shards, client: c } = cluster);
    s = cluster.alone!;
    await same("INSERT INTO items (id, label, n) SELECT g, CASE WHEN g % 3 = 0 THEN 'x' ELSE 'y' END, g FROM generate_series(1, 60) g");
  });

  after(async () => {
    await cluster?.close();
  });

  it('moves rows to their new key\'s shard, with RETURNING and the command tag of PostgreSQL', async () => {
    const r = await same("UPDATE items SET id = id + 1000 WHERE label = 'x' RETURNING *");
    assert.equal((r as pg.QueryResult).rowCount, 20);
    await assertSameRows();
    // some moved across shards, some stayed on theirs
    const moved = Array.from({ length: 20 }, (_, i) => 3 * (i + 1));
    assert.ok(moved.some((id) => shardOf(id) !== shardOf(id + 1000)) && moved.some((id) => shardOf(id) === shardOf(id + 1000)));
    // without RETURNING; an expression list; a pinned row by parameters
    await same("UPDATE items SET id = id - 1000 WHERE label = 'x' AND id > 1030");
    await same('UPDATE items SET id = $1 WHERE id = $2 RETURNING id + 1 AS next, label, twice', [7001, 1]);
    await same('UPDATE items SET id = id + 1 WHERE id = 7001; -- a comment after the statement');
    const [from] = idsOn(0, 1, SHARDS, 52); // rows 31-60 are where they were inserted
    const [to] = idsOn(1, 1, SHARDS, 8000);
    await same(`UPDATE items AS i SET id = ${to} WHERE i.id = ${from} RETURNING i.id`);
    assert.deepEqual((await onShards(`SELECT id FROM items WHERE id = ${to}`))[1], [[to]]);
    await assertSameRows();
  });

  it('evaluates DEFAULT, row assignments, generated columns and FROM a list of values on the shard', async () => {
    await same('UPDATE items SET (id, label) = (id + 2000, DEFAULT), n = n + 1 WHERE id BETWEEN 10 AND 14 RETURNING id, label, n, twice');
    await same('UPDATE items i SET id = v.new FROM (VALUES (16, 3016), (17, 3017)) AS v(old, new) WHERE i.id = v.old RETURNING i.id, v.old');
    await same('UPDATE items SET id = 4000 WHERE id = -5');
    await assertSameRows();
    // values of other types travel unchanged
    await same("INSERT INTO vecs SELECT g, ARRAY[g, g + 0.5, -g]::vector, ARRAY['a' || g, NULL], '2024-03-01 12:00:00+02'::timestamptz + g * interval '1 hour', g / 3.0 FROM generate_series(1, 30) g");
    await same('UPDATE vecs SET id = id * 7 + 1000 RETURNING *');
    await same('SELECT id, emb::text, tags, at, price FROM vecs');
  });

  it('fails like PostgreSQL on a taken key, a NULL key or a CHECK, leaving every row as it was', async () => {
    const [a] = idsOn(0, 1, SHARDS, 31);
    const [b] = idsOn(1, 1, SHARDS, 52); // not among the rows the second UPDATE moves
    const before = (await onShards('SELECT id, label, n FROM items')).map(sorted);
    const taken = await same(`UPDATE items SET id = ${b} WHERE id = ${a}`) as pg.DatabaseError;
    assert.equal(taken.code, '23505');
    // many rows moving at once, one of them onto a taken key
    assert.equal((await same(`UPDATE items SET id = CASE WHEN id = ${a} THEN ${b} ELSE id + 5000 END WHERE id BETWEEN 31 AND 40`) as pg.DatabaseError).code, '23505');
    assert.equal((await same(`UPDATE items SET id = NULL WHERE id = ${a}`) as pg.DatabaseError).code, '23502');
    assert.equal((await same(`UPDATE items SET id = id + 6000, n = -1 WHERE id = ${a}`) as pg.DatabaseError).code, '23514');
    assert.equal((await same("UPDATE items SET id = 'abc' WHERE id = 21") as pg.DatabaseError).code, '22P02');
    assert.deepEqual((await onShards('SELECT id, label, n FROM items')).map(sorted), before);
    await assertSameRows();
  });

  it('checks a moved row\'s key after the statement\'s rows left its new shard (keys swapped across shards)', async () => {
    // PostgreSQL checks each row as it is updated, so swapping two keys fails there with 23505
    // (README); through the router the rows on each shard are updated first, then moved
    const [a] = idsOn(0, 1, SHARDS, 41);
    const [b] = idsOn(1, 1, SHARDS, 41);
    const r = await c.query(`UPDATE items SET id = CASE id WHEN ${a} THEN ${b} ELSE ${a} END WHERE id IN (${a}, ${b}) RETURNING id, n`);
    assert.equal(r.rowCount, 2);
    assert.deepEqual((await onShards(`SELECT id, n FROM items WHERE id IN (${a}, ${b}) ORDER BY id`)).map((rows) => rows.map(([id, n]) => [shardOf(id), n])), [[[0, b]], [[1, a]]]);
    // swap them back, so the single server's rows are the same again
    await c.query(`UPDATE items SET id = CASE id WHEN ${a} THEN ${b} ELSE ${a} END WHERE id IN (${a}, ${b})`);
    await assertSameRows();
  });

  it('is undone by ROLLBACK of its block and kept by COMMIT; an error fails the block', async () => {
    const [a] = idsOn(0, 1, SHARDS, 42);
    const before = (await onShards('SELECT id, label, n FROM items')).map(sorted);
    await c.query('BEGIN');
    const { rows: [{ n }] } = await s.query('SELECT count(*)::int AS n FROM items WHERE id BETWEEN 42 AND 50');
    assert.ok(n > 0);
    assert.equal((await c.query(`UPDATE items SET id = id + 9000 WHERE id BETWEEN 42 AND 50`)).rowCount, n);
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM items WHERE id > 9000')).rows, [{ n }]);
    await c.query('ROLLBACK');
    assert.deepEqual((await onShards('SELECT id, label, n FROM items')).map(sorted), before);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);

    await c.query('BEGIN');
    await same(`UPDATE items SET id = id + 9000 WHERE id BETWEEN 42 AND 50`);
    await same(`INSERT INTO items (id, n) VALUES (${a + 9100}, 1)`);
    await c.query('COMMIT');
    await assertSameRows();

    await c.query('BEGIN');
    assert.equal((await sqlError(c.query('UPDATE items SET id = NULL WHERE id = 9042'))).code, '23502');
    assert.equal((await sqlError(c.query('SELECT 1'))).code, '25P02');
    await c.query('ROLLBACK');
    await assertSameRows();
  });

  /** dst's rows: on their keys' shards, as the single server has them */
  async function assertSameDst(): Promise<void> {
    const perShard = await onShards('SELECT id, label, hits FROM dst');
    perShard.forEach((rows, shard) => {
      for (const [id] of rows) assert.equal(shardOf(id), shard, `id ${id} on shard ${shard}`);
    });
    assert.deepEqual(sorted(perShard.flat()), sorted((await s.query({ text: 'SELECT id, label, hits FROM dst', rowMode: 'array' })).rows));
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  }

  it('runs INSERT … SELECT … RETURNING and ON CONFLICT … DO UPDATE into a sharded table', async () => {
    await same('INSERT INTO dst SELECT id, label FROM items WHERE id < 100 RETURNING id, label, hits'); // co-located: as it is on each shard
    await same('INSERT INTO dst AS d SELECT id + 300, upper(label) FROM items WHERE id < 50 RETURNING d.id, d.label'); // through the router's batches
    await same('INSERT INTO dst SELECT id + 400, label FROM items WHERE id = 33 RETURNING *'); // pinned SELECT
    // RETURNING in the order the rows were inserted, as PostgreSQL answers (also for VALUES over both shards)
    const values = `INSERT INTO dst VALUES ${Array.from({ length: 40 }, (_, i) => `(${9000 - i}, 'v${i}')`).join(', ')} RETURNING id, label`;
    const inOrder = (await c.query({ text: values, rowMode: 'array' })).rows;
    assert.deepEqual(inOrder, (await s.query({ text: values, rowMode: 'array' })).rows);
    assert.deepEqual(inOrder.map((r) => r[0]), Array.from({ length: 40 }, (_, i) => 9000 - i));
    const ordered = "INSERT INTO dst SELECT g + 5000, 'ordered' FROM generate_series(1, 2500) g ORDER BY g DESC RETURNING id";
    const got = (await c.query({ text: ordered, rowMode: 'array' })).rows;
    assert.deepEqual(got, (await s.query({ text: ordered, rowMode: 'array' })).rows);
    assert.equal(got.length, 2500);
    await same("INSERT INTO dst AS d SELECT g, 'again' FROM generate_series(1, 120) g ON CONFLICT (id) DO UPDATE SET label = excluded.label || d.label, hits = d.hits + 1 RETURNING *");
    await same('INSERT INTO dst AS d SELECT g, null FROM generate_series(1, 130) g ON CONFLICT (id) DO UPDATE SET hits = 99 WHERE d.hits > 0 RETURNING id, hits');
    await same("INSERT INTO dst SELECT g, 'none' FROM generate_series(1, 0) g RETURNING id");
    await same("INSERT INTO dst SELECT g, 'constraint' FROM generate_series(125, 135) g ON CONFLICT ON CONSTRAINT dst_pkey DO UPDATE SET label = excluded.label");
    // the client's parameters in ON CONFLICT and RETURNING, over rows in several batches
    await same('INSERT INTO dst AS d SELECT g, $1 FROM generate_series(1, 2200) g ON CONFLICT (id) DO UPDATE SET label = $2 || d.label, hits = d.hits + $3 RETURNING id, label, hits, $3::int * 2 AS six', ['p1', 'p2-', 3]);
    await same("INSERT INTO dst VALUES (1, 'v'), (2, 'w'), (500, 'new') ON CONFLICT (id) DO UPDATE SET label = excluded.label RETURNING *");
    await same("INSERT INTO dst SELECT g, 'commented' FROM generate_series(1, 4) g ON CONFLICT (id) DO NOTHING -- skip taken keys\nRETURNING id -- and say which went in");
    await assertSameDst();
  });

  it('refuses a key proposed twice to ON CONFLICT … DO UPDATE (21000), also across batches, changing nothing', async () => {
    await same("INSERT INTO dst SELECT 5, 'a' UNION ALL SELECT 5, 'b' ON CONFLICT (id) DO UPDATE SET label = excluded.label");
    // over 1,000 rows a shard: the rows' INSERTs come in several batches
    const err = await same("INSERT INTO dst SELECT g % 1250 + 2000, 'dup' FROM generate_series(1, 2500) g ON CONFLICT (id) DO UPDATE SET label = excluded.label") as pg.DatabaseError;
    assert.equal(err.code, '21000');
    assert.equal((await same("INSERT INTO dst SELECT g + 2000, 'many' FROM generate_series(1, 2500) g ON CONFLICT (id) DO UPDATE SET label = excluded.label") as pg.QueryResult).rowCount, 2500);
    await assertSameDst();
  });

  it('keeps 0A000 for forms that would move a row or read a sharded table in the rows\' INSERTs', async () => {
    for (const sql of [
      'INSERT INTO dst SELECT g, null FROM generate_series(1, 3) g ON CONFLICT (id) DO UPDATE SET id = excluded.id + 1000',
      "INSERT INTO dst VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET id = 1001",
      'INSERT INTO dst SELECT g, null FROM generate_series(1, 3) g RETURNING (SELECT count(*) FROM items)',
    ]) assert.equal((await sqlError(c.query(sql))).code, '0A000', sql);
    await assertSameDst();
  });

  it('creates a table by CREATE TABLE AS / SELECT INTO on every shard and deals the rows over them', async () => {
    await same('CREATE TABLE copy_x AS SELECT id, label, twice FROM items WHERE id < 100');
    await same('SELECT * FROM copy_x');
    const placed = await onShards('SELECT id FROM copy_x');
    assert.ok(placed.every((rows) => rows.length > 0), 'rows on every shard');
    await same("SELECT id, n INTO into_x FROM items WHERE label = 'y' AND id < 60");
    await same('SELECT * FROM into_x');
    // column names given, an aggregate over every shard (the fan-out planner), no primary key
    await same('CREATE TABLE agg_x (k, total) AS SELECT label, sum(n) FROM items GROUP BY label');
    await same('SELECT * FROM agg_x');
    const columns = "SELECT a.attname, a.atttypid::int, a.attnotnull FROM pg_attribute a WHERE a.attrelid = 'agg_x'::regclass AND a.attnum > 0 ORDER BY a.attnum";
    const want = (await s.query({ text: columns, rowMode: 'array' })).rows;
    assert.deepEqual(await onShards(columns), [want, want]);
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_index WHERE indrelid = 'agg_x'::regclass"), [[[0]], [[0]]]);
    await same('CREATE TABLE IF NOT EXISTS copy_x AS SELECT 1 AS one');
    await same('CREATE TABLE copy_x AS SELECT 1 AS one');
    await same('CREATE TABLE empty_x AS SELECT * FROM items WITH NO DATA');
    await same('SELECT * FROM empty_x');
    await same('CREATE TABLE nothing_x AS SELECT * FROM items WHERE id < 0');
    await same('CREATE TABLE g_x AS SELECT g AS id FROM generate_series(1, 10) g');
    await same('SELECT * FROM g_x');
    // the query's parameters, as PostgreSQL binds them
    const ctas = { text: 'CREATE TABLE p_x AS SELECT id, $1::text AS tag FROM items WHERE id < $2', values: ['p', 45] };
    const withParams = await c.query(ctas);
    const alone = await s.query(ctas);
    assert.equal(withParams.command, 'SELECT');
    assert.equal(alone.command, 'SELECT');
    assert.ok(alone.rowCount! > 0);
    assert.equal(withParams.rowCount, alone.rowCount);
    await same('SELECT * FROM p_x');
    assert.deepEqual((await s.query('SELECT DISTINCT tag FROM p_x')).rows, [{ tag: 'p' }], 'the parameters bound, not NULL');
    await same('CREATE TABLE /* c */ cm_x AS /* the query: */ SELECT id FROM items WHERE id < 40 -- then no more');
    await same('SELECT * FROM cm_x');
    await same('SELECT id INTO -- c\n cm_y FROM items WHERE id < 40; -- then no more');
    await same('SELECT * FROM cm_y');
    // a keyless table's later INSERTs go round robin, as before
    await same('INSERT INTO g_x VALUES (11), (12)');
    await same('SELECT count(*) FROM g_x');
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  });

  it('keeps a temporary CREATE TABLE AS on shard 0, and undoes one by ROLLBACK', async () => {
    await c.query('CREATE TEMP TABLE tmp_x AS SELECT id, label FROM items WHERE id < 100');
    const want = (await s.query('SELECT count(*)::int AS n FROM items WHERE id < 100')).rows;
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM tmp_x')).rows, want);
    await c.query('DROP TABLE tmp_x');
    // over no sharded table: shard 0 runs it as it is; DROP finds it there
    assert.equal((await c.query('SELECT 1 AS x INTO TEMP tmp_y')).command, 'SELECT');
    assert.equal((await c.query('CREATE TEMP TABLE tmp_z AS SELECT 2 AS x')).command, 'SELECT');
    assert.deepEqual((await c.query('SELECT (SELECT x FROM tmp_y) + (SELECT x FROM tmp_z) AS n')).rows, [{ n: 3 }]);
    await c.query('DROP TABLE tmp_y, tmp_z');

    await c.query('BEGIN');
    assert.equal((await c.query('CREATE TABLE rolled_x AS SELECT * FROM items')).command, 'SELECT');
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM rolled_x')).rows, (await s.query('SELECT count(*)::int AS n FROM items')).rows);
    await c.query('ROLLBACK');
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_class WHERE relname = 'rolled_x'"), [[[0]], [[0]]]);
    assert.equal((await sqlError(c.query('CREATE MATERIALIZED VIEW mv_x AS SELECT * FROM items'))).code, '0A000');
    // shards each hold a materialized view's rows of their own part: refused too, not run on every shard
    assert.equal((await sqlError(c.query('REFRESH MATERIALIZED VIEW mv_x'))).code, '0A000');
  });

  it('runs a key UPDATE through SQL PREPARE / EXECUTE; EXPLAIN of a key UPDATE or CREATE TABLE AS writes nothing', async () => {
    await same('PREPARE move_one (int, int) AS UPDATE items SET id = $1 WHERE id = $2 RETURNING id, n');
    const [from] = idsOn(0, 1, SHARDS, 55);
    const [to] = idsOn(1, 1, SHARDS, 20000);
    await same(`EXECUTE move_one(${to}, ${from})`);
    await same('DEALLOCATE move_one');
    // PREPARE takes no CREATE TABLE AS (a syntax error, as in PostgreSQL)
    assert.equal((await same('PREPARE copy_some (int) AS CREATE TABLE prepared_x AS SELECT id FROM items WHERE id < $1') as pg.DatabaseError).code, '42601');
    await assertSameRows();
    // EXPLAIN of both is the router's (test/shard-router-explain-pullup.test.ts), and writes nothing without ANALYZE
    assert.match((await c.query('EXPLAIN UPDATE items SET id = id + 1 WHERE n = 3')).rows[0]['QUERY PLAN'], /^Custom Scan \(Quiver Router\)/);
    assert.match((await c.query('EXPLAIN CREATE TABLE never_x AS SELECT * FROM items')).rows[0]['QUERY PLAN'], /^Custom Scan \(Quiver Router\)/);
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_class WHERE relname = 'never_x'"), [[[0]], [[0]]]);
    await assertSameRows();
  });

  it('keeps 0A000 for an UPDATE of the key reading a sharded table again or setting it from a sequence', async () => {
    await c.query('CREATE TABLE other_items (id int PRIMARY KEY)');
    try {
      const err = await sqlError(c.query('UPDATE items SET id = items.id + 1 FROM other_items o WHERE o.id = items.id'));
      assert.equal(err.code, '0A000');
      // or from a sequence (it lives on shard 0; the other shards' copies would hand out their own numbers)
      assert.equal((await sqlError(c.query('UPDATE serials SET id = DEFAULT'))).code, '0A000');
      assert.equal((await sqlError(c.query("UPDATE serials SET (v, id) = ('a', DEFAULT)"))).code, '0A000');
      assert.equal((await sqlError(c.query("UPDATE serials SET id = nextval('serials_id_seq') + 100"))).code, '0A000');
      // a subquery over the table itself would see one shard's rows only
      assert.equal((await sqlError(c.query('UPDATE items SET id = (SELECT max(id) FROM items) + 1 WHERE id = 33'))).code, '0A000');
    } finally {
      await c.query('DROP TABLE other_items');
    }
  });
});
