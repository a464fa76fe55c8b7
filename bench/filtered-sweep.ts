/**
 * `npm run bench -- --filtered-sweep [--compare] [--pg URL]`: filtered k-NN across
 * VectorDBBench's selectivities (0.1 % … 50 %, plus the class filters when the data has
 * classes), the same SQL on every target:
 *
 *   SELECT id FROM quiver_bench_filtered WHERE <filter> ORDER BY embedding <-> $1 LIMIT 10
 *
 * prepared, one connection, a bounded number of queries per point. Quiver runs with its
 * default settings; PostgreSQL + pgvector runs each filter with hnsw.iterative_scan off and
 * relaxed_order, each from ef_search 40 up a ladder until recall@10 reaches the target (and,
 * when its planner picks an exact scan, relaxed_order with seq/bitmap scans disabled, so the
 * HNSW path is measured too). The report takes pgvector's fastest plan at recall ≥ 0.95 per
 * filter and the ratio to Quiver (bench/filtered-report.ts).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { BenchOptions } from './bench.js';
import { copyHeader, copyTrailer, encodeIntRows } from './copy-binary.js';
import { loadDataset, parseDatasetSpec, recallOf, type Dataset, type GroundTruth, type SyntheticSpec } from './dataset.js';
import { designFilters, filterColumns, filterGroundTruth, summarizeFilter, SWEEP_SELECTIVITIES, type FilterCase, type FilterColumns, type FilterSummary } from './filter-design.js';
import { renderFilteredSummary, renderFilteredSvg, renderFilteredTable } from './filtered-report.js';
import { runOnTarget, type SqlTarget } from './targets.js';
import { errorMessage, log, machineInfo, measuredCounters, nowMs, Progress, round, vectorText, type LatencySummary, type MachineInfo } from './util.js';
import { TargetSession, type Phase } from './workload.js';

export interface FilteredSweepConfig {
  quick: boolean;
  table: string;
  k: number;
  hnsw: { m: number; efConstruction: number };
  selectivities: number[];
  /** the class filters (label = 3, label = the query's class), when the data has classes */
  labelFilters: boolean;
  /** B-tree indexes on f and label (the same DDL on every target; lets a planner scan few rows exactly) */
  filterIndexes: boolean;
  queriesPerPoint: number;
  warmupQueries: number;
  maxSecondsPerPoint: number;
  /** pgvector's hnsw.ef_search values, tried in order until recall reaches recallTarget */
  pgEfLadder: number[];
  recallTarget: number;
  qpsRatioTarget: number;
  statementTimeoutSec: number;
  indexTimeoutSec: number;
}

export function defaultFilteredConfig(quick: boolean): FilteredSweepConfig {
  return {
    quick,
    table: 'quiver_bench_filtered',
    k: 10,
    hnsw: { m: 16, efConstruction: 64 },
    selectivities: [...SWEEP_SELECTIVITIES],
    labelFilters: true,
    filterIndexes: true,
    queriesPerPoint: quick ? 30 : 200,
    warmupQueries: quick ? 5 : 20,
    maxSecondsPerPoint: quick ? 3 : 30,
    pgEfLadder: [40, 100, 200, 400],
    recallTarget: 0.95,
    qpsRatioTarget: 2,
    statementTimeoutSec: quick ? 60 : 300,
    indexTimeoutSec: quick ? 120 : 900,
  };
}

/** pgvector's plan knobs for one measured point; null = the target's defaults (Quiver). */
export interface PlanSettings {
  family: PlanFamily;
  iterativeScan: 'off' | 'relaxed_order' | null;
  efSearch: number | null;
  /** enable_seqscan and enable_bitmapscan off, so the planner takes the HNSW index */
  forceIndex: boolean;
}

export type PlanFamily = 'default' | 'off' | 'relaxed_order' | 'relaxed_order, index forced';

export function planLabel(p: PlanSettings): string {
  if (p.family === 'default') return 'default settings';
  return `${p.family}, ef_search ${p.efSearch}`;
}

