/**
 * The shard router (src/cluster/router) over two standalone Quiver servers as shards with a
 * static directory: clients (pg) talk to the router, and every check of where rows landed
 * connects to the shards directly.
 *
 * Tables are created on each shard directly: DDL through the router is a write on every shard
 * and commits by two-phase commit, which the Quiver engine refuses until PREPARE TRANSACTION
 * lands there (the multi-shard test below is skipped until then, saying why).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { idsOn as idsOnShard, loopbackClient, shardOfInt, sqlError, rowsOnEach } from './support/shard-keys.js';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { serialize } from 'pg-protocol';
import type { QuiverServer } from './support/server.js';
import { routerTestLogger as logger, startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { startShardRouter, type ShardRouter } from '../src/cluster/router/server.js';
import { noShardLeader, staticShardDirectory, type ShardDirectory } from '../src/cluster/shard-directory.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import { Authenticator } from '../src/wire/auth.js';
import { SqlError } from '../src/errors.js';
import type { PlanFanout } from '../src/cluster/router/fanout-api.js';
import { planFanout as fanoutPlanner } from '../src/cluster/router/fanout-plan.js';

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE items (id int PRIMARY KEY, label text)',
  'CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))',
  'CREATE TABLE notes (body text)',
  'CREATE TABLE serials (id serial PRIMARY KEY, v text)',
  'CREATE SCHEMA other',
  'CREATE TABLE other.items (label text PRIMARY KEY, id int)',
  'CREATE VIEW item_labels AS SELECT label FROM items',
  'CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM items $$',
  'CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2 $$',
];

const shardOf = (id: number): number => shardOfInt(id, SHARDS);
const idsOn = (shard: number, n: number, from = 1): number[] => idsOnShard(shard, n, SHARDS, from);
const client = loopbackClient;

/** Whether the shards' engine can PREPARE TRANSACTION (two-phase commit); the reason if not. */
async function twoPhaseUnsupported(shard: QuiverServer): Promise<string | undefined> {
  const c = await client(shard.port);
  try {
    await c.query('BEGIN');
    await c.query("PREPARE TRANSACTION 'quiver_probe'");
    await c.query("ROLLBACK PREPARED 'quiver_probe'");
    return undefined;
  } catch (e) {
    const err = e as pg.DatabaseError;
    if (err.code === '55000' || err.code === '0A000') return `the shard engine refuses PREPARE TRANSACTION (${err.code} ${err.message})`;
    throw e;
  } finally {
    await c.end();
  }
}

