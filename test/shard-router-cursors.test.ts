/**
 * SQL PREPARE / EXECUTE / DEALLOCATE, cursors (DECLARE / FETCH / MOVE / CLOSE) and the
 * extended protocol's row-limited Execute over sharded tables through the shard router (two
 * standalone Quiver servers as shards, static directory, the real fan-out planner). Each
 * script runs on the router and on one standalone server holding all the rows, and the two
 * must answer alike: the same messages (rows, tags, SQLSTATEs, transaction status).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { serialize } from 'pg-protocol';
import { loopbackClient as client, rowsOnEach, shardOfInt } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { RawClient, cstringBody, summarize, type RawFrame } from './wire-fake-backend.js';
import type { ShardRouter } from '../src/cluster/router/server.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE items (id int PRIMARY KEY, label text, n int)',
  'CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))',
  'CREATE TABLE bins (id int PRIMARY KEY, label text, score float8, tags int[])',
  'CREATE TABLE bin_pairs (a int, b text, v int, PRIMARY KEY (a, b))',
];

/** the whole output of a COPY … TO STDOUT */
async function copyOut(c: pg.Client, sql: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const stream = c.query(copyTo(sql));
  stream.on('data', (d: Buffer) => parts.push(d));
  await new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); });
  return Buffer.concat(parts);
}

/** a binary COPY stream's header length and its tuples' bytes (hex), checking the trailer */
function binaryTuples(data: Buffer): { header: Buffer; tuples: string[] } {
  const headerLength = 19 + data.readInt32BE(15);
  const tuples: string[] = [];
  let at = headerLength;
  for (;;) {
    const count = data.readInt16BE(at);
    if (count === -1) break;
    let end = at + 2;
    for (let f = 0; f < count; f++) end += 4 + Math.max(data.readInt32BE(end), 0);
    tuples.push(data.subarray(at, end).toString('hex'));
    at = end;
  }
  assert.equal(at + 2, data.length, 'the trailer ends the stream');
  return { header: data.subarray(0, headerLength), tuples };
}

