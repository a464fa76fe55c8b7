/**
 * Transaction isolation over the wire: READ COMMITTED sees each statement's newest
 * snapshot; REPEATABLE READ keeps the first statement's snapshot for the whole
 * transaction and refuses to update a row changed since (40001); concurrent updates of
 * one row wait for each other instead of failing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
const clients: pg.Client[] = [];

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  clients.push(c);
  return c;
}

before(async () => {
  server = await startQuiver();
  const c = await connect();
  await c.query('CREATE TABLE iso (id int PRIMARY KEY, v int)');
  await c.query('INSERT INTO iso VALUES (1, 10), (2, 20)');
});

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await server.stop();
});

test('READ COMMITTED: a later statement sees a concurrent commit', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('BEGIN');
  assert.equal((await a.query('SELECT count(*)::int AS n FROM iso')).rows[0].n, 2);
  await b.query('INSERT INTO iso VALUES (3, 30)');
  assert.equal((await a.query('SELECT count(*)::int AS n FROM iso')).rows[0].n, 3);
  await a.query('COMMIT');
  await b.query('DELETE FROM iso WHERE id = 3');
});

test('REPEATABLE READ: one snapshot for the whole transaction', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  assert.equal((await a.query('SHOW transaction_isolation')).rows[0].transaction_isolation, 'repeatable read');
  assert.equal((await a.query('SELECT count(*)::int AS n FROM iso')).rows[0].n, 2);
  await b.query('INSERT INTO iso VALUES (4, 40)');
  await b.query('UPDATE iso SET v = 11 WHERE id = 1');
  assert.equal((await a.query('SELECT count(*)::int AS n FROM iso')).rows[0].n, 2);
  assert.equal((await a.query('SELECT v FROM iso WHERE id = 1')).rows[0].v, 10);
  // the row changed after the snapshot: PostgreSQL's serialization failure
  await assert.rejects(a.query('UPDATE iso SET v = 12 WHERE id = 1'), (e: { code?: string }) => e.code === '40001');
  await a.query('ROLLBACK');
  assert.equal((await a.query('SELECT count(*)::int AS n FROM iso')).rows[0].n, 3);
  await b.query('DELETE FROM iso WHERE id = 4');
});

test('concurrent updates of one row wait and both apply (no spurious unique violation)', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('BEGIN');
  await a.query('UPDATE iso SET v = v + 1 WHERE id = 2');
  const pending = b.query('UPDATE iso SET v = v + 100 WHERE id = 2');
  await new Promise((r) => setTimeout(r, 100));
  await a.query('COMMIT');
  await pending;
  assert.equal((await a.query('SELECT v FROM iso WHERE id = 2')).rows[0].v, 121);
});

test('two transactions waiting for each other: one gets 40P01', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE iso SET v = 1 WHERE id = 1');
  await b.query('UPDATE iso SET v = 2 WHERE id = 2');
  const first = a.query('UPDATE iso SET v = 1 WHERE id = 2').then(() => 'ok', (e: { code?: string }) => e.code);
  await new Promise((r) => setTimeout(r, 100));
  const second = await b.query('UPDATE iso SET v = 2 WHERE id = 1').then(() => 'ok', (e: { code?: string }) => e.code);
  assert.equal(second, '40P01');
  await b.query('ROLLBACK');
  assert.equal(await first, 'ok');
  await a.query('COMMIT');
});

test('ROLLBACK of DDL undoes only its own objects: DDL another session committed meanwhile stays, sequences keep their position', async () => {
  const a = await connect();
  const b = await connect();
  await b.query('CREATE TABLE ddl_keep (id int)');
  await b.query('INSERT INTO ddl_keep VALUES (1)');
  await b.query('CREATE TABLE ddl_serial (id serial PRIMARY KEY, v text)');
  await b.query("INSERT INTO ddl_serial (v) VALUES ('x')");

  await a.query('BEGIN');
  await a.query('CREATE TABLE ddl_mine (x int)');
  await a.query('DROP TABLE ddl_keep');
  await a.query('CREATE FUNCTION ddl_mine_fn() RETURNS int LANGUAGE sql RETURN 1');
  // meanwhile, in autocommit
  await b.query('CREATE TABLE ddl_theirs (y int)');
  await b.query('INSERT INTO ddl_theirs VALUES (42)');
  await b.query('CREATE FUNCTION ddl_theirs_fn() RETURNS int LANGUAGE sql RETURN 2');
  await b.query("INSERT INTO ddl_serial (v) VALUES ('y'), ('z')");
  await a.query('ROLLBACK');

  assert.deepEqual((await b.query('SELECT y FROM ddl_theirs')).rows, [{ y: 42 }]);
  assert.deepEqual((await b.query('SELECT ddl_theirs_fn() AS f')).rows, [{ f: 2 }]);
  assert.deepEqual((await b.query('SELECT id FROM ddl_keep')).rows, [{ id: 1 }]);
  await assert.rejects(b.query('SELECT * FROM ddl_mine'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '42P01');
  await assert.rejects(b.query('SELECT ddl_mine_fn()'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '42883');
  const next = await b.query("INSERT INTO ddl_serial (v) VALUES ('w') RETURNING id");
  assert.equal(next.rows[0].id, 4);
  for (const t of ['ddl_theirs', 'ddl_keep', 'ddl_serial']) await b.query(`DROP TABLE ${t}`);
  await b.query('DROP FUNCTION ddl_theirs_fn');
});