describe('shard router', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let router: ShardRouter;
  let c: pg.Client;
  let twoPhaseSkip: string | undefined;

  /** rows of `sql` on each shard, read there directly */
  const onShards = (sql: string) => rowsOnEach(shards, sql);

  before(async () => {
    // no fan-out planner: statements the router cannot pin are refused here
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, planner: false });
    ({ shards, router, client: c } = cluster);
    twoPhaseSkip = await twoPhaseUnsupported(shards[0]!);
  });

  after(async () => {
    await cluster?.close();
  });

  it('puts each inserted row on its key\'s shard only, and pinned reads find it there', async () => {
    const ids = [...idsOn(0, 3, 1), ...idsOn(1, 3, 1)];
    for (const id of ids) {
      if (id % 2 === 0) await c.query('INSERT INTO items VALUES ($1, $2)', [id, `item ${id}`]);
      else await c.query(`INSERT INTO items (label, id) VALUES ('item ${id}', ${id})`);
    }
    const [on0, on1] = await onShards('SELECT id FROM items ORDER BY id');
    assert.deepEqual(on0!.map((r) => r[0]), ids.filter((id) => shardOf(id) === 0).sort((a, b) => a - b));
    assert.deepEqual(on1!.map((r) => r[0]), ids.filter((id) => shardOf(id) === 1).sort((a, b) => a - b));
    for (const id of ids) {
      assert.deepEqual((await c.query('SELECT id, label FROM items WHERE id = $1', [id])).rows, [{ id, label: `item ${id}` }]);
      assert.deepEqual((await c.query(`SELECT label FROM items i WHERE i.id = '${id}' AND label LIKE 'item%'`)).rows, [{ label: `item ${id}` }]);
    }
    // a bigint parameter for an int key still finds the int's shard
    const id = ids[4]!;
    assert.equal((await c.query({ text: 'SELECT label FROM items WHERE id = $1::int8', values: [String(id)] })).rows[0].label, `item ${id}`);
  });

  it('pins UPDATE and DELETE by the key, and a multi-column key needs every column', async () => {
    const [id] = idsOn(1, 1, 100);
    await c.query('INSERT INTO items VALUES ($1, $2)', [id, 'before']);
    assert.equal((await c.query('UPDATE items SET label = $2 WHERE id = $1', [id, 'after'])).rowCount, 1);
    assert.deepEqual((await onShards(`SELECT label FROM items WHERE id = ${id}`))[1], [['after']]);
    // a RETURNING reading a sharded table would read the pinned shard's rows only
    assert.equal((await sqlError(c.query('UPDATE items SET label = label WHERE id = $1 RETURNING (SELECT count(*) FROM items)', [id]))).code, '0A000');
    assert.equal((await sqlError(c.query('DELETE FROM items WHERE id = $1 RETURNING (SELECT count(*) FROM items)', [id]))).code, '0A000');
    assert.equal((await c.query(`DELETE FROM items WHERE id = ${id}`)).rowCount, 1);
    assert.deepEqual(await onShards(`SELECT label FROM items WHERE id = ${id}`), [[], []]);

    await c.query("INSERT INTO pairs VALUES (7, 'x', 1)");
    const where = shardOfKey([T.int4, T.text], [7, 'x'], SHARDS);
    const rows = await onShards('SELECT a, b FROM pairs');
    assert.deepEqual(rows[where], [[7, 'x']]);
    assert.deepEqual(rows[1 - where], []);
    assert.deepEqual((await c.query("SELECT v FROM pairs WHERE b = 'x' AND a = 7")).rows, [{ v: 1 }]);
    const partial = await sqlError(c.query('SELECT v FROM pairs WHERE a = 7'));
    assert.equal(partial.code, '0A000'); // not pinned, and no fan-out planner given
    // a subquery over the table again needs every shard's rows: not pinned either
    assert.equal((await sqlError(c.query("SELECT v FROM pairs WHERE a = 7 AND b = 'x' AND v = (SELECT max(v) FROM pairs)"))).code, '0A000');
  });

  it('takes a key left to its DEFAULT (serial) from shard 0\'s sequence and places the row by it', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await c.query('INSERT INTO serials (v) VALUES ($1) RETURNING id', [`s${i}`])).rows[0].id);
    ids.push((await c.query("INSERT INTO serials VALUES (DEFAULT, 'd') RETURNING id, v")).rows[0].id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5]);
    const rows = await onShards('SELECT id FROM serials ORDER BY id');
    for (const id of ids) assert.ok(rows[shardOf(id)]!.some((r) => r[0] === id), `row ${id} on shard ${shardOf(id)}`);
    assert.equal(rows[0]!.length + rows[1]!.length, 5);
    // the other shards' sequences are not used
    assert.deepEqual((await onShards('SELECT last_value::int FROM serials_id_seq'))[1], [[1]]);
  });

  it('runs statements that read no sharded table on shard 0, and SETs on every shard connection', async () => {
    assert.deepEqual((await c.query('SELECT 1 + 1 AS two')).rows, [{ two: 2 }]);
    assert.match((await c.query('SHOW server_version')).rows[0].server_version, /Quiver/);
    await c.query('PREPARE three AS SELECT 1 + $1::int AS n');
    assert.deepEqual((await c.query('EXECUTE three (2)')).rows, [{ n: 3 }]);
    await c.query('DEALLOCATE three');
    // over a sharded table the router keeps the statement (test/shard-router-cursors.test.ts)
    await c.query('PREPARE one_item AS SELECT * FROM items WHERE id = $1');
    await c.query('DEALLOCATE one_item');
    await c.query("SET statement_timeout = '12s'");
    // shard 1's connection opens after the SET (or had it sent): it has it
    const [id] = idsOn(1, 1, 200);
    await c.query('INSERT INTO items VALUES ($1, $2)', [id, 'set']);
    const r = await c.query(`SELECT current_setting('statement_timeout') AS t FROM items WHERE id = ${id}`);
    assert.equal(r.rows[0].t, '12s');
    await c.query('RESET statement_timeout');
    // a temporary table is not sharded: it lives on shard 0 alone, rows and all
    await c.query('CREATE TEMP TABLE scratch (id int PRIMARY KEY, v text)');
    await c.query("INSERT INTO scratch VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM scratch')).rows, [{ n: 3 }]);
    await c.query('DROP TABLE scratch');
    assert.equal((await sqlError(c.query('SELECT * FROM scratch'))).code, '42P01');
    assert.equal((await c.query(`SELECT current_setting('statement_timeout') AS t FROM items WHERE id = ${id}`)).rows[0].t, '0');
  });

  it('finds unqualified tables through the session\'s search_path', async () => {
    const d = await client(router.port);
    try {
      // set while only shard 0 is connected: shard 1's connection, opened later, gets it too
      await d.query('SET search_path = other, public');
      const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const [i, label] of labels.entries()) await d.query('INSERT INTO items VALUES ($1, $2)', [label, i]); // other.items: keyed by label
      const rows = await onShards('SELECT label FROM other.items ORDER BY label');
      for (const shard of [0, 1]) assert.deepEqual(rows[shard], labels.filter((l) => shardOfKey([T.text], [l], SHARDS) === shard).map((l) => [l]));
      assert.ok(rows[0]!.length > 0 && rows[1]!.length > 0);
      for (const [i, label] of labels.entries()) assert.deepEqual((await d.query('SELECT id FROM items WHERE label = $1', [label])).rows, [{ id: i }]);
      await d.query('RESET search_path');
      assert.equal((await sqlError(d.query('SELECT id FROM items WHERE label = $1', ['a']))).code, '0A000'); // public.items: not pinned by label
    } finally {
      await d.end();
    }
  });

  it('sees DDL made through another router: its catalog is read again once it is a second old', async () => {
    const other = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger, planFanout: fanoutPlanner });
    const b = await client(other.port);
    try {
      await b.query('SELECT count(*) FROM items'); // router B has read the catalog: no table "late" in it
      await c.query('CREATE TABLE late (id int PRIMARY KEY)');
      const ids = [...idsOn(0, 5, 1), ...idsOn(1, 5, 1)];
      await c.query(`INSERT INTO late VALUES ${ids.map((id) => `(${id})`).join(', ')}`);
      // without reading the catalog again, B takes "late" for a table of shard 0 alone (5 rows)
      const start = Date.now();
      let n = 0;
      while (Date.now() - start < 10_000) {
        n = Number((await b.query('SELECT count(*) AS n FROM late')).rows[0].n);
        if (n === ids.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(n, ids.length, 'router B counts the rows of both shards');
      assert.ok(Date.now() - start < 5_000, `within a few seconds (${Date.now() - start} ms)`);
      await c.query('DROP TABLE late');
    } finally {
      await b.end();
      await other.close();
    }
  });

  it('describes a statement run again from its session\'s cache, until DDL or a SET', async () => {
    await c.query('CREATE TABLE cached_desc (id int PRIMARY KEY, a text)');
    await c.query(`INSERT INTO cached_desc VALUES (1, 'x'), (2, 'y')`);
    const fields = async () => (await c.query('SELECT * FROM cached_desc WHERE id = $1', [1])).fields.map((f) => f.name);
    assert.deepEqual(await fields(), ['id', 'a']);
    assert.deepEqual(await fields(), ['id', 'a']);
    await c.query('ALTER TABLE cached_desc ADD COLUMN b int');
    assert.deepEqual(await fields(), ['id', 'a', 'b'], 'DDL through the router: described again');
    await c.query('SET search_path = other, public');
    await c.query('CREATE TABLE other.cached_desc (id int PRIMARY KEY, z text)');
    assert.deepEqual(await fields(), ['id', 'z'], 'the name resolves through the new search_path');
    await c.query('RESET search_path');
    assert.deepEqual(await fields(), ['id', 'a', 'b']);
    await c.query('DROP TABLE other.cached_desc');
    await c.query('DROP TABLE cached_desc');
  });

  it('places rows of a table without a key on one shard per transaction, round robin', async () => {
    await c.query('BEGIN');
    for (let i = 0; i < 4; i++) await c.query('INSERT INTO notes VALUES ($1)', [`block ${i}`]);
    await c.query('COMMIT');
    const counts = (await onShards("SELECT count(*) FROM notes WHERE body LIKE 'block%'")).map((r) => Number(r[0]![0]));
    assert.deepEqual([...counts].sort(), [0, 4]);
    for (let i = 0; i < 4; i++) await c.query('INSERT INTO notes VALUES ($1)', [`alone ${i}`]);
    const alone = (await onShards("SELECT count(*) FROM notes WHERE body LIKE 'alone%'")).map((r) => Number(r[0]![0]));
    assert.deepEqual(alone, [2, 2]);
  });

  it('passes shard errors on unchanged: SQLSTATE, message, detail, position', async () => {
    const [id] = idsOn(0, 1, 300);
    await c.query('INSERT INTO items VALUES ($1, $2)', [id, 'dup']);
    const dup = await sqlError(c.query('INSERT INTO items VALUES ($1, $2)', [id, 'again']));
    assert.equal(dup.code, '23505');
    assert.equal(dup.message, 'duplicate key value violates unique constraint "items_pkey"');
    assert.equal(dup.detail, `Key (id)=(${id}) already exists.`);
    const column = await sqlError(c.query(`SELECT nosuch FROM items WHERE id = ${id}`));
    assert.equal(column.code, '42703');
    assert.equal(column.position, '8');
    const syntax = await sqlError(c.query('SELEC 1'));
    assert.equal(syntax.code, '42601');
    assert.equal(syntax.position, '1');
    const badKey = await sqlError(c.query("SELECT * FROM items WHERE id = 'abc'"));
    assert.equal(badKey.code, '22P02');
    assert.equal((await sqlError(c.query('SELECT * FROM items'))).code, '0A000');
    // an UPDATE of the key moves rows (shard-router-key-update.test.ts), but not reading another sharded table
    assert.equal((await sqlError(c.query('UPDATE items SET id = 5 FROM pairs p WHERE p.b = items.label'))).code, '0A000');
    // a view may read sharded tables: shard 0 alone must not answer for it; it runs over its
    // definition with every shard's rows (pull-up.ts), a write through it stays refused
    const labels = (await onShards('SELECT label FROM items')).flat().map((r) => r[0]).sort();
    assert.ok(labels.length > 0);
    assert.deepEqual((await c.query({ text: 'SELECT * FROM item_labels', rowMode: 'array' })).rows.map((r) => r[0]).sort(), labels);
    const viewLock = await sqlError(c.query('SELECT * FROM item_labels FOR UPDATE'));
    assert.equal(viewLock.code, '0A000');
    assert.equal(viewLock.message, 'a view in a sharded cluster is not supported by the shard router yet');
    // so may a function: one whose SQL reads a sharded table reads temporary copies of every
    // shard's rows (pull-up.ts), others run on shard 0
    assert.deepEqual((await c.query({ text: 'SELECT item_count()', rowMode: 'array' })).rows, [[String(labels.length)]]);
    assert.deepEqual((await c.query('SELECT twice(21) AS n')).rows, [{ n: 42 }]);
  });

  it('keeps a transaction on one shard atomic, fails the block everywhere on an error', async () => {
    const [a, b] = idsOn(1, 2, 400);
    await c.query('BEGIN');
    await c.query('INSERT INTO items VALUES ($1, $2)', [a, 'tx']);
    await c.query('INSERT INTO items VALUES ($1, $2)', [b, 'tx']);
    await c.query('ROLLBACK');
    assert.deepEqual(await onShards("SELECT id FROM items WHERE label = 'tx'"), [[], []]);

    await c.query('BEGIN');
    await c.query('INSERT INTO items VALUES ($1, $2)', [a, 'tx']);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM items WHERE id = $1', [a])).rows[0].n, 1);
    await c.query('SAVEPOINT s');
    await c.query('INSERT INTO items VALUES ($1, $2)', [b, 'tx']);
    await c.query('ROLLBACK TO SAVEPOINT s');
    await c.query('COMMIT');
    assert.deepEqual((await onShards("SELECT id FROM items WHERE label = 'tx'"))[1], [[a]]);

    await c.query('BEGIN');
    await c.query('INSERT INTO items VALUES ($1, $2)', [b, 'failed']);
    assert.equal((await sqlError(c.query('SELECT 1 / 0'))).code, '22012');
    assert.equal((await sqlError(c.query(`SELECT * FROM items WHERE id = ${idsOn(0, 1)[0]}`))).code, '25P02');
    assert.equal((await c.query('COMMIT')).command, 'ROLLBACK');
    assert.deepEqual(await onShards("SELECT id FROM items WHERE label = 'failed'"), [[], []]);

    await c.query('BEGIN');
    const vacuum = await sqlError(c.query('VACUUM items'));
    assert.equal(vacuum.code, '25001');
    assert.equal(vacuum.message, 'VACUUM cannot run inside a transaction block');
    await c.query('ROLLBACK');
    await c.query('VACUUM items');
  });

  it('runs the statements of one Query as one transaction', async () => {
    const [a, b] = idsOn(0, 2, 800);
    const fail = await sqlError(c.query(`INSERT INTO items VALUES (${a}, 'multi'); INSERT INTO items VALUES (${b}, 'multi'); SELECT 1 / 0`));
    assert.equal(fail.code, '22012');
    assert.deepEqual(await onShards("SELECT id FROM items WHERE label = 'multi'"), [[], []]);
    await c.query(`INSERT INTO items VALUES (${a}, 'multi'); UPDATE items SET label = 'multi!' WHERE id = ${a}; INSERT INTO items VALUES (${b}, 'multi')`);
    assert.deepEqual((await onShards("SELECT id FROM items WHERE label LIKE 'multi%' ORDER BY id"))[0], [[a], [b]]);
    // BEGIN inside a Query makes a block of it, statements before it included, that outlives the Query
    await c.query(`DELETE FROM items WHERE id = ${a}; BEGIN; DELETE FROM items WHERE id = ${b}`);
    try {
      assert.deepEqual((await onShards("SELECT id FROM items WHERE label LIKE 'multi%' ORDER BY id"))[0], [[a], [b]]);
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM items WHERE id = ${a}`)).rows[0].n, 0);
    } finally {
      await c.query('ROLLBACK');
    }
    assert.deepEqual((await onShards("SELECT id FROM items WHERE label LIKE 'multi%' ORDER BY id"))[0], [[a], [b]]);
  });

  it('splits COPY FROM STDIN by key (text and CSV) and COPY TO STDOUT gives every shard\'s rows', async () => {
    const ids = idsOn(0, 3, 500);
    await pipeline(Readable.from([`${ids[0]}\tcopied\n${ids[1]}\tcopied\n`]), c.query(copyFrom('COPY items FROM STDIN')));
    await pipeline(Readable.from([`id,label\n${ids[2]},"copied"\n`]), c.query(copyFrom('COPY items (id, label) FROM STDIN WITH (FORMAT csv, HEADER true)')));
    assert.deepEqual((await onShards("SELECT id FROM items WHERE label = 'copied' ORDER BY id"))[0], ids.map((id) => [id]));
    // rows streamed in CopyData messages that cut rows, quoted CSV newlines and UTF-8 characters apart
    const many = idsOn(1, 3000, 10000);
    const csv = Buffer.from(many.map((id) => `${id},"streamed\nü ${id}"\n`).join(''), 'utf8');
    const pieces: Buffer[] = [];
    for (let at = 0; at < csv.length; at += 7) pieces.push(csv.subarray(at, at + 7));
    await pipeline(Readable.from(pieces), c.query(copyFrom('COPY items (id, label) FROM STDIN (FORMAT csv)')));
    const streamed = (await onShards("SELECT id, label FROM items WHERE label LIKE 'streamed%' ORDER BY id"));
    assert.equal(streamed[0]!.length, 0);
    assert.equal(streamed[1]!.length, many.length);
    assert.deepEqual(streamed[1]![0], [many[0], `streamed\nü ${many[0]}`]);
    const badKey = await sqlError(pipeline(Readable.from([`${many[0]! + 100000},x\nnot a number,y\n`]), c.query(copyFrom('COPY items FROM STDIN (FORMAT csv)'))));
    assert.equal(badKey.code, '22P02');
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM items WHERE id = $1', [many[0]! + 100000])).rows, [{ n: 0 }]);
    let out = '';
    const stream = c.query(copyTo('COPY items TO STDOUT'));
    stream.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); });
    const all = (await onShards('SELECT id FROM items')).flat().map((r) => String((r as number[])[0])).sort();
    assert.deepEqual(out.trim().split('\n').map((l) => l.split('\t')[0]).sort(), all);
  });

  it('commits a transaction that wrote on several shards by two-phase commit (DDL and rows)', async (t) => {
    if (twoPhaseSkip) {
      t.skip(twoPhaseSkip);
      return;
    }
    await c.query('CREATE TABLE spread (id int PRIMARY KEY, v text)');
    assert.deepEqual(await onShards("SELECT count(*)::int FROM pg_class WHERE relname = 'spread'"), [[[1]], [[1]]]);
    const [a] = idsOn(0, 1, 600);
    const [b] = idsOn(1, 1, 600);
    await c.query('INSERT INTO spread VALUES ($1, $2), ($3, $4)', [a, 'a', b, 'b']);
    assert.deepEqual((await onShards('SELECT id FROM spread')).map((r) => r.length), [1, 1]);
    await pipeline(Readable.from([`${a + 1000}\tx\n${b + 1000}\ty\n`]), c.query(copyFrom('COPY spread FROM STDIN')));
    await c.query('BEGIN');
    await c.query('UPDATE spread SET v = $2 WHERE id = $1', [a, 'a2']);
    await c.query('UPDATE spread SET v = $2 WHERE id = $1', [b, 'b2']);
    await c.query('COMMIT');
    assert.deepEqual((await onShards("SELECT v FROM spread WHERE v LIKE '_2' ")).map((r) => r.length), [1, 1]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
    // a multi-shard write failing on one shard (a key inserted twice) is rolled back on every shard
    const failed = await sqlError(c.query('INSERT INTO spread VALUES ($1, $2), ($3, $4)', [a + 2000, 'new', b, 'again']));
    assert.equal(failed.code, '23505');
    assert.deepEqual(await onShards(`SELECT id FROM spread WHERE id = ${a + 2000}`), [[], []]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  });

  it('sends a cancel request to the shard running the statement', async () => {
    const other = await client(router.port);
    try {
      const started = Date.now();
      const running = sqlError(other.query('SELECT pg_sleep(20)'));
      await new Promise((r) => setTimeout(r, 500));
      const { processID, secretKey } = other as unknown as { processID: number; secretKey: number };
      await new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: router.port }, () => s.end(serialize.cancel(processID, secretKey)));
        s.on('close', () => resolve());
      });
      const err = await running;
      assert.equal(err.code, '57014');
      assert.ok(Date.now() - started < 15000);
      assert.deepEqual((await other.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await other.end();
    }
  });

  it('runs an unpinned SELECT through the fan-out planner it is given: every shard, answers merged', async () => {
    // a planner for this test: each shard runs the statement as written, answers concatenated
    // and ordered by the first column; DISTINCT is a shape it refuses
    const seen: string[] = [];
    const planFanout: PlanFanout = (sql, parsed, tableOf) => {
      seen.push(tableOf(undefined, 'items')?.keyColumns.join(',') ?? 'none');
      if ((parsed as { SelectStmt?: { distinctClause?: unknown } }).SelectStmt?.distinctClause) return new SqlError('0A000', 'DISTINCT over shards is not planned yet');
      return {
        shardSql: sql,
        merge: (results) => ({
          fields: results[0]!.fields,
          rows: results.flatMap((r) => r.rows).sort((a, b) => Number(a[0]) - Number(b[0])),
        }),
      };
    };
    const r2 = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger, planFanout });
    const d = await client(r2.port);
    try {
      const ids = [...idsOn(0, 2, 700), ...idsOn(1, 2, 700)];
      for (const id of ids) await d.query('INSERT INTO items VALUES ($1, $2)', [id, 'fan']);
      const rows = (await d.query('SELECT id, label FROM items WHERE label = $1', ['fan'])).rows;
      assert.deepEqual(rows.map((r) => r.id), [...ids].sort((a, b) => a - b));
      assert.deepEqual(seen, ['id']);
      // a read-only shape the planner refuses is pulled up: shard 0 runs it over every shard's rows
      assert.deepEqual((await d.query('SELECT DISTINCT label FROM items WHERE label = $1', ['fan'])).rows, [{ label: 'fan' }]);
      assert.deepEqual(seen, ['id', 'id']);
      const refused = await sqlError(d.query('SELECT DISTINCT label FROM items FOR UPDATE'));
      assert.equal(refused.code, '0A000');
      assert.equal(refused.message, 'DISTINCT over shards is not planned yet');
    } finally {
      await d.end();
      await r2.close();
    }
  });

  it('fans unpinned SELECTs out with the fan-out planner: rows, ORDER BY … LIMIT, aggregates, k-NN', async () => {
    const r2 = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger, planFanout: fanoutPlanner });
    const d = await client(r2.port);
    try {
      const ids = [...idsOn(0, 5, 900), ...idsOn(1, 5, 900)].sort((a, b) => a - b);
      for (const id of ids) await d.query('INSERT INTO items VALUES ($1, $2)', [id, `planned ${id % 3}`]);
      const all = (await onShards("SELECT id FROM items WHERE label LIKE 'planned%'")).flat().map((r) => r[0] as number).sort((a, b) => a - b);
      assert.deepEqual(all, ids);
      assert.deepEqual((await d.query("SELECT id FROM items WHERE label LIKE 'planned%' ORDER BY id DESC LIMIT 3")).rows.map((r) => r.id), ids.slice(-3).reverse());
      assert.deepEqual((await d.query("SELECT count(*) AS n, min(id) AS lo FROM items WHERE label LIKE 'planned%'")).rows, [{ n: '10', lo: ids[0] }]);
      const groups = (await d.query('SELECT label, count(*) AS n FROM items WHERE label LIKE $1 GROUP BY label ORDER BY label', ['planned%'])).rows;
      assert.deepEqual(groups, [0, 1, 2].map((k) => ({ label: `planned ${k}`, n: String(ids.filter((id) => id % 3 === k).length) })).filter((g) => g.n !== '0'));
      // nearest first over both shards, whichever shard holds them
      for (const [a, v] of [[1, 10], [2, 20], [3, 30], [4, 40]]) await d.query("INSERT INTO pairs VALUES ($1, 'near', $2)", [a, v]);
      assert.deepEqual((await onShards("SELECT count(*)::int FROM pairs WHERE b = 'near'")).map((r) => r[0]![0] > 0), [true, true]);
      const nearest = (await d.query("SELECT a FROM pairs WHERE b = 'near' ORDER BY abs(v - $1) LIMIT 2", [24])).rows.map((r) => r.a);
      assert.deepEqual(nearest, [2, 3]);
      // expressions over aggregates: shard 0 evaluates them over the merged groups, with the
      // client's names and types, its $n, its transaction and its errors
      const cast = await d.query("SELECT count(*)::int, round(avg(id), 1)::text AS a FROM items WHERE label LIKE 'planned%'");
      assert.deepEqual(cast.rows, [{ count: 10, a: (Math.round(ids.reduce((x, y) => x + y, 0)) / 10).toFixed(1) }]);
      assert.deepEqual(cast.fields.map((f) => [f.name, f.dataTypeID]), [['count', 23], ['a', 25]]);
      const scaled = (await d.query('SELECT label, count(*) * $2::int AS n FROM items WHERE label LIKE $1 GROUP BY label HAVING count(*) + 0 > $3 ORDER BY n DESC, label', ['planned%', 2, 0])).rows;
      const byLabel = [0, 1, 2].map((k) => ({ label: `planned ${k}`, n: 2 * ids.filter((id) => id % 3 === k).length })).filter((g) => g.n > 0);
      assert.deepEqual(scaled, byLabel.sort((x, y) => y.n - x.n || x.label.localeCompare(y.label)).map((g) => ({ label: g.label, n: String(g.n) })));
      await assert.rejects(d.query("SELECT 1 / (count(*) - count(*)) FROM items WHERE label LIKE 'planned%'"), (e: pg.DatabaseError) => e.code === '22012' && e.message === 'division by zero');
      await d.query('BEGIN');
      await d.query('INSERT INTO items VALUES ($1, $2)', [idsOn(1, 1, 5000)[0], 'planned extra']);
      assert.deepEqual((await d.query("SELECT count(*)::int + 0 AS n FROM items WHERE label LIKE 'planned%'")).rows, [{ n: 11 }]);
      await d.query('ROLLBACK');
      assert.deepEqual((await d.query("SELECT count(*)::int + 0 AS n FROM items WHERE label LIKE 'planned%'")).rows, [{ n: 10 }]);
    } finally {
      await d.end();
      await r2.close();
    }
  });

  it('authenticates clients itself (SCRAM) and reaches the shards as the user it authenticated', async () => {
    const auth = new Authenticator('scram-sha-256', new Map([['postgres', 'router secret']]), undefined);
    const r2 = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger, security: { auth } });
    try {
      const wrong = new pg.Client({ host: '127.0.0.1', port: r2.port, user: 'postgres', database: 'postgres', password: 'guess' });
      wrong.on('error', () => {});
      const refused = await sqlError(wrong.connect());
      assert.equal(refused.code, '28P01');
      const right = new pg.Client({ host: '127.0.0.1', port: r2.port, user: 'postgres', database: 'postgres', password: 'router secret' });
      await right.connect();
      try {
        const id = idsOn(1, 1)[0]!;
        assert.deepEqual((await right.query('SELECT current_user AS u, count(*)::int AS n FROM items WHERE id = $1', [id])).rows, [{ u: 'postgres', n: 1 }]);
      } finally {
        await right.end();
      }
    } finally {
      await r2.close();
    }
  });

  it('follows leader changes: 57P03 while a shard has no leader, its new leader after', async () => {
    // a directory whose shard 1 loses its leader and gets it back, as the etcd one reports elections
    const addresses: (string | undefined)[] = shards.map((s) => `127.0.0.1:${s.port}`);
    const listeners = new Set<(shard: number, address: string | undefined) => void>();
    const moving: ShardDirectory = {
      shards: SHARDS,
      leader: (shard) => addresses[shard],
      waitLeader: async (shard, ms) => {
        const deadline = Date.now() + ms;
        while (addresses[shard] === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const address = addresses[shard];
        if (address === undefined) throw noShardLeader(shard);
        return address;
      },
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: async () => {},
    };
    const setLeader = (shard: number, address: string | undefined): void => {
      addresses[shard] = address;
      for (const l of listeners) l(shard, address);
    };
    const r2 = await startShardRouter({ host: '127.0.0.1', port: 0, directory: moving, logger, waitMs: 200 });
    const d = await client(r2.port);
    const on1 = idsOn(1, 1)[0]!;
    try {
      assert.equal((await d.query(`SELECT id FROM items WHERE id = ${on1}`)).rows.length, 1);
      setLeader(1, undefined);
      const err = await sqlError(d.query(`SELECT id FROM items WHERE id = ${on1}`));
      assert.equal(err.code, '57P03');
      assert.equal(err.detail, 'Shard 1 has no leader.');
      assert.equal((await d.query(`SELECT id FROM items WHERE id = ${idsOn(0, 1)[0]}`)).rows.length, 1);
      setLeader(1, `127.0.0.1:${shards[1]!.port}`);
      assert.equal((await d.query(`SELECT id FROM items WHERE id = ${on1}`)).rows.length, 1);
    } finally {
      await d.end();
      await r2.close();
    }
  });
});
