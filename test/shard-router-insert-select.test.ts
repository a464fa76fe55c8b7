/**
 * INSERT … SELECT into sharded tables through the shard router (two standalone Quiver servers
 * as shards, static directory, the real fan-out planner): the SELECT runs where the router
 * runs it alone, its rows land on their keys' shards, all or nothing. Where rows landed is
 * checked on the shards directly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { loopbackClient as client, shardOfInt, sqlError, rowsOnEach } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import * as pgQuery from 'libpg-query';
import { routeStatement } from '../src/cluster/router/route.js';
import type { RouterTable } from '../src/cluster/router/shard-catalog.js';

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE src (id int PRIMARY KEY, label text)',
  'CREATE TABLE dst (id int PRIMARY KEY, label text)',
  'CREATE TABLE by_label (label text PRIMARY KEY, id int)',
  'CREATE TABLE serials (id serial PRIMARY KEY, v text)',
  'CREATE TABLE vecs (id int PRIMARY KEY, emb vector(3))',
  'CREATE TABLE copy_of_src (id int PRIMARY KEY, label text)',
];

/** a catalog table as the router reads it, for routing checks */
function routerTable(name: string, columns: [string, typeof T.int4][], key: string[]): RouterTable {
  return {
    schema: 'public', name, oid: name.length, keyColumns: key,
    keyTypes: key.map((k) => columns.find((c) => c[0] === k)![1]), keyDefaults: key.map(() => undefined), drawn: [],
    columns: columns.map(([n, type]) => ({ name: n, type })),
  };
}
const shardOf = (id: number): number => shardOfInt(id, SHARDS);

