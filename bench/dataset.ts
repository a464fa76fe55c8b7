/**
 * Benchmark data: Fashion-MNIST from the Debian package `dataset-fashion-mnist`
 * (installed with apt-get when missing and we are root), or a seeded clustered-Gaussian
 * generator of any n × d. Both are converted once to raw float32 files under bench/cache/.
 *
 * Ground truth is exact search (usearch.exactSearch), computed once per
 * (dataset, metric, query count, k, filter) and cached next to the data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { exactSearch, MetricKind } from 'usearch';
import { gaussian, log, mix32, seededRandom } from './util.js';

export type Metric = 'l2' | 'cosine' | 'ip';
export const METRICS: readonly Metric[] = ['l2', 'cosine', 'ip'];

/** pgvector operator and operator class per metric. */
export const PG_OPERATOR: Record<Metric, string> = { l2: '<->', cosine: '<=>', ip: '<#>' };
export const PG_OPCLASS: Record<Metric, string> = { l2: 'vector_l2_ops', cosine: 'vector_cosine_ops', ip: 'vector_ip_ops' };
export const USEARCH_METRIC: Record<Metric, MetricKind> = { l2: MetricKind.L2sq, cosine: MetricKind.Cos, ip: MetricKind.IP };

/** Rows per "selectivity unit": the filter column `sel` holds 0..SEL_RANGE-1. */
export const SEL_RANGE = 1000;

export interface Dataset {
  /** stable id used in cache file names, e.g. fashion-mnist or synthetic-n5000-d32-c20-s1 */
  id: string;
  description: string;
  dim: number;
  n: number;
  /** n × dim, row-major; row i has primary key i */
  train: Float32Array;
  /** each query in its own buffer (usearch ignores typed-array byteOffset) */
  queries: Float32Array[];
  /** the filter column: sel[i] = mix32(i) % SEL_RANGE */
  sel: Int32Array;
  /**
   * A class per row and per query, correlated with the vectors (Fashion-MNIST's 10
   * classes; synthetic: the row's cluster mod 10); absent when the source has none.
   */
  labels?: Int32Array;
  queryLabels?: Int32Array;
}

export interface SyntheticSpec {
  n: number;
  dim: number;
  clusters: number;
  seed: number;
  queries: number;
}

export type DatasetSpec = { kind: 'fashion-mnist'; queries: number; allowInstall: boolean } | ({ kind: 'synthetic' } & SyntheticSpec);

/** Parses `fashion-mnist` or `synthetic:n=100000,d=128,clusters=100,seed=1`. */
export function parseDatasetSpec(text: string, queries: number, allowInstall: boolean): DatasetSpec {
  if (text === 'fashion-mnist') return { kind: 'fashion-mnist', queries, allowInstall };
  if (text === 'synthetic' || text.startsWith('synthetic:')) {
    const spec: SyntheticSpec = { n: 100_000, dim: 128, clusters: 100, seed: 1, queries };
    for (const part of text.slice('synthetic:'.length).split(',').filter((p) => p.length > 0)) {
      const [key, value] = part.split('=');
      const num = Number(value);
      if (!Number.isInteger(num) || num <= 0) throw new Error(`bad synthetic parameter '${part}'`);
      if (key === 'n') spec.n = num;
      else if (key === 'd' || key === 'dim') spec.dim = num;
      else if (key === 'clusters' || key === 'c') spec.clusters = num;
      else if (key === 'seed') spec.seed = num;
      else throw new Error(`unknown synthetic parameter '${key}' (use n, d, clusters, seed)`);
    }
    return { kind: 'synthetic', ...spec };
  }
  throw new Error(`unknown dataset '${text}' (use fashion-mnist or synthetic:n=…,d=…)`);
}

export function selColumn(n: number): Int32Array {
  const sel = new Int32Array(n);
  for (let i = 0; i < n; i++) sel[i] = mix32(i) % SEL_RANGE;
  return sel;
}

