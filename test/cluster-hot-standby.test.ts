/**
 * Hot standby data nodes (cluster mode), in one process: a leader and a standby server on
 * one shared log and object store (the in-memory seams of test/support/memory-shared-log.ts;
 * the loopback NATS/etcd cluster is in cluster-standby-reads.test.ts). The standby serves
 * read-only sessions at the position it has applied: writes get PostgreSQL's hot-standby
 * errors, its catalog and rows follow the leader's (DDL, seals, compaction, bulk loads,
 * indexes), and quiver.consistency decides how far it catches up before a statement.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';
import type { SharedSeams } from '../src/storage/log-replica.js';
import { coalesced } from '../src/storage/replica-position.js';

const logger = pino({ level: 'silent' });
let dir: string;
let log: MemorySharedLog;
let seams: SharedSeams;
let leader: RunningServer;
let standby: RunningServer;
const following = new AbortController();
let follow: Promise<void>;
let lw: pg.Client;
let sr: pg.Client;

const connect = async (port: number) => {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
};

/** The SQLSTATE and message a statement fails with. */
async function failure(c: pg.Client, sql: string | pg.QueryConfig): Promise<string> {
  try {
    await c.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code}: ${err.message}`;
  }
  return 'no error';
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-standby-'));
  // small segments: the leader seals (and compacts) while the test runs
  process.env.QUIVER_SEAL_THRESHOLD_BYTES = String(64 << 10);
  log = new MemorySharedLog();
  seams = { log, objects: new DirectoryObjectStore(join(dir, 's3')) };
  leader = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: seams });
  lw = await connect(leader.port);
  await lw.query('CREATE TABLE items (id int PRIMARY KEY, tag int, v vector(3))');
  await lw.query('INSERT INTO items SELECT i, i % 7, ARRAY[i, i % 10, 1]::vector(3) FROM generate_series(1, 100) i');
  standby = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'standby'), logger, queryWorkers: 0, shared: seams, standby: true });
  follow = standby.standby!.follow(following.signal);
  sr = await connect(standby.port);
});

after(async () => {
  await sr?.end().catch(() => {});
  await lw?.end().catch(() => {});
  following.abort();
  await follow?.catch(() => {});
  await standby?.close();
  await leader?.close();
  delete process.env.QUIVER_SEAL_THRESHOLD_BYTES;
  await rm(dir, { recursive: true, force: true });
});

test('a standby serves reads at its position, as a PostgreSQL hot standby', async () => {
  assert.equal((await sr.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
  assert.equal((await lw.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, false);
  assert.equal((await sr.query('SHOW transaction_read_only')).rows[0].transaction_read_only, 'on');
  assert.equal((await sr.query('SHOW in_hot_standby')).rows[0].in_hot_standby, 'on');
  assert.equal((await sr.query('SELECT count(*)::int AS n, sum(id)::int AS s FROM items')).rows[0].n, 100);
  assert.deepEqual((await sr.query(`SELECT id FROM items ORDER BY v <-> '[50,0,1]' LIMIT 3`)).rows.map((r) => r.id), (await lw.query(`SELECT id FROM items ORDER BY v <-> '[50,0,1]' LIMIT 3`)).rows.map((r) => r.id));
});

test('writes on a standby fail with PostgreSQL\'s hot-standby errors (25006)', async () => {
  await lw.query('CREATE SEQUENCE s');
  await sr.query('SELECT 1 FROM pg_class WHERE relname = \'s\''); // strong: the sequence is known now
  const cases: [string, string][] = [
    ['INSERT INTO items VALUES (1000, 1, \'[1,1,1]\')', '25006: cannot execute INSERT in a read-only transaction'],
    ['UPDATE items SET tag = 0', '25006: cannot execute UPDATE in a read-only transaction'],
    ['DELETE FROM items', '25006: cannot execute DELETE in a read-only transaction'],
    ['CREATE TABLE t2 (x int)', '25006: cannot execute CREATE TABLE in a read-only transaction'],
    ['CREATE TEMP TABLE t3 (x int)', '25006: cannot execute CREATE TABLE in a read-only transaction'],
    ['CREATE INDEX ON items (tag)', '25006: cannot execute CREATE INDEX in a read-only transaction'],
    ['DROP TABLE items', '25006: cannot execute DROP TABLE in a read-only transaction'],
    ['COPY items FROM STDIN', '25006: cannot execute COPY FROM in a read-only transaction'],
    ['SELECT nextval(\'s\')', '25006: cannot execute nextval() in a read-only transaction'],
    ['SELECT setval(\'s\', 5)', '25006: cannot execute setval() in a read-only transaction'],
    ['VACUUM items', '25006: cannot execute VACUUM during recovery'],
    ['ANALYZE items', '25006: cannot execute ANALYZE during recovery'],
    ['LISTEN ch', '25006: cannot execute LISTEN during recovery'],
    ['NOTIFY ch', '25006: cannot execute NOTIFY during recovery'],
    ['SELECT pg_notify(\'ch\', \'x\')', '25006: cannot execute NOTIFY during recovery'],
    // refused before a block begins (the next statement runs outside one)
    ['BEGIN READ WRITE', '0A000: cannot set transaction read-write mode during recovery'],
    ['SET transaction_read_only = off', '0A000: cannot set transaction read-write mode during recovery'],
  ];
  for (const [sql, expected] of cases) assert.equal(await failure(sr, sql), expected, sql);
  await sr.query('UNLISTEN ch');
  // (messages checked against PostgreSQL 15: a hot standby made with pg_basebackup -R, and
  // default_transaction_read_only = on for the read-only ones)
  // a block is read-only too, and reads work in it
  await sr.query('BEGIN');
  assert.equal((await sr.query('SHOW transaction_read_only')).rows[0].transaction_read_only, 'on');
  assert.equal(await failure(sr, 'SET transaction_read_only = off'), '0A000: cannot set transaction read-write mode during recovery');
  await sr.query('ROLLBACK');
  await sr.query('BEGIN');
  assert.equal(await failure(sr, 'INSERT INTO items VALUES (1000, 1, \'[1,1,1]\')'), '25006: cannot execute INSERT in a read-only transaction');
  await sr.query('ROLLBACK');
  assert.equal((await sr.query('SELECT count(*)::int AS n FROM items')).rows[0].n, 100);
});

test('strong reads see the leader\'s acknowledged writes at once (read-your-writes across nodes)', async () => {
  for (let i = 0; i < 20; i++) {
    await lw.query('INSERT INTO items VALUES ($1, 3, $2)', [200 + i, `[${i},1,2]`]);
    assert.equal((await sr.query('SELECT count(*)::int AS n FROM items WHERE id = $1', [200 + i])).rows[0].n, 1, `row ${200 + i}`);
  }
  await lw.query('UPDATE items SET tag = 99 WHERE id = 200');
  assert.equal((await sr.query('SELECT tag FROM items WHERE id = 200')).rows[0].tag, 99);
  await lw.query('DELETE FROM items WHERE id = 201');
  assert.equal((await sr.query('SELECT count(*)::int AS n FROM items WHERE id = 201')).rows[0].n, 0);
});

test('DDL on the leader reaches the standby\'s catalog; prepared statements are bound again', async () => {
  await lw.query('CREATE TABLE swap (k int PRIMARY KEY, note text)');
  await lw.query('INSERT INTO swap VALUES (1, \'first\')');
  // a table created a moment ago on the leader: parsed on the standby after catching up
  const byKey = { name: 'by_key', text: 'SELECT note FROM swap WHERE k = $1', values: [1] };
  assert.deepEqual((await sr.query(byKey)).rows, [{ note: 'first' }]);
  const star = { name: 'star', text: 'SELECT * FROM items WHERE id = $1', values: [1] };
  await sr.query(star);
  await lw.query(star);
  // the table dropped and made again (a new OID, new storage): the prepared statement follows it
  await lw.query('DROP TABLE swap');
  await lw.query('CREATE TABLE swap (k int PRIMARY KEY, note text)');
  await lw.query('INSERT INTO swap VALUES (1, \'second\')');
  assert.deepEqual((await sr.query(byKey)).rows, [{ note: 'second' }]);
  // a column added: bound again, and refused for its new result type, as on the leader (and in PostgreSQL)
  await lw.query('ALTER TABLE items ADD COLUMN extra text DEFAULT \'x\'');
  assert.equal(await failure(lw, star ), '0A000: cached plan must not change result type');
  assert.equal(await failure(sr, star ), '0A000: cached plan must not change result type');
  assert.equal((await sr.query('SELECT extra FROM items WHERE id = 1')).rows[0].extra, 'x');
  await lw.query('DROP TABLE swap');
  assert.equal(await failure(sr, 'SELECT * FROM swap'), '42P01: relation "swap" does not exist');
});

test('seals, compaction, bulk loads and HNSW indexes on the leader: the standby answers as the leader', async () => {
  await lw.query('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
  await lw.query('INSERT INTO items (id, tag, v) SELECT i, i % 7, ARRAY[i % 97, i % 13, i % 5]::vector(3) FROM generate_series(1000, 13000) i');
  await lw.query('DELETE FROM items WHERE id % 3 = 0 AND id > 1000');
  await lw.query('VACUUM items');
  const queries = [
    'SELECT count(*)::int AS n, sum(id)::bigint AS s FROM items',
    `SELECT id FROM items ORDER BY v <-> '[40,3,2]', id LIMIT 10`,
    `SELECT id FROM items WHERE tag = 2 ORDER BY v <-> '[10,3,2]', id LIMIT 5`,
    'SELECT id, tag FROM items WHERE id = 1234',
  ];
  for (const q of queries) assert.deepEqual((await sr.query(q)).rows, (await lw.query(q)).rows, q);
  // the compaction's dropped rows leave no tombstones behind on the standby either (live rows = segments' rows - tombstones)
  const live = 'SELECT n_live_tup::int AS n FROM pg_stat_user_tables WHERE relname = \'items\'';
  const count = (await sr.query('SELECT count(*)::int AS n FROM items')).rows[0].n;
  assert.equal((await lw.query(live)).rows[0].n, count);
  assert.equal((await sr.query(live)).rows[0].n, count);
  const plan = (await sr.query(`EXPLAIN SELECT id FROM items ORDER BY v <-> '[40,3,2]' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /items_v/);
});

