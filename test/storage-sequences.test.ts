/**
 * Sequences across a crash: nextval logs a record per SEQ_LOG_VALS values instead of
 * rewriting the catalog, and after kill -9 and a restart every sequence resumes after
 * every value it handed out before — also for serial columns, setval, TRUNCATE …
 * RESTART IDENTITY, a second database, and not at all for a sequence whose CREATE rolled back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

async function connect(s: QuiverServer, database = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ host: s.host, port: s.port, user: 'postgres', database });
  c.on('error', () => {}); // the server is killed under it
  await c.connect();
  return c;
}

async function nextvals(c: pg.Client, seq: string, n: number): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(BigInt((await c.query(`SELECT nextval('${seq}') AS v`)).rows[0].v));
  return out;
}

const max = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));

test('after kill -9, every sequence resumes after every value it handed out', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-seq-'));
  let server = await startQuiver({ dataDir });
  try {
    let c = await connect(server);
    await c.query('CREATE SEQUENCE s');
    await c.query('CREATE TABLE t (id bigserial PRIMARY KEY, v int)');
    await c.query('CREATE TABLE reset_me (id serial, v int)');
    await c.query('CREATE SEQUENCE set_me');
    await c.query('CREATE SEQUENCE down INCREMENT BY -3');
    await c.query('CREATE DATABASE other');
    await c.query('INSERT INTO reset_me (v) SELECT g FROM generate_series(1, 40) g');
    await c.query('TRUNCATE reset_me RESTART IDENTITY');
    assert.deepEqual(await nextvals(c, 'reset_me_id_seq', 2), [1n, 2n]);
    await c.query('BEGIN');
    await c.query('CREATE SEQUENCE rolled_back');
    await nextvals(c, 'rolled_back', 3);
    await c.query('ROLLBACK');
    const o = await connect(server, 'other');
    await o.query('CREATE SEQUENCE s2');
    const fromS2 = await nextvals(o, 's2', 33);
    await o.end();
    // no DDL after these: only their sequence log records cover them
    const fromS = await nextvals(c, 's', 70); // crosses two log records
    const ids: bigint[] = [];
    for (let i = 0; i < 40; i++) ids.push(BigInt((await c.query('INSERT INTO t (v) VALUES ($1) RETURNING id', [i])).rows[0].id));
    await c.query('BEGIN');
    for (let i = 0; i < 5; i++) ids.push(BigInt((await c.query('INSERT INTO t (v) VALUES ($1) RETURNING id', [100 + i])).rows[0].id));
    await c.query('COMMIT');
    await nextvals(c, 'set_me', 3);
    await c.query("SELECT setval('set_me', 1000)");
    const fromDown = await nextvals(c, 'down', 4);
    await c.end();

    await server.crash();
    server = await startQuiver({ dataDir });
    c = await connect(server);
    const [afterS] = await nextvals(c, 's', 1);
    assert.ok(afterS! > max(fromS), `nextval('s') gave ${afterS} after handing out up to ${max(fromS)}`);
    // as PostgreSQL: logged SEQ_LOG_VALS (32) ahead at 1, 34 and 67, so it resumes after 99
    assert.equal(afterS, 100n);
    const after = await c.query('INSERT INTO t (v) VALUES (0) RETURNING id');
    assert.ok(BigInt(after.rows[0].id) > max(ids), `serial gave ${after.rows[0].id} after ${max(ids)}`);
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM t')).rows[0].n), 46);
    const [afterReset] = await nextvals(c, 'reset_me_id_seq', 1);
    assert.ok(afterReset! > 2n && afterReset! <= 40n, `reset_me_id_seq resumed at ${afterReset}`);
    assert.deepEqual(await nextvals(c, 'set_me', 1), [1001n]);
    const [afterDown] = await nextvals(c, 'down', 1);
    assert.ok(afterDown! < fromDown[fromDown.length - 1]!, `down resumed at ${afterDown} after ${fromDown.join(',')}`);
    await assert.rejects(c.query("SELECT nextval('rolled_back')"), /relation "rolled_back" does not exist/);
    // DDL rewrites the catalog image (dropping the sequence records): the state must survive that too
    await c.query('CREATE TABLE after_restart (x int)');
    const [afterDdl] = await nextvals(c, 's', 1);
    assert.equal(afterDdl, afterS! + 1n);
    await c.end();
    const o2 = await connect(server, 'other');
    const [afterS2] = await nextvals(o2, 's2', 1);
    assert.ok(afterS2! > max(fromS2), `other.s2 gave ${afterS2} after ${max(fromS2)}`);
    await o2.end();

    // and once more, after the image was rewritten with the recovered state
    await server.crash();
    server = await startQuiver({ dataDir });
    c = await connect(server);
    const [third] = await nextvals(c, 's', 1);
    assert.ok(third! > afterDdl!, `nextval('s') gave ${third} after ${afterDdl}`);
    await c.end();
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
