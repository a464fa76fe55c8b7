/**
 * How long do a seal, a bulk load and a compaction hold the event loop? Straight on the
 * storage API (no server): rows × (id bigint, label text, sel int, v vector(dim)) go into a
 * table, then each job runs while a 1 ms interval timer records the longest gap between its
 * ticks (the longest time the loop was not free) and monitorEventLoopDelay its p99 / max.
 *
 *   node dist/bench/seal-stall.js [--rows 20000] [--dim 768] [--jobs seal,bulk,compact] [--key] [--pieces FILE]
 *
 * --key gives the table a unique key on id (a compaction then removes the dropped rows' key
 * entries). Besides the gaps in wall time (which a loaded machine stretches by preempting
 * the process), `longest_piece_cpu_ms` is the most CPU time the session thread spent
 * between two ticks (Linux: /proc/self/task/<pid>/schedstat), and `gc_*` the garbage
 * collections seen meanwhile (perf_hooks; kind 4 = major / mark-compact). `--pieces FILE`
 * writes each job's five longest CPU pieces with their monotonic-clock window (µs, the clock
 * of `node --cpu-prof`'s samples) to match them with a CPU profile's samples.
 *
 *   seal     rows inserted in commits of 4,000 (below the bulk-ingest size), then seal()
 *   bulk     the commit of one transaction of `rows` rows (inserted 4,000 at a time, as COPY
 *            does): written as a sealed segment before it commits
 *   compact  two sealed segments of rows / 2 with 25 % of their rows deleted, then vacuum()
 *   delete   the commit of one transaction deleting 25 % of `rows` sealed rows (its tombstones)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { OID, type Row } from '../src/types/types.js';
import { seededRandom } from './util.js';

const TABLE = 16500;

function layout(dim: number) {
  return {
    id: TABLE,
    columns: [
      { name: 'id', type: { oid: OID.int8, typmod: -1 } },
      { name: 'label', type: { oid: OID.text, typmod: -1 } },
      { name: 'sel', type: { oid: OID.int4, typmod: -1 } },
      { name: 'v', type: { oid: OID.vector, typmod: dim } },
    ],
  };
}

function makeRows(from: number, to: number, dim: number, rnd: () => number): Row[] {
  const rows: Row[] = [];
  for (let i = from; i < to; i++) {
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) v[d] = rnd();
    rows.push([BigInt(i), `row ${i}`, i % 1000, v]);
  }
  return rows;
}

async function insert(s: DurableStorage, rows: Row[]): Promise<void> {
  const txn = s.begin();
  txn.insert(TABLE, rows);
  await txn.commit();
}

/** CPU time the main thread has run (ms), where Linux tells it; else undefined. */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * The longest gap between ticks of a 1 ms timer (and the most main-thread CPU time in one),
 * the loop delay's p99 / max, and the garbage collections, while `job` runs.
 */
async function stall(job: () => Promise<void>): Promise<Record<string, number>> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const gcs: { kind: number; ms: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0, ms: e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastCpu = threadCpuMs();
  let lastMono = process.hrtime.bigint();
  let longest = 0;
  let longestCpu = 0;
  const pieces: Piece[] = [];
  const tick = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs();
    const mono = process.hrtime.bigint();
    longest = Math.max(longest, now - last);
    if (cpu !== undefined && lastCpu !== undefined) {
      longestCpu = Math.max(longestCpu, cpu - lastCpu);
      if (piecesFile) keepLongest(pieces, { cpu_ms: cpu - lastCpu, wall_ms: now - last, from_us: Number(lastMono / 1000n), to_us: Number(mono / 1000n) });
    }
    last = now;
    lastCpu = cpu;
    lastMono = mono;
  }, 1);
  h.enable();
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  h.disable();
  clearInterval(tick);
  longest = Math.max(longest, performance.now() - last);
  const cpu = threadCpuMs();
  if (cpu !== undefined && lastCpu !== undefined) {
    longestCpu = Math.max(longestCpu, cpu - lastCpu);
    if (piecesFile) keepLongest(pieces, { cpu_ms: cpu - lastCpu, wall_ms: performance.now() - last, from_us: Number(lastMono / 1000n), to_us: Number(process.hrtime.bigint() / 1000n) });
  }
  // (entries are delivered asynchronously: one more turn)
  await new Promise((r) => setImmediate(r));
  gc.disconnect();
  const major = gcs.filter((g) => g.kind === 4);
  if (piecesFile) piecesSeen.push(pieces);
  return {
    job_ms: ms, longest_block_ms: longest, longest_piece_cpu_ms: longestCpu,
    loop_delay_p99_ms: h.percentile(99) / 1e6, loop_delay_max_ms: h.max / 1e6,
    gc_count: gcs.length, gc_max_ms: Math.max(0, ...gcs.map((g) => g.ms)), gc_major: major.length, gc_major_max_ms: Math.max(0, ...major.map((g) => g.ms)),
  };
}