test('eventually reads what is applied; bounded waits only past max_staleness; strong waits', async () => {
  standby.standby!.pause(true);
  try {
    await lw.query('INSERT INTO items (id, tag, v) VALUES (50000, 1, \'[1,2,3]\')');
    await sr.query('SET quiver.consistency = eventually');
    assert.equal((await sr.query('SELECT count(*)::int AS n FROM items WHERE id = 50000')).rows[0].n, 0, 'eventually: not applied yet');
    // bounded: fresh within the bound → no wait (and the row is not there); a stalled standby past the bound waits
    await sr.query('SET quiver.consistency = bounded');
    await sr.query('SET quiver.max_staleness = \'60s\'');
    const t0 = Date.now();
    assert.equal((await sr.query('SELECT count(*)::int AS n FROM items WHERE id = 50000')).rows[0].n, 0, 'bounded 60 s: no wait');
    assert.ok(Date.now() - t0 < 1000);
    await sr.query('SET quiver.max_staleness = 100');
    await sr.query('SET statement_timeout = 400');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await failure(sr, 'SELECT count(*) FROM items WHERE id = 50000'), '57014: canceling statement due to statement timeout');
    await sr.query('SET quiver.consistency = strong');
    assert.equal(await failure(sr, 'SELECT count(*) FROM items WHERE id = 50000'), '57014: canceling statement due to statement timeout');
    await sr.query('SET statement_timeout = 0');
    // waiting, and answered once the standby applies again
    const waiting = sr.query('SELECT count(*)::int AS n FROM items WHERE id = 50000');
    await new Promise((r) => setTimeout(r, 200));
    standby.standby!.pause(false);
    assert.equal((await waiting).rows[0].n, 1);
  } finally {
    standby.standby!.pause(false);
    await sr.query('RESET quiver.consistency');
    await sr.query('RESET quiver.max_staleness');
  }
});