export interface SweepPoint extends Phase, Partial<LatencySummary> {
  filter: string;
  plan: PlanSettings;
  sql: string;
  /** EXPLAIN of the query with the first query's values, one line ('' when unavailable) */
  explain: string;
  /** whether that plan scans the HNSW index (null: no plan) */
  usesVectorIndex: boolean | null;
  queries: number;
  seconds: number;
  qps: number;
  recall: number;
  meanRows: number;
  minRows: number;
  /** queries that returned fewer than min(k, matching rows) rows */
  shortQueries: number;
}

export interface TimedStep extends Phase {
  what: string;
  sql: string;
  seconds: number;
}

export interface FilteredTargetResult {
  name: string;
  kind: 'quiver' | 'postgres';
  url: string;
  serverVersion: string | null;
  status: 'ok' | 'unsupported';
  error?: string;
  /** COPY, B-tree indexes, ANALYZE, HNSW build */
  steps: TimedStep[];
  points: SweepPoint[];
}

export interface FilteredSweepResult {
  kind: 'filtered-sweep';
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineInfo;
  /** 1-minute load average when the run started and ended: other work on the machine is noise */
  loadAverage: { start: number; end: number };
  dataset: { id: string; description: string; n: number; dim: number; queries: number };
  config: FilteredSweepConfig;
  filters: FilterSummary[];
  targets: FilteredTargetResult[];
}

/** pgvector's plan families in the order they are tried. */
const PG_FAMILIES: readonly { family: PlanFamily; iterativeScan: 'off' | 'relaxed_order'; forceIndex: boolean }[] = [
  { family: 'off', iterativeScan: 'off', forceIndex: false },
  { family: 'relaxed_order', iterativeScan: 'relaxed_order', forceIndex: false },
  { family: 'relaxed_order, index forced', iterativeScan: 'relaxed_order', forceIndex: true },
];

/** One target through load, indexes and every filter × plan. Never throws. */
class FilteredRun extends TargetSession {
  private readonly texts: string[];
  private statementNo = 0;

  constructor(
    target: SqlTarget,
    private readonly ds: Dataset,
    private readonly cols: FilterColumns,
    private readonly filters: readonly { fc: FilterCase; gt: GroundTruth }[],
    private readonly cfg: FilteredSweepConfig,
    private readonly r: FilteredTargetResult,
  ) {
    super(target);
    this.texts = ds.queries.map((q) => vectorText(q));
  }

  private get hnswName(): string {
    return `${this.cfg.table}_hnsw`;
  }

  async runAll(): Promise<void> {
    const r = this.r;
    try {
      await this.reconnect();
      const v = await this.client.query<{ v: string }>('SELECT version() AS v').catch(() => null);
      r.serverVersion = v?.rows[0]?.v ?? null;
      await this.client.query('CREATE EXTENSION IF NOT EXISTS vector').catch(() => undefined);
      await this.prepareTable();
      if (r.status !== 'ok') return;
      for (const f of this.filters) await this.runFilter(f.fc, f.gt);
    } catch (e) {
      r.status = 'unsupported';
      r.error = `aborted: ${errorMessage(e)}`;
      this.say(r.error);
    } finally {
      if (this.target.kind === 'postgres') await this.client?.query(`DROP TABLE IF EXISTS ${this.cfg.table}`).catch(() => undefined);
      await this.client?.end().catch(() => undefined);
    }
  }

  /** A step that must work (table, COPY, HNSW) stops the target; an optional one is noted. */
  private async step(what: string, sql: string, seconds: number, fn: () => Promise<unknown>, required: boolean): Promise<boolean> {
    const t0 = nowMs();
    const progress = Progress.elapsed(`[${this.target.name}] ${what}`);
    try {
      await this.run(what, seconds, fn);
      const s: TimedStep = { status: 'ok', what, sql, seconds: round((nowMs() - t0) / 1000, 3) };
      this.r.steps.push(s);
      this.say(`${what}: ${s.seconds.toFixed(1)} s`);
      return true;
    } catch (e) {
      this.r.steps.push({ status: 'unsupported', error: errorMessage(e), what, sql, seconds: 0 });
      this.say(`${what}: unsupported: ${errorMessage(e)}`);
      if (required) {
        this.r.status = 'unsupported';
        this.r.error = `${what}: ${errorMessage(e)}`;
      }
      return false;
    } finally {
      progress.finish();
    }
  }