function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function readF32(path: string): Float32Array {
  const buf = readFileSync(path);
  // copy into a fresh, aligned buffer starting at offset 0
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function splitRows(m: Float32Array, dim: number, count: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) out.push(m.slice(i * dim, (i + 1) * dim));
  return out;
}

// ---------------------------------------------------------------- synthetic

/**
 * Clustered Gaussian: `clusters` centres drawn from N(0, 1)^d, each point a centre plus
 * N(0, 0.35²)^d noise. Queries come from the same mixture with a different stream.
 */
export function generateSynthetic(spec: SyntheticSpec): { train: Float32Array; queries: Float32Array } {
  const { n, dim, clusters, seed } = spec;
  const g = gaussian(seededRandom(seed));
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = g();
  const sample = (count: number, streamSeed: number): Float32Array => {
    const pick = seededRandom(streamSeed);
    const noise = gaussian(seededRandom(streamSeed ^ 0x9e3779b9));
    const out = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) {
      const c = Math.floor(pick() * clusters);
      for (let j = 0; j < dim; j++) out[r * dim + j] = centres[c * dim + j]! + 0.35 * noise();
    }
    return out;
  };
  return { train: sample(n, seed * 7 + 1), queries: sample(spec.queries, seed * 7 + 2) };
}

/**
 * The cluster of each generated row mod 10 (train, then queries): the same pick stream
 * generateSynthetic draws from, replayed without the noise, so cached data gets its labels
 * without being generated again.
 */
export function syntheticLabels(spec: SyntheticSpec): { train: Int32Array; queries: Int32Array } {
  const picks = (count: number, streamSeed: number): Int32Array => {
    const pick = seededRandom(streamSeed);
    const out = new Int32Array(count);
    for (let r = 0; r < count; r++) out[r] = Math.floor(pick() * spec.clusters) % 10;
    return out;
  };
  return { train: picks(spec.n, spec.seed * 7 + 1), queries: picks(spec.queries, spec.seed * 7 + 2) };
}

function loadSynthetic(spec: SyntheticSpec, cacheDir: string): Dataset {
  const id = `synthetic-n${spec.n}-d${spec.dim}-c${spec.clusters}-s${spec.seed}`;
  const trainPath = join(cacheDir, `${id}.train.f32`);
  const queryPath = join(cacheDir, `${id}.q${spec.queries}.f32`);
  let train: Float32Array;
  let queries: Float32Array;
  if (existsSync(trainPath) && existsSync(queryPath)) {
    train = readF32(trainPath);
    queries = readF32(queryPath);
  } else {
    log(`dataset: generating ${id} (${spec.n} × ${spec.dim}, ${spec.clusters} clusters, seed ${spec.seed})`);
    ({ train, queries } = generateSynthetic(spec));
    // tiny data sets are cheaper to regenerate than to cache
    if (spec.n * spec.dim >= 1_000_000) {
      writeAtomic(trainPath, f32Bytes(train));
      writeAtomic(queryPath, f32Bytes(queries));
    }
  }
  return {
    id,
    description: `synthetic clustered Gaussian, ${spec.n} × ${spec.dim}, ${spec.clusters} clusters, seed ${spec.seed}`,
    dim: spec.dim,
    n: spec.n,
    train,
    queries: splitRows(queries, spec.dim, spec.queries),
    sel: selColumn(spec.n),
    ...(() => {
      const l = syntheticLabels(spec);
      return { labels: l.train, queryLabels: l.queries };
    })(),
  };
}

// ---------------------------------------------------------------- Fashion-MNIST

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Reads an IDX3 (images) file, gzip'd: magic 0x00000803, count, rows, cols, then u8 pixels. */
export function parseIdxImages(gz: Buffer): { count: number; dim: number; pixels: Uint8Array } {
  const raw = gunzipSync(gz);
  const magic = raw.readUInt32BE(0);
  if (magic !== 0x00000803) throw new Error(`not an IDX3 image file (magic 0x${magic.toString(16)})`);
  const count = raw.readUInt32BE(4);
  const dim = raw.readUInt32BE(8) * raw.readUInt32BE(12);
  if (raw.length !== 16 + count * dim) throw new Error(`IDX3 size mismatch: ${raw.length} bytes for ${count} × ${dim}`);
  return { count, dim, pixels: raw.subarray(16) };
}