test('quiver.consistency and quiver.max_staleness are session settings like PostgreSQL\'s enum and time settings', async () => {
  assert.equal((await sr.query('SHOW quiver.consistency')).rows[0]['quiver.consistency'], 'strong');
  assert.equal((await sr.query('SHOW quiver.max_staleness')).rows[0]['quiver.max_staleness'], '5s');
  await sr.query('SET quiver.max_staleness = 250');
  assert.equal((await sr.query('SHOW quiver.max_staleness')).rows[0]['quiver.max_staleness'], '250ms');
  await sr.query('SET quiver.max_staleness = \'2min\'');
  assert.equal((await sr.query('SHOW quiver.max_staleness')).rows[0]['quiver.max_staleness'], '2min');
  await sr.query('RESET quiver.max_staleness');
  try {
    await sr.query('SET quiver.consistency = sometimes');
    assert.fail('accepted');
  } catch (e) {
    const err = e as { code?: string; message: string; hint?: string };
    assert.equal(err.code, '22023');
    assert.equal(err.message, 'invalid value for parameter "quiver.consistency": "sometimes"');
    assert.equal(err.hint, 'Available values: strong, bounded, eventually.');
  }
  const row = (await sr.query(`SELECT name, setting, unit, vartype, enumvals, boot_val FROM pg_settings WHERE name IN ('quiver.consistency', 'quiver.max_staleness') ORDER BY name`)).rows;
  assert.deepEqual(row, [
    { name: 'quiver.consistency', setting: 'strong', unit: null, vartype: 'enum', enumvals: ['strong', 'bounded', 'eventually'], boot_val: 'strong' },
    { name: 'quiver.max_staleness', setting: '5000', unit: 'ms', vartype: 'integer', enumvals: null, boot_val: '5000' },
  ]);
  // on the leader every level reads the leader's own data
  await lw.query('SET quiver.consistency = eventually');
  await lw.query('INSERT INTO items (id, tag, v) VALUES (60000, 1, \'[1,2,3]\')');
  assert.equal((await lw.query('SELECT count(*)::int AS n FROM items WHERE id = 60000')).rows[0].n, 1);
  await lw.query('RESET quiver.consistency');
});

