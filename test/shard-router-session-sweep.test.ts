/**
 * Shard router fixes found by running sql-tests through a 2-shard cluster
 * (scripts/sql-tests-sharded.sh), on two Quiver shards and a router:
 * SET / SET LOCAL in a block last as long as PostgreSQL's; a SET re-parses statements the
 * shards had prepared (DateStyle); a notice given twice by one shard comes twice; an INSERT
 * key given by an expression lands on its value's shard, a bad key literal fails with
 * PostgreSQL's error; ALTER TABLE that would re-key rows is refused while the table has rows;
 * a pulled-up statement reading an aliased join's whole row gets every column of it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { idsOn, loopbackClient, shardOfInt, sqlError } from './support/shard-keys.js';

let h: ShardedRouter;

before(async () => {
  h = await startShardedRouter({ ddl: ['CREATE TABLE kv (id int PRIMARY KEY, v text)', 'CREATE TABLE loose (id int, v text)', 'CREATE TABLE ja (i int PRIMARY KEY, j int)', 'CREATE TABLE jb (id int PRIMARY KEY, i int, k text)'] });
});

after(async () => {
  await h?.close();
});

const show = async (name: string) => (await h.client.query(`SHOW ${name}`)).rows[0][name];

test('SET LOCAL lasts to the end of the block, a rolled-back SET is undone, a shard joining later gets the block\'s SETs but those ROLLBACK TO undid', async () => {
  const c = h.client;
  await c.query('SELECT 1 FROM kv WHERE id = 1'); // a connection to the key's shard too
  await c.query('BEGIN');
  await c.query("SET LOCAL statement_timeout = '10s'");
  assert.equal(await show('statement_timeout'), '10s');
  await c.query('COMMIT');
  assert.equal(await show('statement_timeout'), '0');
  await c.query('BEGIN');
  await c.query("SET application_name = 'rolled back'");
  await c.query('ROLLBACK');
  assert.notEqual(await show('application_name'), 'rolled back');
  // a new session: shard 0 only is open when the block SETs
  const fresh = await loopbackClient(h.router.port);
  try {
    const onShard1 = idsOn(1, 1, 2, 100)[0]!;
    await fresh.query('BEGIN');
    await fresh.query('SET extra_float_digits = 2');
    await fresh.query('SAVEPOINT a');
    await fresh.query('SET extra_float_digits = 3');
    await fresh.query('ROLLBACK TO SAVEPOINT a');
    const d = (await fresh.query("SELECT current_setting('extra_float_digits') AS d FROM kv WHERE id = $1", [onShard1])).rows;
    await fresh.query(`INSERT INTO kv VALUES (${onShard1}, 'probe')`);
    assert.deepEqual((await fresh.query("SELECT current_setting('extra_float_digits') AS d FROM kv WHERE id = $1", [onShard1])).rows, [{ d: '2' }]);
    assert.deepEqual(d, []);
    await fresh.query('ROLLBACK');
    // a committed block's SET holds on every shard after it
    await fresh.query('BEGIN');
    await fresh.query('SET extra_float_digits = 1');
    await fresh.query('COMMIT');
    await fresh.query(`INSERT INTO kv VALUES (${onShard1}, 'probe')`);
    assert.deepEqual((await fresh.query("SELECT current_setting('extra_float_digits') AS d FROM kv WHERE id = $1", [onShard1])).rows, [{ d: '1' }]);
    await fresh.query('DELETE FROM kv WHERE id = $1', [onShard1]);
  } finally {
    await fresh.end();
  }
});

test('a SET changes constants of statements the shards had prepared (DateStyle)', async () => {
  const c = h.client;
  await c.query("SET DateStyle = 'ISO, DMY'");
  assert.equal((await c.query("SELECT '05/06/2024'::date::text AS d")).rows[0].d, '2024-06-05');
  await c.query('RESET DateStyle');
  assert.equal((await c.query("SELECT '05/06/2024'::date::text AS d")).rows[0].d, '2024-05-06');
});

test('a notice one shard gives twice for a statement reaches the client twice', async () => {
  const notices: string[] = [];
  const listen = (n: { message?: string }) => notices.push(n.message ?? '');
  h.client.on('notice', listen);
  try {
    await h.client.query("SELECT websearch_to_tsquery(''), plainto_tsquery('')");
  } finally {
    h.client.off('notice', listen);
  }
  assert.deepEqual(notices, ['text-search query doesn\'t contain lexemes: ""', 'text-search query doesn\'t contain lexemes: ""']);
});

test('an INSERT key given by an expression goes to its value\'s shard; a bad key literal fails as in PostgreSQL', async () => {
  const c = h.client;
  await c.query("INSERT INTO kv VALUES (10 + 1, 'eleven'), ((SELECT 12), 'twelve')");
  const onShards = await h.onShards('SELECT id FROM kv ORDER BY id');
  for (const id of [11, 12]) assert.ok(onShards[shardOfInt(id, 2)]!.some((r) => r[0] === id), `row ${id} on its key's shard`);
  const e = await sqlError(c.query("INSERT INTO kv VALUES ('x', 'y')"));
  assert.equal(e.code, '22P02');
  assert.equal(e.message, 'invalid input syntax for type integer: "x"');
  assert.equal(e.position, '24');
  // in a block: the block fails as PostgreSQL's does, and nothing of it stays
  await c.query('BEGIN');
  await c.query("INSERT INTO kv VALUES (13, 'thirteen')");
  assert.equal((await sqlError(c.query("INSERT INTO kv VALUES (1 / 0, 'z')"))).code, '22012');
  assert.equal((await sqlError(c.query('SELECT 1'))).code, '25P02');
  await c.query('ROLLBACK');
  assert.deepEqual((await c.query('SELECT id FROM kv ORDER BY id')).rows.map((r) => r.id), [11, 12]);
  // a key left out without a default: the NULL key is refused as PostgreSQL refuses it
  assert.equal((await sqlError(c.query("INSERT INTO kv (v) VALUES ('no key')"))).code, '23502');
});

test('ALTER TABLE that would re-key rows is refused while the table has rows, and runs on an empty one', async () => {
  const c = h.client;
  await c.query("INSERT INTO loose VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  const pk = await sqlError(c.query('ALTER TABLE loose ADD PRIMARY KEY (id)'));
  assert.equal(pk.code, '0A000');
  assert.match(pk.message, /ADD PRIMARY KEY on a table that has rows/);
  const ty = await sqlError(c.query('ALTER TABLE kv ALTER COLUMN id TYPE bigint'));
  assert.equal(ty.code, '0A000');
  await c.query('ALTER TABLE kv ALTER COLUMN v TYPE varchar(20)'); // not the key: runs
  assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM loose')).rows, [{ n: 3 }]);
  await c.query('DELETE FROM loose');
  await c.query('ALTER TABLE loose ADD PRIMARY KEY (id)');
  await c.query("INSERT INTO loose VALUES (1, 'a'), (2, 'b')");
  assert.equal((await sqlError(c.query("INSERT INTO loose VALUES (1, 'again')"))).code, '23505');
});

test('the whole row of an aliased join, pulled up, has every column (not NULLs)', async () => {
  const c = h.client;
  await c.query("INSERT INTO ja VALUES (1, 10), (2, 20), (3, 30)");
  await c.query("INSERT INTO jb VALUES (100, 1, 'x'), (101, 3, 'z')");
  const rows = (await c.query('SELECT (x).i, (x).j, (x).k FROM (ja JOIN jb USING (i)) x ORDER BY 1')).rows;
  assert.deepEqual(rows, [{ i: 1, j: 10, k: 'x' }, { i: 3, j: 30, k: 'z' }]);
  const sub = (await c.query('SELECT (s).i, (s).k FROM (SELECT ja.i, jb.k FROM ja JOIN jb ON ja.j = jb.i * 10) s ORDER BY 1')).rows;
  assert.deepEqual(sub, [{ i: 1, k: 'x' }, { i: 3, k: 'z' }]);
});
