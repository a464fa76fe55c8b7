/** Disk full: a write-ahead log write that hits ENOSPC / EDQUOT is reported as SQLSTATE 53100. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDiskFull } from '../src/storage/wal.js';

test('isDiskFull recognises errno codes and LevelDB status text', () => {
  const enospc = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
  const edquot = Object.assign(new Error('write failed'), { code: 'EDQUOT' });
  assert.equal(isDiskFull(enospc), true);
  assert.equal(isDiskFull(edquot), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: No space left on device')), true);
  assert.equal(isDiskFull(new Error('IO error: /data/wal/000005.log: Disk quota exceeded')), true);
  assert.equal(isDiskFull(Object.assign(new Error('x'), { code: 'EIO' })), false);
  assert.equal(isDiskFull(new Error('Corruption: bad block')), false);
});

import { after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

/** Mounts a small tmpfs at a fresh directory; undefined when mounting is not permitted. */
function mountTmpfs(dir: string, megabytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

test('a full disk fails the commit with 53100, keeps reads and every acknowledged row', async (t) => {
  const mnt = await mkdtemp(join(tmpdir(), 'quiver-diskfull-'));
  if (!mountTmpfs(mnt, 32)) {
    await rm(mnt, { recursive: true, force: true });
    t.skip('mount -t tmpfs is not permitted here (needs root)');
    return;
  }
  let server: QuiverServer | undefined;
  const clients: pg.Client[] = [];
  after(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await server?.stop().catch(() => {});
    try { execFileSync('umount', [mnt], { stdio: 'pipe' }); } catch { /* already gone */ }
    await rm(mnt, { recursive: true, force: true });
  });
  const dataDir = join(mnt, 'data');
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ host: server!.host, port: server!.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    clients.push(c);
    return c;
  };
  server = await startQuiver({ dataDir });
  const writer = await connect();
  const reader = await connect();
  await writer.query('CREATE TABLE items (id int PRIMARY KEY, v vector(64), pad text)');
  // Fill the file system to within ~1 MB, then insert until a commit fails.
  const fs = await statfs(mnt);
  const free = fs.bavail * fs.bsize;
  const filler = join(mnt, 'filler');
  await writeFile(filler, Buffer.alloc(Math.max(0, free - 1.5 * 1024 * 1024)));
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
  // Free the space; after a kill -9 and restart every acknowledged row (and nothing else) is there
  // and writes work again.
  await rm(filler);
  for (const c of clients.splice(0)) await c.end().catch(() => {});
  await server.crash();
  server = await startQuiver({ dataDir });
  const again = await connect();
  const back = await again.query('SELECT id FROM items ORDER BY id');
  assert.deepEqual(back.rows.map((r) => r.id), acked);
  await again.query('INSERT INTO items VALUES ($1, $2, $3)', [100000, vec, pad]);
  const n = await again.query('SELECT count(*)::int AS n FROM items');
  assert.equal(n.rows[0].n, acked.length + 1);
});