test('a statement waiting for the log shows in pg_stat_activity as IPC / QuiverLogApply', async () => {
  const pid = (await sr.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const watcher = await connect(standby.port);
  try {
    // the watcher itself must not wait on the stalled standby
    await watcher.query('SET quiver.consistency = eventually');
    const activity = async () => (await watcher.query(
      `SELECT state, wait_event_type, wait_event, query, (state_change - query_start) >= interval '200 ms' AS long FROM pg_stat_activity WHERE pid = $1`, [pid])).rows[0];
    const waitFor = async (ok: (row: Record<string, unknown>) => boolean) => {
      let row = await activity();
      for (let i = 0; i < 100 && !ok(row); i++) {
        await new Promise((r) => setTimeout(r, 20));
        row = await activity();
      }
      return row;
    };
    const byId = { name: 'by_id', text: 'SELECT count(*)::int AS n FROM items WHERE id = $1', values: [80000] };
    await sr.query(byId);
    const stall = async (statement: () => Promise<pg.QueryResult>, text: string) => {
      standby.standby!.pause(true);
      try {
        await lw.query('INSERT INTO items (id, tag, v) VALUES ($1, 1, \'[1,2,3]\')', [text.includes('$1') ? 80000 : 80001]);
        const running = statement();
        const row = await waitFor((r) => r.wait_event === 'QuiverLogApply');
        assert.deepEqual({ ...row, long: undefined }, { state: 'active', wait_event_type: 'IPC', wait_event: 'QuiverLogApply', query: text, long: undefined });
        await new Promise((r) => setTimeout(r, 200));
        standby.standby!.pause(false);
        assert.equal((await running).rows[0].n, 1);
      } finally {
        standby.standby!.pause(false);
      }
      // done: idle again, and the statement's start was the wait's
      const done = await waitFor((r) => r.state === 'idle');
      assert.deepEqual(done, { state: 'idle', wait_event_type: 'Client', wait_event: 'ClientRead', query: text, long: true });
    };
    // a simple query waits before its parse; a prepared statement's execution waits before its snapshot
    await stall(() => sr.query('SELECT count(*)::int AS n FROM items WHERE id = 80001'), 'SELECT count(*)::int AS n FROM items WHERE id = 80001');
    await stall(() => sr.query(byId), byId.text);
    // a wait that ends in statement_timeout: idle again, no wait shown
    standby.standby!.pause(true);
    try {
      await lw.query('INSERT INTO items (id, tag, v) VALUES (80002, 1, \'[1,2,3]\')');
      await sr.query('SET statement_timeout = 300');
      assert.equal(await failure(sr, 'SELECT count(*) FROM items WHERE id = 80002'), '57014: canceling statement due to statement timeout');
      const row = await activity();
      assert.deepEqual([row.state, row.wait_event_type, row.wait_event, row.query], ['idle', 'Client', 'ClientRead', 'SELECT count(*) FROM items WHERE id = 80002']);
    } finally {
      standby.standby!.pause(false);
      await sr.query('SET statement_timeout = 0');
    }
  } finally {
    await watcher.end();
  }
});

test('a standby measures its lag: next to nothing when current, growing while it is stalled', async () => {
  await sr.query('SELECT count(*) FROM items'); // strong: caught up
  assert.ok((await standby.standby!.lagMs()) < 1000);
  standby.standby!.pause(true);
  try {
    await lw.query('INSERT INTO items (id, tag, v) VALUES (70000, 1, \'[1,2,3]\')');
    await new Promise((r) => setTimeout(r, 600));
    assert.ok((await standby.standby!.lagMs()) >= 600);
  } finally {
    standby.standby!.pause(false);
  }
  assert.equal((await sr.query('SELECT count(*)::int AS n FROM items WHERE id = 70000')).rows[0].n, 1);
  assert.ok((await standby.standby!.lagMs()) < 1000);
});

test('a REPEATABLE READ transaction on the standby outlives a compaction on the leader: it sees exactly what it saw', async () => {
  await lw.query('CREATE TABLE rr (id int PRIMARY KEY, tag int, v vector(3))');
  await lw.query('CREATE INDEX rr_v ON rr USING hnsw (v vector_l2_ops)');
  // a bulk load (its own segment), then more rows sealed: several sealed segments
  await lw.query('INSERT INTO rr SELECT i, i % 5, ARRAY[i % 89, i % 11, i % 3]::vector(3) FROM generate_series(1, 6000) i');
  await lw.query('INSERT INTO rr SELECT i, i % 5, ARRAY[i % 89, i % 11, i % 3]::vector(3) FROM generate_series(6001, 9000) i');
  const reads = [
    'SELECT count(*)::int AS n, sum(id)::bigint AS s FROM rr',
    'SELECT id, tag FROM rr WHERE id IN (3, 4, 5, 5001, 8999) ORDER BY id',
    `SELECT id FROM rr ORDER BY v <-> '[7,2,1]', id LIMIT 8`,
    `SELECT id FROM rr WHERE tag = 3 ORDER BY v <-> '[40,6,0]', id LIMIT 5`,
    'SELECT tag, count(*)::int AS n FROM rr GROUP BY tag ORDER BY tag',
  ];
  await sr.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const before: unknown[] = [];
    for (const q of reads) before.push((await sr.query(q)).rows);
    assert.equal((before[0] as { n: number }[])[0].n, 9000);
    // the leader deletes rows and compacts them away (no snapshot of its own holds them)
    await lw.query('DELETE FROM rr WHERE id % 2 = 1');
    await lw.query('UPDATE rr SET tag = 100 WHERE id % 10 = 0');
    await lw.query('VACUUM rr');
    // a second session on the standby: strong, so the compaction is applied once it answers
    const other = await connect(standby.port);
    try {
      assert.equal((await other.query('SELECT count(*)::int AS n FROM rr')).rows[0].n, 4500);
    } finally {
      await other.end();
    }
    for (const [i, q] of reads.entries()) assert.deepEqual((await sr.query(q)).rows, before[i], q);
    await sr.query('COMMIT');
  } finally {
    await sr.query('ROLLBACK').catch(() => {});
  }
  // the next transaction reads the compacted table
  assert.equal((await sr.query('SELECT count(*)::int AS n FROM rr')).rows[0].n, 4500);
  for (const q of reads) assert.deepEqual((await sr.query(q)).rows, (await lw.query(q)).rows, q);
  await lw.query('DROP TABLE rr');
});

test('strong reads share reads of the log\'s end: each gets one sent after it asked', async () => {
  let sent = 0;
  const pending: (() => void)[] = [];
  const read = coalesced(() => new Promise<number>((resolve) => {
    const n = ++sent;
    pending.push(() => resolve(n));
  }));
  const first = read();
  const later = Array.from({ length: 10 }, () => read());
  assert.equal(sent, 1, 'the others wait for the next request');
  pending.shift()!();
  assert.equal(await first, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(sent, 2, 'one request for all ten');
  pending.shift()!();
  assert.deepEqual(await Promise.all(later), Array(10).fill(2));
});
