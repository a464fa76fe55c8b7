/**
 * node-postgres (`pg`) against a Quiver server: the README example with $n parameters, named
 * prepared statements, a pool, transactions, and SQLSTATE codes on errors. Expected values
 * were checked against PostgreSQL 15 + pgvector.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE } from './support/server.js';
import type { QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

function config(): pg.ClientConfig {
  return { host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 };
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config());
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn`, expecting it to reject with a pg DatabaseError; returns that error. */
async function expectDbError(fn: () => Promise<unknown>, code: string): Promise<pg.DatabaseError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof pg.DatabaseError, `expected a DatabaseError, got ${String(err)}`);
    assert.equal(err.code, code, `SQLSTATE of "${err.message}"`);
    return err;
  }
  assert.fail(`expected error ${code}, but the statement succeeded`);
}

test('README example: KNN with $1 bound to a vector given as a string', async () => {
  await withClient(async (c) => {
    await c.query('DROP TABLE IF EXISTS np_items');
    await c.query('CREATE TABLE np_items (id bigserial PRIMARY KEY, embedding vector(3))');
    const ins = await c.query("INSERT INTO np_items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]')");
    assert.equal(ins.command, 'INSERT');
    assert.equal(ins.rowCount, 2);
    const r = await c.query('SELECT id, embedding <-> $1 AS d FROM np_items ORDER BY embedding <-> $1 LIMIT 5', ['[3,1,2]']);
    assert.deepEqual(r.fields.map((f) => f.name), ['id', 'd']);
    assert.equal(r.fields[0]!.dataTypeID, 20); // int8
    assert.equal(r.fields[1]!.dataTypeID, 701); // float8
    // pg returns int8 as a string and float8 as a number by default
    assert.deepEqual(r.rows, [
      { id: '1', d: 2.449489742783178 },
      { id: '2', d: 5.744562646538029 },
    ]);
    const v = await c.query('SELECT embedding FROM np_items WHERE id = $1', [2]);
    assert.equal(v.rows[0].embedding, '[4,5,6]');
    const ins2 = await c.query('INSERT INTO np_items (embedding) VALUES ($1) RETURNING id', ['[0,0,1]']);
    assert.deepEqual(ins2.rows, [{ id: '3' }]);
    await c.query('DROP TABLE np_items');
  });
});

test('parameters of several types, NULLs, and rowMode array', async () => {
  await withClient(async (c) => {
    const r = await c.query('SELECT $1::int + 1 AS a, $2::text AS b, $3::float8 * 2 AS c, $4::bool AS d, $5::int IS NULL AS e', [41, 'hi', 1.25, true, null]);
    assert.deepEqual(r.rows, [{ a: 42, b: 'hi', c: 2.5, d: true, e: true }]);
    const arr = await c.query({ text: 'SELECT 1 AS x, $1::text AS y', values: ['z'], rowMode: 'array' });
    assert.deepEqual(arr.rows, [[1, 'z']]);
    const j = await c.query("SELECT '{\"a\": [1, 2]}'::jsonb AS j, 12.50::numeric AS n, '2024-01-02'::date::text AS d");
    assert.deepEqual(j.rows[0].j, { a: [1, 2] });
    assert.equal(j.rows[0].n, '12.50');
    assert.equal(j.rows[0].d, '2024-01-02');
  });
});

test('named prepared statements are reused across executions', async () => {
  await withClient(async (c) => {
    await c.query('DROP TABLE IF EXISTS np_prep');
    await c.query('CREATE TABLE np_prep (id int PRIMARY KEY, v vector(2))');
    for (let i = 1; i <= 4; i++) {
      const r = await c.query({ name: 'np-insert', text: 'INSERT INTO np_prep VALUES ($1, $2)', values: [i, `[${i},${-i}]`] });
      assert.equal(r.rowCount, 1);
    }
    const knn = { name: 'np-knn', text: 'SELECT id FROM np_prep ORDER BY v <-> $1, id LIMIT $2' };
    const a = await c.query({ ...knn, values: ['[0,0]', 2] });
    assert.deepEqual(a.rows.map((r) => r.id), [1, 2]);
    const b = await c.query({ ...knn, values: ['[4,-4]', 3] });
    assert.deepEqual(b.rows.map((r) => r.id), [4, 3, 2]);
    await c.query('DROP TABLE np_prep');
  });
});

