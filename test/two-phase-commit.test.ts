/**
 * Two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED) as
 * PostgreSQL's: a prepared transaction is durable but invisible, survives a clean restart
 * and kill -9 still prepared with its row locks and unique keys, and any session finishes
 * it; in cluster mode a hot standby lists it and, promoted in place, finishes it. The
 * messages and SQLSTATEs were checked on PostgreSQL 15 with max_prepared_transactions 10
 * (the disabled case with PostgreSQL's default 0).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import { startQuiver, type QuiverServer } from './support/server.js';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { PrepareRefused } from '../src/storage/api.js';
import { OID } from '../src/types/types.js';

const dirs: string[] = [];
const servers: QuiverServer[] = [];
const inProcess: RunningServer[] = [];
const clients: pg.Client[] = [];

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  for (const s of servers) await s.stop().catch(() => {});
  for (const s of inProcess.reverse()) await s.close().catch(() => {});
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function connect(port: number, database = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

async function failure(c: pg.Client, sql: string): Promise<string> {
  try {
    await c.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string; hint?: string };
    return `${err.code}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  }
  return 'no error';
}

const rows = async (c: pg.Client, sql: string) => (await c.query(sql)).rows as Record<string, unknown>[];

async function start(dataDir: string, prepared = 5): Promise<QuiverServer> {
  const s = await startQuiver({ dataDir, args: ['--max-prepared-transactions', String(prepared), '--query-workers', '0'] });
  servers.push(s);
  return s;
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'quiver-2pc-'));
  dirs.push(d);
  return d;
}

test('off by default, as in PostgreSQL (max_prepared_transactions 0)', async () => {
  const s = await startQuiver({ args: ['--query-workers', '0'] });
  servers.push(s);
  const c = await connect(s.port);
  assert.deepEqual(await rows(c, `SELECT setting, context FROM pg_settings WHERE name = 'max_prepared_transactions'`), [{ setting: '0', context: 'postmaster' }]);
  await c.query('BEGIN');
  assert.equal(await failure(c, `PREPARE TRANSACTION 'x'`), '55000: prepared transactions are disabled (Set max_prepared_transactions to a nonzero value.)');
  // the block was rolled back: the session is idle
  assert.equal(await failure(c, `COMMIT PREPARED 'x'`), '42704: prepared transaction with identifier "x" does not exist');
  // LISTEN is checked after the identifier is reserved (AtPrepare_Notify), so this is 55000 too
  await c.query('BEGIN');
  await c.query('LISTEN ch');
  assert.equal(await failure(c, `PREPARE TRANSACTION 'y'`), '55000: prepared transactions are disabled (Set max_prepared_transactions to a nonzero value.)');
  assert.equal(await failure(c, `SET max_prepared_transactions = 3`), '55P02: parameter "max_prepared_transactions" cannot be changed without restarting the server');
});

test('a prepared transaction survives a restart and kill -9 with its locks and keys; COMMIT PREPARED from another session', async () => {
  const dir = await tempDir();
  let s = await start(dir);
  let a = await connect(s.port);
  await a.query('CREATE TABLE acct (id int PRIMARY KEY, balance int)');
  await a.query('INSERT INTO acct SELECT i, 100 FROM generate_series(1, 10) i');
  await a.query('BEGIN');
  await a.query('UPDATE acct SET balance = balance - 30 WHERE id = 1');
  await a.query('UPDATE acct SET balance = balance + 30 WHERE id = 2');
  await a.query('DELETE FROM acct WHERE id = 3');
  await a.query(`INSERT INTO acct VALUES (11, 5)`);
  assert.equal((await a.query(`PREPARE TRANSACTION 'transfer'`)).command, 'PREPARE');
  // invisible, and the session is idle again
  const before = await rows(a, 'SELECT id, balance FROM acct WHERE id IN (1, 2, 3, 11) ORDER BY id');
  assert.deepEqual(before, [{ id: 1, balance: 100 }, { id: 2, balance: 100 }, { id: 3, balance: 100 }]);
  const listed = await rows(a, 'SELECT gid, owner, database, prepared <= now() AS past FROM pg_prepared_xacts');
  assert.deepEqual(listed, [{ gid: 'transfer', owner: 'postgres', database: 'postgres', past: true }]);
  const xid = (await rows(a, 'SELECT transaction::text AS x FROM pg_prepared_xacts'))[0].x;

  // a clean restart, then kill -9: still prepared, still invisible, same number
  await s.stop();
  s = await start(dir);
  await s.crash();
  s = await start(dir);
  a = await connect(s.port);
  assert.deepEqual(await rows(a, 'SELECT gid, transaction::text AS x FROM pg_prepared_xacts'), [{ gid: 'transfer', x: xid }]);
  assert.deepEqual(await rows(a, 'SELECT id, balance FROM acct WHERE id IN (1, 2, 3, 11) ORDER BY id'), before);

  // its row locks hold: an update of a row it changed waits (lock_timeout); so does an insert of its key
  await a.query(`SET lock_timeout = '150ms'`);
  assert.equal(await failure(a, 'UPDATE acct SET balance = 0 WHERE id = 1'), '55P03: canceling statement due to lock timeout');
  assert.equal(await failure(a, 'DELETE FROM acct WHERE id = 3'), '55P03: canceling statement due to lock timeout');
  assert.equal(await failure(a, 'INSERT INTO acct VALUES (11, 0)'), '55P03: canceling statement due to lock timeout');
  // rows it did not touch are free
  await a.query('UPDATE acct SET balance = 101 WHERE id = 4');
  await a.query(`RESET lock_timeout`);

  // a waiter goes on once another session commits it: its update then finds the committed row
  const waiter = await connect(s.port);
  const waiting = waiter.query('UPDATE acct SET balance = balance + 1 WHERE id = 1');
  await new Promise((r) => setTimeout(r, 100));
  const b = await connect(s.port);
  assert.equal(await failure(b, 'BEGIN; COMMIT PREPARED \'transfer\''), '25001: COMMIT PREPARED cannot run inside a transaction block');
  await b.query('ROLLBACK');
  assert.equal((await b.query(`COMMIT PREPARED 'transfer'`)).command, 'COMMIT');
  await waiting;
  assert.deepEqual(await rows(b, 'SELECT id, balance FROM acct WHERE id IN (1, 2, 3, 11) ORDER BY id'), [{ id: 1, balance: 71 }, { id: 2, balance: 130 }, { id: 11, balance: 5 }]);
  assert.equal(await failure(b, 'INSERT INTO acct VALUES (11, 0)'), '23505: duplicate key value violates unique constraint "acct_pkey"');
  assert.deepEqual(await rows(b, 'SELECT count(*)::int AS n FROM pg_prepared_xacts'), [{ n: 0 }]);

  // durable: after kill -9 the committed state, nothing prepared
  await s.crash();
  s = await start(dir);
  const c = await connect(s.port);
  assert.deepEqual(await rows(c, 'SELECT id, balance FROM acct WHERE id IN (1, 2, 3, 11) ORDER BY id'), [{ id: 1, balance: 71 }, { id: 2, balance: 130 }, { id: 11, balance: 5 }]);
  assert.deepEqual(await rows(c, 'SELECT count(*)::int AS n FROM pg_prepared_xacts'), [{ n: 0 }]);
});

test('ROLLBACK PREPARED after a crash discards the writes and frees the rows and keys', async () => {
  const dir = await tempDir();
  let s = await start(dir);
  let a = await connect(s.port);
  await a.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  await a.query(`INSERT INTO t VALUES (1, 'one'), (2, 'two')`);
  await a.query('BEGIN');
  await a.query(`INSERT INTO t SELECT i, 'many' FROM generate_series(100, 2099) i`);
  await a.query('DELETE FROM t WHERE id = 1');
  await a.query(`PREPARE TRANSACTION 'big'`);
  await s.crash();
  s = await start(dir);
  a = await connect(s.port);
  assert.deepEqual(await rows(a, 'SELECT count(*)::int AS n FROM t'), [{ n: 2 }]);
  // an insert (or a COPY) of one of its keys waits for it; ROLLBACK PREPARED lets them through
  const copier = await connect(s.port);
  await copier.query(`SET lock_timeout = '150ms'`);
  await assert.rejects(pipeline(Readable.from(['101\tcopied\n']), copier.query(copyFrom('COPY t FROM STDIN'))), /lock timeout/);
  await copier.query(`RESET lock_timeout`);
  const copying = pipeline(Readable.from(['3\tthree\n', '101\tcopied\n']), copier.query(copyFrom('COPY t FROM STDIN')));
  const inserting = a.query(`INSERT INTO t VALUES (100, 'mine')`);
  await new Promise((r) => setTimeout(r, 100));
  const b = await connect(s.port);
  assert.equal((await b.query(`ROLLBACK PREPARED 'big'`)).command, 'ROLLBACK');
  await inserting;
  await copying;
  await b.query(`DELETE FROM t WHERE id IN (1, 3, 101)`);
  assert.deepEqual(await rows(b, 'SELECT id, v FROM t ORDER BY id'), [{ id: 2, v: 'two' }, { id: 100, v: 'mine' }]);
  await s.stop();
  s = await start(dir);
  const c = await connect(s.port);
  assert.deepEqual(await rows(c, 'SELECT id, v FROM t ORDER BY id'), [{ id: 2, v: 'two' }, { id: 100, v: 'mine' }]);
  assert.deepEqual(await rows(c, 'SELECT count(*)::int AS n FROM pg_prepared_xacts'), [{ n: 0 }]);
});

test('conflicts and limits: a commit of a prepared key is refused, the limit, another database; DDL that creates, across kill -9', async () => {
  const dir = await tempDir();
  let s = await start(dir, 2);
  const a = await connect(s.port);
  await a.query('CREATE TABLE k (id int PRIMARY KEY)');
  await a.query('CREATE DATABASE other');
  // a transaction that inserted the key before the prepare cannot commit it after (Quiver's
  // rule for two writers of one key: the first to commit, or prepare, has it; PostgreSQL's
  // second inserter would have waited for the first instead)
  const b = await connect(s.port);
  await b.query('BEGIN');
  await b.query('INSERT INTO k VALUES (1)');
  await a.query('BEGIN');
  await a.query('INSERT INTO k VALUES (1)');
  await a.query(`PREPARE TRANSACTION 'p1'`);
  assert.equal(await failure(b, 'COMMIT'), '23505: duplicate key value violates unique constraint "k_pkey"');
  // nor can a second prepare of the same key
  await b.query('BEGIN');
  await b.query(`SET LOCAL lock_timeout = '100ms'`);
  assert.equal(await failure(b, 'INSERT INTO k VALUES (1)'), '55P03: canceling statement due to lock timeout');
  await b.query('ROLLBACK');
  await a.query('BEGIN');
  await a.query(`PREPARE TRANSACTION 'p2'`);
  await a.query('BEGIN');
  assert.equal(await failure(a, `PREPARE TRANSACTION 'p3'`), '53200: maximum number of prepared transactions reached (Increase max_prepared_transactions (currently 2).)');
  const o = await connect(s.port, 'other');
  assert.equal(await failure(o, `COMMIT PREPARED 'p1'`), '0A000: prepared transaction belongs to another database (Connect to the database where the transaction was prepared to finish it.)');
  assert.deepEqual(await rows(o, 'SELECT gid, database FROM pg_prepared_xacts ORDER BY gid'), [{ gid: 'p1', database: 'postgres' }, { gid: 'p2', database: 'postgres' }]);
  await a.query(`COMMIT PREPARED 'p1'`);
  await a.query(`ROLLBACK PREPARED 'p2'`);
  assert.deepEqual(await rows(a, 'SELECT id FROM k'), [{ id: 1 }]);
  // DDL: a prepared transaction may create objects (they are in the shared catalog at once, as
  // Quiver's DDL in a block is; a restart keeps them, ROLLBACK PREPARED drops them) …
  await a.query('BEGIN');
  await a.query('CREATE TABLE made (id serial PRIMARY KEY, v text)');
  await a.query(`INSERT INTO made (v) VALUES ('x'), ('y')`);
  await a.query(`PREPARE TRANSACTION 'ddl-commit'`);
  // … but not change what existed before it
  await a.query('BEGIN');
  await a.query('ALTER TABLE k ADD COLUMN y int');
  assert.equal(await failure(a, `PREPARE TRANSACTION 'p4'`),
    '0A000: cannot PREPARE a transaction that has changed existing objects (Quiver prepares transactions whose DDL only creates objects; run other DDL in a transaction of its own.)');
  assert.deepEqual(await rows(a, 'SELECT * FROM k'), [{ id: 1 }]);
  await a.query('BEGIN');
  await a.query('CREATE TABLE unmade (id int PRIMARY KEY)');
  await a.query('INSERT INTO unmade VALUES (1)');
  await a.query(`PREPARE TRANSACTION 'ddl-rollback'`);
  // another session's DDL meanwhile is saved without the prepared transactions' objects
  await a.query('CREATE TABLE later (x int)');
  await s.crash();
  s = await start(dir, 2);
  const c = await connect(s.port);
  assert.deepEqual(await rows(c, 'SELECT count(*)::int AS n FROM made'), [{ n: 0 }]);
  assert.deepEqual(await rows(c, 'SELECT count(*)::int AS n FROM later'), [{ n: 0 }]);
  await c.query(`COMMIT PREPARED 'ddl-commit'`);
  await c.query(`ROLLBACK PREPARED 'ddl-rollback'`);
  assert.equal(await failure(c, 'SELECT * FROM unmade'), '42P01: relation "unmade" does not exist');
  await c.query(`INSERT INTO made (v) VALUES ('z')`);
  await s.stop();
  s = await start(dir, 2);
  const d = await connect(s.port);
  assert.deepEqual(await rows(d, 'SELECT id, v FROM made ORDER BY id'), [{ id: 1, v: 'x' }, { id: 2, v: 'y' }, { id: 3, v: 'z' }]);
  assert.equal(await failure(d, 'SELECT * FROM unmade'), '42P01: relation "unmade" does not exist');
  assert.deepEqual(await rows(d, 'SELECT count(*)::int AS n FROM pg_prepared_xacts'), [{ n: 0 }]);
});

test('cluster mode: a hot standby lists a prepared transaction; promoted in place, it commits it', async () => {
  const dir = await tempDir();
  const logger = pino({ level: 'silent' });
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
  const leader = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: seams, maxPreparedTransactions: 4 });
  inProcess.push(leader);
  const l = await connect(leader.port);
  await l.query('CREATE TABLE s (id int PRIMARY KEY, v int)');
  await l.query('INSERT INTO s VALUES (1, 10), (2, 20)');
  // prepared before the standby starts (its opening recovers it), and one after (applied as it follows)
  await l.query('BEGIN');
  await l.query('UPDATE s SET v = v + 1 WHERE id = 1');
  await l.query('INSERT INTO s VALUES (3, 30)');
  await l.query(`PREPARE TRANSACTION 'shard-tx'`);
  const standby = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'standby'), logger, queryWorkers: 0, shared: seams, standby: true, maxPreparedTransactions: 4 });
  inProcess.push(standby);
  const following = new AbortController();
  const follow = standby.standby!.follow(following.signal);
  // a prepared CREATE TABLE (the router sends DDL to every shard)
  await l.query('BEGIN');
  await l.query('CREATE TABLE made (id int PRIMARY KEY)');
  await l.query('INSERT INTO made VALUES (7)');
  await l.query(`PREPARE TRANSACTION 'shard-ddl'`);
  const r = await connect(standby.port);
  let listed: Record<string, unknown>[] = [];
  for (let i = 0; i < 100 && listed.length < 2; i++) {
    listed = await rows(r, 'SELECT gid FROM pg_prepared_xacts ORDER BY gid');
    if (listed.length < 2) await new Promise((res) => setTimeout(res, 50));
  }
  assert.deepEqual(listed, [{ gid: 'shard-ddl' }, { gid: 'shard-tx' }]);
  // the standby's catalog is the leader's durable one: without the prepared table
  assert.equal(await failure(r, 'SELECT * FROM made'), '42P01: relation "made" does not exist');
  // one finished on the leader goes from the standby's list as its rows arrive
  await l.query('BEGIN');
  await l.query('INSERT INTO s VALUES (4, 40)');
  await l.query(`PREPARE TRANSACTION 'shard-done'`);
  await l.query(`COMMIT PREPARED 'shard-done'`);
  let four: Record<string, unknown>[] = [];
  for (let i = 0; i < 100 && four.length === 0; i++) {
    four = await rows(r, 'SELECT v FROM s WHERE id = 4');
    if (four.length === 0) await new Promise((res) => setTimeout(res, 50));
  }
  assert.deepEqual(four, [{ v: 40 }]);
  assert.deepEqual(await rows(r, 'SELECT gid FROM pg_prepared_xacts ORDER BY gid'), [{ gid: 'shard-ddl' }, { gid: 'shard-tx' }]);
  assert.equal(await failure(r, `COMMIT PREPARED 'shard-tx'`), '25006: cannot execute COMMIT PREPARED during recovery');
  await r.query('BEGIN');
  assert.equal(await failure(r, `PREPARE TRANSACTION 'on-standby'`), '25006: cannot execute PREPARE TRANSACTION during recovery');
  await r.query('ROLLBACK');
  assert.deepEqual(await rows(r, 'SELECT id, v FROM s ORDER BY id'), [{ id: 1, v: 10 }, { id: 2, v: 20 }, { id: 4, v: 40 }]);
  // the leader is gone; the standby takes over in place
  await leader.close();
  following.abort();
  await follow;
  await standby.standby!.promote(seams);
  const p = await connect(standby.port);
  await p.query(`SET lock_timeout = '100ms'`);
  assert.equal(await failure(p, 'UPDATE s SET v = 0 WHERE id = 1'), '55P03: canceling statement due to lock timeout');
  await p.query(`COMMIT PREPARED 'shard-tx'`);
  // its row locks went with it (none left over from the standby's opening)
  await p.query('UPDATE s SET v = v + 0 WHERE id = 1');
  assert.deepEqual(await rows(p, 'SELECT count(*)::int AS n FROM made'), [{ n: 0 }]);
  await p.query(`COMMIT PREPARED 'shard-ddl'`);
  assert.deepEqual(await rows(p, 'SELECT id FROM made'), [{ id: 7 }]);
  assert.deepEqual(await rows(p, 'SELECT id, v FROM s ORDER BY id'), [{ id: 1, v: 11 }, { id: 2, v: 20 }, { id: 3, v: 30 }, { id: 4, v: 40 }]);
  assert.deepEqual(await rows(p, 'SELECT count(*)::int AS n FROM pg_prepared_xacts'), [{ n: 0 }]);
});

test('kill -9 in the middle of prepares and COMMIT / ROLLBACK PREPAREDs: every acknowledged step holds, nothing is half-applied', async (t) => {
  const dir = await tempDir();
  let s = await start(dir, 64);
  const setup = await connect(s.port);
  await setup.query('CREATE TABLE g (grp int, n int, PRIMARY KEY (grp, n))');
  const ROWS = 40;
  type State = { prepareAcked: boolean; finish?: 'commit' | 'rollback'; finishAcked: boolean };
  const groups = new Map<number, State>();
  let stop = false;
  const worker = async (w: number) => {
    const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'postgres' });
    c.on('error', () => {});
    await c.connect();
    try {
      for (let i = 0; !stop; i++) {
        const grp = w * 100_000 + i;
        const st: State = { prepareAcked: false, finishAcked: false };
        groups.set(grp, st);
        await c.query('BEGIN');
        await c.query(`INSERT INTO g SELECT ${grp}, n FROM generate_series(1, ${ROWS}) n`);
        await c.query(`PREPARE TRANSACTION 'g${grp}'`);
        st.prepareAcked = true;
        st.finish = i % 3 === 2 ? 'rollback' : 'commit';
        await c.query(`${st.finish === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED 'g${grp}'`);
        st.finishAcked = true;
      }
    } catch {
      // the server was killed
    } finally {
      await c.end().catch(() => {});
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await new Promise((r) => setTimeout(r, 800 + Math.random() * 1200));
  await s.crash();
  stop = true;
  await Promise.all(workers);
  s = await start(dir, 64);
  const c = await connect(s.port);
  const counts = new Map((await rows(c, 'SELECT grp, count(*)::int AS n FROM g GROUP BY grp')).map((r) => [Number(r.grp), Number(r.n)]));
  const prepared = new Set((await rows(c, 'SELECT gid FROM pg_prepared_xacts')).map((r) => String(r.gid)));
  let committed = 0;
  for (const [grp, st] of groups) {
    const n = counts.get(grp) ?? 0;
    const still = prepared.has(`g${grp}`);
    assert.ok(n === 0 || n === ROWS, `group ${grp}: ${n} rows (half-applied)`);
    if (st.finishAcked) {
      assert.equal(still, false, `group ${grp}: finished, yet prepared`);
      assert.equal(n, st.finish === 'commit' ? ROWS : 0, `group ${grp}: ${st.finish} acknowledged, ${n} rows`);
    } else if (st.prepareAcked) {
      // in doubt: still prepared (nothing visible), or finished as asked
      if (still) assert.equal(n, 0, `group ${grp}: prepared, yet visible`);
      else assert.equal(n, st.finish === 'commit' ? ROWS : 0, `group ${grp}: ${n} rows after an unacknowledged ${st.finish}`);
    } else {
      assert.equal(n, 0, `group ${grp}: never prepared, yet ${n} rows`);
    }
    if (n === ROWS) committed++;
  }
  assert.ok(committed > 0, 'no group committed before the kill');
  t.diagnostic(`${groups.size} groups, ${committed} committed, ${prepared.size} still prepared after the restart`);
  // what is still prepared can be finished now, whole
  for (const gid of prepared) await c.query(`COMMIT PREPARED '${gid}'`);
  for (const gid of prepared) {
    assert.deepEqual(await rows(c, `SELECT count(*)::int AS n FROM g WHERE grp = ${Number(gid.slice(1))}`), [{ n: ROWS }]);
  }
});

test('prepares at once cannot exceed max_prepared_transactions (storage: the limit is checked in the commit turn)', async () => {
  const storage = await DurableStorage.open({ dataDir: await tempDir(), background: false });
  try {
    const layout = { id: 500, columns: [{ name: 'id', type: { oid: OID.int4, typmod: -1 } }] };
    await storage.createTable(layout);
    await storage.addUniqueKey(layout.id, { name: 'lim_pkey', columns: [0] });
    const txns = [1, 2, 3, 4].map((i) => {
      const txn = storage.begin();
      txn.insert(layout.id, [[i]]);
      return txn;
    });
    // all four asked at once: each saw fewer than two prepared when it asked
    const results = await Promise.allSettled(txns.map((txn, i) => txn.prepare({ gid: `lim${i}`, owner: 10, database: 'postgres', limit: 2 })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as PrepareRefused).reason), ['limit', 'limit']);
    assert.equal(storage.preparedTransactions().length, 2);
    // a refused one holds nothing: its key is free
    const other = storage.begin();
    const refusedKey = results.findIndex((r) => r.status === 'rejected') + 1;
    other.insert(layout.id, [[refusedKey]]);
    await other.commit();
  } finally {
    await storage.close();
  }
});