/** Reads an IDX1 (labels) file, gzip'd: magic 0x00000801, count, then one u8 per item. */
export function parseIdxLabels(gz: Buffer): Int32Array {
  const raw = gunzipSync(gz);
  const magic = raw.readUInt32BE(0);
  if (magic !== 0x00000801) throw new Error(`not an IDX1 label file (magic 0x${magic.toString(16)})`);
  const count = raw.readUInt32BE(4);
  if (raw.length !== 8 + count) throw new Error(`IDX1 size mismatch: ${raw.length} bytes for ${count} labels`);
  return Int32Array.from(raw.subarray(8));
}

/** Fashion-MNIST's class labels (train rows, first `queries` test images), when the package has them. */
function fashionMnistLabels(n: number, queries: number): { labels?: Int32Array; queryLabels?: Int32Array } {
  try {
    const train = parseIdxLabels(readFileSync(join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz')));
    const test = parseIdxLabels(readFileSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')));
    if (train.length !== n || test.length < queries) return {};
    return { labels: train, queryLabels: test.slice(0, queries) };
  } catch {
    return {}; // converted images cached, package since removed: no label filters
  }
}

/** Makes sure the Debian package is there; returns an explanation when it is not. */
function ensureFashionMnist(allowInstall: boolean): string | undefined {
  const files = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'];
  const present = () => files.every((f) => existsSync(join(FASHION_MNIST_DIR, f)));
  if (present()) return undefined;
  if (!allowInstall) return 'package dataset-fashion-mnist is not installed (and --no-install was given)';
  if (process.getuid?.() !== 0) return 'package dataset-fashion-mnist is not installed and we are not root (apt-get install -y dataset-fashion-mnist)';
  log('dataset: installing the Debian package dataset-fashion-mnist with apt-get …');
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'dataset-fashion-mnist'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    });
  } catch (e) {
    return `apt-get install dataset-fashion-mnist failed: ${(e as Error).message.split('\n')[0]}`;
  }
  return present() ? undefined : 'apt-get finished but the Fashion-MNIST files are still missing';
}

function loadFashionMnist(queryCount: number, cacheDir: string, allowInstall: boolean): Dataset | string {
  const id = 'fashion-mnist';
  const trainPath = join(cacheDir, `${id}.train.f32`);
  const testPath = join(cacheDir, `${id}.test.f32`);
  const dim = 784;
  if (!existsSync(trainPath) || !existsSync(testPath)) {
    const why = ensureFashionMnist(allowInstall);
    if (why !== undefined) return why;
    log('dataset: converting Fashion-MNIST to float32 (once; cached in bench/cache/)');
    for (const [src, dst] of [
      ['train-images-idx3-ubyte.gz', trainPath],
      ['t10k-images-idx3-ubyte.gz', testPath],
    ] as const) {
      const { count, dim: d, pixels } = parseIdxImages(readFileSync(join(FASHION_MNIST_DIR, src)));
      if (d !== dim) throw new Error(`Fashion-MNIST ${src}: expected 784 pixels per image, got ${d}`);
      const f = new Float32Array(count * d);
      for (let i = 0; i < f.length; i++) f[i] = pixels[i]!;
      writeAtomic(dst, f32Bytes(f));
    }
  }
  const train = readF32(trainPath);
  const test = readF32(testPath);
  const n = train.length / dim;
  const nq = Math.min(queryCount, test.length / dim);
  return {
    id,
    description: `Fashion-MNIST (Debian dataset-fashion-mnist): ${n} train × ${dim} (raw pixels 0–255), first ${nq} of the 10k test images as queries`,
    dim,
    n,
    train,
    queries: splitRows(test, dim, nq),
    sel: selColumn(n),
    ...fashionMnistLabels(n, nq),
  };
}

