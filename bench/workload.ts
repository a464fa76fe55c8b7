/**
 * The SQL workload, run identically against every target through node-postgres:
 * load (binary COPY, batched INSERT), exact k-NN, HNSW index build, k-NN per metric and k
 * (prepared statements, one connection and N concurrent ones), filtered k-NN at several
 * selectivities, an hnsw.ef_search sweep, memory, data size and restart.
 *
 * Every phase is bounded in time and count, and a phase the target cannot do is recorded
 * as "unsupported: <server message>" — the run carries on with the next phase.
 */
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { BenchConfig } from './config.js';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import {
  filteredGroundTruth,
  groundTruth,
  matchingRows,
  PG_OPCLASS,
  PG_OPERATOR,
  recallOf,
  SEL_RANGE,
  type Dataset,
  type GroundTruth,
  type Metric,
} from './dataset.js';
import type { MemoryInfo, SizeInfo, SqlTarget } from './targets.js';
import { errorMessage, log, measuredCounters, nowMs, Progress, round, vectorText, type LatencySummary } from './util.js';

export type PhaseStatus = 'ok' | 'unsupported' | 'skipped';

export interface Phase {
  status: PhaseStatus;
  /** the server's (or harness's) message when status is not ok */
  error?: string;
  notes?: string[];
}

export interface LoadResult extends Phase {
  method: 'copy-binary' | 'insert-batched';
  table: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  batchRows?: number;
}

export interface IndexBuildResult extends Phase {
  metric: Metric;
  seconds: number;
  sql: string;
}

export interface QueryStats extends Phase, Partial<LatencySummary> {
  label: string;
  metric: Metric;
  k: number;
  efSearch: number | null;
  connections: number;
  selectivity: number | null;
  /** rows matching the filter (null = no filter) */
  matchingRows: number | null;
  sql: string;
  queries: number;
  seconds: number;
  qps: number;
  /** mean tie-aware recall@k against exact ground truth */
  recall: number;
  meanRows: number;
  minRows: number;
  /** queries that returned fewer than min(k, matching rows) rows — a correctness failure */
  shortQueries: number;
}

/** The counters of a query phase before (or without) any query run. */
const NOTHING_MEASURED = { queries: 0, seconds: 0, qps: 0, recall: 0, meanRows: 0, minRows: 0, shortQueries: 0 } as const;

export interface SqlTargetResult {
  name: string;
  kind: 'quiver' | 'postgres';
  url: string;
  serverVersion: string | null;
  startSeconds: number | null;
  status: PhaseStatus;
  error?: string;
  setup: Phase;
  loads: LoadResult[];
  exact: QueryStats | null;
  indexBuilds: IndexBuildResult[];
  /** EXPLAIN of the l2 k-NN query after the index builds: shows whether an index is used */
  knnPlan: string | null;
  /** whether that plan mentions an index (null: no plan); a "built" index nobody uses is not a build time */
  indexUsed: boolean | null;
  knn: QueryStats[];
  concurrent: QueryStats | null;
  filtered: QueryStats[];
  efSweep: QueryStats[];
  memory: (MemoryInfo & Phase) | Phase;
  dataSize: (SizeInfo & Phase) | Phase;
  restart: ({ seconds: number } & Phase) | Phase;
}

export function emptyTargetResult(name: string, kind: 'quiver' | 'postgres', url: string): SqlTargetResult {
  return {
    name,
    kind,
    url,
    serverVersion: null,
    startSeconds: null,
    status: 'ok',
    setup: { status: 'skipped' },
    loads: [],
    exact: null,
    indexBuilds: [],
    knnPlan: null,
    indexUsed: null,
    knn: [],
    concurrent: null,
    filtered: [],
    efSweep: [],
    memory: { status: 'skipped' },
    dataSize: { status: 'skipped' },
    restart: { status: 'skipped' },
  };
}

export class TimeoutError extends Error {}