/** `data` in CopyData pieces of `size` bytes (cutting tuples and fields apart) */
const pieces = (data: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

const ROWS = 60;

/** a raw protocol session on `port` (startup done) */
async function session(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  c.write(serialize.startup({ user: 'postgres', database: 'postgres' }));
  await c.untilReady();
  return c;
}

/** what the client sees of a simple Query: every message summarized, and row descriptions' column names */
async function simple(c: RawClient, sql: string): Promise<string[]> {
  c.write(serialize.query(sql));
  return described(await c.untilReady());
}

function described(frames: RawFrame[]): string[] {
  const out = summarize(frames);
  frames.forEach((f, i) => {
    if (f.code === 'T') out[i] = `T:${columnNames(f.body).join(',')}`;
  });
  return out;
}

function columnNames(body: Buffer): string[] {
  const names: string[] = [];
  let at = 2;
  for (let i = 0; i < body.readInt16BE(0); i++) {
    const name = cstringBody(body.subarray(at));
    names.push(name);
    at += Buffer.byteLength(name) + 1 + 18;
  }
  return names;
}

describe('shard router: SQL PREPARE / EXECUTE, cursors, row-limited Execute', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let standalone: QuiverServer;
  let router: ShardRouter;
  let viaRouter: RawClient;
  let alone: RawClient;

  /**
   * run `script` (statements, one simple Query each) on the router and on the standalone server:
   * the same answers; `postgres` gives PostgreSQL 15's answer (recorded from it) where the
   * standalone engine's differs
   */
  async function same(script: readonly string[], postgres: Record<string, string[]> = {}): Promise<string[][]> {
    const answers: string[][] = [];
    for (const sql of script) {
      const standaloneAnswer = await simple(alone, sql);
      const expected = postgres[sql] ?? standaloneAnswer;
      const got = await simple(viaRouter, sql);
      assert.deepEqual(got, expected, sql);
      answers.push(got);
    }
    return answers;
  }

  before(async () => {
    // raw protocol sessions below, no pg clients
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, standalone: true, connect: false });
    ({ shards, router } = cluster);
    standalone = cluster.standalone!;
    viaRouter = await session(router.port);
    alone = await session(standalone.port);
    await same([
      `INSERT INTO items SELECT g, 'item ' || g, g % 4 FROM generate_series(1, ${ROWS}) g`,
      "INSERT INTO pairs VALUES (1, 'x', 10), (1, 'y', 11), (2, 'x', 20), (3, 'z', 30)",
    ]);
    const counts = (await rowsOnEach(shards, 'SELECT count(*)::int FROM items')).map((r) => r[0]![0] as number);
    assert.ok(counts[0]! > 0 && counts[1]! > 0, 'rows on both shards');
  });

  after(async () => {
    viaRouter?.end();
    alone?.end();
    await cluster?.close();
  });

  it('PREPARE / EXECUTE statements pinned by key, fanned out, and INSERTs to their keys\' shards', async () => {
    await same([
      'PREPARE get_one(int) AS SELECT id, label FROM items WHERE id = $1',
      'EXECUTE get_one(7)',
      'EXECUTE get_one(58)',
      'EXECUTE get_one(1000)',
      "PREPARE pair(int, text) AS SELECT v FROM pairs WHERE a = $1 AND b = $2",
      "EXECUTE pair(1, 'y')",
      'PREPARE count_from(int) AS SELECT count(*), sum(n) FROM items WHERE id >= $1',
      'EXECUTE count_from(10)',
      'PREPARE by_n AS SELECT n, count(*) AS c FROM items WHERE id > $1 GROUP BY n ORDER BY n',
      'EXECUTE by_n(20)',
      "PREPARE ins(int, text, int) AS INSERT INTO items VALUES ($1, $2, 9), ($3, $2 || '!', 9)",
      "EXECUTE ins(101, 'new', 1101)",
      "EXECUTE ins(102, 'newer', 1102)",
      'PREPARE bump AS UPDATE items SET n = n + 1 WHERE id = $1 RETURNING id, n',
      'EXECUTE bump(101)',
      'PREPARE bump_all(int) AS UPDATE items SET n = n + 1 WHERE n = $1',
      'EXECUTE bump_all(9)',
      // an argument that is an expression, cast to the parameter's type (2.5 → 3) as PostgreSQL does
      'EXECUTE get_one(2.5)',
      'EXECUTE get_one(1 + 2 * 3)',
      // reading no sharded table: shard 0's own
      'PREPARE plain(int) AS SELECT $1 + 1 AS next',
      'EXECUTE plain(41)',
      'SELECT id, label, n FROM items WHERE id > 100 ORDER BY id',
      'EXPLAIN (COSTS OFF) EXECUTE plain(1)',
    ]);
    // shard 0 would explain (and EXPLAIN ANALYZE run) the router's statement alone
    assert.deepEqual(await simple(viaRouter, 'EXPLAIN (COSTS OFF) EXECUTE get_one(7)'), ['E:0A000', 'Z:I']);
    // the INSERTs' rows are on their keys' shards
    const placed = await rowsOnEach(shards, 'SELECT id FROM items WHERE id > 100 ORDER BY id');
    placed.forEach((rows, shard) => {
      for (const [id] of rows) assert.equal(shardOfInt(id, SHARDS), shard, `id ${id} on shard ${shard}`);
    });
    assert.equal(placed.flat().length, 4);
  });

  it('answers PostgreSQL\'s errors: duplicate name, unknown name, argument count and type; DEALLOCATE [ALL]', async () => {
    await same([
      'PREPARE dup(int) AS SELECT label FROM items WHERE id = $1',
      'PREPARE dup AS SELECT count(*) FROM items',
      'EXECUTE dup(1, 2)',
      'EXECUTE dup',
      "EXECUTE dup('x')",
      'EXECUTE missing(1)',
      'DEALLOCATE missing',
      'SELECT name, parameter_types FROM pg_prepared_statements WHERE name IN (\'dup\', \'get_one\', \'plain\') ORDER BY name',
      'DEALLOCATE dup',
      'EXECUTE dup(1)',
      'PREPARE dup AS SELECT count(*) FROM items',
      'EXECUTE dup',
      'DEALLOCATE PREPARE dup',
      'DEALLOCATE ALL',
      'EXECUTE get_one(7)',
      'EXECUTE plain(1)',
      'SELECT count(*) FROM pg_prepared_statements WHERE from_sql',
      // in a block: an EXECUTE error fails it, and PREPARE stays after a rollback (not transactional)
      'BEGIN',
      'PREPARE in_block(int) AS SELECT label FROM items WHERE id = $1',
      'EXECUTE in_block(3)',
      'EXECUTE in_block(1, 2)',
      'EXECUTE in_block(3)',
      'ROLLBACK',
      'EXECUTE in_block(4)',
      'DEALLOCATE in_block',
    ]);
  });

  it('runs PREPARE / EXECUTE from node-pg (simple Query and the extended protocol)', async () => {
    const r = await client(router.port);
    const s = await client(standalone.port);
    try {
      for (const c of [r, s]) await c.query('PREPARE lbl(int) AS SELECT label FROM items WHERE id = $1');
      for (const values of [undefined, []]) {
        // values [] makes node-pg send Parse / Bind / Describe / Execute
        const a = await r.query({ text: 'EXECUTE lbl(12)', values, rowMode: 'array' });
        const b = await s.query({ text: 'EXECUTE lbl(12)', values, rowMode: 'array' });
        assert.deepEqual(a.rows, b.rows);
        assert.deepEqual(a.rows, [['item 12']]);
        assert.deepEqual(a.fields.map((f) => [f.name, f.dataTypeID]), b.fields.map((f) => [f.name, f.dataTypeID]));
        assert.equal(a.command, 'SELECT');
      }
      // psycopg's executemany style: PREPARE once, EXECUTE per row, rows to their keys' shards
      await r.query('PREPARE put(int, text) AS INSERT INTO items (id, label, n) VALUES ($1, $2, 7)');
      for (const id of [201, 202, 203, 204]) assert.equal((await r.query(`EXECUTE put(${id}, 'put ${id}')`)).rowCount, 1);
      const placed = await rowsOnEach(shards, 'SELECT id FROM items WHERE id BETWEEN 201 AND 204');
      placed.forEach((rows, shard) => rows.forEach(([id]) => assert.equal(shardOfInt(id, SHARDS), shard)));
      assert.equal(placed.flat().length, 4);
      await r.query('DELETE FROM items WHERE id BETWEEN 201 AND 204');
      // a Parse of the name SQL PREPARE took is refused as PostgreSQL does
      const dup = await r.query({ name: 'lbl', text: 'SELECT 1' }).catch((e: pg.DatabaseError) => e);
      const dupAlone = await s.query({ name: 'lbl', text: 'SELECT 1' }).catch((e: pg.DatabaseError) => e);
      assert.equal((dup as pg.DatabaseError).code, (dupAlone as pg.DatabaseError).code);
    } finally {
      await r.end();
      await s.end();
    }
  });

  it('walks a scrollable cursor over every shard as PostgreSQL does (FETCH / MOVE in every direction)', async () => {
    await same([
      'BEGIN',
      'DECLARE c SCROLL CURSOR FOR SELECT id, label FROM items WHERE id <= 20 ORDER BY id',
      'FETCH 3 c',
      'FETCH NEXT c',
      'FETCH PRIOR FROM c',
      'FETCH FIRST IN c',
      'FETCH LAST c',
      'FETCH c',
      'FETCH PRIOR c',
      'FETCH ABSOLUTE 10 c',
      'FETCH ABSOLUTE -3 c',
      'FETCH ABSOLUTE 0 c',
      'FETCH ABSOLUTE 25 c',
      'FETCH RELATIVE -2 c',
      'FETCH RELATIVE 0 c',
      'FETCH FORWARD 0 c',
      'FETCH RELATIVE 3 c',
      'FETCH BACKWARD 2 c',
      'FETCH BACKWARD 0 c',
      'FETCH -2 c',
      'MOVE FORWARD 5 c',
      'FETCH c',
      'MOVE 0 c',
      'MOVE LAST IN c',
      'FETCH c',
      'FETCH BACKWARD ALL FROM c',
      'MOVE ALL c',
      'MOVE BACKWARD ALL c',
      'FETCH ALL c',
      'FETCH ABSOLUTE 1 c',
      'FETCH FORWARD 100 c',
      'CLOSE c',
      'FETCH c',
      'ROLLBACK',
    ]);
  });

  it('refuses backward moves of a NO SCROLL cursor, closes cursors with their transaction, keeps WITH HOLD ones', async () => {
    await same([
      'DECLARE outside CURSOR FOR SELECT id FROM items ORDER BY id',
      'BEGIN',
      'DECLARE f NO SCROLL CURSOR FOR SELECT id FROM items ORDER BY id',
      'FETCH 2 f',
      'FETCH PRIOR f',
      'ROLLBACK',
      'BEGIN',
      'DECLARE f NO SCROLL CURSOR FOR SELECT id FROM items ORDER BY id',
      'FETCH ABSOLUTE 4 f',
      'FETCH RELATIVE 3 f',
      'FETCH 0 f',
      'ROLLBACK',
      'BEGIN',
      'DECLARE f NO SCROLL CURSOR FOR SELECT id FROM items ORDER BY id',
      'MOVE 5 f',
      'FETCH ABSOLUTE 2 f',
      'ROLLBACK',
      'BEGIN',
      'DECLARE f NO SCROLL CURSOR FOR SELECT id FROM items WHERE id < 4 ORDER BY id',
      'FETCH ALL f',
      'FETCH FORWARD 0 f',
      'FETCH ABSOLUTE -1 f',
      'ROLLBACK',
      'BEGIN',
      'DECLARE f NO SCROLL CURSOR FOR SELECT id FROM items ORDER BY id',
      'FETCH 1 f',
      'MOVE 0 f',
      'FETCH RELATIVE 0 f',
      'ROLLBACK',
      'BEGIN',
      'DECLARE h CURSOR WITH HOLD FOR SELECT id, n FROM items WHERE id > 50 ORDER BY id',
      'DECLARE t CURSOR FOR SELECT id FROM items ORDER BY id',
      'FETCH 2 h',
      'COMMIT',
      'FETCH 2 h',
      'FETCH t',
      'FETCH PRIOR h',
      'CLOSE h',
      'CLOSE h',
      'BEGIN',
      'DECLARE gone CURSOR WITH HOLD FOR SELECT id FROM items ORDER BY id',
      'ROLLBACK',
      'FETCH gone',
      'BEGIN',
      'DECLARE before_sp CURSOR FOR SELECT id FROM items ORDER BY id',
      'SAVEPOINT a',
      'DECLARE after_sp CURSOR FOR SELECT id FROM items ORDER BY id DESC',
      'SAVEPOINT b',
      'DECLARE released CURSOR FOR SELECT id FROM items ORDER BY id',
      'RELEASE SAVEPOINT b',
      'FETCH after_sp',
      'ROLLBACK TO SAVEPOINT a',
      'FETCH before_sp',
      'FETCH released',
      'ROLLBACK',
      'BEGIN',
      'SAVEPOINT a',
      'DECLARE after_sp2 CURSOR FOR SELECT id FROM items ORDER BY id DESC',
      'ROLLBACK TO SAVEPOINT a',
      'FETCH after_sp2',
      'ROLLBACK',
      // a held NO SCROLL cursor outside a block: a refused backward move leaves PostgreSQL's failed portal
      'DECLARE nh NO SCROLL CURSOR WITH HOLD FOR SELECT id FROM items ORDER BY id',
      'FETCH 2 nh',
      'MOVE 0 nh',
      'FETCH PRIOR nh',
      'FETCH nh',
      'CLOSE nh',
      'DECLARE held CURSOR WITH HOLD FOR SELECT count(*) FROM items',
      'DECLARE held CURSOR FOR SELECT 1',
      'DECLARE held CURSOR WITH HOLD FOR SELECT 1',
      'FETCH ALL held',
      'CLOSE ALL',
      'FETCH held',
    ]);
  });

  it('reads a cursor over a fan-out from cursors on the shards, scrolling every way across them', async () => {
    // without ORDER BY the router gives the shards' rows one shard after the other: that order,
    // written out as an ORDER BY for the standalone server, makes the two sequences the same
    const query = 'SELECT id, label FROM items WHERE id <= 40';
    const order = (frames: string[]): number[] => frames.filter((f) => f.startsWith('D:')).map((f) => Number(/\d+/.exec(f)![0]));
    await simple(viaRouter, 'BEGIN');
    const ids = order(await simple(viaRouter, query));
    await simple(viaRouter, 'COMMIT');
    assert.equal(ids.length, 40);
    assert.notDeepEqual(ids, [...ids].sort((a, b) => a - b), 'the shards\' rows one shard after the other');
    const same2 = async (script: readonly string[]): Promise<void> => {
      for (const sql of script) {
        const standaloneSql = sql.replace(query, `${query} ORDER BY array_position(ARRAY[${ids.join(',')}], id)`);
        assert.deepEqual(await simple(viaRouter, sql), await simple(alone, standaloneSql), sql);
      }
    };
    const walk = [
      'FETCH 3 c', 'FETCH PRIOR c', 'FETCH FIRST c', 'FETCH LAST c', 'FETCH c', 'FETCH PRIOR c',
      // across the boundary between the shards, both ways
      'FETCH ABSOLUTE 10 c', `FETCH ABSOLUTE ${ids.length - 2} c`, 'FETCH ABSOLUTE -3 c', 'FETCH ABSOLUTE 0 c', 'FETCH ABSOLUTE 25 c',
      'FETCH RELATIVE -20 c', 'FETCH RELATIVE 0 c', 'FETCH FORWARD 0 c', 'FETCH RELATIVE 30 c', 'FETCH BACKWARD 25 c',
      'MOVE FORWARD 15 c', 'FETCH c', 'MOVE 0 c', 'MOVE LAST IN c', 'FETCH c', 'FETCH BACKWARD ALL FROM c',
      'MOVE ALL c', 'MOVE BACKWARD ALL c', 'FETCH ALL c', 'FETCH ABSOLUTE 1 c', 'MOVE BACKWARD 30 c', 'FETCH FORWARD 100 c', 'FETCH c',
    ];
    await same2(['BEGIN', `DECLARE c SCROLL CURSOR FOR ${query}`, ...walk, 'CLOSE c', 'COMMIT']);
    // a random walk (seeded): every direction, counts around the shards' boundary and the ends
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const directions = ['FETCH', 'MOVE'];
    const moves = ['NEXT', 'PRIOR', 'FIRST', 'LAST', 'ABSOLUTE', 'RELATIVE', 'FORWARD', 'BACKWARD', 'FORWARD ALL', 'BACKWARD ALL'];
    const steps = Array.from({ length: 120 }, () => {
      const m = moves[random(moves.length)]!;
      const n = ['ABSOLUTE', 'RELATIVE', 'FORWARD', 'BACKWARD'].includes(m) ? ` ${random(50) - (m === 'FORWARD' || m === 'BACKWARD' ? 5 : 25)}` : '';
      return `${directions[random(2)]} ${m}${n} FROM c`;
    });
    await same2(['BEGIN', `DECLARE c SCROLL CURSOR FOR ${query}`, ...steps, 'COMMIT']);
    await same2(['BEGIN', `DECLARE c CURSOR FOR ${query}`, ...walk, 'ROLLBACK']);
    // NO SCROLL: forward reads and moves across the shards, backward refused
    await same2(['BEGIN', `DECLARE c NO SCROLL CURSOR FOR ${query}`, 'FETCH 15 c', 'MOVE 10 c', 'FETCH 10 c', 'FETCH ABSOLUTE 39 c', 'FETCH ALL c', 'FETCH c', 'FETCH PRIOR c', 'ROLLBACK']);
    // the cursor sees the rows as they were at DECLARE, and other statements run in between
    await same2(['BEGIN', `DECLARE c CURSOR FOR ${query}`, 'FETCH 2 c', 'UPDATE items SET label = label || \'+\' WHERE id <= 40', 'FETCH 30 c', 'SELECT count(*) FROM items WHERE label LIKE \'%+\'', 'FETCH BACKWARD 5 c', 'ROLLBACK']);
    // a savepoint rolled back closes the cursors declared after it, on the shards too; CLOSE ALL
    await same2(['BEGIN', 'SAVEPOINT s', `DECLARE c CURSOR FOR ${query}`, 'FETCH 2 c', 'ROLLBACK TO SAVEPOINT s', 'FETCH c', 'ROLLBACK']);
    await same2(['BEGIN', `DECLARE c CURSOR FOR ${query}`, `DECLARE d NO SCROLL CURSOR FOR ${query}`, 'FETCH 2 d', 'CLOSE ALL', 'FETCH c', 'ROLLBACK']);
    // an error while the shards compute the rows (a division by zero on some row), and the block failed after
    await same2(['BEGIN', 'DECLARE z NO SCROLL CURSOR FOR SELECT id, 10 / (id - 30) AS q FROM items WHERE id <= 40', 'FETCH 50 z', 'FETCH z', 'ROLLBACK']);
    // a row description of every column, in a multi-statement Query's implicit block
    await same2([`DECLARE c CURSOR FOR ${query}; FETCH 3 c; MOVE 30 c; FETCH BACKWARD 2 c`]);
  });

  it('runs cursors pinned to one shard, over aggregates, over no sharded table, and in one multi-statement Query', async () => {
    await same([
      'BEGIN',
      'DECLARE one CURSOR FOR SELECT * FROM items WHERE id = 33',
      'DECLARE agg CURSOR FOR SELECT n, count(*) AS c, max(id) FROM items GROUP BY n ORDER BY n',
      'DECLARE local CURSOR FOR SELECT g FROM generate_series(1, 5) g',
      'DECLARE one CURSOR FOR SELECT 1',
      'ROLLBACK',
      'BEGIN',
      'DECLARE one CURSOR FOR SELECT * FROM items WHERE id = 33',
      'DECLARE agg CURSOR FOR SELECT n, count(*) AS c, max(id) FROM items GROUP BY n ORDER BY n',
      'DECLARE local CURSOR FOR SELECT g FROM generate_series(1, 5) g',
      'DECLARE local CURSOR FOR SELECT id FROM items',
      'ROLLBACK',
      'BEGIN',
      'DECLARE one CURSOR FOR SELECT * FROM items WHERE id = 33',
      'DECLARE agg CURSOR FOR SELECT n, count(*) AS c, max(id) FROM items GROUP BY n ORDER BY n',
      'DECLARE local CURSOR FOR SELECT g FROM generate_series(1, 5) g',
      'FETCH ALL one',
      'FETCH 2 agg',
      'FETCH ALL agg',
      'FETCH 2 local',
      'CLOSE one',
      'CLOSE local',
      'CLOSE ALL',
      'FETCH agg',
      'ROLLBACK',
      'DECLARE m CURSOR FOR SELECT id FROM items ORDER BY id; FETCH 3 m; MOVE 10 m; FETCH m',
      'FETCH m',
      // a COMMIT in the Query ends its implicit block and the cursor; a BEGIN makes it a real block
      'SELECT 1 AS one; DECLARE m CURSOR FOR SELECT id FROM items ORDER BY id; COMMIT; FETCH m',
      'DECLARE m CURSOR FOR SELECT id FROM items ORDER BY id; BEGIN; FETCH 2 m',
      'FETCH m',
      'COMMIT',
      'FETCH m',
    ]);
  });

  it('COPY … (FORMAT binary) FROM STDIN splits tuples by key; TO STDOUT gives one header, every shard\'s tuples, one trailer', async () => {
    const r = await client(router.port);
    const s = await client(standalone.port);
    try {
      // the binary data as a server writes it: NULLs, arrays, floats, UTF-8
      const source = "SELECT g AS id, CASE WHEN g % 7 = 0 THEN NULL ELSE 'bin ü ' || g END AS label, g / 3.0::float8 AS score, ARRAY[g, g + 1] AS tags FROM generate_series(1, 500) g";
      const data = await copyOut(s, `COPY (${source}) TO STDOUT (FORMAT binary)`);
      await pipeline(Readable.from(pieces(data, 7)), s.query(copyFrom('COPY bins FROM STDIN (FORMAT binary)')));
      const loaded = r.query(copyFrom('COPY bins FROM STDIN (FORMAT binary)'));
      await pipeline(Readable.from(pieces(data, 7)), loaded);
      assert.equal(loaded.rowCount, 500);
      // every row on its key's shard, both shards holding some
      const placed = await rowsOnEach(shards, 'SELECT id FROM bins');
      placed.forEach((rows, shard) => rows.forEach(([id]) => assert.equal(shardOfInt(id, SHARDS), shard, `id ${id} on shard ${shard}`)));
      assert.ok(placed[0]!.length > 0 && placed[1]!.length > 0);
      assert.equal(placed.flat().length, 500);
      const q = 'SELECT id, label, score, tags FROM bins ORDER BY id';
      assert.deepEqual((await r.query({ text: q, rowMode: 'array' })).rows, (await s.query({ text: q, rowMode: 'array' })).rows);
      // out: the same header, the same tuples (shard by shard, so compared as sets), one trailer
      const out = binaryTuples(await copyOut(r, 'COPY bins TO STDOUT (FORMAT binary)'));
      const expected = binaryTuples(await copyOut(s, 'COPY bins TO STDOUT (FORMAT binary)'));
      assert.deepEqual(out.header, expected.header);
      assert.deepEqual([...out.tuples].sort(), [...expected.tuples].sort());
      assert.equal(out.tuples.length, 500);
      // a column list, and an empty table: header and trailer only
      const some = binaryTuples(await copyOut(r, 'COPY bins (tags, id) TO STDOUT (FORMAT binary)'));
      assert.deepEqual([...some.tuples].sort(), [...binaryTuples(await copyOut(s, 'COPY bins (tags, id) TO STDOUT (FORMAT binary)')).tuples].sort());
      assert.deepEqual(await copyOut(r, 'COPY bin_pairs TO STDOUT (FORMAT binary)'), await copyOut(s, 'COPY bin_pairs TO STDOUT (FORMAT binary)'));
      // a key of two columns, one text: each tuple hashed as shard-hash.ts hashes (int4, text)
      const pairData = await copyOut(s, "COPY (SELECT g % 50 AS a, 'k' || g AS b, g AS v FROM generate_series(1, 200) g) TO STDOUT (FORMAT binary)");
      await pipeline(Readable.from(pieces(pairData, 5)), r.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)')));
      const pairs = await rowsOnEach(shards, 'SELECT a, b FROM bin_pairs');
      pairs.forEach((rows, shard) => rows.forEach(([a, b]) => assert.equal(shardOfKey([T.int4, T.text], [a, b], SHARDS), shard)));
      assert.equal(pairs.flat().length, 200);
      // the errors one server gives: a bad signature, a wrong field count; nothing is written
      for (const bad of [Buffer.from('not a binary copy stream at all'), Buffer.concat([data.subarray(0, 19), Buffer.from([0, 2, 0, 0, 0, 4, 0, 0, 0, 9, 255, 255, 255, 255])])]) {
        const got = await pipeline(Readable.from([bad]), r.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)'))).catch((e: pg.DatabaseError) => e);
        const want = await pipeline(Readable.from([bad]), s.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)'))).catch((e: pg.DatabaseError) => e);
        assert.equal((want as pg.DatabaseError).code, '22P04');
        assert.deepEqual([(got as pg.DatabaseError).code, (got as pg.DatabaseError).message, (got as pg.DatabaseError).where], [(want as pg.DatabaseError).code, (want as pg.DatabaseError).message, (want as pg.DatabaseError).where]);
      }
      assert.equal((await rowsOnEach(shards, 'SELECT count(*)::int FROM bin_pairs')).flat(2).reduce((a: number, b: number) => a + b, 0), 200);
      // without the trailer the data ends at a tuple boundary, as PostgreSQL takes it (each shard gets none either); data after it is 22P04
      const moreData = await copyOut(s, "COPY (SELECT g % 50 AS a, 'n' || g AS b, g AS v FROM generate_series(1, 30) g) TO STDOUT (FORMAT binary)");
      const noTrailer = r.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)'));
      await pipeline(Readable.from(pieces(moreData.subarray(0, moreData.length - 2), 9)), noTrailer);
      assert.equal(noTrailer.rowCount, 30);
      assert.equal((await rowsOnEach(shards, 'SELECT count(*)::int FROM bin_pairs')).flat(2).reduce((a: number, b: number) => a + b, 0), 230);
      const junk = Buffer.concat([await copyOut(s, "COPY (SELECT 99 AS a, 'junk' AS b, 1 AS v) TO STDOUT (FORMAT binary)"), Buffer.from([0])]);
      for (const split of [[junk], pieces(junk, 1)]) {
        const gotJunk = await pipeline(Readable.from(split), r.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)'))).catch((e: pg.DatabaseError) => e);
        const wantJunk = await pipeline(Readable.from(split), s.query(copyFrom('COPY bin_pairs FROM STDIN (FORMAT binary)'))).catch((e: pg.DatabaseError) => e);
        assert.equal((wantJunk as pg.DatabaseError).message, 'received copy data after EOF marker');
        assert.deepEqual([(gotJunk as pg.DatabaseError).code, (gotJunk as pg.DatabaseError).message, (gotJunk as pg.DatabaseError).where], [(wantJunk as pg.DatabaseError).code, (wantJunk as pg.DatabaseError).message, (wantJunk as pg.DatabaseError).where]);
      }
      assert.equal((await rowsOnEach(shards, 'SELECT count(*)::int FROM bin_pairs')).flat(2).reduce((a: number, b: number) => a + b, 0), 230);
      // in a block that rolls back, the tuples are gone from every shard
      await r.query('BEGIN');
      await pipeline(Readable.from([await copyOut(s, 'COPY (SELECT g + 1000, null, null, null FROM generate_series(1, 20) g) TO STDOUT (FORMAT binary)')]), r.query(copyFrom('COPY bins FROM STDIN (FORMAT binary)')));
      assert.equal((await r.query('SELECT count(*)::int AS n FROM bins')).rows[0].n, 520);
      await r.query('ROLLBACK');
      assert.equal((await r.query('SELECT count(*)::int AS n FROM bins')).rows[0].n, 500);
    } finally {
      await r.end();
      await s.end();
    }
  });

  it('COPY (SELECT … over sharded tables) TO STDOUT runs the SELECT through the fan-out planner, in every format', async () => {
    const r = await client(router.port);
    const s = await client(standalone.port);
    try {
      for (const sql of [
        'COPY (SELECT id, label FROM items WHERE id <= 30 ORDER BY id) TO STDOUT',
        "COPY (SELECT n, count(*) AS c, max(label) FROM items GROUP BY n ORDER BY n) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ';')",
        'COPY (SELECT id, label || E\'\\t\\n\' AS odd FROM items WHERE id = 5) TO STDOUT',
        'COPY (SELECT * FROM items WHERE id > 50 ORDER BY id DESC LIMIT 4) TO STDOUT (FORMAT binary)',
        'COPY (SELECT id FROM items WHERE id < 0) TO STDOUT (FORMAT binary)',
      ]) {
        assert.deepEqual(await copyOut(r, sql), await copyOut(s, sql), sql);
      }
      const tag = await new Promise<number | null>((resolve, reject) => {
        const stream = r.query(copyTo('COPY (SELECT id FROM items WHERE id <= 10) TO STDOUT'));
        stream.on('data', () => {});
        stream.on('end', () => resolve(stream.rowCount ?? null));
        stream.on('error', reject);
      });
      assert.equal(tag, 10);
    } finally {
      await r.end();
      await s.end();
    }
  });

  it('serves a fanned-out SELECT through row-limited Execute (node-pg Cursor style) and Describe of a cursor portal', async () => {
    const script = async (c: RawClient): Promise<string[][]> => {
      const out: string[][] = [];
      c.write([
        serialize.parse({ text: 'SELECT id, label FROM items WHERE id <= $1 ORDER BY id', types: [23] }),
        serialize.bind({ portal: 'p', values: ['12'] }),
        serialize.describe({ type: 'P', name: 'p' }),
        serialize.execute({ portal: 'p', rows: 5 }),
        serialize.execute({ portal: 'p', rows: 5 }),
        serialize.execute({ portal: 'p', rows: 5 }),
        serialize.execute({ portal: 'p', rows: 5 }),
        serialize.sync(),
      ]);
      out.push(described(await c.untilReady()));
      out.push(await simple(c, 'BEGIN'));
      // psycopg 3's server-side cursors: DECLARE through Parse/Bind, then Describe of the cursor's portal
      c.write([serialize.parse({ text: 'DECLARE "sc" CURSOR FOR SELECT n, count(*) FROM items GROUP BY n ORDER BY n' }), serialize.bind({}), serialize.execute({}), serialize.sync()]);
      out.push(described(await c.untilReady()));
      c.write([serialize.describe({ type: 'P', name: 'sc' }), serialize.sync()]);
      out.push(described(await c.untilReady()));
      c.write([serialize.parse({ text: 'FETCH FORWARD 2 FROM "sc"' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
      out.push(described(await c.untilReady()));
      out.push(await simple(c, 'ROLLBACK'));
      return out;
    };
    const got = await script(viaRouter);
    const expected = await script(alone);
    assert.deepEqual(got, expected);
    // an Execute of a finished portal: SELECT 0, as PostgreSQL
    assert.equal(got[0]!.at(-2), 'C:SELECT 0');
    assert.deepEqual(got[0]!.filter((m) => m.startsWith('D:')).length, 12);
  });
});
