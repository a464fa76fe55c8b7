/**
 * DDL through a real server: expressions kept as parse trees survive a restart (their
 * deparsed text, and CHECK / DEFAULT still bound and enforced), and a partial UNIQUE index
 * is refused rather than enforced on every row. Expected texts are PostgreSQL 15's
 * (pg_get_constraintdef(oid, true), pg_get_expr(adbin, adrelid, true)) except where noted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

async function withClient<T>(server: QuiverServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const CATALOG_TEXT = `SELECT 'c:' || conname AS k, pg_get_constraintdef(oid, true) AS v FROM pg_constraint WHERE conrelid = 'ed_t'::regclass
  UNION ALL SELECT 'd:' || a.attname, pg_get_expr(d.adbin, d.adrelid, true) FROM pg_attrdef d
    JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'ed_t'::regclass ORDER BY 1`;

test('DEFAULT and CHECK expressions: deparsed text and enforcement survive a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-ddl-'));
  try {
    let server = await startQuiver({ dataDir });
    let before: unknown[] = [];
    try {
      before = await withClient(server, async (c) => {
        await c.query(`CREATE TABLE ed_t (id serial PRIMARY KEY, "Odd Name" int DEFAULT (2 + 3) * 4 CHECK ("Odd Name" BETWEEN 1 AND 100),
          tag text DEFAULT $$it's$$ CHECK (tag NOT LIKE 'x%' AND tag IN ('it''s', 'b')))`);
        return (await c.query(CATALOG_TEXT)).rows;
      });
    } finally {
      await server.stop();
    }
    assert.deepEqual(before, [
      { k: 'c:ed_t_Odd Name_check', v: 'CHECK ("Odd Name" >= 1 AND "Odd Name" <= 100)' },
      { k: 'c:ed_t_pkey', v: 'PRIMARY KEY (id)' },
      // PostgreSQL adds the implicit casts of analysis: 'x%'::text, ARRAY['it''s'::text, 'b'::text]
      { k: 'c:ed_t_tag_check', v: "CHECK (tag !~~ 'x%' AND (tag = ANY (ARRAY['it''s', 'b'])))" },
      { k: 'd:Odd Name', v: '(2 + 3) * 4' },
      { k: 'd:id', v: "nextval('ed_t_id_seq'::regclass)" },
      { k: 'd:tag', v: "'it''s'::text" },
    ]);
    server = await startQuiver({ dataDir });
    try {
      await withClient(server, async (c) => {
        assert.deepEqual((await c.query(CATALOG_TEXT)).rows, before);
        await c.query('INSERT INTO ed_t DEFAULT VALUES');
        assert.deepEqual((await c.query('SELECT id, "Odd Name", tag FROM ed_t')).rows, [{ id: 1, 'Odd Name': 20, tag: "it's" }]);
        await assert.rejects(c.query(`INSERT INTO ed_t ("Odd Name") VALUES (101)`), (e: unknown) => e instanceof pg.DatabaseError && e.code === '23514' && e.constraint === 'ed_t_Odd Name_check');
        await assert.rejects(c.query(`INSERT INTO ed_t (tag) VALUES ('c')`), (e: unknown) => e instanceof pg.DatabaseError && e.code === '23514');
        await c.query('DROP TABLE ed_t');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a partial UNIQUE index is refused (0A000); a partial plain index covers every row', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE TABLE ed_p (a int, b int)');
      await assert.rejects(c.query('CREATE UNIQUE INDEX ed_p_u ON ed_p (a) WHERE b > 0'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '0A000');
      await c.query('CREATE INDEX ed_p_i ON ed_p (a) WHERE b > 0');
      await c.query('INSERT INTO ed_p VALUES (1, 0), (1, 0), (1, 1)');
      assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM ed_p WHERE a = 1')).rows, [{ n: 3 }]);
      await c.query('DROP TABLE ed_p');
    });
  } finally {
    await server.stop();
  }
});