export function loadDataset(spec: DatasetSpec, cacheDir: string, fallback: SyntheticSpec): Dataset {
  mkdirSync(cacheDir, { recursive: true });
  if (spec.kind === 'synthetic') return loadSynthetic(spec, cacheDir);
  const ds = loadFashionMnist(spec.queries, cacheDir, spec.allowInstall);
  if (typeof ds !== 'string') return ds;
  log(`dataset: Fashion-MNIST unavailable (${ds}); falling back to synthetic ${fallback.n} × ${fallback.dim}`);
  return loadSynthetic(fallback, cacheDir);
}

// ---------------------------------------------------------------- ground truth

/** Exact top-k: ids (row numbers = primary keys) and distances in usearch's metric. */
export interface GroundTruth {
  k: number;
  ids: Uint32Array; // queries × k
  distances: Float32Array; // queries × k
}

function exactTopK(base: Float32Array, dim: number, queries: readonly Float32Array[], k: number, metric: Metric): GroundTruth {
  const nq = queries.length;
  const qm = new Float32Array(nq * dim);
  queries.forEach((q, i) => qm.set(q, i * dim));
  const count = base.length / dim;
  const kk = Math.min(k, count);
  const ids = new Uint32Array(nq * k).fill(0xffffffff);
  const distances = new Float32Array(nq * k).fill(Infinity);
  if (kk === 0) return { k, ids, distances };
  const res = exactSearch(base, qm, dim, kk, USEARCH_METRIC[metric], 0);
  // one query gets a single result (no counts), laid out like a batch of one
  if (!('counts' in res) && nq !== 1) throw new Error('usearch.exactSearch returned a single result for a batch');
  for (let q = 0; q < nq; q++) {
    for (let j = 0; j < kk; j++) {
      ids[q * k + j] = Number(res.keys[q * kk + j]!);
      distances[q * k + j] = res.distances[q * kk + j]!;
    }
  }
  return { k, ids, distances };
}

function cachedTruth(cacheDir: string, name: string, nq: number, k: number, compute: () => GroundTruth): GroundTruth {
  const path = join(cacheDir, `${name}.gt`);
  if (existsSync(path)) {
    const buf = readFileSync(path);
    if (buf.length === nq * k * 8) {
      const ids = new Uint32Array(nq * k);
      new Uint8Array(ids.buffer).set(buf.subarray(0, nq * k * 4));
      const distances = new Float32Array(nq * k);
      new Uint8Array(distances.buffer).set(buf.subarray(nq * k * 4));
      return { k, ids, distances };
    }
  }
  const gt = compute();
  const out = new Uint8Array(nq * k * 8);
  out.set(new Uint8Array(gt.ids.buffer), 0);
  out.set(new Uint8Array(gt.distances.buffer), nq * k * 4);
  writeAtomic(path, out);
  return gt;
}

/** Unfiltered exact neighbours of every query. */
export function groundTruth(ds: Dataset, metric: Metric, k: number, cacheDir: string): GroundTruth {
  const name = `${ds.id}-${metric}-q${ds.queries.length}-k${k}`;
  return cachedTruth(cacheDir, name, ds.queries.length, k, () => exactTopK(ds.train, ds.dim, ds.queries, k, metric));
}

/**
 * Exact neighbours of each query among a subset of rows: `groups` lists row subsets
 * (primary keys, ascending) and the queries searched in each; every query in one group.
 * Cached under `name`.
 */
