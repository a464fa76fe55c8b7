/**
 * Cancel where the executor's batches are not the only work: a COPY still receiving data
 * or formatting a big table, an HNSW build in a worker thread, a vector search in query
 * workers. Each answers 57014 within a second, leaves nothing half done, and the session
 * stays usable. Also work_mem: a DISTINCT or set operation that would hold more fails with
 * 53200 instead of taking the process down (a sort, hash join or hash aggregate spills to
 * temp files instead: executor-spill.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { sendCancelRequest } from '../bench/util.js';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver({ args: ['--query-workers', '2'] });
});

after(async () => {
  await server?.stop();
});

function client(): Promise<pg.Client> {
  return connectClient(server);
}


function pidOf(c: pg.Client): number {
  return (c as unknown as { processID: number }).processID;
}

type Stopper = (c: pg.Client) => Promise<void>;

/** The two ways a user stops a statement: CancelRequest and pg_cancel_backend from another session. */
const STOPPERS: [string, (admin: pg.Client) => Stopper][] = [
  ['CancelRequest', () => sendCancelRequest],
  ['pg_cancel_backend', (admin) => async (c) => {
    assert.deepEqual((await admin.query('SELECT pg_cancel_backend($1) AS ok', [pidOf(c)])).rows, [{ ok: true }]);
  }],
];

function assertCanceled(e: unknown, message = 'canceling statement due to user request'): void {
  const err = e as Error & { code?: string };
  assert.equal(err.code, '57014', String(err.message));
  assert.equal(err.message, message);
}

/**
 * COPY FROM STDIN of an endless stream of rows; resolves with the error the server
 * answers (the client keeps sending until then), and how many bytes were sent.
 */
function endlessCopyIn(c: pg.Client, table: string): { failed: Promise<unknown>; stop: () => void } {
  const stream = c.query(copyFrom(`COPY ${table} FROM STDIN`));
  let n = 0;
  let stopped = false;
  const lines = (): string => {
    let s = '';
    for (let i = 0; i < 2000; i++, n++) s += `${n}\tlabel ${n}\n`;
    return s;
  };
  // a server that ignores the cancel gets an end after 5 s (not gigabytes of rows)
  const giveUp = setTimeout(() => { stopped = true; stream.end(); }, 5000);
  // one write per turn of the event loop: the client must stay free to read the answer
  const pump = (): void => {
    if (stopped || stream.destroyed) return;
    if (stream.write(lines())) setImmediate(pump);
    else stream.once('drain', pump);
  };
  const failed = new Promise<unknown>((resolve, reject) => {
    stream.on('error', (e) => { stopped = true; resolve(e); });
    stream.on('finish', () => reject(new Error('COPY finished instead of failing')));
  });
  setImmediate(pump);
  return { failed, stop: () => { stopped = true; clearTimeout(giveUp); } };
}