describe('shard router: INSERT … SELECT', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;

  /** rows of `sql` on each shard, read there directly */
  const onShards = (sql: string) => rowsOnEach(shards, sql);

  /** every shard holds only rows whose int key `column` hashes to it */
  async function assertPlaced(sql: string): Promise<number[]> {
    const perShard = await onShards(sql);
    perShard.forEach((rows, shard) => {
      for (const [id] of rows) assert.equal(shardOf(id), shard, `id ${id} on shard ${shard}`);
    });
    return perShard.map((rows) => rows.length);
  }

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES });
    ({ shards, client: c } = cluster);
  });

  after(async () => {
    await cluster?.close();
  });

  it('inserts the rows of a SELECT reading no sharded table (run on shard 0) on their keys\' shards', async () => {
    const r = await c.query("INSERT INTO src SELECT g, 'row ' || g FROM generate_series(1, 1000) g");
    assert.equal(r.command, 'INSERT');
    assert.equal(r.rowCount, 1000);
    const counts = await assertPlaced('SELECT id FROM src');
    assert.equal(counts[0]! + counts[1]!, 1000);
    assert.ok(counts[0]! > 0 && counts[1]! > 0);
    assert.deepEqual((await onShards('SELECT label FROM src WHERE id = 777')).flat(), [['row 777']]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
    // parameters of the statement reach the SELECT
    const p = await c.query('INSERT INTO dst (label, id) SELECT $1, g FROM generate_series($2::int, $3::int) g', ['param', 5001, 5010]);
    assert.equal(p.rowCount, 10);
    assert.equal((await assertPlaced("SELECT id FROM dst WHERE label = 'param'")).reduce((a, b) => a + b), 10);
  });

  it('inserts the rows of a fanned-out or pinned SELECT over one sharded table into another', async () => {
    // `id + 0`: not the key passed through (that is co-located, below): the router moves the rows
    const r = await c.query('INSERT INTO dst SELECT id + 0, label FROM src WHERE id <= 100');
    assert.equal(r.rowCount, 100);
    const counts = await assertPlaced('SELECT id FROM dst WHERE id <= 100');
    assert.equal(counts[0]! + counts[1]!, 100);
    // a table keyed by another column: rows placed by that key
    assert.equal((await c.query('INSERT INTO by_label (label, id) SELECT label, id FROM src WHERE id BETWEEN 1 AND 50')).rowCount, 50);
    const placed = await onShards('SELECT label FROM by_label');
    placed.forEach((rows, shard) => {
      for (const [label] of rows) assert.equal(shardOfKey([T.text], [label], SHARDS), shard);
    });
    assert.equal(placed.flat().length, 50);
    // an aggregate over every shard: the planner merges, one row goes in
    await c.query('INSERT INTO dst SELECT 9000 + count(*)::int, max(label) FROM src');
    assert.deepEqual((await onShards('SELECT id FROM dst WHERE id = 10000'))[shardOf(10000)], [[10000]]);
    // pinned to one shard by its key, the row written on its own key's shard
    assert.equal((await c.query("INSERT INTO dst SELECT id + 6000, 'pinned' FROM src WHERE id = 7")).rowCount, 1);
    assert.deepEqual((await onShards("SELECT id FROM dst WHERE label = 'pinned'"))[shardOf(6007)], [[6007]]);
    // a key of another type takes the assignment cast before it is hashed (numeric 2.5 → int 3, as the shard stores it)
    assert.equal((await c.query('INSERT INTO dst SELECT (g + 0.5)::numeric + 20000, null FROM generate_series(1, 6) g')).rowCount, 6);
    const rounded = await assertPlaced('SELECT id FROM dst WHERE id > 20000');
    assert.equal(rounded[0]! + rounded[1]!, 6);
    assert.equal((await c.query('INSERT INTO dst SELECT g::int8 + 21000, null FROM generate_series(1, 4) g')).rowCount, 4);
    assert.equal((await assertPlaced('SELECT id FROM dst WHERE id > 21000')).reduce((a, b) => a + b), 4);
    // no rows
    const none = await c.query('INSERT INTO dst SELECT id, label FROM src WHERE id < 0');
    assert.equal(none.command, 'INSERT');
    assert.equal(none.rowCount, 0);
  });

  // `id + 0`: not a key column passed through, so not co-located: the rows go through the router
  it('is all or nothing: a duplicate key on one shard leaves no row on any, and ROLLBACK undoes it', async () => {
    // id 200 exists in dst on its shard only; the other rows would land on both shards
    await c.query("INSERT INTO dst VALUES (200, 'there')");
    const err = await sqlError(c.query("INSERT INTO dst SELECT id + 0, 'dup' FROM src WHERE id BETWEEN 190 AND 210"));
    assert.equal(err.code, '23505');
    assert.deepEqual(await onShards("SELECT id FROM dst WHERE label = 'dup'"), [[], []]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);

    await c.query('BEGIN');
    assert.equal((await c.query("INSERT INTO dst SELECT id + 0, 'in block' FROM src WHERE id BETWEEN 300 AND 339")).rowCount, 40);
    assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM dst WHERE label = 'in block'")).rows, [{ n: 40 }]);
    await c.query('ROLLBACK');
    assert.deepEqual(await onShards("SELECT id FROM dst WHERE label = 'in block'"), [[], []]);

    // committed in a block with other writes: every shard's rows stay
    await c.query('BEGIN');
    await c.query("INSERT INTO dst SELECT id + 0, 'kept' FROM src WHERE id BETWEEN 400 AND 419");
    await c.query("INSERT INTO dst VALUES (7777, 'kept')");
    await c.query('COMMIT');
    assert.equal((await assertPlaced("SELECT id FROM dst WHERE label = 'kept'")).reduce((a, b) => a + b), 21);
    // an error in a block fails it
    await c.query('BEGIN');
    assert.equal((await sqlError(c.query("INSERT INTO dst SELECT id + 0, 'dup2' FROM src WHERE id BETWEEN 195 AND 205"))).code, '23505');
    assert.equal((await sqlError(c.query('SELECT 1'))).code, '25P02');
    await c.query('ROLLBACK');
    assert.deepEqual(await onShards("SELECT id FROM dst WHERE label = 'dup2'"), [[], []]);
  });

  it('takes a key left out from its DEFAULT on shard 0, and reads untyped literals as the column\'s type', async () => {
    assert.equal((await c.query("INSERT INTO serials (v) SELECT 'v' || g FROM generate_series(1, 20) g")).rowCount, 20);
    const ids = await assertPlaced('SELECT id FROM serials');
    assert.equal(ids[0]! + ids[1]!, 20);
    assert.deepEqual((await onShards('SELECT id FROM serials')).flat().map((r) => r[0]).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal((await c.query("INSERT INTO vecs SELECT g, '[1,2,3]' FROM generate_series(1, 6) g")).rowCount, 6);
    assert.deepEqual((await onShards('SELECT id, emb::text FROM vecs ORDER BY id')).flat().sort((a, b) => a[0] - b[0]).map((r) => r[1]), Array(6).fill('[1,2,3]'));
    await assertPlaced('SELECT id FROM vecs');
  });

  it('runs a co-located INSERT … SELECT (each row\'s key from a table sharded alike) on each shard as it is', async () => {
    const tables = new Map([
      ['a', routerTable('a', [['id', T.int4], ['v', T.text]], ['id'])],
      ['b', routerTable('b', [['v', T.text], ['id', T.int4]], ['id'])],
      ['c', routerTable('c', [['id', T.int8], ['v', T.text]], ['id'])],
    ]);
    const lookup = { table: (_s: string | undefined, n: string) => tables.get(n) };
    const route = (sql: string) => routeStatement(sql, pgQuery.parseSync(sql).stmts![0]!.stmt as Record<string, unknown>, lookup).kind;
    assert.equal(route('INSERT INTO b SELECT * FROM a'), 'insertSelect'); // b's key is its second column: a's label goes there
    assert.equal(route('INSERT INTO b (id, v) SELECT * FROM a WHERE v <> \'x\''), 'everyShard');
    assert.equal(route('INSERT INTO b SELECT x.v, x.id FROM a x'), 'everyShard');
    assert.equal(route('INSERT INTO b (id, v) SELECT * FROM a WHERE id = 3'), 'pinned');
    assert.equal(route('INSERT INTO b (id, v) SELECT id + 1, v FROM a'), 'insertSelect');
    assert.equal(route('INSERT INTO b (id, v) SELECT id, v FROM a LIMIT 3'), 'insertSelect');
    assert.equal(route('INSERT INTO b (id, v) SELECT id, lower(v) FROM a'), 'insertSelect');
    assert.equal(route('INSERT INTO c SELECT * FROM a'), 'insertSelect'); // int8 keys hash otherwise

    const r = await c.query('INSERT INTO copy_of_src SELECT * FROM src WHERE id <= 500');
    assert.equal(r.rowCount, 500);
    const counts = await assertPlaced('SELECT id FROM copy_of_src');
    assert.equal(counts[0]! + counts[1]!, 500);
    assert.equal((await c.query('INSERT INTO copy_of_src SELECT id + 0 + 1000, label FROM src WHERE id = 3')).rowCount, 1);
    assert.equal((await c.query('INSERT INTO copy_of_src SELECT * FROM src WHERE id = 600')).rowCount, 1);
    assert.deepEqual((await onShards('SELECT id FROM copy_of_src WHERE id = 600'))[shardOf(600)], [[600]]);
    // all or nothing across shards too
    const err = await sqlError(c.query('INSERT INTO copy_of_src SELECT * FROM src WHERE id BETWEEN 490 AND 520'));
    assert.equal(err.code, '23505');
    assert.deepEqual(await onShards('SELECT id FROM copy_of_src WHERE id BETWEEN 501 AND 520'), [[], []]);
    assert.deepEqual(await onShards('SELECT gid FROM pg_prepared_xacts'), [[], []]);
  });

  it('keeps ON CONFLICT DO NOTHING on the rows\' INSERTs', async () => {
    await c.query("INSERT INTO dst SELECT g, 'first' FROM generate_series(8100, 8109) g");
    const r = await c.query("INSERT INTO dst AS d SELECT g, 'second' FROM generate_series(8100, 8119) g ON CONFLICT (id) DO NOTHING");
    assert.equal(r.rowCount, 10);
    assert.deepEqual((await onShards("SELECT label, count(*)::int FROM dst WHERE id BETWEEN 8100 AND 8119 GROUP BY label")).flat().reduce((m, [label, n]) => ({ ...m, [label]: (m[label] ?? 0) + n }), {} as Record<string, number>), { first: 10, second: 10 });
    assert.equal((await assertPlaced('SELECT id FROM dst WHERE id BETWEEN 8100 AND 8119')).reduce((a, b) => a + b), 20);
    // co-located, run on each shard as it is
    assert.equal((await c.query('INSERT INTO copy_of_src SELECT * FROM src WHERE id <= 510 ON CONFLICT DO NOTHING')).rowCount, 10);
  });

  // RETURNING and ON CONFLICT … DO UPDATE: test/shard-router-key-update.test.ts
});
