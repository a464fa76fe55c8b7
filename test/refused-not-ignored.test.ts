/**
 * Clauses Quiver cannot honour yet are refused with 0A000, not ignored (they were, giving
 * wrong answers): WITH RECURSIVE … SEARCH / CYCLE over a form sql/search-cycle.ts does not
 * rewrite (they now run as PostgreSQL rewrites them, over 1-D arrays of records).
 * UNIQUE NULLS NOT DISTINCT was refused here too; it is implemented now (its test checks it
 * is honoured, not taken as a plain UNIQUE).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
before(async () => { server = await startQuiver(); });
after(async () => { await server?.stop(); });

test('SEARCH and CYCLE clauses run as PostgreSQL rewrites them (answers checked against PostgreSQL 15); forms the rewrite does not cover are 0A000', async () => {
  const c = await connectClient(server);
  try {
    const base = 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3)';
    const rows = async (clause: string) => (await c.query(`${base} ${clause} SELECT t::text AS r FROM t`)).rows.map((r: { r: string }) => r.r);
    assert.deepEqual(await rows('SEARCH DEPTH FIRST BY n SET ord'), ['(1,"{(1)}")', '(2,"{(1),(2)}")', '(3,"{(1),(2),(3)}")']);
    assert.deepEqual(await rows('SEARCH BREADTH FIRST BY n SET ord'), ['(1,"(0,1)")', '(2,"(1,2)")', '(3,"(2,3)")']);
    assert.deepEqual(await rows('CYCLE n SET is_cycle USING path'), ['(1,f,"{(1)}")', '(2,f,"{(1),(2)}")', '(3,f,"{(1),(2),(3)}")']);
    // a VALUES non-recursive term is not rewritten here: refused rather than run without the clause
    await assert.rejects(c.query('WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SEARCH DEPTH FIRST BY n SET ord SELECT * FROM t'),
      (e: { code?: string; message?: string }) => e.code === '0A000' && e.message === 'SEARCH clauses of WITH queries are supported over a plain non-recursive term UNION [ALL] recursive term only');
    assert.deepEqual((await c.query(`${base} SELECT * FROM t`)).rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  } finally {
    await c.end();
  }
});

test('UNIQUE NULLS NOT DISTINCT is honoured in every place it can be written; NULLS DISTINCT is UNIQUE', async () => {
  const c = await connectClient(server);
  try {
    for (const sql of ['CREATE TABLE nnd1 (a int UNIQUE NULLS NOT DISTINCT, b int)', 'CREATE TABLE nnd1 (a int, b int, UNIQUE NULLS NOT DISTINCT (a, b))']) {
      await c.query(sql);
      await c.query('INSERT INTO nnd1 VALUES (NULL, NULL)');
      await assert.rejects(c.query('INSERT INTO nnd1 VALUES (NULL, NULL)'), { code: '23505' });
      await c.query('DROP TABLE nnd1');
    }
    await c.query('CREATE TABLE nnd2 (a int, b int UNIQUE NULLS DISTINCT)');
    await c.query('INSERT INTO nnd2 VALUES (NULL, NULL), (NULL, NULL)');
    await assert.rejects(c.query('INSERT INTO nnd2 VALUES (1, 1), (2, 1)'), { code: '23505' });
    // over the two NULLs of a, neither NULLS NOT DISTINCT key can be made
    await assert.rejects(c.query('CREATE UNIQUE INDEX ON nnd2 (a) NULLS NOT DISTINCT'), { code: '23505', message: 'could not create unique index "nnd2_a_idx"' });
    await assert.rejects(c.query('ALTER TABLE nnd2 ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a)'), { code: '23505', message: 'could not create unique index "u"' });
    await c.query('DROP TABLE nnd2');
  } finally {
    await c.end();
  }
});

test('an array lower bound other than 1 and assignments to parts of an array Quiver cannot keep are 0A000, not silently moved to 1', async () => {
  const c = await connectClient(server);
  try {
    await assert.rejects(c.query("SELECT '[0:1]={1,2}'::int[]"), { code: '0A000' });
    assert.deepEqual((await c.query("SELECT '[1:2]={1,2}'::int[] AS a")).rows, [{ a: [1, 2] }]);
    await c.query("CREATE TABLE lb (a int[])");
    await c.query("INSERT INTO lb VALUES ('{1,2}')");
    // PostgreSQL makes [0:2]={3,1,2}; Quiver keeps lower bound 1 only
    await assert.rejects(c.query('UPDATE lb SET a[0] = 3'), { code: '0A000' });
    await assert.rejects(c.query("UPDATE lb SET a[1:2] = '{5,6}'"), { code: '0A000' });
    await c.query('UPDATE lb SET a[4] = 9');
    assert.deepEqual((await c.query('SELECT a FROM lb')).rows, [{ a: [1, 2, null, 9] }]);
    await c.query('DROP TABLE lb');
  } finally {
    await c.end();
  }
});
