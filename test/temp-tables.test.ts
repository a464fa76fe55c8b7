/**
 * Temporary tables over the wire, where one psql session (sql-tests/temp_tables.sql) cannot
 * show it: two sessions each with their own table of the same name, another session's
 * table refused with 0A000, the tables gone when their session disconnects or is
 * terminated, ON COMMIT DROP in a transaction block, and nothing of them after a clean
 * restart or a kill -9 — their storage removed at start, every acknowledged write to a
 * permanent table still there.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

const started: QuiverServer[] = [];
const dirs: string[] = [];
after(async () => {
  for (const s of started) await s.stop().catch(() => {});
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(dataDir?: string): Promise<QuiverServer> {
  const s = await startQuiver({ ...(dataDir ? { dataDir } : {}), logLevel: 'info' });
  started.push(s);
  return s;
}

async function client(server: QuiverServer): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

const rows = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<unknown[][]> => (await c.query({ text: sql, values: params, rowMode: 'array' })).rows;
const one = async (c: pg.Client, sql: string, params: unknown[] = []): Promise<unknown> => (await rows(c, sql, params))[0]?.[0];

async function sqlError(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  assert.fail('the statement succeeded');
}

/** the catalog is updated when the server sees the connection close: wait for it (bounded) */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

const tempTablesNamed = async (c: pg.Client, name: string): Promise<number> =>
  Number(await one(c, "SELECT count(*) FROM pg_class WHERE relname = $1 AND relpersistence = 't'", [name]));

test('two sessions: a temp table of the same name each, private; another session\'s is 0A000', { timeout: 60_000 }, async () => {
  const server = await start();
  const a = await client(server);
  const b = await client(server);
  try {
    await a.query('CREATE TEMP TABLE tt_same (who text, n int)');
    await b.query('CREATE TEMP TABLE tt_same (who text, n int)');
    await a.query("INSERT INTO tt_same VALUES ('a', 1), ('a', 2)");
    await b.query("INSERT INTO tt_same VALUES ('b', 3)");
    assert.deepEqual(await rows(a, 'SELECT who, n FROM tt_same ORDER BY n'), [['a', 1], ['a', 2]]);
    assert.deepEqual(await rows(b, 'SELECT who, n FROM tt_same ORDER BY n'), [['b', 3]]);
    const schemaA = String(await one(a, 'SELECT pg_my_temp_schema()::regnamespace::text'));
    const schemaB = String(await one(b, 'SELECT pg_my_temp_schema()::regnamespace::text'));
    assert.match(schemaA, /^pg_temp_\d+$/);
    assert.match(schemaB, /^pg_temp_\d+$/);
    assert.notEqual(schemaA, schemaB);
    // both are in pg_class, each in its own schema
    assert.deepEqual(await rows(a, "SELECT relnamespace::regnamespace::text FROM pg_class WHERE relname = 'tt_same' ORDER BY 1"), [schemaA, schemaB].sort().map((s) => [s]));
    assert.equal(await one(a, 'SELECT pg_is_other_temp_schema($1::regnamespace)', [schemaB]), true);
    assert.equal(await one(a, 'SELECT pg_is_other_temp_schema($1::regnamespace)', [schemaA]), false);
    // naming the other session's table: refused as PostgreSQL refuses it
    for (const [sql, message] of [
      [`SELECT * FROM ${schemaB}.tt_same`, 'cannot access temporary tables of other sessions'],
      [`INSERT INTO ${schemaB}.tt_same VALUES ('x', 9)`, 'cannot access temporary tables of other sessions'],
      [`DELETE FROM ${schemaB}.tt_same`, 'cannot access temporary tables of other sessions'],
      [`COPY ${schemaB}.tt_same TO STDOUT`, 'cannot access temporary tables of other sessions'],
      [`ALTER TABLE ${schemaB}.tt_same ADD COLUMN z int`, 'cannot alter temporary tables of other sessions'],
      [`TRUNCATE ${schemaB}.tt_same`, 'cannot truncate temporary tables of other sessions'],
      [`CREATE INDEX ON ${schemaB}.tt_same (n)`, 'cannot create indexes on temporary tables of other sessions'],
    ]) {
      const e = await sqlError(a.query(sql));
      assert.equal(e.code, '0A000', sql);
      assert.equal(e.message, message, sql);
    }
    const created = await sqlError(a.query(`CREATE TABLE ${schemaB}.tt_new (x int)`));
    assert.equal(created.code, '42P16');
    assert.equal(created.message, 'cannot create relations in temporary schemas of other sessions');
    // b's rows are untouched
    assert.deepEqual(await rows(b, 'SELECT who, n FROM tt_same'), [['b', 3]]);
    // a session without a temp table does not see either one by its bare name
    const c = await client(server);
    try {
      const e = await sqlError(c.query('SELECT * FROM tt_same'));
      assert.equal(e.code, '42P01');
    } finally {
      await c.end();
    }
  } finally {
    await a.end();
    await b.end();
  }
});