  private async prepareTable(): Promise<void> {
    const { cfg, ds, cols } = this;
    const t = cfg.table;
    const create = `CREATE TABLE ${t} (id bigint PRIMARY KEY, f integer NOT NULL, label integer NOT NULL, embedding vector(${ds.dim}))`;
    const ok = await this.step('create table', create, 60, async () => {
      await this.client.query(`DROP TABLE IF EXISTS ${t}`);
      await this.client.query(create);
    }, true);
    if (!ok) return;
    const copySql = `COPY ${t} (id, f, label, embedding) FROM STDIN (FORMAT binary)`;
    const loaded = await this.step(`COPY ${ds.n} rows`, copySql, cfg.statementTimeoutSec, async () => {
      const stream = this.client.query(copyStreams.from(copySql));
      const done = new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
      });
      const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise<void>((res) => stream.once('drain', () => res())));
      await write(copyHeader());
      for (let from = 0; from < ds.n; from += 1000) await Promise.race([write(encodeIntRows(ds.train, ds.dim, [cols.f, cols.label], from, Math.min(ds.n, from + 1000))), done]);
      stream.end(copyTrailer());
      await done;
      const n = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
      if (Number(n.rows[0]!.n) !== ds.n) throw new Error(`count(*) after COPY is ${n.rows[0]!.n}, expected ${ds.n}`);
    }, true);
    if (!loaded) return;
    if (cfg.filterIndexes) {
      for (const col of ['f', 'label']) {
        const sql = `CREATE INDEX ${t}_${col}_idx ON ${t} (${col})`;
        await this.step(`B-tree on ${col}`, sql, cfg.indexTimeoutSec, () => this.client.query(sql), false);
      }
    }
    await this.step('ANALYZE', `ANALYZE ${t}`, cfg.statementTimeoutSec, () => this.client.query(`ANALYZE ${t}`), false);
    const hnsw = `CREATE INDEX ${this.hnswName} ON ${t} USING hnsw (embedding vector_l2_ops) WITH (m = ${cfg.hnsw.m}, ef_construction = ${cfg.hnsw.efConstruction})`;
    await this.step('HNSW build (l2)', hnsw, cfg.indexTimeoutSec, () => this.client.query(hnsw), true);
  }

  private sqlOf(fc: FilterCase): string {
    return `SELECT id FROM ${this.cfg.table} WHERE ${fc.where} ORDER BY embedding <-> $1 LIMIT ${this.cfg.k}`;
  }

  private async applySettings(p: PlanSettings): Promise<void> {
    if (p.family === 'default') return;
    for (const s of [
      `SET hnsw.iterative_scan = ${p.iterativeScan}`,
      `SET hnsw.ef_search = ${p.efSearch}`,
      `SET enable_seqscan = ${p.forceIndex ? 'off' : 'on'}`,
      `SET enable_bitmapscan = ${p.forceIndex ? 'off' : 'on'}`,
    ])
      await this.client.query(s);
  }

  private async explain(fc: FilterCase): Promise<string> {
    const sql = `EXPLAIN SELECT id FROM ${this.cfg.table} WHERE ${fc.literalWhere(0)} ORDER BY embedding <-> '${this.texts[0]}' LIMIT ${this.cfg.k}`;
    try {
      const res = await this.run('EXPLAIN', 60, () => this.client.query<Record<string, string>>(sql));
      return res.rows
        .map((row) => Object.values(row).join(' ').trim())
        .join(' | ')
        .replace(/'\[[^\]]*\]'/g, "'[…]'");
    } catch (e) {
      return `EXPLAIN unsupported: ${errorMessage(e)}`;
    }
  }

  private async runFilter(fc: FilterCase, gt: GroundTruth): Promise<void> {
    if (this.target.kind === 'quiver') {
      await this.point(fc, gt, { family: 'default', iterativeScan: null, efSearch: null, forceIndex: false });
      return;
    }
    let plannerTookIndex = true;
    for (const fam of PG_FAMILIES) {
      // forcing the index only adds a plan when the planner chose an exact scan
      if (fam.forceIndex && plannerTookIndex) continue;
      for (const ef of this.cfg.pgEfLadder) {
        const p = await this.point(fc, gt, { ...fam, efSearch: ef });
        if (fam.family === 'off' && ef === this.cfg.pgEfLadder[0]) plannerTookIndex = p.usesVectorIndex !== false;
        // ef_search changes nothing when the plan does not scan the HNSW index
        if (p.status !== 'ok' || p.recall >= this.cfg.recallTarget || p.usesVectorIndex === false) break;
      }
    }
  }

  private async point(fc: FilterCase, gt: GroundTruth, plan: PlanSettings): Promise<SweepPoint> {
    const { cfg, ds } = this;
    const sql = this.sqlOf(fc);
    const p: SweepPoint = {
      status: 'ok', filter: fc.id, plan, sql, explain: '', usesVectorIndex: null,
      queries: 0, seconds: 0, qps: 0, recall: 0, meanRows: 0, minRows: 0, shortQueries: 0,
    };
    const label = `${fc.where} (${(fc.selectivity * 100).toPrecision(2)} %), ${planLabel(plan)}`;
    // a fresh statement name per point: a cached generic plan must not outlive the settings
    const name = `fsweep_${this.statementNo++}`;
    const runOne = async (qi: number): Promise<number[]> => {
      const res = await this.client.query<{ id: string }>({ name, text: sql, values: [this.texts[qi], ...fc.params(qi)] });
      return res.rows.map((row) => Number(row.id));
    };
    try {
      await this.run('SET', 30, () => this.applySettings(plan));
      p.explain = await this.explain(fc);
      p.usesVectorIndex = p.explain.startsWith('EXPLAIN unsupported') ? null : p.explain.includes(this.hnswName) || /hnsw|vector top-k/i.test(p.explain);
      if (plan.forceIndex && p.usesVectorIndex === false) {
        p.status = 'skipped';
        p.error = 'the planner takes no HNSW scan even with seq/bitmap scans disabled';
        this.say(`${label}: skipped (${p.error})`);
        return this.record(p);
      }
      const count = Math.min(cfg.queriesPerPoint, ds.queries.length);
      const warmEnd = nowMs() + (cfg.maxSecondsPerPoint * 1000) / 3;
      await this.run(`${label} warm-up`, cfg.statementTimeoutSec, async () => {
        for (let i = 0; i < cfg.warmupQueries && nowMs() < warmEnd; i++) await runOne(count + (i % Math.max(1, ds.queries.length - count)));
      });
      const latencies: number[] = [];
      let recallSum = 0;
      let rowsSum = 0;
      let minRows = Infinity;
      const progress = new Progress(`[${this.target.name}] ${label}`, count);
      const t0 = nowMs();
      const deadline = t0 + cfg.maxSecondsPerPoint * 1000;
      try {
        await this.run(label, cfg.maxSecondsPerPoint + cfg.statementTimeoutSec, async () => {
          for (let qi = 0; qi < count && nowMs() < deadline; qi++) {
            const s = nowMs();
            const ids = await runOne(qi);
            latencies.push(nowMs() - s);
            recallSum += recallOf(ds, 'l2', gt, qi, cfg.k, ids, (id) => fc.allows(qi, id));
            rowsSum += ids.length;
            minRows = Math.min(minRows, ids.length);
            if (ids.length < Math.min(cfg.k, fc.rowsFor(qi).length)) p.shortQueries++;
            progress.tick();
          }
        });
      } finally {
        progress.finish();
      }
      Object.assign(p, measuredCounters(latencies, (nowMs() - t0) / 1000, recallSum, rowsSum, minRows));
      const short = p.shortQueries ? `, ${p.shortQueries} short (min ${p.minRows} rows)` : '';
      this.say(`${label}: ${Math.round(p.qps)} QPS, recall@${cfg.k} ${p.recall.toFixed(3)}${short}${p.usesVectorIndex === false ? ' [no HNSW scan]' : ''}`);
    } catch (e) {
      p.status = 'unsupported';
      p.error = errorMessage(e);
      this.say(`${label}: unsupported: ${p.error}`);
    }
    return this.record(p);
  }

  private record(p: SweepPoint): SweepPoint {
    this.r.points.push(p);
    return p;
  }
}