export function subsetGroundTruth(
  ds: Dataset,
  metric: Metric,
  k: number,
  name: string,
  groups: readonly { rows: Uint32Array; queries: readonly number[] }[],
  cacheDir: string,
): GroundTruth {
  const nq = ds.queries.length;
  return cachedTruth(cacheDir, `${ds.id}-${metric}-q${nq}-k${k}-${name}`, nq, k, () => {
    const ids = new Uint32Array(nq * k).fill(0xffffffff);
    const distances = new Float32Array(nq * k).fill(Infinity);
    for (const { rows, queries } of groups) {
      if (queries.length === 0) continue;
      const subset = new Float32Array(rows.length * ds.dim);
      rows.forEach((r, i) => subset.set(ds.train.subarray(r * ds.dim, (r + 1) * ds.dim), i * ds.dim));
      const gt = exactTopK(subset, ds.dim, queries.map((q) => ds.queries[q]!), k, metric);
      queries.forEach((q, gi) => {
        for (let j = 0; j < k; j++) {
          const id = gt.ids[gi * k + j]!;
          ids[q * k + j] = id === 0xffffffff ? id : rows[id]!;
          distances[q * k + j] = gt.distances[gi * k + j]!;
        }
      });
    }
    return { k, ids, distances };
  });
}

/** Rows with sel < threshold, i.e. what `WHERE sel < threshold` matches. */
export function matchingRows(ds: Dataset, threshold: number): Uint32Array {
  let m = 0;
  for (let i = 0; i < ds.n; i++) if (ds.sel[i]! < threshold) m++;
  const rows = new Uint32Array(m);
  let j = 0;
  for (let i = 0; i < ds.n; i++) if (ds.sel[i]! < threshold) rows[j++] = i;
  return rows;
}

/** Exact neighbours among the rows matching `sel < threshold`. */
export function filteredGroundTruth(ds: Dataset, metric: Metric, k: number, threshold: number, cacheDir: string): GroundTruth {
  const name = `${ds.id}-${metric}-q${ds.queries.length}-k${k}-sel${threshold}`;
  return cachedTruth(cacheDir, name, ds.queries.length, k, () => {
    const rows = matchingRows(ds, threshold);
    const subset = new Float32Array(rows.length * ds.dim);
    rows.forEach((r, i) => subset.set(ds.train.subarray(r * ds.dim, (r + 1) * ds.dim), i * ds.dim));
    const gt = exactTopK(subset, ds.dim, ds.queries, k, metric);
    for (let i = 0; i < gt.ids.length; i++) if (gt.ids[i] !== 0xffffffff) gt.ids[i] = rows[gt.ids[i]!]!;
    return gt;
  });
}

/** Distance in usearch's convention (l2sq, 1 − cos, 1 − dot); smaller is nearer. */
export function distance(metric: Metric, a: Float32Array, b: Float32Array): number {
  let dot = 0;
  if (metric === 'l2') {
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      const d = a[i]! - b[i]!;
      s += d * d;
    }
    return s;
  }
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (metric === 'ip') return 1 - dot;
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  return denom === 0 ? 1 : 1 - dot / denom;
}

/**
 * recall@k of one answer, tie-aware like ann-benchmarks: a returned row counts when its
 * true distance is within the k-th true neighbour's distance (plus a small tolerance), so
 * duplicate vectors never cost recall. Each row counts once.
 */
export function recallOf(
  ds: Dataset,
  metric: Metric,
  gt: GroundTruth,
  queryIndex: number,
  k: number,
  returned: readonly number[],
  allowed: (id: number) => boolean = () => true,
): number {
  const expected = Math.min(k, gt.k);
  let available = 0;
  for (let j = 0; j < expected; j++) if (gt.ids[queryIndex * gt.k + j] !== 0xffffffff) available++;
  if (available === 0) return 1;
  const kth = gt.distances[queryIndex * gt.k + available - 1]!;
  const tolerance = 1e-4 * Math.max(1, Math.abs(kth));
  const q = ds.queries[queryIndex]!;
  const seen = new Set<number>();
  let hits = 0;
  for (const id of returned.slice(0, expected)) {
    if (seen.has(id) || !Number.isInteger(id) || id < 0 || id >= ds.n || !allowed(id)) continue;
    seen.add(id);
    const d = distance(metric, q, ds.train.subarray(id * ds.dim, (id + 1) * ds.dim));
    if (d <= kth + tolerance) hits++;
  }
  return hits / available;
}
