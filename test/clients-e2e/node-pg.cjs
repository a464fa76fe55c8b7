// node-pg + pgvector/pg against Quiver: registerTypes, toSql params, KNN, named statements, Pool, errors.
'use strict';
const assert = require('node:assert/strict');
const pg = require('pg');
const pgvector = require('pgvector/pg');

async function main() {
  const client = new pg.Client();
  await client.connect();
  await client.query('DROP TABLE IF EXISTS e2e_np');
  await client.query('CREATE TABLE e2e_np (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))');
  await pgvector.registerTypes(client);
  for (const [t, tag, e] of [['alpha', 'a', [1, 0, 0]], ['beta', 'b', [0, 1, 0]], ['gamma', 'a', [0, 0, 1]], ['delta', 'b', [1, 1, 0]]]) {
    await client.query('INSERT INTO e2e_np (title, tag, embedding) VALUES ($1, $2, $3)', [t, tag, pgvector.toSql(e)]);
  }
  const knn = await client.query('SELECT id, title, embedding FROM e2e_np ORDER BY embedding <-> $1 LIMIT 2', [pgvector.toSql([1, 0.1, 0])]);
  assert.deepEqual(knn.rows.map((r) => r.title), ['alpha', 'delta']);
  assert.deepEqual(knn.rows[0].embedding, [1, 0, 0], 'vector parsed to an array by registerTypes');
  const cos = await client.query('SELECT title, embedding <=> $1 AS distance FROM e2e_np WHERE tag = $2 ORDER BY distance LIMIT 5', [pgvector.toSql([1, 1, 1]), 'a']);
  assert.equal(cos.rows.length, 2);
  assert.ok(Math.abs(cos.rows[0].distance - (1 - 1 / Math.sqrt(3))) < 1e-6);
  for (let i = 1; i <= 3; i++) {
    const r = await client.query({ name: 'e2e-by-id', text: 'SELECT title FROM e2e_np WHERE id = $1', values: [i] });
    assert.equal(r.rows[0].title, ['alpha', 'beta', 'gamma'][i - 1]);
  }
  const arr = await client.query({ text: 'SELECT id, title FROM e2e_np ORDER BY id', rowMode: 'array' });
  assert.deepEqual(arr.rows[0], [1, 'alpha']);
  await client.query('BEGIN');
  await client.query('DELETE FROM e2e_np WHERE id = $1', [3]);
  await client.query('ROLLBACK');
  assert.equal((await client.query('SELECT count(*)::int AS n FROM e2e_np')).rows[0].n, 4);
  await assert.rejects(client.query('INSERT INTO e2e_np (title, embedding) VALUES ($1, $2)', ['bad', pgvector.toSql([1, 2])]), (e) => e.code === '22000' && /expected 3 dimensions, not 2/.test(e.message));
  await client.query('BEGIN');
  await assert.rejects(client.query('SELECT * FROM e2e_missing'), (e) => e.code === '42P01');
  await assert.rejects(client.query('SELECT 1'), (e) => e.code === '25P02');
  await client.query('ROLLBACK');
  const multi = await client.query('SELECT 1 AS a; SELECT 2 AS b');
  assert.deepEqual(multi.map((r) => r.rows[0]), [{ a: 1 }, { b: 2 }]);
  await client.query('DROP TABLE e2e_np');
  await client.end();

  const pool = new pg.Pool({ max: 2 });
  const c2 = await pool.connect();
  const r = await c2.query('SELECT $1::text AS echo, $2::int AS num, $3::float8 AS f, $4::bool AS b, $5::jsonb AS j, $6::timestamptz AS t',
    ['hi', 42, 1.5, true, JSON.stringify({ a: 1 }), new Date('2024-01-02T03:04:05Z')]);
  assert.deepEqual({ ...r.rows[0], t: r.rows[0].t.toISOString() }, { echo: 'hi', num: 42, f: 1.5, b: true, j: { a: 1 }, t: '2024-01-02T03:04:05.000Z' });
  c2.release();
  await pool.end();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