function runFilteredTarget(
  spec: string,
  o: BenchOptions,
  body: (target: SqlTarget, r: FilteredTargetResult) => Promise<void>,
): Promise<FilteredTargetResult> {
  const quiver = spec === 'quiver';
  const r: FilteredTargetResult = {
    name: quiver ? 'quiver' : 'postgres',
    kind: quiver ? 'quiver' : 'postgres',
    url: quiver ? '(started by the harness)' : spec.replace(/:[^:@/]*@/, ':***@'),
    serverVersion: null,
    status: 'ok',
    steps: [],
    points: [],
  };
  return runOnTarget(spec, o, r, body);
}

export function filteredConfigFor(o: BenchOptions): FilteredSweepConfig {
  const cfg = defaultFilteredConfig(o.quick);
  if (o.queries !== undefined) cfg.queriesPerPoint = o.queries;
  if (o.efSweep !== undefined) cfg.pgEfLadder = o.efSweep;
  if (!o.filterIndexes) cfg.filterIndexes = false;
  if (o.selectivities) {
    cfg.selectivities = o.selectivities;
    cfg.labelFilters = false;
  }
  return cfg;
}

export async function runFilteredSweep(o: BenchOptions, argv: string[]): Promise<{ result: FilteredSweepResult; jsonPath: string; svgPath: string }> {
  const startedAt = new Date();
  const loadAtStart = round(loadavg()[0]!, 2);
  const t0 = nowMs();
  const cfg = filteredConfigFor(o);
  const queryCount = cfg.queriesPerPoint + cfg.warmupQueries;
  const fallback: SyntheticSpec = { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: queryCount };
  const ds = loadDataset(parseDatasetSpec(o.dataset, queryCount, o.allowInstall), o.cacheDir, fallback);
  log(`dataset: ${ds.description}${ds.labels ? ' (with classes)' : ' (no classes: no label filters)'}`);
  const cols = filterColumns(ds);
  const cases = designFilters(ds, cols, cfg.selectivities, cfg.labelFilters);
  const gtStart = nowMs();
  const filters = cases.map((fc) => ({ fc, gt: filterGroundTruth(ds, fc, 'l2', cfg.k, o.cacheDir) }));
  log(`filtered ground truth ready (${((nowMs() - gtStart) / 1000).toFixed(1)} s; cached in bench/cache/)`);

  const targets: FilteredTargetResult[] = [];
  for (const spec of o.targets) targets.push(await runFilteredTarget(spec, o, (target, r) => new FilteredRun(target, ds, cols, filters, cfg, r).runAll()));
  const result: FilteredSweepResult = {
    kind: 'filtered-sweep',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${argv.map((a) => (/[\s"'$<>]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ')}`.trim(),
    machine: machineInfo(),
    loadAverage: { start: loadAtStart, end: round(loadavg()[0]!, 2) },
    dataset: { id: ds.id, description: ds.description, n: ds.n, dim: ds.dim, queries: Math.min(cfg.queriesPerPoint, ds.queries.length) },
    config: cfg,
    filters: cases.map((fc) => summarizeFilter(fc, Math.min(cfg.queriesPerPoint, ds.queries.length))),
    targets,
  };
  mkdirSync(o.outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const base = `${stamp}-${ds.id}-${o.targets.map((t) => (t === 'quiver' ? 'quiver' : 'postgres')).join('-')}-filtered${o.quick ? '-quick' : ''}`;
  const jsonPath = join(o.outDir, `${base}.json`);
  const svgPath = join(o.outDir, `${base}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(svgPath, renderFilteredSvg(result));
  const latest = o.quick ? 'latest-filtered-quick' : 'latest-filtered';
  copyFileSync(jsonPath, join(o.outDir, `${latest}.json`));
  copyFileSync(svgPath, join(o.outDir, `${latest}.svg`));
  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  return { result, jsonPath, svgPath };
}

export function printFilteredSweep(result: FilteredSweepResult, paths: string): void {
  process.stdout.write(`\n${renderFilteredSummary(result)}\n\n${renderFilteredTable(result)}\n\ncommand: ${result.command}\n${paths}\n`);
}
