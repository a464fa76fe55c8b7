/**
 * The in-process ceiling: the same queries straight against usearch's HNSW in this Node
 * process — no SQL, no wire, no storage. Same graph parameters as the SQL targets
 * (connectivity = m = 16, expansion_add = ef_construction = 64; expansion_search plays
 * hnsw.ef_search). It bounds what any server built on this library can reach.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, ScalarKind } from 'usearch';
import type { BenchConfig } from './config.js';
import { groundTruth, recallOf, USEARCH_METRIC, type Dataset, type Metric } from './dataset.js';
import { errorMessage, log, measuredCounters, nowMs, Progress, round } from './util.js';
import type { IndexBuildResult, Phase, QueryStats } from './workload.js';

export interface CeilingResult {
  name: 'in-process';
  kind: 'usearch';
  status: 'ok' | 'unsupported';
  error?: string;
  threads: number;
  indexBuilds: IndexBuildResult[];
  knn: QueryStats[];
  /** batch search with all cores: the in-process counterpart of N concurrent connections */
  concurrent: QueryStats | null;
  efSweep: QueryStats[];
  indexBytes: Record<string, number>;
  memory: Phase & { rssBytes?: number };
}

export function runCeiling(ds: Dataset, cfg: BenchConfig, cacheDir: string, threads: number): CeilingResult {
  const res: CeilingResult = { name: 'in-process', kind: 'usearch', status: 'ok', threads, indexBuilds: [], knn: [], concurrent: null, efSweep: [], indexBytes: {}, memory: { status: 'skipped' } };
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-usearch-'));
  const say = (m: string) => log(`[in-process] ${m}`);
  const newIndex = (metric: Metric, ef: number) =>
    new Index({
      dimensions: ds.dim,
      metric: USEARCH_METRIC[metric],
      quantization: ScalarKind.F32,
      connectivity: cfg.hnsw.m,
      expansion_add: cfg.hnsw.efConstruction,
      expansion_search: ef,
      multi: false,
    });
  const files = new Map<Metric, string>();
  try {
    const keys = new BigUint64Array(ds.n);
    for (let i = 0; i < ds.n; i++) keys[i] = BigInt(i);
    for (const metric of cfg.metrics) {
      const t0 = nowMs();
      const idx = newIndex(metric, 40);
      idx.add(keys, ds.train, threads);
      const seconds = (nowMs() - t0) / 1000;
      const file = join(dir, `${metric}.usearch`);
      idx.save(file);
      files.set(metric, file);
      res.indexBytes[metric] = statSync(file).size;
      res.indexBuilds.push({ status: 'ok', metric, seconds: round(seconds, 3), sql: `usearch Index.add (${threads} threads)` });
      say(`index ${metric}: ${seconds.toFixed(1)} s`);
    }

    const single = (label: string, metric: Metric, k: number, ef: number, count: number): QueryStats => {
      const idx = newIndex(metric, ef);
      idx.view(files.get(metric)!);
      const gt = groundTruth(ds, metric, k, cacheDir);
      const nq = ds.queries.length;
      for (let i = 0; i < Math.min(cfg.warmupQueries, nq); i++) idx.search(ds.queries[nq - 1 - i]!, k, 1);
      const lat: number[] = [];
      let recall = 0;
      let rows = 0;
      let minRows = Infinity;
      let short = 0;
      const progress = new Progress(`[in-process] ${label}`, count);
      const t0 = nowMs();
      const deadline = t0 + cfg.maxSecondsPerConfig * 1000;
      for (let i = 0; i < count && nowMs() < deadline; i++) {
        const qi = i % nq;
        const s = nowMs();
        const m = idx.search(ds.queries[qi]!, k, 1);
        lat.push(nowMs() - s);
        const ids = Array.from(m.keys, (x) => Number(x));
        recall += recallOf(ds, metric, gt, qi, k, ids);
        rows += ids.length;
        minRows = Math.min(minRows, ids.length);
        if (ids.length < Math.min(k, ds.n)) short++;
        progress.tick();
      }
      progress.finish();
      const seconds = (nowMs() - t0) / 1000;
      const st: QueryStats = {
        status: 'ok',
        label,
        metric,
        k,
        efSearch: ef,
        connections: 1,
        selectivity: null,
        matchingRows: null,
        sql: 'usearch Index.search (1 thread)',
        ...measuredCounters(lat, seconds, recall, rows, minRows),
        shortQueries: short,
      };
      say(`${label}: recall@${k} ${st.recall.toFixed(3)}, ${Math.round(st.qps)} QPS, p50 ${st.p50Ms?.toFixed(3)} ms`);
      return st;
    };

    for (const metric of cfg.metrics) {
      for (const k of cfg.ks) res.knn.push(single(`k-NN ${metric} k=${k}`, metric, k, cfg.efForK[String(k)] ?? 40, cfg.queriesPerConfig));
    }

    // batch search over all queries with all cores
    {
      const k = 10;
      const ef = cfg.efForK[String(k)] ?? 40;
      const idx = newIndex('l2', ef);
      idx.view(files.get('l2')!);
      const gt = groundTruth(ds, 'l2', k, cacheDir);
      const t0 = nowMs();
      const batch = idx.search(ds.queries, k, threads);
      const seconds = (nowMs() - t0) / 1000;
      let recall = 0;
      for (let qi = 0; qi < ds.queries.length; qi++) {
        const ids = Array.from(batch.keys.subarray(qi * k, (qi + 1) * k), (x) => Number(x));
        recall += recallOf(ds, 'l2', gt, qi, k, ids);
      }
      res.concurrent = {
        status: 'ok',
        label: `k-NN l2 k=${k}, batch of ${ds.queries.length} on ${threads} threads`,
        metric: 'l2',
        k,
        efSearch: ef,
        connections: threads,
        selectivity: null,
        matchingRows: null,
        sql: 'usearch Index.search (batch)',
        queries: ds.queries.length,
        seconds: round(seconds, 3),
        qps: round(ds.queries.length / seconds, 1),
        recall: round(recall / ds.queries.length, 4),
        meanRows: k,
        minRows: k,
        shortQueries: 0,
      };
      say(`${res.concurrent.label}: ${Math.round(res.concurrent.qps)} QPS`);
    }

    for (const ef of cfg.efSweep) res.efSweep.push(single(`ef_search sweep ef=${ef}`, 'l2', 10, ef, cfg.sweepQueries));
    const rss = process.memoryUsage().rss;
    res.memory = { status: 'ok', rssBytes: rss, notes: ['whole harness process, including the data set and ground truth'] };
  } catch (e) {
    res.status = 'unsupported';
    res.error = errorMessage(e);
    say(`failed: ${res.error}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}
