/**
 * The shard router's two-phase commit against real PostgreSQL 15 shards (two throw-away
 * servers with max_prepared_transactions = 10, test/support/postgres.ts; skipped, saying
 * why, where PostgreSQL 15 is not installed): writes on several shards commit on all or on
 * none, and leave no prepared transaction behind; a read pulled up to shard 0 (pull-up.ts)
 * answers as PostgreSQL and leaves a block committable. The same tests run on Quiver shards in
 * test/shard-router.test.ts once the engine prepares transactions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { idsOn as idsOnShard, loopbackClient, shardOfInt, sqlError, rowsOnEach } from './support/shard-keys.js';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import { startPostgres, type PostgresServer } from './support/postgres.js';
import { startShardRouter, type ShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import { FETCH_ALL, KeptRows, runFetch, startPosition, type FetchDirection } from '../src/types/portal-fetch.js';

const SHARDS = 2;
const idsOn = (shard: number, n: number, from = 1): number[] => idsOnShard(shard, n, SHARDS, from);
const client = loopbackClient;

describe('shard router on PostgreSQL shards: two-phase commit', () => {
  const shards: PostgresServer[] = [];
  let skip: string | undefined;
  let router: ShardRouter | undefined;
  let c: pg.Client;

  /** rows of `sql` on each shard, read there directly */
  const onShards = (sql: string) => rowsOnEach(shards, sql);

  before(async () => {
    for (let i = 0; i < SHARDS; i++) {
      const s = await startPostgres(['max_prepared_transactions=10']);
      if (typeof s === 'string') {
        skip = s;
        return;
      }
      shards.push(s);
    }
    router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'silent' }), planFanout });
    c = await client(router.port);
  });

  after(async () => {
    await c?.end().catch(() => {});
    await router?.close();
    await Promise.all(shards.map((s) => s.stop()));
  });

  it('creates tables on every shard and commits multi-shard writes on all of them', async (t) => {
    if (skip) return t.skip(skip);
    // a deferred constraint is checked at PREPARE TRANSACTION (a unique one must hold the key: the router refuses others)
    await c.query('CREATE TABLE items (id int, label text, u int, CONSTRAINT items_u PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED)');
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_class WHERE relname = 'items'"), [[[1]], [[1]]]);
    const [a, b] = [idsOn(0, 1)[0]!, idsOn(1, 1)[0]!];
    await c.query('INSERT INTO items VALUES ($1, $2, 1), ($3, $4, 2)', [a, 'a', b, 'b']);
    assert.deepEqual(await onShards('SELECT id FROM items'), [[[a]], [[b]]]);
    await c.query('BEGIN');
    await c.query("UPDATE items SET label = 'a2' WHERE id = $1", [a]);
    await c.query("UPDATE items SET label = 'b2' WHERE id = $1", [b]);
    await c.query('COMMIT');
    assert.deepEqual(await onShards('SELECT label FROM items'), [[['a2']], [['b2']]]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  });

  it('rolls back every shard when a prepare fails, and when a statement fails', async (t) => {
    if (skip) return t.skip(skip);
    const [a1] = idsOn(0, 1, 100);
    const [b0] = idsOn(1, 1, 100);
    // the deferred unique check runs at PREPARE TRANSACTION on shard 0 (its first id is taken there)
    await c.query('BEGIN');
    await c.query('INSERT INTO items VALUES ($1, $2, 1), ($3, $4, 100)', [idsOn(0, 1)[0]!, 'dup', b0, 'fine']);
    const atPrepare = await sqlError(c.query('COMMIT'));
    assert.equal(atPrepare.code, '23505');
    assert.equal(atPrepare.constraint, 'items_u');
    assert.deepEqual(await onShards("SELECT id FROM items WHERE label IN ('dup', 'fine')"), [[], []]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
    // a multi-statement Query is one transaction: its last statement failing undoes the first
    const inQuery = await sqlError(c.query(`INSERT INTO items VALUES (${a1}, 'q', 200); INSERT INTO items VALUES (${b0}, 'q', 201); SELECT 1 / 0`));
    assert.equal(inQuery.code, '22012');
    assert.deepEqual(await onShards("SELECT id FROM items WHERE label = 'q'"), [[], []]);
  });

  it('splits a COPY over both shards under one two-phase commit, and abandons it on a bad row', async (t) => {
    if (skip) return t.skip(skip);
    const ids = [...idsOn(0, 50, 1000), ...idsOn(1, 50, 1000)];
    await pipeline(Readable.from([ids.map((id) => `${id}\tcopied\t${id}\n`).join('')]), c.query(copyFrom('COPY items FROM STDIN')));
    assert.deepEqual((await onShards("SELECT count(*)::int FROM items WHERE label = 'copied'")).map((r) => r[0]![0]), [50, 50]);
    const bad = await sqlError(pipeline(Readable.from([`${ids[0]! + 5000}\tx\t9000\n${idsOn(1, 1, 9000)[0]}\tx\tnot a number\n`]), c.query(copyFrom('COPY items FROM STDIN'))));
    assert.equal(bad.code, '22P02');
    assert.deepEqual(await onShards("SELECT count(*)::int FROM items WHERE label = 'x'"), [[[0]], [[0]]]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  });

  it('runs INSERT … SELECT into a sharded table as PostgreSQL reads it, all or nothing', async (t) => {
    if (skip) return t.skip(skip);
    await c.query('CREATE TABLE gen (id int PRIMARY KEY, label text, d date)');
    await c.query('CREATE TABLE gen_copy (id int PRIMARY KEY, label text, d date)');
    // numeric keys rounded by the assignment cast before they are placed; untyped literals read as the columns' types
    const r = await c.query("INSERT INTO gen SELECT (g + 0.5)::numeric, 'gen', '2024-01-02' FROM generate_series(1, 200) g");
    assert.equal(r.rowCount, 200);
    const placed = await onShards('SELECT id, d::text FROM gen');
    placed.forEach((rows, shard) => rows.forEach(([id, d]) => {
      assert.equal(shardOfInt(id, SHARDS), shard);
      assert.equal(d, '2024-01-02');
    }));
    assert.deepEqual(placed.flat().map((row) => row[0]).sort((x, y) => x - y), Array.from({ length: 200 }, (_, i) => i + 2));
    // co-located: run on each shard as it is, committed by two-phase commit
    assert.equal((await c.query('INSERT INTO gen_copy SELECT * FROM gen')).rowCount, 200);
    assert.deepEqual((await onShards('SELECT count(*)::int FROM gen_copy')).map((x) => x[0]![0]), placed.map((x) => x.length));
    const dup = await sqlError(c.query("INSERT INTO gen SELECT g, 'again', NULL FROM generate_series(150, 400) g"));
    assert.equal(dup.code, '23505');
    assert.deepEqual(await onShards("SELECT id FROM gen WHERE label = 'again'"), [[], []]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
    await c.query('DROP TABLE gen, gen_copy');
  });

  it('moves rows between shards on an UPDATE of the key, and fills a CREATE TABLE AS on both', async (t) => {
    if (skip) return t.skip(skip);
    await c.query('CREATE TABLE moving (id int PRIMARY KEY, label text, twice int GENERATED ALWAYS AS (id * 2) STORED)');
    await c.query("INSERT INTO moving (id, label) SELECT g, 'm' FROM generate_series(1, 40) g");
    const r = await c.query('UPDATE moving SET id = id + 100 WHERE id <= 20 RETURNING id, twice');
    assert.equal(r.command, 'UPDATE');
    assert.equal(r.rowCount, 20);
    assert.deepEqual(r.rows.map((x) => [x.id, x.twice]).sort((a, b) => a[0] - b[0]), Array.from({ length: 20 }, (_, i) => [i + 101, 2 * (i + 101)]));
    const placed = await onShards('SELECT id, twice FROM moving');
    placed.forEach((rows, shard) => rows.forEach(([id, twice]) => {
      assert.equal(shardOfInt(id, SHARDS), shard);
      assert.equal(twice, id * 2);
    }));
    assert.equal(placed.flat().length, 40);
    const [a] = idsOn(0, 1, 21);
    const [b] = idsOn(1, 1, 21);
    assert.equal((await sqlError(c.query(`UPDATE moving SET id = ${b} WHERE id = ${a}`))).code, '23505');
    assert.deepEqual((await onShards('SELECT id FROM moving')).flat().length, 40);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
    // (no fan-out planner here: the query reads no sharded table)
    assert.equal((await c.query("CREATE TABLE moving_copy AS SELECT g AS id, 'c' AS label FROM generate_series(1, 40) g")).rowCount, 40);
    const copies = await onShards('SELECT count(*)::int FROM moving_copy');
    assert.equal(copies[0]![0]![0] + copies[1]![0]![0], 40);
    assert.ok(copies.every((x) => x[0]![0] > 0));
    await c.query('DROP TABLE moving, moving_copy');
  });

  it('keeps temporary tables on shard 0 (PostgreSQL cannot prepare a transaction that used one)', async (t) => {
    if (skip) return t.skip(skip);
    await c.query('CREATE TEMP TABLE scratch (id int PRIMARY KEY)');
    await c.query('INSERT INTO scratch VALUES (1), (2), (3)');
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM scratch')).rows, [{ n: 3 }]);
    await c.query('DROP TABLE scratch');
    await c.query('DROP TABLE items');
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_class WHERE relname = 'items'"), [[[0]], [[0]]]);
  });

  it('pulls up a window function, a view and a SQL function over every shard\'s rows, and a block using them still commits', async (t) => {
    if (skip) return t.skip(skip);
    await c.query('CREATE TABLE pu (id int PRIMARY KEY, v text)');
    await c.query('CREATE VIEW pu_big AS SELECT id FROM pu WHERE id > 2');
    await c.query('CREATE FUNCTION pu_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM pu $$');
    const ids = [...idsOn(0, 3), ...idsOn(1, 3)].sort((x, y) => x - y);
    await c.query(`INSERT INTO pu VALUES ${ids.map((id) => `(${id}, 'v${id}')`).join(', ')}`);
    const ranked = (await c.query({ text: 'SELECT id, row_number() OVER (ORDER BY id DESC)::int FROM pu ORDER BY id', rowMode: 'array' })).rows;
    assert.deepEqual(ranked, ids.map((id, i) => [id, ids.length - i]));
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM pu_big')).rows, [{ n: ids.filter((id) => id > 2).length }]);
    // the function reads temporary copies on a connection of its own: the block's transaction
    // touches no temporary object, so PostgreSQL prepares it on both shards
    await c.query('BEGIN');
    const more = [idsOn(0, 1, 1000)[0]!, idsOn(1, 1, 1000)[0]!];
    await c.query('INSERT INTO pu VALUES ($1, \'x\'), ($2, \'y\')', more);
    assert.deepEqual((await c.query('SELECT pu_count()::int AS n')).rows, [{ n: ids.length + 2 }]);
    await c.query('COMMIT');
    assert.deepEqual((await onShards('SELECT count(*)::int FROM pu')).map((r) => r[0]![0]), [4, 4]);
    await c.query('DROP FUNCTION pu_count()');
    await c.query('DROP VIEW pu_big');
    await c.query('DROP TABLE pu');
  });

  it('walks a cursor left on PostgreSQL\'s shard cursors as PostgreSQL\'s portal walks the same rows', async (t) => {
    if (skip) return t.skip(skip);
    await c.query('CREATE TABLE cur (id int PRIMARY KEY, v text)');
    const ids = [...idsOn(0, 12), ...idsOn(1, 9)];
    await c.query(`INSERT INTO cur VALUES ${ids.map((id) => `(${id}, 'v${id}')`).join(', ')}`);
    // the router's sequence (shard after shard), kept whole: what each FETCH / MOVE must answer, by the portal code
    await c.query('BEGIN');
    const sequence = (await c.query({ text: 'SELECT id, v FROM cur', rowMode: 'array' })).rows as unknown[][];
    await c.query('DECLARE c SCROLL CURSOR FOR SELECT id, v FROM cur');
    const kept = new KeptRows(sequence);
    const position = startPosition(false);
    const steps: [FetchDirection, number, boolean][] = [
      ['FETCH_FORWARD', 5, false], ['FETCH_FORWARD', 10, false], ['FETCH_BACKWARD', 8, false], ['FETCH_ABSOLUTE', 13, false],
      ['FETCH_ABSOLUTE', -2, false], ['FETCH_RELATIVE', -10, true], ['FETCH_FORWARD', FETCH_ALL, false], ['FETCH_BACKWARD', FETCH_ALL, true],
      ['FETCH_ABSOLUTE', 0, false], ['FETCH_FORWARD', 30, false], ['FETCH_BACKWARD', 1, false], ['FETCH_RELATIVE', 0, false],
    ];
    const sql = ([d, n, move]: [FetchDirection, number, boolean]): string => {
      const count = n === FETCH_ALL ? 'ALL' : String(n);
      const how = { FETCH_FORWARD: `FORWARD ${count}`, FETCH_BACKWARD: `BACKWARD ${count}`, FETCH_ABSOLUTE: `ABSOLUTE ${n}`, FETCH_RELATIVE: `RELATIVE ${n}` }[d];
      return `${move ? 'MOVE' : 'FETCH'} ${how} FROM c`;
    };
    for (const step of steps) {
      const out: unknown[][] = [];
      const n = runFetch(position, kept, step[0], step[1], step[2], out);
      const r = await c.query({ text: sql(step), rowMode: 'array' });
      assert.equal(r.rowCount, n, sql(step));
      if (!step[2]) assert.deepEqual(r.rows, out, sql(step));
    }
    await c.query('COMMIT');
    await c.query('DROP TABLE cur');
  });
});