for (const [how, stopper] of STOPPERS) {
  test(`${how} stops a COPY FROM STDIN while the client is still sending; nothing is committed`, async () => {
    const c = await client();
    const admin = await client();
    const table = `cm_copy_${how.toLowerCase()}`;
    try {
      await c.query(`CREATE TABLE ${table} (id int, label text)`);
      const copy = endlessCopyIn(c, table);
      await new Promise((r) => setTimeout(r, 400));
      const t0 = performance.now();
      await stopper(admin)(c);
      assertCanceled(await copy.failed);
      copy.stop();
      const ms = performance.now() - t0;
      // well under a second on a quiet machine (README: cancel-latency); a machine at load
      // 10 took 3.1 s. The client would send for 5 s more, so this still tells a stop from none.
      assert.ok(ms < 4000, `answered after ${ms.toFixed(0)} ms`);
      assert.deepEqual((await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows, [{ n: 0 }]);
      // and the session can COPY again
      await new Promise<void>((resolve, reject) => {
        const s = c.query(copyFrom(`COPY ${table} FROM STDIN`));
        s.on('error', reject);
        s.on('finish', resolve);
        s.end('1\tone\n2\ttwo\n');
      });
      assert.deepEqual((await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows, [{ n: 2 }]);
    } finally {
      await c.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await c.end();
      await admin.end();
    }
  });
}

test('statement_timeout stops a COPY FROM STDIN the client keeps sending', async () => {
  const c = await client();
  try {
    await c.query('CREATE TABLE cm_copy_timeout (id int, label text)');
    await c.query("SET statement_timeout = '400ms'");
    const t0 = performance.now();
    const copy = endlessCopyIn(c, 'cm_copy_timeout');
    assertCanceled(await copy.failed, 'canceling statement due to statement timeout');
    copy.stop();
    const ms = performance.now() - t0;
    assert.ok(ms >= 350 && ms < 1400, `timed out after ${ms.toFixed(0)} ms`);
    await c.query('RESET statement_timeout');
    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM cm_copy_timeout')).rows, [{ n: 0 }]);
  } finally {
    await c.query('DROP TABLE IF EXISTS cm_copy_timeout').catch(() => {});
    await c.end();
  }
});

test('CancelRequest stops a COPY TO STDOUT of a big result', async () => {
  const c = await client();
  try {
    const stream = c.query(copyTo('COPY (SELECT i, repeat(\'x\', 20) FROM generate_series(1, 30000000) i) TO STDOUT'));
    const failed = new Promise<unknown>((resolve, reject) => {
      stream.on('error', resolve);
      stream.on('end', () => reject(new Error('COPY TO finished instead of failing')));
      stream.resume();
    });
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    await sendCancelRequest(c);
    assertCanceled(await failed);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await c.end();
  }
});

/** Files of the server's data directory whose name mentions `needle` (index files, builds' temp files). */
function filesNaming(needle: string): string[] {
  return readdirSync(server.dataDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(needle));
}

async function noFilesNaming(needle: string): Promise<void> {
  // a terminated build thread may take a moment to stop; its temp file goes then
  for (let i = 0; i < 50 && filesNaming(needle).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(filesNaming(needle), []);
}

test('CREATE INDEX … USING hnsw: a cancel or statement_timeout during the build leaves no index; a later build works', async () => {
  const c = await client();
  try {
    await c.query('CREATE TABLE cm_hnsw (id int, v vector(32))');
    await c.query('INSERT INTO cm_hnsw SELECT i, ARRAY(SELECT random() FROM generate_series(1, 32) WHERE i > 0)::vector(32) FROM generate_series(1, 20000) i');
    const slowBuild = 'CREATE INDEX cm_hnsw_v ON cm_hnsw USING hnsw (v vector_l2_ops) WITH (m = 32, ef_construction = 400)';
    const build = c.query(slowBuild).then(() => assert.fail('the build was not cancelled'), (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    await sendCancelRequest(c);
    assertCanceled(await build);
    assert.ok(performance.now() - t0 < 1000, `answered after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'cm_hnsw_v'")).rows, [{ n: 0 }]);
    await noFilesNaming('cm_hnsw_v');

    await c.query("SET statement_timeout = '400ms'");
    await assert.rejects(c.query(slowBuild), (e) => { assertCanceled(e, 'canceling statement due to statement timeout'); return true; });
    await c.query('RESET statement_timeout');
    assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'cm_hnsw_v'")).rows, [{ n: 0 }]);
    await noFilesNaming('cm_hnsw_v');

    assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM cm_hnsw')).rows, [{ n: 20000 }]);
    await c.query('CREATE INDEX cm_hnsw_v ON cm_hnsw USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8)');
    assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'cm_hnsw_v'")).rows, [{ n: 1 }]);
    assert.equal(filesNaming('cm_hnsw_v').filter((f) => f.includes('.building-')).length, 0);
    assert.ok(filesNaming('cm_hnsw_v').length >= 1, 'the finished build has its index file');
    const near = await c.query('SELECT id FROM cm_hnsw ORDER BY v <-> (SELECT v FROM cm_hnsw WHERE id = 7) LIMIT 1');
    assert.equal(near.rows.length, 1);
  } finally {
    await c.query('DROP TABLE IF EXISTS cm_hnsw').catch(() => {});
    await c.end();
  }
});

test('a long vector join through query workers stops within a second (CancelRequest, pg_cancel_backend); the workers are free after', async () => {
  const c = await client();
  const admin = await client();
  try {
    await c.query('CREATE TABLE cm_vs (id int, v vector(32))');
    await c.query('INSERT INTO cm_vs SELECT i, ARRAY(SELECT random() FROM generate_series(1, 32) WHERE i > 0)::vector(32) FROM generate_series(1, 20000) i');
    // seals the rows: cosine top-k over them is then exact k-NN in the query workers
    await c.query('CREATE INDEX ON cm_vs USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8)');
    const one = 'SELECT id FROM cm_vs ORDER BY v <=> (SELECT v FROM cm_vs WHERE id = 1) LIMIT 1';
    assert.deepEqual((await c.query(one)).rows, [{ id: 1 }]);
    const join = 'SELECT a.id, n.id AS near FROM cm_vs a CROSS JOIN LATERAL (SELECT b.id FROM cm_vs b ORDER BY b.v <=> a.v LIMIT 3) n';
    for (const [how, stopper] of STOPPERS) {
      const q = c.query(join).then(() => assert.fail(`${how}: the join was not cancelled`), (e: unknown) => e);
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      await stopper(admin)(c);
      assertCanceled(await q);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${how}: answered after ${ms.toFixed(0)} ms`);
      const t1 = performance.now();
      assert.deepEqual((await c.query(one)).rows, [{ id: 1 }]);
      assert.ok(performance.now() - t1 < 1000, `${how}: the next search waited ${(performance.now() - t1).toFixed(0)} ms`);
    }
  } finally {
    await c.query('DROP TABLE IF EXISTS cm_vs').catch(() => {});
    await c.end();
    await admin.end();
  }
});

test('work_mem: a DISTINCT or UNION holding more fails with 53200 naming work_mem; the session goes on', async () => {
  const c = await client();
  const queries: [string, string][] = [
    ['DISTINCT', 'SELECT count(*) FROM (SELECT DISTINCT x FROM generate_series(1, 200000) x) s'],
    ['set operation', 'SELECT count(*) FROM (SELECT x FROM generate_series(1, 200000) x UNION SELECT 1) s'],
  ];
  try {
    await c.query("SET work_mem = '1MB'");
    for (const [what, sql] of queries) {
      await assert.rejects(c.query(sql), (e: Error & { code?: string; detail?: string; hint?: string }) => {
        assert.equal(e.code, '53200', `${what}: ${e.message}`);
        assert.equal(e.message, 'out of memory');
        assert.match(e.detail ?? '', new RegExp(`^The ${what} needs more than work_mem \\(1MB\\)`));
        assert.equal(e.hint, 'Raise work_mem, or add a LIMIT or a more selective WHERE clause.');
        return true;
      });
      assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    }
    // the default (64MB) holds all of them
    await c.query('RESET work_mem');
    assert.equal((await c.query('SHOW work_mem')).rows[0].work_mem, '64MB');
    for (const [what, sql] of queries) assert.equal(Number((await c.query(sql)).rows[0].count), 200000, what);
  } finally {
    await c.end();
  }
});
