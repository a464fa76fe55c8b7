/**
 * Small helpers shared by the benchmark harness: a seeded PRNG, latency statistics,
 * number formatting and a progress bar that only draws on a terminal.
 */
import { connect as netConnect } from 'node:net';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root: dist/bench/util.js → ../.. ; bench/util.ts (ts-node) → .. */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith('/dist/bench') ? join(here, '..', '..') : join(here, '..');
}

/** mulberry32: tiny, fast, seeded; good enough for test data (not for crypto). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller from a uniform source. */
export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** A 32-bit integer mixer (lowbias32): deterministic pseudo-random value per row id. */
export function mix32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Nearest-rank percentile of an unsorted sample (milliseconds in, milliseconds out). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** A query phase's measured counters from its per-query latencies and sums. */
export function measuredCounters(latenciesMs: readonly number[], seconds: number, recallSum: number, rowsSum: number, minRows: number) {
  const n = latenciesMs.length;
  return {
    ...summarizeLatencies(latenciesMs),
    queries: n,
    seconds: round(seconds, 3),
    qps: round(n / seconds, 1),
    recall: round(recallSum / Math.max(1, n), 4),
    meanRows: round(rowsSum / Math.max(1, n), 2),
    minRows: n ? minRows : 0,
  };
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { p50Ms: round(percentile(sorted, 50), 3), p95Ms: round(percentile(sorted, 95), 3), p99Ms: round(percentile(sorted, 99), 3), meanMs: round(mean, 3) };
}

export function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function nowMs(): number {
  return performance.now();
}

/** Bytes as a short human string (MiB/GiB). */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return 'n/a';
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}

/** A number with about three significant digits, thousands separated. */
export function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs === 0) return '0';
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return v.toFixed(Math.min(decimals, 6));
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalBytes: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    kernel = 'unknown';
  }
  const list = cpus();
  return {
    nproc: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memTotalBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel,
  };
}

/** Log a harness line on stderr (stdout is reserved for the result table). */
export function log(msg: string): void {
  if (Progress.active) Progress.active.clearLine();
  process.stderr.write(`${msg}\n`);
  if (Progress.active) Progress.active.draw();
}

/**
 * A one-line progress bar on stderr. Draws only when stderr is a terminal, at most
 * ten times a second, so piping the output to a file stays clean.
 */
export class Progress {
  static active: Progress | undefined;
  private done = 0;
  private lastDraw = 0;
  private readonly started = nowMs();
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    Progress.active = this;
  }

  tick(n = 1): void {
    this.done += n;
    const t = nowMs();
    if (t - this.lastDraw >= 100) {
      this.lastDraw = t;
      this.draw();
    }
  }

  draw(): void {
    if (!this.tty) return;
    if (this.total <= 0) {
      process.stderr.write(`\r  ${this.label} … ${((nowMs() - this.started) / 1000).toFixed(1)}s\x1b[K`);
      return;
    }
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = ((nowMs() - this.started) / 1000).toFixed(1);
    process.stderr.write(`\r  ${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${secs}s\x1b[K`);
  }

  /** For one long statement with no progress to report: redraw the elapsed time. */
  static elapsed(label: string): Progress {
    const p = new Progress(label, 0);
    p.timer = setInterval(() => p.draw(), 250);
    p.timer.unref();
    return p;
  }

  private timer: NodeJS.Timeout | undefined;

  clearLine(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.clearLine();
    if (Progress.active === this) Progress.active = undefined;
  }
}

/** Shortest decimal text that reads back as the same float4 (keeps vector literals short). */
export function float4Text(v: number): string {
  if (Number.isInteger(v)) return String(v);
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

/** pgvector text literal: [1,2.5,3] */
export function vectorText(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = float4Text(v[i]!);
  return `[${parts.join(',')}]`;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export const availableCores = (): number => cpus().length;
export const totalMemory = (): number => totalmem();

/**
 * The protocol's CancelRequest (what psql's Ctrl-C sends) for a node-postgres client's
 * backend, on a connection of its own; resolves when the server has closed that connection.
 */
export function sendCancelRequest(client: { host: string; port: number }): Promise<void> {
  const { processID, secretKey, host, port } = client as unknown as { processID: number; secretKey: number; host: string; port: number };
  return new Promise((resolveDone, reject) => {
    const s = netConnect(port, host, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4); // CancelRequest code (1234 << 16 | 5678)
      b.writeInt32BE(processID, 8);
      b.writeInt32BE(secretKey, 12);
      s.end(b);
    });
    s.on('close', () => resolveDone());
    s.on('error', reject);
  });
}
