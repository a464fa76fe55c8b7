/**
 * Disk full: a write that hits ENOSPC / EDQUOT fails its statement with SQLSTATE 53100,
 * reads go on, nothing acknowledged is lost, and writes (and CREATE INDEX) work again in
 * the same server process once space is freed. The server tests mount a small tmpfs and
 * skip where that is not permitted.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicLevel } from 'classic-level';
import { Wal, frame, isDiskFull, type WalOp } from '../src/storage/wal.js';
import { diskFullError } from '../src/storage/disk-full.js';
import { RetrySchedule, type PostponedJob } from '../src/storage/retry-schedule.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { OID, type Row } from '../src/types/types.js';

test('isDiskFull recognises errno codes and LevelDB status text', () => {
  const enospc = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
  const edquot = Object.assign(new Error('write failed'), { code: 'EDQUOT' });
  assert.equal(isDiskFull(enospc), true);
  assert.equal(isDiskFull(edquot), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: No space left on device')), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: Disk quota exceeded')), true);
  assert.equal(isDiskFull(Object.assign(new Error('x'), { code: 'EIO' })), false);
  assert.equal(isDiskFull(new Error('Corruption: bad block')), false);
  // a worker thread's build failure carries node's message text
  assert.equal(isDiskFull(new Error('IVFFlat build failed: ENOSPC: no space left on device, write')), true);
});

test('diskFullError names the file relative to the data directory, as PostgreSQL does', () => {
  const fromLevel = diskFullError(new Error('IO error: /d/wal/000005.log: No space left on device'), '/d', '/d/wal/LOG');
  assert.equal(fromLevel.code, '53100');
  assert.equal(fromLevel.message, 'could not extend file "wal/000005.log": No space left on device');
  assert.equal(fromLevel.fields.hint, 'Check free disk space.');
  const fromNode = diskFullError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/d/segments/t1-s2.arrow.tmp' }), '/d', '/d/segments');
  assert.equal(fromNode.message, 'could not extend file "segments/t1-s2.arrow.tmp": No space left on device');
  const noPath = diskFullError(new Error('HNSW build failed: Failed to serialize into stream: No space left on device'), '/d', '/d/segments');
  assert.equal(noPath.message, 'could not extend file "segments": No space left on device');
  assert.equal(diskFullError(fromLevel, '/d', '/x'), fromLevel);
});

test('the retry schedule backs off per table, starts over after success, and runs everything when space is freed', async () => {
  const runs: [number, PostponedJob[]][] = [];
  const schedule = new RetrySchedule((table, jobs) => runs.push([table, jobs]), 20, 80);
  try {
    assert.equal(schedule.postpone(1, 'seal'), 20);
    assert.equal(schedule.postpone(1, 'manifest'), 20, 'one timer per table: a second job joins it');
    assert.equal(schedule.isDue(1, 'seal'), true);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(runs, [[1, ['manifest', 'seal']]], 'the manifest is written before the seal is tried again');
    // failing again doubles the delay, up to the maximum
    assert.equal(schedule.postpone(1, 'seal'), 40);
    schedule.done(1, 'seal');
    assert.equal(schedule.isDue(1, 'manifest'), true, 'still due until it went through');
    schedule.done(1, 'manifest');
    assert.equal(schedule.isDue(1, 'seal'), false);
    assert.equal(schedule.postpone(1, 'compaction'), 20, 'the delay starts over once nothing is due');
    schedule.postpone(2, 'index build');
    runs.length = 0;
    schedule.runAllNow();
    assert.deepEqual(runs, [[1, ['compaction']], [2, ['index build']]]);
  } finally {
    schedule.stop();
  }
});

/**
 * A fresh tmpfs of `megabytes` for test `t`, unmounted and removed after it once `release`
 * stopped what uses it; undefined (and the test skipped) where mounting is not permitted.
 */
