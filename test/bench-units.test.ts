/**
 * Unit tests of the benchmark harness's pieces that must be exactly right for the numbers
 * to mean anything: the binary COPY bytes, the recall computation, percentiles, the data.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { copyHeader, copyTrailer, encodeRows, tupleSize } from '../bench/copy-binary.js';
import { distance, generateSynthetic, parseDatasetSpec, parseIdxImages, recallOf, selColumn, type Dataset, type GroundTruth } from '../bench/dataset.js';
import { qpsAtRecall, renderSvg, renderTable, type BenchResult } from '../bench/report.js';
import { listeningPort } from '../bench/targets.js';
import { defaultConfig } from '../bench/config.js';
import { float4Text, percentile, summarizeLatencies, vectorText } from '../bench/util.js';

test('binary COPY: header, one tuple (int8, int4, vector) and trailer byte for byte', () => {
  assert.deepEqual([...copyHeader()], [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...copyTrailer()], [0xff, 0xff]);
  const vectors = new Float32Array([9, 9, 1.5, -2]);
  const sel = new Int32Array([7, 300]);
  const b = encodeRows(vectors, 2, sel, 1, 2);
  assert.equal(b.length, tupleSize(2));
  const expected = Buffer.concat([
    Buffer.from([0, 3]), // 3 fields
    Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]), // id = 1
    Buffer.from([0, 0, 0, 4, 0, 0, 0x01, 0x2c]), // sel = 300
    Buffer.from([0, 0, 0, 12, 0, 2, 0, 0]), // vector: len 12, dim 2, unused 0
    Buffer.from([0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]), // 1.5, -2 as float4 BE
  ]);
  assert.deepEqual(b, expected);
});

test('float4Text and vectorText are short and read back to the same float4', () => {
  for (const v of [0.1, 1 / 3, -123.456, 1e-20, 3.4e38, 255, 0]) {
    const f = Math.fround(v);
    assert.equal(Math.fround(Number(float4Text(f))), f, `round trip of ${v}`);
  }
  assert.equal(float4Text(Math.fround(0.1)), '0.1');
  assert.equal(vectorText(new Float32Array([1, 2.5, -3])), '[1,2.5,-3]');
});

test('percentile is nearest-rank; summary rounds', () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(s, 50), 50);
  assert.equal(percentile(s, 95), 95);
  assert.equal(percentile(s, 99), 99);
  assert.equal(percentile([5], 99), 5);
  assert.deepEqual(summarizeLatencies([3, 1, 2]), { p50Ms: 2, p95Ms: 3, p99Ms: 3, meanMs: 2 });
});

function tinyDataset(): Dataset {
  // rows 0 and 1 are duplicates: a tie at the k-th place must not cost recall
  const train = new Float32Array([0, 0, 0, 0, 1, 0, 5, 5]);
  return { id: 'tiny', description: 'tiny', dim: 2, n: 4, train, queries: [new Float32Array([0.1, 0])], sel: new Int32Array([0, 1, 2, 3]) };
}

test('recall is tie-aware, counts each row once and honours the filter', () => {
  const ds = tinyDataset();
  const gt: GroundTruth = { k: 2, ids: new Uint32Array([0, 1]), distances: new Float32Array([distance('l2', ds.queries[0]!, ds.train.subarray(0, 2)), distance('l2', ds.queries[0]!, ds.train.subarray(0, 2))]) };
  assert.equal(recallOf(ds, 'l2', gt, 0, 2, [1, 0]), 1);
  assert.equal(recallOf(ds, 'l2', gt, 0, 2, [0, 0]), 0.5, 'a duplicate id counts once');
  assert.equal(recallOf(ds, 'l2', gt, 0, 2, [0, 2]), 0.5, 'row 2 is farther than the 2nd neighbour');
  assert.equal(recallOf(ds, 'l2', gt, 0, 2, [0]), 0.5, 'missing rows cost recall');
  assert.equal(recallOf(ds, 'l2', gt, 0, 2, [0, 1], (id) => id !== 1), 0.5, 'a row that fails the filter is wrong');
});

test('distances follow usearch conventions (l2sq, 1 - cos, 1 - dot)', () => {
  const a = new Float32Array([1, 0]);
  const b = new Float32Array([0, 2]);
  assert.equal(distance('l2', a, b), 5);
  assert.equal(distance('cosine', a, b), 1);
  assert.equal(distance('ip', a, new Float32Array([3, 1])), -2);
});

test('synthetic data is deterministic per seed and the filter column has the advertised selectivity', () => {
  const spec = { n: 200, dim: 8, clusters: 4, seed: 3, queries: 5 };
  const a = generateSynthetic(spec);
  const b = generateSynthetic(spec);
  assert.deepEqual(a.train, b.train);
  assert.deepEqual(a.queries, b.queries);
  assert.notDeepEqual(generateSynthetic({ ...spec, seed: 4 }).train, a.train);
  const sel = selColumn(100_000);
  const frac = (t: number) => sel.filter((s) => s < t).length / sel.length;
  assert.ok(Math.abs(frac(500) - 0.5) < 0.01);
  assert.ok(Math.abs(frac(10) - 0.01) < 0.002);
  assert.ok(frac(1) > 0.0005 && frac(1) < 0.0015);
});

test('dataset specs parse; bad ones are refused', () => {
  assert.deepEqual(parseDatasetSpec('synthetic:n=1000000,d=128', 50, true), { kind: 'synthetic', n: 1_000_000, dim: 128, clusters: 100, seed: 1, queries: 50 });
  assert.deepEqual(parseDatasetSpec('fashion-mnist', 10, false), { kind: 'fashion-mnist', queries: 10, allowInstall: false });
  assert.throws(() => parseDatasetSpec('synthetic:x=1', 1, true), /unknown synthetic parameter/);
  assert.throws(() => parseDatasetSpec('mnist', 1, true), /unknown dataset/);
});

test('IDX3 image files parse (as in the Fashion-MNIST package)', () => {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(1, 8);
  head.writeUInt32BE(3, 12);
  const r = parseIdxImages(gzipSync(Buffer.concat([head, Buffer.from([1, 2, 3, 4, 5, 6])])));
  assert.equal(r.count, 2);
  assert.equal(r.dim, 3);
  assert.deepEqual([...r.pixels], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseIdxImages(gzipSync(Buffer.alloc(16))), /not an IDX3/);
});

test('the listening line is found in Quiver log output', () => {
  assert.equal(listeningPort('{"level":30,"msg":"listening","host":"127.0.0.1","port":40123}'), 40123);
  assert.equal(listeningPort('{"msg":"server listening","port":5}'), 5);
  assert.equal(listeningPort('{"msg":"starting","port":5}'), undefined);
});

test('report: ratio column says how many times better the first target is', () => {
  const cfg = defaultConfig(true);
  const stats = (qps: number, recall: number) => ({
    status: 'ok' as const, label: 'x', metric: 'l2' as const, k: 10, efSearch: 40, connections: 1, selectivity: null, matchingRows: null, sql: '',
    queries: 10, seconds: 1, qps, recall, meanRows: 10, minRows: 10, shortQueries: 0, p50Ms: 1000 / qps, p95Ms: 1, p99Ms: 2, meanMs: 1,
  });
  const target = (name: string, qps: number) => ({
    name, kind: 'postgres' as const, url: '', serverVersion: null, startSeconds: null, status: 'ok' as const, setup: { status: 'ok' as const },
    loads: [], exact: null, knnPlan: null, indexUsed: null, indexBuilds: [{ status: 'ok' as const, metric: 'l2' as const, seconds: qps === 200 ? 5 : 10, sql: '' }],
    knn: [stats(qps, 0.99)], concurrent: null, filtered: [], efSweep: [{ ...stats(qps, 0.95) }],
    memory: { status: 'skipped' as const }, dataSize: { status: 'skipped' as const }, restart: { status: 'skipped' as const },
  });
  const r: BenchResult = {
    version: 1, startedAt: '', finishedAt: '', command: '', machine: { nproc: 2, cpuModel: 'cpu', memTotalBytes: 1, node: 'v20', platform: 'linux', kernel: '6' },
    dataset: { id: 'd', description: 'd', n: 10, dim: 2, queries: 1 }, config: { ...cfg, metrics: ['l2'], ks: [10], efSweep: [40] },
    targets: [target('quiver', 200), target('postgres', 100)], ceiling: null,
  };
  const table = renderTable(r);
  assert.match(table, /\| k-NN l2 k=10 ef_search=40: QPS \(recall@10\) \| 200 \(0\.990\) \| 100 \(0\.990\) \| 2\.00× \|/);
  assert.match(table, /\| HNSW build l2 .*\| 5\.00 \| 10\.0 \| 2\.00× \|/, 'for times, lower is better');
  const svg = renderSvg(r);
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
});

test('report: QPS at a recall level is interpolated between the sweep points around it', () => {
  // pgvector-like sweep: ef 10 → 0.95 at 2000 QPS, ef 20 → 0.99 at 1400, ef 40 → 0.997 at 1000
  const sweep = [{ recall: 0.95, qps: 2000 }, { recall: 0.99, qps: 1400 }, { recall: 0.997, qps: 1000 }];
  assert.deepEqual(qpsAtRecall(sweep, 0.99), { qps: 1400, interpolated: true }, 'a point exactly at the level');
  const at995 = qpsAtRecall(sweep, 0.995)!;
  assert.ok(at995.interpolated);
  assert.ok(Math.abs(at995.qps - (1400 + (5 / 7) * (1000 - 1400))) < 1e-9, `${at995.qps}`);
  const at97 = qpsAtRecall(sweep, 0.97)!;
  assert.ok(Math.abs(at97.qps - 1700) < 1e-9, `${at97.qps}`);
  assert.deepEqual(qpsAtRecall(sweep, 0.9), { qps: 2000, interpolated: false }, 'below the sweep: the fastest point, flagged');
  assert.equal(qpsAtRecall(sweep, 0.999), undefined, 'never reached');
  // noise: a higher ef measured faster than the interpolation gives → at least that
  assert.equal(qpsAtRecall([{ recall: 0.98, qps: 500 }, { recall: 0.992, qps: 900 }], 0.99)!.qps, 900);
  // order of the points does not matter
  assert.deepEqual(qpsAtRecall([...sweep].reverse(), 0.97), at97);
});

test('report: QPS-at-recall rows in the table, with the ratio', () => {
  const cfg = defaultConfig(true);
  const point = (ef: number, recall: number, qps: number) => ({
    status: 'ok' as const, label: 'x', metric: 'l2' as const, k: 10, efSearch: ef, connections: 1, selectivity: null, matchingRows: null, sql: '',
    queries: 10, seconds: 1, qps, recall, meanRows: 10, minRows: 10, shortQueries: 0, p50Ms: 1, p95Ms: 1, p99Ms: 2, meanMs: 1,
  });
  const target = (name: string, efSweep: ReturnType<typeof point>[]) => ({
    name, kind: 'postgres' as const, url: '', serverVersion: null, startSeconds: null, status: 'ok' as const, setup: { status: 'ok' as const },
    loads: [], exact: null, knnPlan: null, indexUsed: null, indexBuilds: [], knn: [], concurrent: null, filtered: [], efSweep,
    memory: { status: 'skipped' as const }, dataSize: { status: 'skipped' as const }, restart: { status: 'skipped' as const },
  });
  const r: BenchResult = {
    version: 1, startedAt: '', finishedAt: '', command: '', machine: { nproc: 2, cpuModel: 'cpu', memTotalBytes: 1, node: 'v20', platform: 'linux', kernel: '6' },
    dataset: { id: 'd', description: 'd', n: 10, dim: 2, queries: 1 }, config: { ...cfg, metrics: ['l2'], ks: [10], efSweep: [10, 20] },
    targets: [target('quiver', [point(10, 0.98, 3000), point(20, 1.0, 2000)]), target('postgres', [point(10, 0.96, 1200), point(20, 0.994, 1000)])],
    ceiling: null,
  };
  const table = renderTable(r);
  assert.match(table, /\| QPS at recall 0\.99, l2 k=10 \(interpolated on the ef_search sweep\) \| 2,500 \| 1,024 \| 2\.44× \|/);
  assert.match(table, /\| QPS at recall 0\.95, .*\| ≥ 3,000 \(lowest ef above\) \| ≥ 1,200 \(lowest ef above\) \| 2\.50× \|/);
  assert.match(table, /\| QPS at recall 0\.995, .*\| 2,250 \| not reached \(max 0\.994\) \| — \|/);
});
