/**
 * CREATE TYPE … AS (…) through the wire and across a crash: node-postgres reads composite and
 * composite[] columns as PostgreSQL 15 sends them (RowDescription with the type's OID,
 * record_out's text, record_send's binary form: the column count, then each column's type
 * OID, length and value), a binary parameter goes through record_recv, and the type and its
 * rows (also in sealed segments) survive kill -9. The byte strings were checked against
 * PostgreSQL 15's answers to the same queries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { acrossCrash } from './support/crash-restart.js';

async function withClient<T>(server: QuiverServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** every field as node-postgres's protocol layer decodes it (UTF-8 text of the bytes) */
const RAW = { getTypeParser: () => (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8')) };
const utf8 = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');

const int32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
/** record_send of (int4, text) fields */
const recordSend = (a: number | null, b: string | null): string =>
  int32(2) + int32(23) + (a === null ? int32(-1) : int32(4) + int32(a)) + int32(25) + (b === null ? int32(-1) : int32(Buffer.byteLength(b)) + Buffer.from(b).toString('hex'));

test('node-postgres reads composite and composite[] columns: type OIDs, text and binary format, a binary parameter', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE TYPE wire_pair AS (a int, b text)');
      await c.query('CREATE TABLE wire_pairs (id int PRIMARY KEY, p wire_pair, ps wire_pair[])');
      await c.query(`INSERT INTO wire_pairs VALUES (1, '(1,"a b")', '{"(2,x)",NULL,"(,)"}'), (2, NULL, '{}'), (3, ROW(3, NULL), NULL)`);
      const oids = (await c.query("SELECT 'wire_pair'::regtype::oid::int AS t, 'wire_pair[]'::regtype::oid::int AS a")).rows[0] as { t: number; a: number };

      const text = await c.query('SELECT p, ps FROM wire_pairs ORDER BY id');
      assert.deepEqual(text.fields.map((f) => f.dataTypeID), [oids.t, oids.a]);
      assert.deepEqual(text.rows, [{ p: '(1,"a b")', ps: '{"(2,x)",NULL,"(,)"}' }, { p: null, ps: '{}' }, { p: '(3,)', ps: null }]);

      const bin = await c.query({ text: 'SELECT p, ps FROM wire_pairs WHERE id = 1', binary: true, queryMode: 'extended', types: RAW } as pg.QueryConfig);
      assert.deepEqual(bin.fields.map((f) => [f.dataTypeID, f.format]), [[oids.t, 'binary'], [oids.a, 'binary']]);
      assert.equal(bin.rows[0].p, utf8(recordSend(1, 'a b')));
      // array_send: one dimension of three elements, the composite type as element type
      const elem = (hex: string): string => int32(hex.length / 2) + hex;
      const arraySend = int32(1) + int32(1) + int32(oids.t) + int32(3) + int32(1) + elem(recordSend(2, 'x')) + int32(-1) + elem(recordSend(null, null));
      assert.equal(bin.rows[0].ps, utf8(arraySend));

      // a Buffer parameter is sent in binary format: record_recv reads it
      const param = Buffer.from(recordSend(7, 'seven'), 'hex');
      const back = await c.query('SELECT ($1::wire_pair).b AS b, $1::wire_pair AS p', [param]);
      assert.deepEqual(back.rows, [{ b: 'seven', p: '(7,seven)' }]);
      await assert.rejects(c.query('SELECT $1::wire_pair AS p', [Buffer.from(int32(1) + int32(23) + int32(4) + int32(1), 'hex')]),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '42804' && e.message === 'wrong number of columns: 1, expected 2');

      await c.query('DROP TABLE wire_pairs');
      // command tags as PostgreSQL's: ALTER TYPE for the attribute forms too
      const tags: string[] = [];
      const onTag = (m: { text: string }): void => { tags.push(m.text); };
      const conn = (c as unknown as { connection: { on(e: string, f: (m: { text: string }) => void): void; off(e: string, f: (m: { text: string }) => void): void } }).connection;
      conn.on('commandComplete', onTag);
      for (const sql of ['ALTER TYPE wire_pair ADD ATTRIBUTE c int', 'ALTER TYPE wire_pair RENAME ATTRIBUTE c TO d', 'ALTER TYPE wire_pair DROP ATTRIBUTE d', 'DROP TYPE wire_pair']) await c.query(sql);
      conn.off('commandComplete', onTag);
      assert.deepEqual(tags, ['ALTER TYPE', 'ALTER TYPE', 'ALTER TYPE', 'DROP TYPE']);
    });
  } finally {
    await server.stop();
  }
});

test('multi-dimensional arrays of records are refused with 0A000 (an array of rows is held one-dimensional)', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE TYPE md_t AS (a int)');
      for (const sql of ['SELECT ARRAY[ARRAY[ROW(1)]]', `SELECT '{{"(1)"}}'::md_t[]`, 'SELECT array_agg(a) FROM (SELECT ARRAY[ROW(1)::md_t] AS a) s']) {
        await assert.rejects(c.query(sql), (e: unknown) => e instanceof pg.DatabaseError && e.code === '0A000' && e.message === 'multidimensional arrays of records are not supported', sql);
      }
      // the one-dimensional ones work, and the server goes on
      assert.deepEqual((await c.query(`SELECT array_ndims('{"(1)","(2)"}'::md_t[]) AS n, ARRAY[ROW(1)::md_t]::text AS t`)).rows, [{ n: 1, t: '{(1)}' }]);
      await c.query('DROP TYPE md_t');
    });
  } finally {
    await server.stop();
  }
});

test('a composite type and rows of it in sealed segments survive kill -9', async () => {
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  await acrossCrash('quiver-composite-', env, async (server) => {
    await withClient(server, async (c) => {
      await c.query('CREATE SCHEMA dur_s');
      await c.query('CREATE TYPE dur_s.point3 AS (x int, y int, label text)');
      await c.query('CREATE TABLE dur_points (id int PRIMARY KEY, p dur_s.point3, hist dur_s.point3[])');
      await c.query("INSERT INTO dur_points SELECT i, ROW(i % 10, i, 'p' || i)::dur_s.point3, ARRAY[ROW(1, 2, 'a b')::dur_s.point3] FROM generate_series(1, 3000) i");
    });
  }, async (server) => {
    await withClient(server, async (c) => {
      assert.deepEqual((await c.query("SELECT format_type(oid, NULL) AS t, typtype FROM pg_type WHERE typname = 'point3'")).rows, [{ t: 'dur_s.point3', typtype: 'c' }]);
      assert.deepEqual((await c.query('SELECT count(*)::int AS n, sum((p).y)::int AS s FROM dur_points WHERE (p).x = 3')).rows, [{ n: 300, s: 449400 }]);
      assert.deepEqual((await c.query('SELECT p::text AS p, hist::text AS h, (hist[1]).label AS l FROM dur_points ORDER BY dur_points.p DESC LIMIT 1')).rows,
        [{ p: '(9,2999,p2999)', h: '{"(1,2,\\"a b\\")"}', l: 'a b' }]);
      await assert.rejects(c.query('DROP TYPE dur_s.point3'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '2BP01');
      await c.query('DROP TABLE dur_points');
      await c.query('DROP SCHEMA dur_s CASCADE');
    });
  });
});