test('a session\'s temp tables go when it disconnects or is terminated; its schema number is reused', { timeout: 60_000 }, async () => {
  const server = await start();
  const watcher = await client(server);
  try {
    const a = await client(server);
    await a.query('CREATE TEMP TABLE tt_gone (id serial PRIMARY KEY, v text)');
    await a.query("INSERT INTO tt_gone (v) VALUES ('x')");
    await a.query('CREATE TEMP VIEW tt_gone_view AS SELECT * FROM tt_gone');
    const schema = String(await one(a, 'SELECT pg_my_temp_schema()::regnamespace::text'));
    assert.equal(await tempTablesNamed(watcher, 'tt_gone'), 1);
    await a.end();
    await eventually(async () => Number(await one(watcher, 'SELECT count(*) FROM pg_class WHERE relnamespace = $1::regnamespace', [schema])) === 0, 'temp objects dropped at disconnect');
    assert.equal(await tempTablesNamed(watcher, 'tt_gone_view'), 0);

    const b = await client(server);
    await b.query('CREATE TEMP TABLE tt_terminated (a int)');
    const pid = await one(b, 'SELECT pg_backend_pid()');
    assert.equal(await one(watcher, 'SELECT pg_terminate_backend($1)', [pid]), true);
    await eventually(async () => (await tempTablesNamed(watcher, 'tt_terminated')) === 0, 'temp table dropped at terminate');
    await b.end().catch(() => {});

    // a new session can make a table of the same name: empty, nothing left over
    const c = await client(server);
    try {
      await c.query('CREATE TEMP TABLE tt_gone (id int)');
      assert.equal(await one(c, 'SELECT count(*)::int FROM tt_gone'), 0);
      // the ended sessions' numbers were freed: the lowest one is taken again, emptied
      assert.equal(await one(c, 'SELECT pg_my_temp_schema()::regnamespace::text'), schema);
    } finally {
      await c.end();
    }
  } finally {
    await watcher.end();
  }
});

test('ON COMMIT DROP and DELETE ROWS over the wire: at COMMIT, not at ROLLBACK TO or before', { timeout: 60_000 }, async () => {
  const server = await start();
  const c = await client(server);
  try {
    await c.query('BEGIN');
    await c.query('CREATE TEMP TABLE tt_commit_drop (a int) ON COMMIT DROP');
    await c.query('CREATE TEMP TABLE tt_commit_delete (a int) ON COMMIT DELETE ROWS');
    await c.query('INSERT INTO tt_commit_drop SELECT generate_series(1, 10)');
    await c.query('SAVEPOINT s');
    await c.query('INSERT INTO tt_commit_delete VALUES (1), (2)');
    await c.query('ROLLBACK TO SAVEPOINT s');
    await c.query('INSERT INTO tt_commit_delete VALUES (3)');
    // an extended-protocol statement inside the block sees both
    assert.equal(await one(c, 'SELECT count(*)::int FROM tt_commit_drop WHERE a > $1', [5]), 5);
    assert.equal(await one(c, 'SELECT count(*)::int FROM tt_commit_delete'), 1);
    await c.query('COMMIT');
    assert.equal(await tempTablesNamed(c, 'tt_commit_drop'), 0);
    assert.equal(await one(c, 'SELECT count(*)::int FROM tt_commit_delete'), 0);
    // a block that rolls back keeps an ON COMMIT DROP table made before it
    await c.query('CREATE TEMP TABLE tt_kept (a int) ON COMMIT DELETE ROWS');
    await c.query('BEGIN');
    await c.query('INSERT INTO tt_kept VALUES (1)');
    await c.query('ROLLBACK');
    assert.equal(await tempTablesNamed(c, 'tt_kept'), 1);
  } finally {
    await c.end();
  }
});