let uniqueKey = false;
let piecesFile: string | undefined;
/** each job's longest pieces, in job order (--pieces) */
const piecesSeen: Piece[][] = [];

interface Piece { cpu_ms: number; wall_ms: number; from_us: number; to_us: number }

function keepLongest(pieces: Piece[], p: Piece): void {
  pieces.push(p);
  pieces.sort((a, b) => b.cpu_ms - a.cpu_ms);
  if (pieces.length > 5) pieces.pop();
}

async function withStorage<T>(dim: number, fn: (s: DurableStorage) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-seal-stall-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(layout(dim));
    if (uniqueKey) await s.addUniqueKey(TABLE, { name: 'pk', columns: [0] });
    return await fn(s);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    rows: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '768' },
    jobs: { type: 'string', default: 'seal,bulk,compact' },
    key: { type: 'boolean', default: false },
    pieces: { type: 'string' },
  } });
  uniqueKey = values.key!;
  piecesFile = values.pieces;
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const jobs = new Set(values.jobs!.split(','));
  const rnd = seededRandom(5);
  const result: Record<string, unknown> = { rows, dim, key: uniqueKey, load_average: loadavg().map((x) => x.toFixed(1)).join(' ') };
  if (jobs.has('seal')) {
    result.seal = await withStorage(dim, async (s) => {
      for (let i = 0; i < rows; i += 4000) await insert(s, makeRows(i, Math.min(rows, i + 4000), dim, rnd));
      return stall(() => s.seal(TABLE));
    });
  }
  if (jobs.has('bulk')) {
    result.bulk = await withStorage(dim, async (s) => {
      // the rows given to the transaction as COPY does, a batch at a time; the commit is timed
      const txn = s.begin();
      for (let i = 0; i < rows; i += 4000) txn.insert(TABLE, makeRows(i, Math.min(rows, i + 4000), dim, rnd));
      return stall(async () => { await txn.commit(); });
    });
  }
  if (jobs.has('compact')) {
    result.compact = await withStorage(dim, async (s) => {
      const half = rows >> 1;
      for (const [a, b] of [[0, half], [half, rows]]) {
        for (let i = a; i < b; i += 4000) await insert(s, makeRows(i, Math.min(b, i + 4000), dim, rnd));
        await s.seal(TABLE);
      }
      // a quarter of the rows deleted: both segments are rewritten without them
      const txn = s.begin();
      const snap = s.snapshot();
      for (const batch of s.scan(TABLE, snap, txn)) {
        txn.delete(TABLE, batch.rowIds.filter((id) => id % 4 === 0));
      }
      await txn.commit();
      return stall(() => s.vacuum(TABLE));
    });
  }
  if (jobs.has('delete')) {
    result.delete = await withStorage(dim, async (s) => {
      for (let i = 0; i < rows; i += 4000) await insert(s, makeRows(i, Math.min(rows, i + 4000), dim, rnd));
      await s.seal(TABLE);
      const txn = s.begin();
      for (const batch of s.scan(TABLE, s.snapshot(), txn)) txn.delete(TABLE, batch.rowIds.filter((id) => id % 4 === 0));
      return stall(async () => { await txn.commit(); });
    });
  }
  result.load_average_after = loadavg().map((x) => x.toFixed(1)).join(' ');
  if (piecesFile) writeFileSync(piecesFile, JSON.stringify(piecesSeen));
  console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v), 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