export function withTimeout<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not finish within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function unsupported(e: unknown): Phase {
  return { status: 'unsupported', error: errorMessage(e) };
}

/**
 * One target's main connection for a benchmark run: statements run under a timeout, and
 * after a timeout the connection is replaced (the statement may still be running on it).
 * The main workload and the filtered sweep both run this way.
 */
export abstract class TargetSession {
  protected client!: pg.Client;

  constructor(protected readonly target: SqlTarget) {}

  protected say(msg: string): void {
    log(`[${this.target.name}] ${msg}`);
  }

  /** A fresh main connection (after a timeout the old one may be mid-statement). */
  protected async reconnect(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = await this.target.connect();
    this.client.on('error', () => undefined);
  }

  protected async run<T>(what: string, seconds: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(fn(), seconds, what);
    } catch (e) {
      if (e instanceof TimeoutError) await this.reconnect().catch(() => undefined);
      throw e;
    }
  }
}

/** The workload against one SQL target. Owns its connections; never throws. */
export class SqlWorkload extends TargetSession {
  private readonly queryTexts: string[];
  private readonly truth = new Map<string, GroundTruth>();

  constructor(
    target: SqlTarget,
    private readonly ds: Dataset,
    private readonly cfg: BenchConfig,
    private readonly cacheDir: string,
    private readonly result: SqlTargetResult,
  ) {
    super(target);
    this.queryTexts = ds.queries.map((q) => vectorText(q));
  }

  private gt(metric: Metric, k: number, threshold: number | null): GroundTruth {
    const key = `${metric}/${k}/${threshold}`;
    let g = this.truth.get(key);
    if (!g) {
      g = threshold === null ? groundTruth(this.ds, metric, k, this.cacheDir) : filteredGroundTruth(this.ds, metric, k, threshold, this.cacheDir);
      this.truth.set(key, g);
    }
    return g;
  }

  async runAll(): Promise<SqlTargetResult> {
    const r = this.result;
    try {
      await this.reconnect();
    } catch (e) {
      r.status = 'unsupported';
      r.error = `cannot connect: ${errorMessage(e)}`;
      this.say(r.error);
      return r;
    }
    try {
      await this.setup();
      if (r.setup.status !== 'ok') {
        r.status = 'unsupported';
        r.error = `setup failed: ${r.setup.error}`;
        return r;
      }
      await this.load();
      if (!r.loads.some((l) => l.status === 'ok' && l.table === this.cfg.table)) {
        r.status = 'unsupported';
        r.error = 'no load method worked; nothing to query';
        return r;
      }
      await this.analyze();
      const full = !this.cfg.sweepOnly;
      if (full) r.exact = await this.exactPhase();
      await this.buildIndexes();
      await this.explainKnn();
      await this.knnPhases();
      r.concurrent = await this.concurrentPhase();
      if (full) await this.filteredPhases();
      await this.efSweepPhase();
      r.memory = await this.measure('memory', () => this.target.memory(this.client));
      r.dataSize = await this.measure('data size', () => this.target.dataSize(this.client, this.cfg.table));
      if (full) await this.restartPhase();
    } catch (e) {
      // a bug in the harness or a dead server: keep what we have
      r.status = 'unsupported';
      r.error = `aborted: ${errorMessage(e)}`;
      this.say(r.error);
    } finally {
      await this.cleanup();
    }
    return r;
  }

