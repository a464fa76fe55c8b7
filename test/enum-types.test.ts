/**
 * CREATE TYPE … AS ENUM through the wire and across a crash: node-postgres reads enum and
 * enum[] columns as PostgreSQL 15 sends them (RowDescription with the enum's OID, text by
 * default, the label's bytes in binary format), and the type, its labels' order and the
 * rows (also in sealed segments) survive kill -9. Expected values were checked against
 * PostgreSQL 15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { acrossCrash, leaveOpenBlock } from './support/crash-restart.js';

async function withClient<T>(server: QuiverServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** every field as its raw bytes, decoded as node-postgres decodes them (UTF-8) */
const RAW = { getTypeParser: () => (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8')) };

test('node-postgres reads enum and enum[] columns: the type OIDs, text and binary format, parameters', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query("CREATE TYPE wire_mood AS ENUM ('sad', 'ok', 'happy')");
      await c.query('CREATE TABLE wire_people (id int PRIMARY KEY, m wire_mood, ms wire_mood[])');
      await c.query("INSERT INTO wire_people VALUES (1, 'happy', '{sad,ok}'), (2, 'sad', NULL), (3, NULL, '{}')");
      const oids = (await c.query("SELECT 'wire_mood'::regtype::oid::int AS t, 'wire_mood[]'::regtype::oid::int AS a")).rows[0] as { t: number; a: number };
      assert.notEqual(oids.t, oids.a);

      const text = await c.query('SELECT m, ms FROM wire_people ORDER BY m NULLS FIRST, id');
      assert.deepEqual(text.fields.map((f) => f.dataTypeID), [oids.t, oids.a]);
      // node-postgres has no parser for these OIDs: the text form as PostgreSQL sends it
      assert.deepEqual(text.rows, [{ m: null, ms: '{}' }, { m: 'sad', ms: null }, { m: 'happy', ms: '{sad,ok}' }]);

      // a parameter of the enum type (text format), and an invalid label's 22P02
      const byParam = await c.query('SELECT id FROM wire_people WHERE m = $1', ['happy']);
      assert.deepEqual(byParam.rows, [{ id: 1 }]);
      await assert.rejects(c.query('SELECT id FROM wire_people WHERE m = $1', ['x']),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22P02' && e.message === 'invalid input value for enum wire_mood: "x"');

      // binary format: enum_send is the label's bytes; array_send names the enum as its element type
      const bin = await c.query({ text: 'SELECT m, ms FROM wire_people WHERE id = 1', binary: true, queryMode: 'extended', types: RAW } as pg.QueryConfig);
      assert.deepEqual(bin.fields.map((f) => [f.dataTypeID, f.format]), [[oids.t, 'binary'], [oids.a, 'binary']]);
      assert.equal(bin.rows[0].m, 'happy');
      const elem = oids.t.toString(16).padStart(8, '0');
      const arraySend = Buffer.from(['00000001', '00000000', elem, '00000002', '00000001', '00000003', Buffer.from('sad').toString('hex'), '00000002', Buffer.from('ok').toString('hex')].join(''), 'hex');
      assert.equal(bin.rows[0].ms, arraySend.toString('utf8'));

      await c.query('DROP TABLE wire_people');
      await c.query('DROP TYPE wire_mood');
    });
  } finally {
    await server.stop();
  }
});

test('an enum, its labels added and renamed, and rows in sealed segments survive kill -9', async () => {
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  await acrossCrash('quiver-enum-', env, async (server) => {
    await withClient(server, async (c) => {
      await c.query("CREATE TYPE dur_level AS ENUM ('low', 'high')");
      await c.query('CREATE TABLE dur_items (id int PRIMARY KEY, level dur_level NOT NULL, seen dur_level[])');
      await c.query("INSERT INTO dur_items SELECT i, CASE WHEN i % 2 = 0 THEN 'low' ELSE 'high' END::dur_level, '{high,low}' FROM generate_series(1, 3000) i");
      await c.query("ALTER TYPE dur_level ADD VALUE 'mid' BEFORE 'high'");
      await c.query("ALTER TYPE dur_level RENAME VALUE 'low' TO 'lowest'");
      await c.query("INSERT INTO dur_items VALUES (3001, 'mid', NULL)");
    });
    // an open block's enum is not in the image another session's commit saves
    await leaveOpenBlock(server, "CREATE TYPE dur_uncommitted AS ENUM ('u')");
    await withClient(server, (c) => c.query('CREATE TABLE dur_other (x int)'));
  }, async (server) => {
    await withClient(server, async (c) => {
      assert.deepEqual((await c.query('SELECT enum_range(NULL::dur_level)::text AS r')).rows, [{ r: '{lowest,mid,high}' }]);
      assert.deepEqual((await c.query("SELECT typname FROM pg_type WHERE typname LIKE 'dur%' AND typtype = 'e'")).rows, [{ typname: 'dur_level' }]);
      await c.query('DROP TABLE dur_other');
      const counts = await c.query('SELECT level::text AS label, count(*)::int AS n FROM dur_items GROUP BY level ORDER BY level');
      assert.deepEqual(counts.rows, [{ label: 'lowest', n: 1500 }, { label: 'mid', n: 1 }, { label: 'high', n: 1500 }]);
      assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM dur_items WHERE level > 'lowest' AND level < 'high'")).rows, [{ n: 1 }]);
      assert.deepEqual((await c.query('SELECT seen::text AS s FROM dur_items WHERE id = 2')).rows, [{ s: '{high,lowest}' }]);
      await assert.rejects(c.query('DROP TYPE dur_level'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '2BP01');
      await c.query('DROP TABLE dur_items');
      await c.query('DROP TYPE dur_level');
    });
  });
});
