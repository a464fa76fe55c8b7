/**
 * SQL surface through a real server and node-postgres: cursors with $n parameters (as
 * psycopg's named cursors send them), ALTER TABLE rewrites, views and SQL functions surviving a restart,
 * and the set-returning-function queries pgjdbc and TypeORM send. Expected values were
 * checked against PostgreSQL 15.
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

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof pg.DatabaseError && e.code === code);
}

test('cursors: DECLARE with $n parameters, FETCH/MOVE/CLOSE, 25P01 outside a transaction block, WITH HOLD', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE TABLE es_cur (id int, label text)');
      await c.query("INSERT INTO es_cur SELECT g, 'l' || g FROM generate_series(1, 20) g");
      await expectCode(c.query('DECLARE c1 CURSOR FOR SELECT id FROM es_cur WHERE id > $1', [5]), '25P01');
      await c.query('BEGIN');
      await c.query('DECLARE c1 CURSOR FOR SELECT id, label FROM es_cur WHERE id > $1 ORDER BY id', [15]);
      const first = await c.query('FETCH 2 FROM c1');
      assert.deepEqual(first.rows, [{ id: 16, label: 'l16' }, { id: 17, label: 'l17' }]);
      assert.deepEqual(first.fields.map((f) => f.name), ['id', 'label']);
      const moved = await c.query('MOVE 1 IN c1');
      assert.equal(moved.command, 'MOVE');
      assert.equal(moved.rowCount, 1);
      const rest = await c.query('FETCH ALL FROM c1');
      assert.deepEqual(rest.rows.map((r) => r.id), [19, 20]);
      assert.equal((await c.query('FETCH NEXT FROM c1')).rowCount, 0);
      await expectCode(c.query('DECLARE c1 CURSOR FOR SELECT 1'), '42P03');
      await c.query('ROLLBACK');
      await expectCode(c.query('FETCH 1 FROM c1'), '34000');
      // WITH HOLD outlives its transaction
      await c.query('BEGIN');
      await c.query('DECLARE h CURSOR WITH HOLD FOR SELECT id FROM es_cur ORDER BY id DESC');
      await c.query('COMMIT');
      assert.deepEqual((await c.query('FETCH 3 FROM h')).rows.map((r) => r.id), [20, 19, 18]);
      await c.query('CLOSE h');
      await expectCode(c.query('CLOSE h'), '34000');
      await c.query('DROP TABLE es_cur');
    });
  } finally {
    await server.stop();
  }
});

test('ALTER TABLE rewrites, views and SQL functions survive a restart; DDL in a rolled-back block does not', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-es-'));
  try {
    let server = await startQuiver({ dataDir });
    await withClient(server, async (c) => {
      await c.query('CREATE TABLE es_alt (id int PRIMARY KEY, title text, n int)');
      await c.query("INSERT INTO es_alt VALUES (1, 'a', 10), (2, 'b', 20)");
      await c.query('ALTER TABLE es_alt ADD COLUMN flag bool NOT NULL DEFAULT true, ALTER COLUMN n TYPE bigint, DROP COLUMN title');
      await c.query('INSERT INTO es_alt (id, n) VALUES (3, 30)');
      await expectCode(c.query('INSERT INTO es_alt (id, n) VALUES (3, 31)'), '23505');
      await c.query('CREATE VIEW es_view AS SELECT id, n * 2 AS n2 FROM es_alt WHERE flag');
      await c.query('CREATE FUNCTION es_above(lim int) RETURNS TABLE (id int, n bigint) LANGUAGE sql STABLE AS $$ SELECT id, n FROM es_alt WHERE n > lim ORDER BY id $$');
      await c.query('BEGIN');
      await c.query('CREATE FUNCTION es_rolled_back() RETURNS int LANGUAGE sql RETURN 1');
      await c.query('ALTER TABLE es_alt ADD COLUMN gone text');
      await c.query('ROLLBACK');
    });
    await server.stop();
    server = await startQuiver({ dataDir });
    try {
      await withClient(server, async (c) => {
        const rows = await c.query('SELECT * FROM es_alt ORDER BY id');
        assert.deepEqual(rows.fields.map((f) => f.name), ['id', 'n', 'flag']);
        assert.deepEqual(rows.rows, [{ id: 1, n: '10', flag: true }, { id: 2, n: '20', flag: true }, { id: 3, n: '30', flag: true }]);
        const view = await c.query('SELECT n2 FROM es_view ORDER BY id');
        assert.deepEqual(view.rows.map((r) => r.n2), ['20', '40', '60']);
        const fnRows = await c.query('SELECT * FROM es_above($1)', [15]);
        assert.deepEqual(fnRows.rows, [{ id: 2, n: '20' }, { id: 3, n: '30' }]);
        await expectCode(c.query('SELECT es_rolled_back()'), '42883');
        await c.query('DROP FUNCTION es_above');
        await expectCode(c.query('INSERT INTO es_alt (id, n) VALUES (1, 1)'), '23505');
        await c.query('DROP VIEW es_view');
        await c.query('DROP TABLE es_alt');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('client metadata queries: pgjdbc getPrimaryKeys (_pg_expandarray), getKeywords, TypeORM current_schema()', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      await c.query('CREATE TABLE jd_docs (b int, a int, PRIMARY KEY (a, b))');
      const pk = await c.query(`SELECT result.COLUMN_NAME, result.KEY_SEQ, result.PK_NAME FROM (SELECT a.attname AS COLUMN_NAME,
          (information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ, ci.relname AS PK_NAME,
          information_schema._pg_expandarray(i.indkey) AS KEYS, a.attnum AS A_ATTNUM
        FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid)
          JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid) JOIN pg_catalog.pg_index i ON (a.attrelid = i.indrelid)
          JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid)
        WHERE true AND n.nspname = 'public' AND ct.relname = 'jd_docs' AND i.indisprimary) result
        WHERE result.A_ATTNUM = (result.KEYS).x ORDER BY result.key_seq`);
      assert.deepEqual(pk.rows, [{ column_name: 'a', key_seq: 1, pk_name: 'jd_docs_pkey' }, { column_name: 'b', key_seq: 2, pk_name: 'jd_docs_pkey' }]);
      const kw = await c.query("select string_agg(word, ',') AS w from pg_catalog.pg_get_keywords() where word <> ALL ('{a,abs,absolute,action}'::text[]) and catcode = 'R'");
      assert.ok((kw.rows[0].w as string).split(',').includes('select'));
      assert.deepEqual((await c.query('SELECT * FROM current_schema()')).rows, [{ current_schema: 'public' }]);
      await c.query('DROP TABLE jd_docs');
    });
  } finally {
    await server.stop();
  }
});

test('a crash while a transaction holds uncommitted DDL: after restart its objects are gone, DDL committed meanwhile is kept', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-ddl-crash-'));
  try {
    const server = await startQuiver({ dataDir });
    const a = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
    const b = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
    await a.connect();
    await b.connect();
    a.on('error', () => {});
    b.on('error', () => {});
    await b.query('CREATE TABLE crash_dropped (id int)');
    await a.query('BEGIN');
    await a.query('CREATE TABLE crash_uncommitted (id int)');
    await a.query('INSERT INTO crash_uncommitted VALUES (1)');
    await a.query('DROP TABLE crash_dropped');
    // this commit saves the catalog image while a's transaction is open
    await b.query('CREATE TABLE crash_committed (id int)');
    await b.query('INSERT INTO crash_committed VALUES (7)');
    await server.crash();
    await a.end().catch(() => {});
    await b.end().catch(() => {});
    const again = await startQuiver({ dataDir });
    try {
      await withClient(again, async (c) => {
        assert.deepEqual((await c.query('SELECT id FROM crash_committed')).rows, [{ id: 7 }]);
        assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM crash_dropped')).rows, [{ n: 0 }]);
        await expectCode(c.query('SELECT * FROM crash_uncommitted'), '42P01');
        await c.query('DROP TABLE crash_committed, crash_dropped');
      });
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