  private async setup(): Promise<void> {
    const t = this.cfg.table;
    const notes: string[] = [];
    try {
      const v = await this.run('SELECT version()', 30, () => this.client.query<{ v: string }>('SELECT version() AS v'));
      this.result.serverVersion = v.rows[0]?.v ?? null;
    } catch (e) {
      notes.push(`SELECT version(): ${errorMessage(e)}`);
    }
    try {
      await this.client.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (e) {
      notes.push(`CREATE EXTENSION vector: ${errorMessage(e)}`);
    }
    try {
      await this.run('setup', 60, async () => {
        for (const name of [t, `${t}_ins`]) await this.client.query(`DROP TABLE IF EXISTS ${name}`);
        try {
          await this.client.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${this.ds.dim}))`);
        } catch (e) {
          notes.push(`PRIMARY KEY table failed (${errorMessage(e)}); created without it`);
          await this.client.query(`CREATE TABLE ${t} (id bigint, sel integer NOT NULL, embedding vector(${this.ds.dim}))`);
        }
      });
      this.result.setup = { status: 'ok', ...(notes.length ? { notes } : {}) };
    } catch (e) {
      this.result.setup = { ...unsupported(e), notes };
    }
    this.say(`setup: ${this.result.setup.status}${this.result.setup.error ? ` (${this.result.setup.error})` : ''}`);
  }

  // ------------------------------------------------------------ load

  private async copyLoad(table: string, rows: number): Promise<LoadResult> {
    const { ds, cfg } = this;
    const progress = new Progress(`[${this.target.name}] COPY binary`, rows);
    const t0 = nowMs();
    try {
      await this.run('COPY', cfg.statementTimeoutSec, async () => {
        const stream = this.client.query(copyStreams.from(`COPY ${table} (id, sel, embedding) FROM STDIN (FORMAT binary)`));
        const done = new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        const write = (b: Buffer): Promise<void> =>
          stream.write(b) ? Promise.resolve() : new Promise<void>((res) => stream.once('drain', () => res()));
        let failed: unknown;
        stream.on('error', (e: unknown) => (failed = e));
        await write(copyHeader());
        for (let from = 0; from < rows && failed === undefined; from += cfg.copyChunkRows) {
          const to = Math.min(rows, from + cfg.copyChunkRows);
          await Promise.race([write(encodeRows(ds.train, ds.dim, ds.sel, from, to)), done]);
          progress.tick(to - from);
        }
        if (failed === undefined) stream.end(copyTrailer());
        await done;
      });
      const seconds = (nowMs() - t0) / 1000;
      return { status: 'ok', method: 'copy-binary', table, rows, seconds: round(seconds, 3), rowsPerSec: round(rows / seconds, 1) };
    } catch (e) {
      return { ...unsupported(e), method: 'copy-binary', table, rows: 0, seconds: 0, rowsPerSec: 0 };
    } finally {
      progress.finish();
    }
  }

  private async insertLoad(table: string, rows: number): Promise<LoadResult> {
    const { ds, cfg } = this;
    const batch = cfg.insertBatchRows;
    const progress = new Progress(`[${this.target.name}] batched INSERT`, rows);
    const statement = (count: number): string => {
      const values: string[] = [];
      for (let i = 0; i < count; i++) values.push(`($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`);
      return `INSERT INTO ${table} (id, sel, embedding) VALUES ${values.join(', ')}`;
    };
    const t0 = nowMs();
    try {
      await this.run('batched INSERT', cfg.statementTimeoutSec * 4, async () => {
        for (let from = 0; from < rows; from += batch) {
          const to = Math.min(rows, from + batch);
          const values: unknown[] = [];
          for (let r = from; r < to; r++) values.push(r, ds.sel[r], vectorText(ds.train.subarray(r * ds.dim, (r + 1) * ds.dim)));
          await this.client.query({ name: `bench_insert_${table}_${to - from}`, text: statement(to - from), values });
          progress.tick(to - from);
        }
      });
      const seconds = (nowMs() - t0) / 1000;
      return { status: 'ok', method: 'insert-batched', table, rows, seconds: round(seconds, 3), rowsPerSec: round(rows / seconds, 1), batchRows: batch };
    } catch (e) {
      return { ...unsupported(e), method: 'insert-batched', table, rows: 0, seconds: 0, rowsPerSec: 0, batchRows: batch };
    } finally {
      progress.finish();
    }
  }

  private async countRows(table: string): Promise<number> {
    const r = await this.run('count(*)', this.cfg.statementTimeoutSec, () => this.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`));
    return Number(r.rows[0]!.n);
  }

  private async checkCount(load: LoadResult): Promise<void> {
    if (load.status !== 'ok') return;
    try {
      const n = await this.countRows(load.table);
      if (n !== load.rows) {
        load.status = 'unsupported';
        load.error = `count(*) after load is ${n}, expected ${load.rows}`;
      }
    } catch (e) {
      (load.notes ??= []).push(`count(*) check failed: ${errorMessage(e)}`);
    }
  }

  private reportLoad(l: LoadResult): void {
    this.say(
      l.status === 'ok'
        ? `load ${l.method} into ${l.table}: ${l.rows} rows in ${l.seconds.toFixed(1)} s (${Math.round(l.rowsPerSec)} rows/s)`
        : `load ${l.method}: unsupported: ${l.error}`,
    );
  }

  private async load(): Promise<void> {
    const { ds, cfg, result } = this;
    const copy = await this.copyLoad(cfg.table, ds.n);
    await this.checkCount(copy);
    result.loads.push(copy);
    this.reportLoad(copy);
    if (copy.status === 'ok') {
      if (cfg.insertRows === 0) return; // --sweep-only
      // measure batched INSERT on a side table with a bounded number of rows
      const side = `${cfg.table}_ins`;
      const rows = Math.min(ds.n, cfg.insertRows);
      let ins: LoadResult;
      try {
        await this.client.query(`CREATE TABLE ${side} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
        ins = await this.insertLoad(side, rows);
        await this.checkCount(ins);
        await this.client.query(`DROP TABLE ${side}`).catch(() => undefined);
      } catch (e) {
        ins = { ...unsupported(e), method: 'insert-batched', table: side, rows: 0, seconds: 0, rowsPerSec: 0 };
      }
      result.loads.push(ins);
      this.reportLoad(ins);
      return;
    }
    this.say('COPY failed; falling back to batched INSERT for the main load');
    try {
      await this.client.query(`DELETE FROM ${cfg.table}`);
    } catch {
      // the table is probably empty anyway
    }
    const ins = await this.insertLoad(cfg.table, ds.n);
    (ins.notes ??= []).push('main load (COPY binary was unsupported)');
    await this.checkCount(ins);
    result.loads.push(ins);
    this.reportLoad(ins);
  }

  private async analyze(): Promise<void> {
    try {
      await this.run('ANALYZE', this.cfg.statementTimeoutSec, () => this.client.query(`ANALYZE ${this.cfg.table}`));
    } catch (e) {
      (this.result.setup.notes ??= []).push(`ANALYZE: ${errorMessage(e)}`);
    }
  }

  // ------------------------------------------------------------ queries

  private knnSql(metric: Metric, k: number, threshold: number | null): string {
    const where = threshold === null ? '' : ` WHERE sel < ${threshold}`;
    return `SELECT id FROM ${this.cfg.table}${where} ORDER BY embedding ${PG_OPERATOR[metric]} $1 LIMIT ${k}`;
  }

  private async setEf(client: pg.Client, ef: number): Promise<void> {
    await client.query(`SET hnsw.ef_search = ${ef}`);
  }

  /**
   * Runs `count` queries (cycling through the query set) over the given connections,
   * each connection taking the next query when it is free; stops early at maxSeconds.
   */
  private async measureQueries(opts: {
    label: string;
    clients: pg.Client[];
    metric: Metric;
    k: number;
    ef: number | null;
    threshold: number | null;
    count: number;
    maxSeconds: number;
    warmup: number;
  }): Promise<QueryStats> {
    const { ds } = this;
    const { metric, k, threshold } = opts;
    const sql = this.knnSql(metric, k, threshold);
    const name = `bench_knn_${metric}_${k}_${threshold ?? 'all'}`;
    const gt = this.gt(metric, k, threshold);
    const matching = threshold === null ? null : matchingRows(ds, threshold).length;
    const expectedRows = Math.min(k, matching ?? ds.n);
    const allowed = threshold === null ? undefined : (id: number) => ds.sel[id]! < threshold;
    const base: QueryStats = {
      status: 'ok',
      label: opts.label,
      metric,
      k,
      efSearch: opts.ef,
      connections: opts.clients.length,
      selectivity: threshold === null ? null : threshold / SEL_RANGE,
      matchingRows: matching,
      sql,
      ...NOTHING_MEASURED,
    };
    const nq = ds.queries.length;
    const runOne = async (client: pg.Client, qi: number): Promise<number[]> => {
      const r = await client.query<{ id: string }>({ name, text: sql, values: [this.queryTexts[qi % nq]] });
      return r.rows.map((row) => Number(row.id));
    };
    try {
      if (opts.ef !== null) {
        try {
          for (const c of opts.clients) await this.setEf(c, opts.ef);
        } catch (e) {
          (base.notes ??= []).push(`SET hnsw.ef_search = ${opts.ef}: ${errorMessage(e)} (server default used)`);
          base.efSearch = null;
        }
      }
      // warm-up on the last queries of the set, so measured queries are not the same ones
      // bounded by count and by a third of the phase's time budget (slow targets)
      const warmupEnd = nowMs() + (opts.maxSeconds * 1000) / 3;
      await this.run(`${opts.label} warm-up`, this.cfg.statementTimeoutSec, async () => {
        for (let i = 0; i < opts.warmup && nowMs() < warmupEnd; i++) await runOne(opts.clients[i % opts.clients.length]!, nq - 1 - (i % nq));
      });
      const latencies: number[] = [];
      let recallSum = 0;
      let rowsSum = 0;
      let minRows = Infinity;
      let next = 0;
      const progress = new Progress(`[${this.target.name}] ${opts.label}`, opts.count);
      const t0 = nowMs();
      const deadline = t0 + opts.maxSeconds * 1000;
      const worker = async (client: pg.Client): Promise<void> => {
        while (next < opts.count && nowMs() < deadline) {
          const qi = next++ % nq;
          const s = nowMs();
          const ids = await runOne(client, qi);
          latencies.push(nowMs() - s);
          recallSum += recallOf(ds, metric, gt, qi, k, ids, allowed);
          rowsSum += ids.length;
          minRows = Math.min(minRows, ids.length);
          if (ids.length < expectedRows) base.shortQueries++;
          progress.tick();
        }
      };
      try {
        await this.run(opts.label, opts.maxSeconds + this.cfg.statementTimeoutSec, () => Promise.all(opts.clients.map(worker)));
      } finally {
        progress.finish();
      }
      const seconds = (nowMs() - t0) / 1000;
      return { ...base, ...measuredCounters(latencies, seconds, recallSum, rowsSum, minRows) };
    } catch (e) {
      return { ...base, ...unsupported(e) };
    }
  }

  private reportQuery(s: QueryStats): void {
    if (s.status !== 'ok') {
      this.say(`${s.label}: unsupported: ${s.error}`);
      return;
    }
    const short = s.shortQueries > 0 ? `, ${s.shortQueries} queries returned < ${Math.min(s.k, s.matchingRows ?? s.k)} rows (min ${s.minRows})` : '';
    this.say(
      `${s.label}: recall@${s.k} ${s.recall.toFixed(3)}, ${Math.round(s.qps)} QPS, p50 ${s.p50Ms?.toFixed(2)} ms, p99 ${s.p99Ms?.toFixed(2)} ms (${s.queries} queries${short})`,
    );
  }

  private async exactPhase(): Promise<QueryStats> {
    const s = await this.measureQueries({
      label: 'exact k-NN (no index) l2 k=10',
      clients: [this.client],
      metric: 'l2',
      k: 10,
      ef: null,
      threshold: null,
      count: this.cfg.exactQueries,
      maxSeconds: this.cfg.maxSecondsPerConfig,
      warmup: 2,
    });
    this.reportQuery(s);
    return s;
  }

  private async buildIndexes(): Promise<void> {
    const { cfg } = this;
    for (const metric of cfg.metrics) {
      const sql = `CREATE INDEX ${cfg.table}_${metric}_hnsw ON ${cfg.table} USING hnsw (embedding ${PG_OPCLASS[metric]}) WITH (m = ${cfg.hnsw.m}, ef_construction = ${cfg.hnsw.efConstruction})`;
      const t0 = nowMs();
      let r: IndexBuildResult;
      try {
        this.say(`building ${metric} HNSW index …`);
        const progress = Progress.elapsed(`[${this.target.name}] CREATE INDEX … USING hnsw (${metric})`);
        try {
          await this.run(`CREATE INDEX (${metric})`, cfg.indexTimeoutSec, () => this.client.query(sql));
        } finally {
          progress.finish();
        }
        r = { status: 'ok', metric, seconds: round((nowMs() - t0) / 1000, 3), sql };
        this.say(`index ${metric}: ${r.seconds.toFixed(1)} s`);
      } catch (e) {
        r = { ...unsupported(e), metric, seconds: 0, sql };
        this.say(`index ${metric}: unsupported: ${r.error}`);
      }
      this.result.indexBuilds.push(r);
    }
  }

  private async explainKnn(): Promise<void> {
    const sql = `EXPLAIN ${this.knnSql('l2', 10, null).replace('$1', `'${this.queryTexts[0]}'`)}`;
    try {
      const r = await this.run('EXPLAIN', 60, () => this.client.query<Record<string, string>>(sql));
      // the query vector literal is long and says nothing about the plan
      this.result.knnPlan = r.rows
        .map((row) => Object.values(row).join(' '))
        .join('\n')
        .replace(/'\[[^\]]*\]'/g, "'[…]'");
      this.result.indexUsed = /\bindex\b|hnsw|\bann\b/i.test(this.result.knnPlan);
      this.say(`plan of the l2 k-NN query: ${this.result.knnPlan.split('\n').map((l) => l.trim()).join(' | ')}`);
    } catch (e) {
      this.result.knnPlan = `EXPLAIN unsupported: ${errorMessage(e)}`;
    }
  }

  private async knnPhases(): Promise<void> {
    const { cfg } = this;
    for (const metric of cfg.metrics) {
      for (const k of cfg.ks) {
        const s = await this.measureQueries({
          label: `k-NN ${metric} k=${k}`,
          clients: [this.client],
          metric,
          k,
          ef: cfg.efForK[String(k)] ?? null,
          threshold: null,
          count: cfg.queriesPerConfig,
          maxSeconds: cfg.maxSecondsPerConfig,
          warmup: cfg.warmupQueries,
        });
        this.reportQuery(s);
        this.result.knn.push(s);
      }
    }
  }

  private async concurrentPhase(): Promise<QueryStats> {
    const { cfg } = this;
    const clients: pg.Client[] = [];
    const k = 10;
    try {
      for (let i = 0; i < cfg.concurrency; i++) {
        const c = await this.target.connect();
        c.on('error', () => undefined);
        clients.push(c);
      }
      const s = await this.measureQueries({
        label: `k-NN l2 k=${k}, ${cfg.concurrency} connections`,
        clients,
        metric: 'l2',
        k,
        ef: cfg.efForK[String(k)] ?? null,
        threshold: null,
        count: cfg.concurrentQueries,
        maxSeconds: cfg.maxSecondsPerConfig,
        warmup: cfg.concurrency * 2,
      });
      this.reportQuery(s);
      return s;
    } catch (e) {
      const s = { ...this.failedStats(`k-NN l2 k=${k}, ${cfg.concurrency} connections`, 'l2', k), ...unsupported(e) };
      this.reportQuery(s);
      return s;
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  }

  private failedStats(label: string, metric: Metric, k: number): QueryStats {
    return {
      status: 'unsupported',
      label,
      metric,
      k,
      efSearch: null,
      connections: 0,
      selectivity: null,
      matchingRows: null,
      sql: '',
      ...NOTHING_MEASURED,
    };
  }

  private async filteredPhases(): Promise<void> {
    const { cfg } = this;
    const k = cfg.filteredK;
    for (const selectivity of cfg.selectivities) {
      const threshold = Math.max(1, Math.round(selectivity * SEL_RANGE));
      const s = await this.measureQueries({
        label: `filtered k-NN l2 k=${k} sel=${(selectivity * 100).toString()}%`,
        clients: [this.client],
        metric: 'l2',
        k,
        ef: cfg.efForK[String(k)] ?? null,
        threshold,
        count: cfg.filteredQueries,
        maxSeconds: cfg.maxSecondsPerConfig,
        warmup: Math.min(10, cfg.warmupQueries),
      });
      this.reportQuery(s);
      this.result.filtered.push(s);
    }
  }

  private async efSweepPhase(): Promise<void> {
    const { cfg } = this;
    for (const ef of cfg.efSweep) {
      try {
        await this.setEf(this.client, ef);
      } catch (e) {
        const s = { ...this.failedStats(`ef_search sweep ef=${ef}`, 'l2', 10), ...unsupported(e), efSearch: ef };
        this.reportQuery(s);
        this.result.efSweep.push(s);
        break; // the setting is not there: no curve
      }
      const s = await this.measureQueries({
        label: `ef_search sweep ef=${ef}`,
        clients: [this.client],
        metric: 'l2',
        k: 10,
        ef,
        threshold: null,
        count: cfg.sweepQueries,
        maxSeconds: cfg.maxSecondsPerConfig,
        warmup: Math.min(10, cfg.warmupQueries),
      });
      this.reportQuery(s);
      this.result.efSweep.push(s);
    }
  }

  private async measure<T extends object>(what: string, fn: () => Promise<T | string>): Promise<(T & Phase) | Phase> {
    try {
      const v = await this.run(what, 60, fn);
      if (typeof v === 'string') return { status: 'unsupported', error: v };
      return { status: 'ok', ...v };
    } catch (e) {
      return unsupported(e);
    }
  }

  private async restartPhase(): Promise<void> {
    const probeSql = this.knnSql('l2', 10, null);
    await this.client.end().catch(() => undefined);
    const res = await this.target.restart(async (c) => {
      const r = await c.query({ text: probeSql, values: [this.queryTexts[0]] });
      if (r.rows.length !== Math.min(10, this.ds.n)) throw new Error(`first query after restart returned ${r.rows.length} rows`);
      const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.cfg.table}`);
      if (Number(n.rows[0]!.n) !== this.ds.n) throw new Error(`after restart count(*) is ${n.rows[0]!.n}, expected ${this.ds.n}`);
    });
    this.result.restart = typeof res === 'number' ? { status: 'ok', seconds: round(res, 3) } : { status: 'unsupported', error: res };
    this.say(typeof res === 'number' ? `restart: ${res.toFixed(2)} s to first answer` : `restart: ${res}`);
    await this.reconnect().catch(() => undefined);
  }

  private async cleanup(): Promise<void> {
    try {
      if (this.target.kind === 'postgres') {
        // leave the shared server as we found it
        await this.run('cleanup', 60, async () => {
          await this.client.query(`DROP TABLE IF EXISTS ${this.cfg.table}`);
          await this.client.query(`DROP TABLE IF EXISTS ${this.cfg.table}_ins`);
        });
      }
    } catch {
      // best effort
    }
    await this.client?.end().catch(() => undefined);
  }
}