/** A permanent table written while temp tables are busy, then the server goes down (clean or kill -9) and comes back. */
async function survivesRestart(crash: boolean): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-temp-'));
  dirs.push(dataDir);
  const first = await start(dataDir);
  const c = await client(first);
  const other = await client(first);
  let tempOid: number;
  try {
    await c.query('CREATE TABLE tt_perm (id int PRIMARY KEY, embedding vector(2))');
    await c.query('CREATE TEMP TABLE tt_staging (id int PRIMARY KEY, embedding vector(2))');
    await c.query('CREATE INDEX ON tt_staging USING hnsw (embedding vector_l2_ops)');
    await other.query('CREATE TEMP TABLE tt_staging (x text)');
    await other.query("INSERT INTO tt_staging VALUES ('other')");
    tempOid = Number(await one(c, "SELECT 'tt_staging'::regclass::oid"));
    // the ETL pattern: rows staged in a temp table, upserted into the permanent one
    for (let batch = 0; batch < 5; batch++) {
      await c.query('TRUNCATE tt_staging');
      await c.query(`INSERT INTO tt_staging SELECT g, ARRAY[g, ${batch}]::vector FROM generate_series(${batch * 100 + 1}, ${batch * 100 + 100}) g`);
      await c.query('INSERT INTO tt_perm SELECT id, embedding FROM tt_staging ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding');
    }
    assert.equal(await one(c, "SELECT id FROM tt_staging ORDER BY embedding <-> '[450, 4]' LIMIT 1"), 450);
    assert.equal(await one(c, 'SELECT count(*)::int FROM tt_perm'), 500);
  } finally {
    if (crash) {
      await first.crash();
    } else {
      await c.end();
      await other.end();
      await first.stop();
    }
  }
  const second = await start(dataDir);
  const d = await client(second);
  try {
    assert.equal(await one(d, 'SELECT count(*)::int FROM tt_perm'), 500, 'every acknowledged row of the permanent table');
    assert.equal(await one(d, "SELECT count(*)::int FROM pg_class WHERE relpersistence = 't'"), 0);
    assert.equal(await one(d, "SELECT count(*)::int FROM pg_class WHERE relname LIKE 'tt_staging%'"), 0);
    const e = await sqlError(d.query('SELECT * FROM tt_staging'));
    assert.equal(e.code, '42P01');
    // a new temp table of the same name starts empty
    await d.query('CREATE TEMP TABLE tt_staging (id int PRIMARY KEY, embedding vector(2))');
    assert.equal(await one(d, 'SELECT count(*)::int FROM tt_staging'), 0);
    if (crash) {
      // the crash left the temp table's storage; the start removed it (no catalog entry names it)
      assert.match(second.stderr(), new RegExp(`"table":${tempOid}[,}].*dropping storage of a table the catalog does not have`));
    }
    await d.query('DROP TABLE tt_perm');
  } finally {
    await d.end();
  }
}

test('temp tables are gone after a clean restart; permanent rows stay', { timeout: 90_000 }, () => survivesRestart(false));

test('temp tables are gone after kill -9 and restart, their storage removed; acknowledged permanent rows stay', { timeout: 90_000 }, () => survivesRestart(true));
