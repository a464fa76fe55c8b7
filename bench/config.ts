/** Workload sizes and knobs; one object so the JSON result records exactly what ran. */
import type { Metric } from './dataset.js';

export interface BenchConfig {
  quick: boolean;
  table: string;
  metrics: Metric[];
  ks: number[];
  /** HNSW build parameters, the same for every target */
  hnsw: { m: number; efConstruction: number };
  /** hnsw.ef_search used by the main k-NN phases: max(40, 2k) (40 is pgvector's default) */
  efForK: Record<string, number>;
  /** queries per measured configuration, and a wall-clock cap per configuration */
  queriesPerConfig: number;
  maxSecondsPerConfig: number;
  warmupQueries: number;
  exactQueries: number;
  concurrency: number;
  concurrentQueries: number;
  selectivities: number[];
  filteredQueries: number;
  filteredK: number;
  efSweep: number[];
  sweepQueries: number;
  /** rows loaded with batched INSERT (into a side table when COPY worked) */
  insertRows: number;
  insertBatchRows: number;
  copyChunkRows: number;
  /** timeouts so one stuck phase cannot hang the run */
  statementTimeoutSec: number;
  indexTimeoutSec: number;
  ceiling: boolean;
  /**
   * --sweep-only: COPY, the l2 index, l2 k = 10 (1 and N connections) and the ef_search
   * sweep; no INSERT load, exact, other metrics or k, filtered queries or restart
   */
  sweepOnly: boolean;
}

export function efForK(k: number): number {
  return Math.max(40, 2 * k);
}

export function defaultConfig(quick: boolean): BenchConfig {
  const ks = [10, 100];
  const base = {
    quick,
    table: 'quiver_bench_items',
    metrics: ['l2', 'cosine', 'ip'] as Metric[],
    ks,
    hnsw: { m: 16, efConstruction: 64 },
    efForK: Object.fromEntries(ks.map((k) => [String(k), efForK(k)])),
    selectivities: [0.5, 0.1, 0.01, 0.001],
    filteredK: 10,
    insertBatchRows: 100,
    copyChunkRows: 1000,
    ceiling: true,
    sweepOnly: false,
  };
  if (quick) {
    return {
      ...base,
      queriesPerConfig: 100,
      maxSecondsPerConfig: 3,
      warmupQueries: 10,
      exactQueries: 20,
      concurrency: 4,
      concurrentQueries: 200,
      filteredQueries: 50,
      efSweep: [10, 40, 160],
      sweepQueries: 100,
      insertRows: 1000,
      statementTimeoutSec: 60,
      indexTimeoutSec: 60,
    };
  }
  return {
    ...base,
    queriesPerConfig: 1000,
    maxSecondsPerConfig: 30,
    warmupQueries: 50,
    exactQueries: 50,
    concurrency: 8,
    concurrentQueries: 2000,
    filteredQueries: 300,
    efSweep: [10, 20, 40, 80, 160, 320],
    sweepQueries: 500,
    insertRows: 20_000,
    statementTimeoutSec: 300,
    indexTimeoutSec: 900,
  };
}
