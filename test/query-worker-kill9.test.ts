/**
 * kill -9 of a process whose query workers are busy searching sealed segments (while
 * batches are being committed and sealed) leaves a data directory that recovers with every
 * acknowledged row; the recovered segments (file bytes in shared memory) are searched by
 * workers with the same answer as in this thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import { BestPositions, rankKernel } from '../src/query-worker/kernels.js';
import { CRASH_TABLE, crashVector } from './support/query-worker-child.js';

const CHILD = fileURLToPath(new URL('./support/query-worker-child.js', import.meta.url));

/** Run the child until it has acknowledged commits and searched with workers, then SIGKILL it. */
async function runAndKill(dir: string, startId: number): Promise<number> {
  const proc = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CRASH_START_ID: String(startId) } });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (s: Buffer) => { err += s.toString(); });
  let lastAcked = startId - 1;
  let searches = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child made no progress: acked ${lastAcked}, searches ${searches}\n${err}`)), 60000);
    proc.stdout!.on('data', (s: Buffer) => {
      out += s.toString();
      for (const m of out.matchAll(/acked (\d+)/g)) lastAcked = Math.max(lastAcked, Number(m[1]));
      searches = [...out.matchAll(/searched (\d+)/g)].length;
      if (searches >= 5 && lastAcked >= startId + 2000) { clearTimeout(timer); resolve(); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited (${code}):\n${err}`)); });
  });
  await new Promise<void>((done) => { proc.once('exit', () => done()); proc.kill('SIGKILL'); });
  // what was printed before the kill is acknowledged
  for (const m of out.matchAll(/acked (\d+)/g)) lastAcked = Math.max(lastAcked, Number(m[1]));
  return lastAcked;
}

test('kill -9 while query workers search: the data directory recovers every acknowledged row', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-qw-kill9-'));
  try {
    // two rounds (recovery after a recovery), ids of round r start 1000 after round r-1's last
    const rounds: [number, number][] = [];
    let acked = -1;
    for (let round = 0; round < 2; round++) {
      const start = acked + 1 + 1000;
      acked = await runAndKill(dir, start);
      rounds.push([start, acked]);
    }
    const storage = await DurableStorage.open({ dataDir: dir, background: false });
    const pool = new QueryWorkerPool(2);
    try {
      const ids = new Set<number>();
      for (const batch of storage.scan(CRASH_TABLE.id, storage.snapshot())) for (const r of batch.rows) ids.add(r[0] as number);
      assert.ok(ids.has(acked), `the last acknowledged row ${acked} survived`);
      for (const [start, last] of rounds) {
        for (let i = start; i <= last; i++) if (!ids.has(i)) assert.fail(`acknowledged row ${i} is missing`);
      }
      const segs = storage.searchSegments(CRASH_TABLE.id, storage.snapshot());
      assert.ok(segs.length > 0, 'sealed segments were recovered');
      const query = crashVector(5);
      const { rank } = rankKernel('<->', false, 8);
      for (const s of segs) {
        const vectors = s.sharedVectors!(1)!;
        assert.ok(vectors.chunks.every((c) => c.buffer instanceof SharedArrayBuffer));
        const r = await pool.exactTopK({ vectors }, { kind: 'exactTopK', query, op: '<->', half: false, keep: 10, start: 0, end: s.length }).done;
        const best = new BestPositions(10);
        for (let pos = 0; pos < s.length; pos++) best.offer(rank(s.visibleRow(pos)!.row[1] as Float32Array, query), pos);
        assert.deepEqual([...r.hits!.positions], [...best.result().positions]);
      }
    } finally {
      await pool.close();
      await storage.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
