/**
 * pg_lsn and the WAL position functions through the wire: pg_current_wal_lsn() grows with
 * every acknowledged write (from any session) and not without one, it never goes back across
 * a kill -9 and restart, pg_lsn columns survive it (sealed segments and the replayed log),
 * and pg_lsn_send / pg_lsn_recv are PostgreSQL's 8 big-endian bytes. The SQL behaviour is
 * sql-tests/pg_lsn.sql (expected output from PostgreSQL).
 */
import { test, after } from 'node:test';
import type pg from 'pg';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient as client, startQuiver, type QuiverServer } from './support/server.js';

const started: QuiverServer[] = [];
let dataDir: string | undefined;
after(async () => {
  for (const s of started) await s.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Client = Awaited<ReturnType<typeof client>>;

/** pg_lsn text as its 64-bit number */
function lsnValue(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

async function currentLsn(c: Client): Promise<bigint> {
  const r = await c.query('SELECT pg_current_wal_lsn()::text AS l, pg_current_wal_insert_lsn()::text AS i, pg_current_wal_flush_lsn()::text AS f');
  const { l, i, f } = r.rows[0] as { l: string; i: string; f: string };
  // one position: every acknowledged write is flushed
  assert.equal(i, l);
  assert.equal(f, l);
  return lsnValue(l);
}

test('pg_current_wal_lsn() advances with every acknowledged write and never goes back across a kill -9', { timeout: 90_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-pglsn-'));
  // a small seal threshold: most rows are in sealed segments
  const env = { QUIVER_SEAL_THRESHOLD_BYTES: '16384' };
  const first = await startQuiver({ dataDir, env });
  started.push(first);
  const a = await client(first);
  const b = await client(first);
  let last = await currentLsn(a);
  assert.ok(last > 0n);
  await a.query('CREATE TABLE lsn_log (id int PRIMARY KEY, at pg_lsn)');
  const seen: bigint[] = [];
  for (let i = 1; i <= 40; i++) {
    const writer = i % 2 ? a : b;
    // the position before the write, stored by the write itself
    await writer.query('INSERT INTO lsn_log VALUES ($1, pg_current_wal_lsn())', [i]);
    // the other session sees the write's position at once: it was acknowledged
    const now = await currentLsn(i % 2 ? b : a);
    assert.ok(now > last, `write ${i}: ${now} after ${last}`);
    seen.push(last);
    last = now;
  }
  // reads do not move it
  await a.query('SELECT count(*) FROM lsn_log');
  assert.equal(await currentLsn(b), last);
  // a failed write does not either
  await assert.rejects(a.query('INSERT INTO lsn_log VALUES (1, NULL)'), { code: '23505' });
  assert.equal(await currentLsn(a), last);
  // a rolled-back transaction neither
  await a.query('BEGIN');
  await a.query('INSERT INTO lsn_log VALUES (1000, NULL)');
  await a.query('ROLLBACK');
  assert.equal(await currentLsn(a), last);
  // the stored positions are the ones read before each write, in order
  const stored = (await a.query('SELECT at::text FROM lsn_log ORDER BY id')).rows.map((r: { at: string }) => lsnValue(r.at));
  assert.deepEqual(stored, seen);
  // enough rows to seal segments of pg_lsn values (their zone maps too), the top half included
  await a.query("CREATE TABLE lsn_bulk (id int PRIMARY KEY, l pg_lsn)");
  await a.query("INSERT INTO lsn_bulk SELECT g, 'FFFFFFFF/FFFFFFFF'::pg_lsn - (g * 4096)::numeric FROM generate_series(1, 3000) g");
  await a.end();
  await b.end();
  await first.crash();

  const second = await startQuiver({ dataDir, env });
  started.push(second);
  const c = await client(second);
  try {
    const afterRestart = await currentLsn(c);
    assert.ok(afterRestart >= last, `after restart ${afterRestart} < ${last}`);
    await c.query("INSERT INTO lsn_log VALUES (41, '0/1')");
    assert.ok(await currentLsn(c) > afterRestart);
    const again = (await c.query('SELECT at::text FROM lsn_log WHERE id <= 40 ORDER BY id')).rows.map((r: { at: string }) => lsnValue(r.at));
    assert.deepEqual(again, seen);
    const bulk = await c.query(`SELECT count(*)::int AS n, min(l)::text AS lo, max(l)::text AS hi,
      (SELECT id FROM lsn_bulk WHERE l = 'FFFFFFFF/FFE0DFFF') AS one, (SELECT count(*)::int FROM lsn_bulk WHERE l > 'FFFFFFFF/FFFF0000') AS top FROM lsn_bulk`);
    // the values PostgreSQL computes for the same expressions
    assert.deepEqual(bulk.rows, [{ n: 3000, lo: 'FFFFFFFF/FF447FFF', hi: 'FFFFFFFF/FFFFEFFF', one: 498, top: 15 }]);
    // a primary: no receive / replay position
    assert.deepEqual((await c.query('SELECT pg_last_wal_receive_lsn() AS r, pg_last_wal_replay_lsn() AS p, pg_is_in_recovery() AS rec')).rows, [{ r: null, p: null, rec: false }]);
  } finally {
    await c.end();
  }
});

test('pg_lsn binary I/O is PostgreSQL\'s 8 big-endian bytes, unsigned', { timeout: 30_000 }, async () => {
  const server = await startQuiver();
  started.push(server);
  const c = await client(server);
  try {
    // the column's bytes as they came (hex; node-pg hands binary columns over as UTF-8 text,
    // so only bytes below 0x80 survive: the unsigned top half is checked on the way in)
    const HEX = { getTypeParser: () => (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('hex')) };
    const r = await c.query({ text: "SELECT '7F000000/7E'::pg_lsn AS hi, '16/33745848'::pg_lsn AS mid, '0/0'::pg_lsn AS zero", binary: true, queryMode: 'extended', types: HEX } as pg.QueryConfig);
    assert.deepEqual(r.rows, [{ hi: '7f0000000000007e', mid: '0000001633745848', zero: '0000000000000000' }]);
    // node-pg sends a Buffer parameter in binary: pg_lsn_recv
    const sent = await c.query('SELECT $1::pg_lsn::text AS l, $1::pg_lsn > \'7FFFFFFF/FFFFFFFF\' AS above', [Buffer.from('8000000000000001', 'hex')]);
    assert.deepEqual(sent.rows, [{ l: '80000000/1', above: true }]);
    const top = await c.query('SELECT $1::pg_lsn::text AS l', [Buffer.from('fffffffffffffffe', 'hex')]);
    assert.deepEqual(top.rows, [{ l: 'FFFFFFFF/FFFFFFFE' }]);
    // too short: PostgreSQL's pq_getmsgbytes error, as for int8
    await assert.rejects(c.query('SELECT $1::pg_lsn::text AS l', [Buffer.from('0001', 'hex')]), { code: '08P01', message: 'insufficient data left in message' });
  } finally {
    await c.end();
  }
});
