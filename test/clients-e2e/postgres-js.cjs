// postgres.js against Quiver: fetch_types on connect, tagged templates, sql(rows), begin/rollback, unsafe, errors.
'use strict';
const assert = require('node:assert/strict');
const postgres = require('postgres');

async function main() {
  const sql = postgres({ max: 1, onnotice: () => {} });
  assert.deepEqual([...(await sql`SELECT 1 AS one`)], [{ one: 1 }]);
  await sql`DROP TABLE IF EXISTS e2e_pj`;
  await sql`CREATE TABLE e2e_pj (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))`;
  const [vt] = await sql`SELECT oid, typname FROM pg_type WHERE typname = ${'vector'}`;
  assert.equal(vt.typname, 'vector');
  const rows = [{ title: 'alpha', tag: 'a', embedding: '[1,0,0]' }, { title: 'beta', tag: 'b', embedding: '[0,1,0]' }, { title: 'gamma', tag: 'a', embedding: '[0,0,1]' }];
  await sql`INSERT INTO e2e_pj ${sql(rows, 'title', 'tag', 'embedding')}`;
  const knn = await sql`SELECT id, title, embedding::text FROM e2e_pj ORDER BY embedding <-> ${'[1,0.1,0]'}::vector LIMIT 2`;
  assert.deepEqual(knn.map((r) => [r.title, r.embedding]), [['alpha', '[1,0,0]'], ['beta', '[0,1,0]']]);
  const arr = await sql`SELECT array_agg(id ORDER BY id) AS ids, ${[1, 2]}::int[] AS p FROM e2e_pj`;
  assert.deepEqual(arr[0], { ids: [1, 2, 3], p: [1, 2] });
  await sql.begin(async (tx) => {
    await tx`UPDATE e2e_pj SET tag = ${'c'} WHERE id = ${2}`;
    assert.equal((await tx`SELECT count(*)::int AS n FROM e2e_pj WHERE tag = ${'c'}`)[0].n, 1);
  });
  await assert.rejects(sql.begin(async (tx) => { await tx`DELETE FROM e2e_pj WHERE id = ${1}`; throw new Error('abort'); }), /abort/);
  assert.equal((await sql.unsafe('SELECT count(*)::int AS n FROM e2e_pj WHERE id = $1', [1]))[0].n, 1);
  await assert.rejects(sql`INSERT INTO e2e_pj (title, embedding) VALUES (${'bad'}, ${'[1,2]'}::vector)`, (e) => e.code === '22000');
  const ts = await sql`SELECT ${new Date('2024-01-02T03:04:05Z')}::timestamptz AS t, ${{ a: 1 }}::jsonb AS j`;
  assert.equal(ts[0].t.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.deepEqual(ts[0].j, { a: 1 });
  await sql`DROP TABLE e2e_pj`;
  await sql.end();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