async function tmpfsFor(t: TestContext, megabytes: number, release: () => Promise<void>): Promise<string | undefined> {
  const mnt = await mkdtemp(join(tmpdir(), 'quiver-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mnt], { stdio: 'pipe' });
  } catch {
    await rm(mnt, { recursive: true, force: true });
    t.skip('mount -t tmpfs is not permitted here (needs root)');
    return undefined;
  }
  t.after(async () => {
    await release().catch(() => {});
    try { execFileSync('umount', [mnt], { stdio: 'pipe' }); } catch { /* already gone */ }
    await rm(mnt, { recursive: true, force: true });
  });
  return mnt;
}

/** A server on a data directory and the clients connected to it. */
class ServerSession {
  server: QuiverServer | undefined;
  private readonly clients: pg.Client[] = [];
  constructor(private readonly dataDir: string, private readonly env: NodeJS.ProcessEnv = {}) {}

  async start(): Promise<QuiverServer> {
    this.server = await startQuiver({ dataDir: this.dataDir, env: this.env });
    return this.server;
  }

  async connect(): Promise<pg.Client> {
    const c = new pg.Client({ host: this.server!.host, port: this.server!.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    this.clients.push(c);
    return c;
  }

  /** kill -9 (the clients are ended first) */
  async crash(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.end().catch(() => {});
    await this.server!.crash();
  }

  async release(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.end().catch(() => {});
    await this.server?.stop().catch(() => {});
  }
}

let fillers = 0;

/** Fill the file system at `mnt` to within `leaveBytes` of full; returns the filler file. */
async function fillDisk(mnt: string, leaveBytes: number): Promise<string> {
  const fs = await statfs(mnt);
  const filler = join(mnt, `filler-${++fillers}`);
  try {
    await writeFile(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - leaveBytes)));
  } catch (e) {
    // the server took some of it meanwhile: full all the same (what was written stays)
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  return filler;
}

test('a full disk fails the commit with 53100, keeps reads and every acknowledged row', async (t) => {
  let session: ServerSession | undefined;
  const mnt = await tmpfsFor(t, 32, async () => session?.release());
  if (!mnt) return;
  const dataDir = join(mnt, 'data');
  session = new ServerSession(dataDir);
  const connect = () => session!.connect();
  await session.start();
  const writer = await connect();
  const reader = await connect();
  await writer.query('CREATE TABLE items (id int PRIMARY KEY, v vector(64), pad text)');
  await writer.query('CREATE SEQUENCE tick');
  // Fill the file system to within 1.5 MB, then insert until a commit fails.
  const fillers = [await fillDisk(mnt, 1.5 * 1024 * 1024)];
  const acked: number[] = [];
  const vec = `[${Array.from({ length: 64 }, (_, i) => (i % 7) / 7).join(',')}]`;
  const pad = 'x'.repeat(2000);
  let failure: (Error & { code?: string; hint?: string }) | undefined;
  for (let id = 1; id <= 20000 && !failure; id++) {
    try {
      await writer.query('INSERT INTO items VALUES ($1, $2, $3)', [id, vec, pad]);
      acked.push(id);
    } catch (e) {
      failure = e as Error & { code?: string };
    }
  }
  assert.ok(failure, 'the disk never filled');
  assert.equal(failure.code, '53100', `unexpected error: ${failure.message}`);
  assert.match(failure.message, /No space left on device/);
  assert.equal(failure.hint, 'Check free disk space.');
  // Other sessions still read, and see exactly the acknowledged rows.
  const seen = await reader.query('SELECT id FROM items ORDER BY id');
  assert.deepEqual(seen.rows.map((r) => r.id), acked);
  // nextval on the full disk: the value that needed a log record was refused, and so is
  // every later one until a record is written — none is handed out unlogged (32 values
  // ahead), so none comes back after the crash below
  const handedOut: bigint[] = [];
  let refusedNextval = false;
  for (let i = 0; i < 80 && !(refusedNextval && i >= 40); i++) {
    fillers.push(await fillDisk(mnt, 0));
    try {
      handedOut.push(BigInt((await reader.query("SELECT nextval('tick') AS v")).rows[0].v));
    } catch (e) {
      assert.equal((e as { code?: string }).code, '53100', (e as Error).message);
      refusedNextval = true;
    }
  }
  assert.ok(refusedNextval, 'nextval never needed the full disk');
  // Free the space; after a kill -9 (the log's tail torn by the refused write) and restart
  // every acknowledged row (and nothing else) is there and writes work again.
  for (const f of fillers) await rm(f);
  await session.crash();
  await session.start();
  const again = await connect();
  const back = await again.query('SELECT id FROM items ORDER BY id');
  assert.deepEqual(back.rows.map((r) => r.id), acked);
  await again.query('INSERT INTO items VALUES ($1, $2, $3)', [100000, vec, pad]);
  const n = await again.query('SELECT count(*)::int AS n FROM items');
  assert.equal(n.rows[0].n, acked.length + 1);
  const next = BigInt((await again.query("SELECT nextval('tick') AS v")).rows[0].v);
  for (const v of handedOut) assert.ok(next > v, `nextval handed out ${next} again after the crash`);
});

test('writes, sequences and CREATE INDEX work again in the same process once space is freed', async (t) => {
  let session: ServerSession | undefined;
  const mnt = await tmpfsFor(t, 32, async () => session?.release());
  if (!mnt) return;
  const dataDir = join(mnt, 'data');
  // seals every 512 KiB: background seals (and the compactions after them) run into the full disk too
  session = new ServerSession(dataDir, { QUIVER_SEAL_THRESHOLD_BYTES: String(512 * 1024) });
  const connect = () => session!.connect();
  await session.start();
  const writer = await connect();
  const reader = await connect();
  await writer.query('CREATE TABLE items (id int PRIMARY KEY, s bigserial, v vector(64), pad text)');
  const pad = 'x'.repeat(1500);
  const vec = (id: number) => `[${Array.from({ length: 64 }, (_, i) => ((id * 7 + i) % 13) / 13).join(',')}]`;
  /** one multi-row INSERT of ids [from, from + n) */
  const insert = (c: pg.Client, from: number, n: number) => {
    const ids = Array.from({ length: n }, (_, i) => from + i);
    const values = ids.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2}, '${pad}')`).join(', ');
    return c.query(`INSERT INTO items (id, v, pad) VALUES ${values}`, ids.flatMap((id) => [id, vec(id)]));
  };
  const acked: number[] = [];
  const BATCH = 10;
  let nextId = 1;
  // some rows first, and deletes among them: compaction has work when the disk fills
  for (let i = 0; i < 30; i++, nextId += BATCH) {
    await insert(writer, nextId, BATCH);
    for (let k = 0; k < BATCH; k++) acked.push(nextId + k);
  }
  await writer.query('DELETE FROM items WHERE id % 3 = 0');
  for (let i = acked.length - 1; i >= 0; i--) if (acked[i] % 3 === 0) acked.splice(i, 1);

  const fillers: string[] = [];
  /**
   * INSERT batches on `c` until one is refused; with `topUp`, whatever space the server gave
   * back meanwhile (a refused write's partial file, LevelDB's old log) is filled again after
   * each batch that went in. Returns the refusal and the refused batch's ids.
   */
  const insertUntilRefused = async (c: pg.Client, topUp: boolean) => {
    for (let n = 0; n < 5000; n++) {
      const batch = Array.from({ length: BATCH }, (_, k) => nextId + k);
      nextId += BATCH;
      try {
        await insert(c, batch[0], BATCH);
        acked.push(...batch);
      } catch (e) {
        return { error: e as Error & { code?: string; hint?: string }, ids: batch };
      }
      if (topUp) fillers.push(await fillDisk(mnt, 0));
    }
    throw new Error('the disk never filled');
  };
  fillers.push(await fillDisk(mnt, 1.5 * 1024 * 1024));
  const first = await insertUntilRefused(writer, false);
  assert.equal(first.error.code, '53100', `unexpected error: ${first.error.message}`);
  assert.match(first.error.message, /^could not extend file ".+": No space left on device$/);
  assert.equal(first.error.hint, 'Check free disk space.');
  const ids = async (c: pg.Client) => (await c.query('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id as number);
  assert.deepEqual(await ids(reader), acked, 'another session reads exactly the acknowledged rows');
  // while the disk stays full, writes keep failing (on a new connection too) and nothing of them shows
  const second = await insertUntilRefused(writer, true);
  assert.equal(second.error.code, '53100', second.error.message);
  const late = await connect();
  const third = await insertUntilRefused(late, true);
  assert.equal(third.error.code, '53100', third.error.message);
  assert.deepEqual(await ids(late), acked);
  // CREATE TABLE on the full disk: 53100, and neither the table nor its sequence is left
  // (topped up first: a reopen of the log may find a little room again)
  let ghost: string | undefined;
  for (let k = 0; k < 20 && !ghost; k++) {
    fillers.push(await fillDisk(mnt, 0));
    try {
      await late.query(`CREATE TABLE ghost${k} (a int PRIMARY KEY, b bigserial)`);
    } catch (e) {
      assert.equal((e as { code?: string }).code, '53100', (e as Error).message);
      ghost = `ghost${k}`;
    }
  }
  assert.ok(ghost, 'CREATE TABLE was never refused');
  const relations = async (c: pg.Client, name: string) => (await c.query('SELECT count(*)::int AS n FROM pg_class WHERE relname = $1', [name])).rows[0].n as number;
  assert.equal(await relations(reader, ghost), 0);

  // Space freed: the same connection writes again at once (no restart), and so do new ones.
  for (const f of fillers.splice(0)) await rm(f);
  const freedAt = performance.now();
  await insert(writer, nextId, BATCH);
  const resumeMs = performance.now() - freedAt;
  for (let k = 0; k < BATCH; k++) acked.push(nextId + k);
  nextId += BATCH;
  const fresh = await connect();
  await insert(fresh, nextId, BATCH);
  for (let k = 0; k < BATCH; k++) acked.push(nextId + k);
  nextId += BATCH;
  // the refused statements left nothing: not their rows, not their keys (they go in again now)
  const refusedIds = [...first.ids, ...second.ids, ...third.ids];
  const refused = await reader.query('SELECT count(*)::int AS n FROM items WHERE id = ANY($1)', [refusedIds]);
  assert.equal(refused.rows[0].n, 0, 'rows of a refused statement are visible');
  for (const r of [first, second, third]) await insert(fresh, r.ids[0], BATCH);
  acked.push(...refusedIds);
  acked.sort((a, b) => a - b);
  assert.deepEqual(await ids(reader), acked);

  // CREATE INDEX on a full disk: 53100, and no index is left. A GIN index first seals every
  // row (with space), so the HNSW build's own file write is what fails.
  await writer.query("CREATE INDEX items_pad ON items USING gin (to_tsvector('simple', pad))");
  const filler = await fillDisk(mnt, 64 * 1024);
  let indexError = '';
  await assert.rejects(writer.query('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)'), (e: Error & { code?: string; hint?: string }) => {
    assert.equal(e.code, '53100', e.message);
    assert.match(e.message, /^could not extend file ".+": No space left on device$/);
    assert.equal(e.hint, 'Check free disk space.');
    indexError = e.message;
    return true;
  });
  // no file of it stays either (a failed build's temporary file goes once its thread stopped)
  const indexFiles = async () => (await readdir(join(dataDir, 'segments'))).filter((f) => f.includes('items_v'));
  for (let i = 0; i < 50 && (await indexFiles()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await indexFiles(), []);
  const indexes = async () => (await reader.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1")).rows.map((r) => r.indexname as string);
  assert.deepEqual(await indexes(), ['items_pad', 'items_pkey']);
  await rm(filler);
  await writer.query('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
  assert.deepEqual(await indexes(), ['items_pad', 'items_pkey', 'items_v']);
  const near = await reader.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 1', [vec(acked[0])]);
  assert.equal(near.rows.length, 1);

  // kill -9: every acknowledged row (and nothing else) comes back, sequence values stay unique, the index stays
  await session.crash();
  await session.start();
  const again = await connect();
  assert.deepEqual(await ids(again), acked);
  const serial = await again.query('SELECT count(DISTINCT s)::int AS d, count(*)::int AS n FROM items');
  assert.equal(serial.rows[0].d, serial.rows[0].n, 'a sequence value was handed out twice');
  assert.deepEqual((await again.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1")).rows.map((r) => r.indexname), ['items_pad', 'items_pkey', 'items_v']);
  await insert(again, nextId, BATCH);
  assert.equal(await relations(again, ghost), 0);
  assert.equal(await relations(again, `${ghost}_b_seq`), 0);
  assert.equal(await relations(again, 'items'), 1);
  t.diagnostic(`acknowledged rows: ${acked.length}; first INSERT after freeing space took ${resumeMs.toFixed(0)} ms; CREATE INDEX on the full disk: ${indexError}`);
});

const LAYOUT = {
  id: 16400,
  columns: [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'label', type: { oid: OID.text, typmod: -1 } },
  ],
};
const row = (id: number, label = `item ${id}`): Row => [BigInt(id), label];

function keysVisible(s: DurableStorage): number[] {
  const out: number[] = [];
  for (const b of s.scan(LAYOUT.id, s.snapshot())) for (const r of b.rows) out.push(Number(r[0]));
  return out.sort((a, b) => a - b);
}

test('storage: a refused group commit is taken back out of memory, and the log is writable again once space is freed', async (t) => {
  let s: DurableStorage | undefined;
  const mnt = await tmpfsFor(t, 16, async () => s?.close());
  if (!mnt) return;
  const dataDir = join(mnt, 'data');
  s = await DurableStorage.open({ dataDir, background: false });
  await s.createTable(LAYOUT);
  await s.addUniqueKey(LAYOUT.id, { name: 'items_pkey', columns: [0] });
  const commit = (store: DurableStorage, insert: Row[], del: number[] = []) => {
    const txn = store.begin();
    if (insert.length) txn.insert(LAYOUT.id, insert);
    if (del.length) txn.delete(LAYOUT.id, del);
    return txn.commit();
  };
  const base = Array.from({ length: 100 }, (_, i) => row(i + 1));
  await commit(s, base);
  const rowIdOf = (store: DurableStorage, id: number) => store.lookupUnique(LAYOUT.id, 'items_pkey', [BigInt(id)]);
  const baseRowIds = base.map((r) => rowIdOf(s!, Number(r[0]))!);

  const filler = await fillDisk(mnt, 256 * 1024);
  // One group (same tick): new keys, deletes of base rows, and one commit too big for what is left.
  const group = [
    commit(s, [row(1001), row(1002)]),
    commit(s, [], baseRowIds.slice(0, 10)),
    commit(s, [row(1003, 'x'.repeat(2 * 1024 * 1024))]),
  ];
  const results = await Promise.allSettled(group);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal((r as PromiseRejectedResult).reason.code, '53100');
  }
  const expected = base.map((r) => Number(r[0]));
  assert.deepEqual(keysVisible(s), expected, 'nothing of the refused commits is visible');
  for (const id of [1001, 1002, 1003]) assert.equal(rowIdOf(s, id), undefined, `key ${id} of a refused commit is still taken`);
  // a later commit (with a timestamp past the refused ones) must not reveal them either
  await rm(filler);
  await commit(s, [row(2001)]);
  expected.push(2001);
  assert.deepEqual(keysVisible(s), expected);
  // the refused deletes did not happen: the rows can be deleted now (no write conflict)
  await commit(s, [row(1001), row(1002)], baseRowIds.slice(0, 10));
  const afterDeletes = expected.filter((id) => id > 10).concat(1001, 1002).sort((a, b) => a - b);
  assert.deepEqual(keysVisible(s), afterDeletes);
  assert.ok(s.walCounters().batches > 0);

  // A seal while a commit is in flight seals only durable rows: when the log refuses that
  // commit, its row is in no segment (else a later commit's timestamp would reveal it).
  const nearlyFull = await fillDisk(mnt, 256 * 1024);
  const inFlight = commit(s, [row(3001, 'z'.repeat(2 * 1024 * 1024))]);
  // the next turn: the commit is applied in memory and its batch is being written
  await new Promise((r) => setImmediate(r));
  const sealing = s.seal(LAYOUT.id).catch((e: Error) => e);
  await assert.rejects(inFlight, { code: '53100' });
  await sealing;
  await rm(nearlyFull);
  await s.seal(LAYOUT.id);
  await commit(s, [row(2002)]);
  afterDeletes.push(2002);
  assert.deepEqual(keysVisible(s), afterDeletes);
  assert.equal(rowIdOf(s, 3001), undefined);

  // A bulk ingest (a segment file of its own) on a full disk fails with 53100 and leaves no file.
  const segmentsBefore = (await readdir(join(dataDir, 'segments'))).sort();
  const full = await fillDisk(mnt, 64 * 1024);
  const bulk = Array.from({ length: 9000 }, (_, i) => row(100_000 + i, `bulk ${i} ${'y'.repeat(40)}`));
  await assert.rejects(commit(s, bulk), (e: Error & { code?: string }) => e.code === '53100');
  assert.deepEqual((await readdir(join(dataDir, 'segments'))).sort(), segmentsBefore);
  assert.deepEqual(keysVisible(s), afterDeletes);
  await rm(full);
  await commit(s, bulk);
  const all = afterDeletes.concat(bulk.map((r) => Number(r[0]))).sort((a, b) => a - b);
  assert.deepEqual(keysVisible(s), all);

  // all of it durable: a reopen finds exactly the acknowledged state
  await s.close();
  s = await DurableStorage.open({ dataDir, background: false });
  assert.deepEqual(keysVisible(s), all);
  assert.equal(rowIdOf(s, 1003), undefined);
});

test('a refused batch that reached the disk all the same (only its fsync failed) stops writes until a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-wal-'));
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'wal'), { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  const lost: number[] = [];
  const wal = new Wal(db, 0, () => {}, undefined, { onLost: (ts) => lost.push(ts), dataDir: dir });
  try {
    const put = (key: string) => ({ type: 'put' as const, key, value: frame(Buffer.from(key)) });
    await wal.append([put('L/1')], 1);
    // Fault injection: the next batch is written, then reported as failed for lack of space
    // (what an fsync failing with ENOSPC looks like on a file system that allocates late).
    const write = db.batch.bind(db) as (ops: WalOp[], options: { sync: boolean }) => Promise<void>;
    let inject = true;
    Object.assign(db, {
      batch: async (ops: WalOp[], options: { sync: boolean }) => {
        await write(ops, options);
        if (inject) {
          inject = false;
          throw new Error(`IO error: ${join(dir, 'wal', '000003.log')}: No space left on device`);
        }
      },
    });
    await assert.rejects(wal.append([put('L/2')], 2), (e: Error & { code?: string }) => e.code === '53100' && /could not extend file "wal\/000003.log"/.test(e.message));
    assert.deepEqual(lost, [1], 'the commits after the durable clock were taken back');
    // the reopen finds the refused batch in the log: memory no longer matches it
    await assert.rejects(wal.ready(), /reached the disk all the same/);
    await assert.rejects(wal.append([put('C')]), /reached the disk all the same/);
  } finally {
    await wal.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('storage: a background seal that finds the disk full is postponed (logged) and done once space is freed', async (t) => {
  let s: DurableStorage | undefined;
  const mnt = await tmpfsFor(t, 8, async () => s?.close());
  if (!mnt) return;
  const logged: { level: string; msg: string }[] = [];
  const logger = {
    info: (_: object, msg: string) => { logged.push({ level: 'info', msg }); },
    warn: (_: object, msg: string) => { logged.push({ level: 'warn', msg }); },
    error: (_: object, msg: string) => { logged.push({ level: 'error', msg }); },
  };
  s = await DurableStorage.open({ dataDir: join(mnt, 'data'), sealThresholdBytes: 256 * 1024, logger });
  await s.createTable(LAYOUT);
  const commit = (rows: Row[]) => {
    const txn = s!.begin();
    txn.insert(LAYOUT.id, rows);
    return txn.commit();
  };
  // just under the seal threshold, with space
  const label = 'w'.repeat(1000);
  let id = 1;
  while (id <= 240) await commit([row(id++, label)]);
  assert.equal(s.segments(LAYOUT.id).length, 0);
  // room for a small log record, not for a segment file: the commit goes in, its seal cannot
  const filler = await fillDisk(mnt, 48 * 1024);
  for (let tries = 0; !logged.some((l) => /^seal failed: no space left on device; will retry in 1 s$/.test(l.msg)); tries++) {
    assert.ok(tries < 100, `no seal was postponed: ${JSON.stringify(logged)}`);
    try {
      await commit([row(id, label)]);
      id++;
    } catch (e) {
      // the seal's file took the last of the space for a moment (it is removed when its write fails)
      assert.equal((e as { code?: string }).code, '53100');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(s.segments(LAYOUT.id).length, 0);
  await rm(filler);
  // the retry (after 1 s) seals, and says so
  const done = () => logged.some((l) => l.level === 'info' && l.msg === 'seal done after a full disk');
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done(), JSON.stringify(logged));
  assert.equal(s.segments(LAYOUT.id).length, 1);
  assert.deepEqual(keysVisible(s), Array.from({ length: id - 1 }, (_, i) => i + 1));
  assert.ok(!logged.some((l) => l.level === 'error'), JSON.stringify(logged));
});

test('storage: a big commit whose pieces are being applied when the log refuses an earlier commit is taken back whole', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-commit-refused-'));
  const rewinds: { tombstones: number }[] = [];
  const logger = { info() {}, error() {}, warn(obj: object, msg: string) { if (msg.startsWith('took the commits')) rewinds.push(obj as { tombstones: number }); } };
  let s = await DurableStorage.open({ dataDir, background: false, logger });
  try {
    await s.createTable(LAYOUT);
    await s.addUniqueKey(LAYOUT.id, { name: 'items_pkey', columns: [0] });
    const base = Array.from({ length: 60_000 }, (_, i) => row(i + 1, ''));
    for (let i = 0; i < base.length; i += 4000) {
      const seed = s.begin();
      seed.insert(LAYOUT.id, base.slice(i, i + 4000));
      await seed.commit();
    }
    const rowIdOf = (id: number) => s.lookupUnique(LAYOUT.id, 'items_pkey', [BigInt(id)]);
    const baseRowIds = base.map((r) => rowIdOf(Number(r[0]))!);
    // the big commit: every base row deleted (a piece at a time), then new keys
    const fresh = Array.from({ length: 2000 }, (_, i) => row(100_000 + i));
    const big = s.begin();
    big.delete(LAYOUT.id, baseRowIds);
    big.insert(LAYOUT.id, fresh);

    // Fault injection: the next batch (an earlier commit's) fails for lack of space, but only
    // once the big commit is being applied (its first row's tombstone is there).
    const db = (s as unknown as { wal: Wal }).wal.db;
    const write = db.batch.bind(db) as (...args: unknown[]) => unknown;
    let release!: () => void;
    const applying = new Promise<void>((r) => (release = r));
    let inject = true;
    Object.assign(db, {
      batch: (...args: unknown[]) => {
        if (args.length === 0 || !inject) return write(...args);
        inject = false;
        return applying.then(() => { throw new Error(`IO error: ${join(dataDir, 'wal', '000003.log')}: No space left on device`); });
      },
    });
    const earlier = s.begin();
    earlier.insert(LAYOUT.id, [row(90_001)]);
    const refused = earlier.commit();
    const bigCommit = big.commit();
    while (rowIdOf(1) !== undefined) await new Promise((r) => setImmediate(r));
    release();
    await assert.rejects(refused, { code: '53100' });
    await assert.rejects(bigCommit, { code: '53100' });
    // its pieces so far went with the earlier commit's rewind, the rest with its own
    assert.equal(rewinds.length, 2);
    assert.ok(rewinds[0].tombstones > 0 && rewinds[0].tombstones < base.length, `the refusal came ${JSON.stringify(rewinds)}`);
    // nothing of it: its deletes, its rows, its keys
    const expected = base.map((r) => Number(r[0]));
    assert.deepEqual(keysVisible(s), expected);
    for (const id of [100_000, 101_999, 90_001]) assert.equal(rowIdOf(id), undefined, `key ${id} of a refused commit is still taken`);
    for (const id of [1, 60_000]) assert.notEqual(rowIdOf(id), undefined, `row ${id} that a refused commit deleted is gone`);
    // the log is writable again (its reopen), and the same changes go through: no write
    // conflict, no duplicate key
    const again = s.begin();
    again.delete(LAYOUT.id, baseRowIds);
    again.insert(LAYOUT.id, fresh);
    await again.commit();
    const after = fresh.map((r) => Number(r[0]));
    assert.deepEqual(keysVisible(s), after);
    await s.close();
    s = await DurableStorage.open({ dataDir, background: false });
    assert.deepEqual(keysVisible(s), after);
  } finally {
    await s.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