test('a pool runs queries on several connections at once', async () => {
  const pool = new pg.Pool({ ...config(), max: 4 });
  try {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => pool.query('SELECT $1::int * 2 AS x', [i])),
    );
    assert.deepEqual(results.map((r) => r.rows[0].x), Array.from({ length: 12 }, (_, i) => i * 2));
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    try {
      const pids = await Promise.all(clients.map((cl) => cl.query('SELECT 1 AS one')));
      assert.deepEqual(pids.map((r) => r.rows[0].one), [1, 1, 1]);
    } finally {
      for (const cl of clients) cl.release();
    }
  } finally {
    await pool.end();
  }
});

test('transactions: commit keeps, rollback discards, other sessions see committed data only', async () => {
  await withClient(async (c) => {
    await withClient(async (other) => {
      await c.query('DROP TABLE IF EXISTS np_tx');
      await c.query('CREATE TABLE np_tx (id int PRIMARY KEY, v text)');
      await c.query('BEGIN');
      await c.query("INSERT INTO np_tx VALUES (1, 'a')");
      const seenInside = await c.query('SELECT count(*)::int AS n FROM np_tx');
      assert.equal(seenInside.rows[0].n, 1);
      const seenOutside = await other.query('SELECT count(*)::int AS n FROM np_tx');
      assert.equal(seenOutside.rows[0].n, 0, 'uncommitted insert visible to another session');
      await c.query('COMMIT');
      assert.equal((await other.query('SELECT count(*)::int AS n FROM np_tx')).rows[0].n, 1);

      await c.query('BEGIN');
      await c.query("INSERT INTO np_tx VALUES (2, 'b')");
      await c.query("UPDATE np_tx SET v = 'changed' WHERE id = 1");
      await c.query('ROLLBACK');
      const after = await c.query('SELECT id, v FROM np_tx ORDER BY id');
      assert.deepEqual(after.rows, [{ id: 1, v: 'a' }]);
      await c.query('DROP TABLE np_tx');
    });
  });
});

test('errors carry SQLSTATE codes and positions; the connection keeps working', async () => {
  await withClient(async (c) => {
    await c.query('DROP TABLE IF EXISTS np_err');
    await c.query('CREATE TABLE np_err (id int PRIMARY KEY, name text NOT NULL)');
    await c.query("INSERT INTO np_err VALUES (1, 'one')");

    const e1 = await expectDbError(() => c.query('SELECT * FROM no_such_table'), '42P01');
    assert.equal(e1.message, 'relation "no_such_table" does not exist');
    assert.equal(e1.position, '15');
    const e2 = await expectDbError(() => c.query('SELECT no_such_column FROM np_err'), '42703');
    assert.equal(e2.message, 'column "no_such_column" does not exist');
    assert.equal(e2.position, '8');
    const e3 = await expectDbError(() => c.query('SELECT * FORM np_err'), '42601');
    assert.equal(e3.message, 'syntax error at or near "FORM"');
    assert.equal(e3.position, '10');
    const e4 = await expectDbError(() => c.query("INSERT INTO np_err VALUES (1, 'dup')"), '23505');
    assert.equal(e4.message, 'duplicate key value violates unique constraint "np_err_pkey"');
    assert.equal(e4.detail, 'Key (id)=(1) already exists.');
    const e5 = await expectDbError(() => c.query('INSERT INTO np_err VALUES (2, NULL)'), '23502');
    assert.equal(e5.message, 'null value in column "name" of relation "np_err" violates not-null constraint');
    const e6 = await expectDbError(() => c.query('SELECT 1 / 0'), '22012');
    assert.equal(e6.message, 'division by zero');
    await expectDbError(() => c.query('SELECT $1::int / 0', [5]), '22012');
    await expectDbError(() => c.query("SELECT '[1,2]'::vector <-> '[1,2,3]'"), '22000');

    // still usable after all those errors
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM np_err')).rows, [{ n: 1 }]);

    // aborted transaction: 25P02 until ROLLBACK
    await c.query('BEGIN');
    await expectDbError(() => c.query('SELECT 1 / 0'), '22012');
    const e7 = await expectDbError(() => c.query('SELECT 1'), '25P02');
    assert.equal(e7.message, 'current transaction is aborted, commands ignored until end of transaction block');
    await expectDbError(() => c.query('SELECT $1::int', [1]), '25P02');
    await c.query('ROLLBACK');
    assert.deepEqual((await c.query('SELECT 1 AS x')).rows, [{ x: 1 }]);

    // COMMIT of a failed transaction reports ROLLBACK and the data is gone
    await c.query('BEGIN');
    await c.query("INSERT INTO np_err VALUES (3, 'three')");
    await expectDbError(() => c.query("INSERT INTO np_err VALUES (1, 'dup')"), '23505');
    const commit = await c.query('COMMIT');
    assert.equal(commit.command, 'ROLLBACK');
    assert.deepEqual((await c.query('SELECT id FROM np_err ORDER BY id')).rows, [{ id: 1 }]);
    await c.query('DROP TABLE np_err');
  });
});

