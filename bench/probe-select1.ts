/**
 * `work` on one connection while another sends `SELECT 1` every `intervalMs`: how long the
 * work took and the probes' latencies — the longest one is the longest stall of the event
 * loop a session saw (the stall benches share it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlTarget } from './targets.js';
import { percentile } from './util.js';

export async function probedSelect1(target: SqlTarget, work: () => Promise<unknown>, intervalMs: number, settleMs = 0): Promise<string> {
  const probe = await target.connect();
  const lat: number[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await probe.query('SELECT 1');
      lat.push(performance.now() - t0);
      await sleep(intervalMs);
    }
  })();
  const t0 = performance.now();
  let workS = 0;
  try {
    await work();
    workS = (performance.now() - t0) / 1000;
    await sleep(settleMs);
  } finally {
    stop = true;
    await loop;
    await probe.end();
  }
  lat.sort((a, b) => a - b);
  return `${workS.toFixed(2)} s; SELECT 1 × ${lat.length}: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`;
}
