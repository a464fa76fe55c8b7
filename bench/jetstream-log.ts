/**
 * `npm run bench:jslog -- [--n 1000]`: the shared log on a loopback 3-server JetStream
 * cluster (src/cluster/jetstream-log.ts). Per stream replication (1 and 3): `n` sequential
 * 1 KB appends (appends/s, latency p50/p99), then 1 MiB and 4 MiB batches (MB/s; a 4 MiB
 * batch is 4 parts), then a reader catching up on all of it (batches/s, MB/s).
 * Sequential appends are what a single writer does: each waits for the quorum's ack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster } from '../src/cluster/local/nats.js';
import { JetStreamLog } from '../src/cluster/jetstream-log.js';
import type { SharedLog } from '../src/storage/shared-log.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Append `count` copies of `body` one after the other; times per append in ms. */
async function appendMany(log: SharedLog, body: Uint8Array, count: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  let last = await log.lastSeq();
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    last = await log.append(body, last);
    times.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

async function main(): Promise<void> {
  const n = arg('n', 1000);
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-jslog-'));
  const nats = await startNatsCluster(join(dir, 'nats'), 3);
  const logs: SharedLog[] = [];
  const rows: string[][] = [['replicas', 'what', 'rate', 'p50 ms', 'p99 ms']];
  const mb = 1024 * 1024;
  try {
    for (const replicas of [1, 3]) {
      const open = async (stream: string) => {
        const log = await JetStreamLog.open({ servers: nats.urls, stream: `${stream}${replicas}`, replicas });
        logs.push(log);
        return log;
      };
      const readBack = async (log: SharedLog) => {
        let batches = 0;
        let bytes = 0;
        const t0 = performance.now();
        await log.read(0, (b) => { batches++; bytes += b.payload.byteLength; });
        const seconds = (performance.now() - t0) / 1000;
        rows.push([String(replicas), `read back ${batches} batches`, `${Math.round(batches / seconds)} batches/s, ${(bytes / mb / seconds).toFixed(1)} MiB/s`, '', '']);
      };
      const smallLog = await open('small');
      const small = await appendMany(smallLog, Buffer.alloc(1024, 1), n);
      rows.push([String(replicas), `${n} × 1 KB appends`, `${Math.round(small.perSecond)} /s`, small.p50.toFixed(2), small.p99.toFixed(2)]);
      await readBack(smallLog);
      const bigLog = await open('big');
      for (const size of [1, 4]) {
        const count = size === 1 ? 40 : 10;
        const big = await appendMany(bigLog, Buffer.alloc(size * mb, 2), count);
        rows.push([String(replicas), `${count} × ${size} MiB appends`, `${(big.perSecond * size).toFixed(1)} MiB/s`, big.p50.toFixed(1), big.p99.toFixed(1)]);
      }
      await readBack(bigLog);
    }
  } finally {
    for (const l of logs) await l.close().catch(() => {});
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
