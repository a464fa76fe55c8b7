/**
 * CREATE DOMAIN through the wire and across a crash. On the wire a domain's value is its
 * base type's: RowDescription carries the base type's OID and typmod (PostgreSQL's
 * getBaseTypeAndTypmod), an array of a domain the domain's array type (array_send names the
 * domain as its element type), binary values are the base type's bytes. The domains, their
 * constraints and defaults and the rows (also in sealed segments) survive kill -9. Expected
 * values were checked against PostgreSQL 15.
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

/** every field as its raw bytes in hex */
const HEX = { getTypeParser: () => (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('hex')) };

const violates = (code: string, message: string) => (e: unknown) => e instanceof pg.DatabaseError && e.code === code && e.message === message;

test('a domain column on the wire: base type OID and typmod, the domain array type, binary values, parameters checked', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE DOMAIN wire_pos AS integer CHECK (VALUE > 0)');
      await c.query('CREATE DOMAIN wire_code AS varchar(7) NOT NULL');
      await c.query('CREATE TABLE wire_t (a wire_pos, b wire_pos[], v wire_code)');
      await c.query("INSERT INTO wire_t VALUES (5, '{1,2}', 'abc')");
      const oids = (await c.query("SELECT 'wire_pos'::regtype::oid::int AS d, 'wire_pos[]'::regtype::oid::int AS a")).rows[0] as { d: number; a: number };

      const bin = await c.query({ text: 'SELECT a, b, v, 7::wire_pos AS k FROM wire_t WHERE a = $1', values: [5], binary: true, types: HEX } as pg.QueryConfig);
      assert.deepEqual(bin.fields.map((f) => [f.dataTypeID, f.dataTypeModifier]), [[23, -1], [oids.a, -1], [1043, 11], [23, -1]]);
      const elem = oids.d.toString(16).padStart(8, '0');
      assert.deepEqual(bin.rows, [{
        a: '00000005',
        // array_send: 1 dimension, no NULL, the domain as element type, 2 elements from 1
        b: `0000000100000000${elem}000000020000000100000004000000010000000400000002`,
        v: Buffer.from('abc').toString('hex'),
        k: '00000007',
      }]);

      // parameters (text and binary) are checked like any value coerced to the domain
      await assert.rejects(c.query('INSERT INTO wire_t (a, v) VALUES ($1, $2)', ['-1', 'x']), violates('23514', 'value for domain wire_pos violates check constraint "wire_pos_check"'));
      await assert.rejects(c.query('INSERT INTO wire_t (a, v) VALUES ($1, $2)', ['1', null]), violates('23502', 'domain wire_code does not allow null values'));
      const ok = await c.query('INSERT INTO wire_t (a, v) VALUES ($1, $2) RETURNING a, pg_typeof(a)::text AS t', ['9', 'y']);
      assert.deepEqual(ok.rows, [{ a: 9, t: 'wire_pos' }]);

      await c.query('DROP TABLE wire_t');
      await c.query('DROP DOMAIN wire_pos, wire_code');
    });
  } finally {
    await server.stop();
  }
});

test('domains, their constraints and defaults, and rows in sealed segments survive kill -9', async () => {
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  await acrossCrash('quiver-domain-', env, async (server) => {
    await withClient(server, async (c) => {
      await c.query('CREATE DOMAIN dur_pos AS integer CHECK (VALUE > 0)');
      await c.query("CREATE DOMAIN dur_small AS dur_pos DEFAULT 1 CHECK (VALUE < 5000)");
      await c.query("CREATE DOMAIN dur_name AS text NOT NULL DEFAULT 'anon'");
      await c.query('CREATE TABLE dur_rows (id int PRIMARY KEY, n dur_small, who dur_name, tags dur_pos[])');
      await c.query("INSERT INTO dur_rows SELECT i, i, 'p' || i, ARRAY[i, i + 1] FROM generate_series(1, 3000) i");
      await c.query('ALTER DOMAIN dur_pos ADD CONSTRAINT dur_odd CHECK (VALUE % 2 = 1) NOT VALID');
      await c.query('INSERT INTO dur_rows (id) VALUES (3001)');
      await c.query("COMMENT ON DOMAIN dur_name IS 'who did it'");
    });
    // an open block's domain is not in the image another session's commit saves
    await leaveOpenBlock(server, 'CREATE DOMAIN dur_uncommitted AS int');
    await withClient(server, (c) => c.query('CREATE TABLE dur_other (x int)'));
  }, async (server) => {
    await withClient(server, async (c) => {
      const types = await c.query("SELECT typname, typbasetype::regtype::text AS base, typnotnull, typdefault FROM pg_type WHERE typname LIKE 'dur%' AND typtype = 'd' ORDER BY typname");
      assert.deepEqual(types.rows, [
        { typname: 'dur_name', base: 'text', typnotnull: true, typdefault: "'anon'::text" },
        { typname: 'dur_pos', base: 'integer', typnotnull: false, typdefault: null },
        { typname: 'dur_small', base: 'dur_pos', typnotnull: false, typdefault: '1' },
      ]);
      const cons = await c.query("SELECT conname, convalidated FROM pg_constraint WHERE contypid = 'dur_pos'::regtype ORDER BY conname");
      assert.deepEqual(cons.rows, [{ conname: 'dur_odd', convalidated: false }, { conname: 'dur_pos_check', convalidated: true }]);
      assert.deepEqual((await c.query("SELECT obj_description('dur_name'::regtype, 'pg_type') AS d")).rows, [{ d: 'who did it' }]);
      await c.query('DROP TABLE dur_other');
      assert.deepEqual((await c.query('SELECT count(*)::int AS n, sum(n)::int AS s FROM dur_rows')).rows, [{ n: 3001, s: 4501501 }]);
      assert.deepEqual((await c.query('SELECT n, who, tags::text AS t FROM dur_rows WHERE id IN (2, 3001) ORDER BY id')).rows,
        [{ n: 2, who: 'p2', t: '{2,3}' }, { n: 1, who: 'anon', t: null }]);
      // the constraints of the domain and of the domain it is over are enforced after the restart
      await assert.rejects(c.query('INSERT INTO dur_rows (id, n) VALUES (4000, 4)'), violates('23514', 'value for domain dur_small violates check constraint "dur_odd"'));
      await assert.rejects(c.query('INSERT INTO dur_rows (id, n) VALUES (4000, 5001)'), violates('23514', 'value for domain dur_small violates check constraint "dur_small_check"'));
      await assert.rejects(c.query('INSERT INTO dur_rows (id, who) VALUES (4000, NULL)'), violates('23502', 'domain dur_name does not allow null values'));
      await assert.rejects(c.query('ALTER DOMAIN dur_pos VALIDATE CONSTRAINT dur_odd'), violates('0A000', 'cannot alter type "dur_pos" because column "dur_rows.tags" uses it'));
      await assert.rejects(c.query('DROP DOMAIN dur_pos'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '2BP01');
      await c.query('DROP TABLE dur_rows');
      await c.query('DROP DOMAIN dur_small, dur_pos, dur_name');
      assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM pg_type WHERE typname LIKE 'dur%'")).rows, [{ n: 0 }]);
    });
  });
});