test('an error in one connection does not affect another', async () => {
  await withClient(async (a) => {
    await withClient(async (b) => {
      await a.query('BEGIN');
      await expectDbError(() => a.query('SELECT * FROM no_such_table'), '42P01');
      const r = await b.query('SELECT 2 AS two');
      assert.deepEqual(r.rows, [{ two: 2 }]);
      await expectDbError(() => a.query('SELECT 1'), '25P02');
      assert.deepEqual((await b.query('SELECT 3 AS three')).rows, [{ three: 3 }]);
      await a.query('ROLLBACK');
      assert.deepEqual((await a.query('SELECT 4 AS four')).rows, [{ four: 4 }]);
    });
  });
});

test('a parse error in a named prepared statement leaves the connection usable', async () => {
  await withClient(async (c) => {
    await expectDbError(() => c.query({ name: 'np-bad', text: 'SELEC $1', values: [1] }), '42601');
    await expectDbError(() => c.query({ name: 'np-bad2', text: 'SELECT $1::int + nosuch', values: [1] }), '42703');
    const r = await c.query({ name: 'np-good', text: 'SELECT $1::int + 1 AS x', values: [1] });
    assert.deepEqual(r.rows, [{ x: 2 }]);
  });
});

test("pgvector's cstring results (vector_out, cstring[]) in binary format carry cstring_send's bytes", async () => {
  await withClient(async (c) => {
    // node-postgres decodes every field as UTF-8 first (binary fields then reach the parser re-encoded), so the
    // expected bytes are compared decoded the same way
    const raw = { getTypeParser: () => (v: Buffer) => v.toString('utf8') };
    const r = await c.query({ text: "SELECT vector_out('[1,2]') AS o, '{a,b}'::cstring[] AS arr", binary: true, queryMode: 'extended', types: raw } as pg.QueryConfig);
    assert.deepEqual(r.fields.map((f) => [f.dataTypeID, f.format]), [[2275, 'binary'], [1263, 'binary']]);
    assert.equal(r.rows[0].o, '[1,2]');
    // array_send: 1 dimension, no NULLs, element type cstring (2275), 2 elements from index 1, each length-prefixed
    const arraySend = Buffer.from(['00000001', '00000000', '000008e3', '00000002', '00000001', '00000001', '61', '00000001', '62'].join(''), 'hex');
    assert.equal(r.rows[0].arr, arraySend.toString('utf8'));
  });
});
