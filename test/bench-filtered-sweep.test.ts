/**
 * The filtered sweep (`npm run bench -- --filtered-sweep`): the filter design matches each
 * selectivity exactly, the ground truth covers exactly the matching rows, pgvector's best
 * plan is picked at the recall target, the report says which targets hold; and a --quick
 * run against Quiver completes with sane answers (never a speed threshold).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { distance, generateSynthetic, parseIdxLabels, syntheticLabels, type Dataset } from '../bench/dataset.js';
import { designFilters, filterColumns, filterGroundTruth, permutationColumn, rangeThreshold, summarizeFilter, SWEEP_SELECTIVITIES } from '../bench/filter-design.js';
import { bestPlan, renderFilteredSummary, renderFilteredSvg, renderFilteredTable, verdicts } from '../bench/filtered-report.js';
import { defaultFilteredConfig, type FilteredSweepResult, type PlanSettings, type SweepPoint } from '../bench/filtered-sweep.js';

const BENCH_JS = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'bench.js');

function syntheticDataset(n: number, dim: number, clusters: number, queries: number): Dataset {
  const spec = { n, dim, clusters, seed: 5, queries };
  const g = generateSynthetic(spec);
  const l = syntheticLabels(spec);
  const qs: Float32Array[] = [];
  for (let i = 0; i < queries; i++) qs.push(g.queries.slice(i * dim, (i + 1) * dim));
  return { id: `test-n${n}-d${dim}`, description: 'test', dim, n, train: g.train, queries: qs, sel: new Int32Array(n), labels: l.train, queryLabels: l.queries };
}

test('f is a seeded permutation: f < T matches exactly T rows at every VectorDBBench selectivity', () => {
  const n = 60_000; // Fashion-MNIST's train size
  const f = permutationColumn(n);
  assert.deepEqual([...f].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'each value once');
  assert.deepEqual(permutationColumn(n), f, 'deterministic');
  assert.notDeepEqual(permutationColumn(n, 7), f, 'the seed matters');
  assert.deepEqual(SWEEP_SELECTIVITIES.map((s) => rangeThreshold(n, s)), [60, 120, 300, 600, 1200, 3000, 6000, 12000, 30000]);
  const ds = { n, queries: [new Float32Array(1)], labels: undefined } as unknown as Dataset;
  const filters = designFilters(ds, { f, label: new Int32Array(n), hasLabels: false }, SWEEP_SELECTIVITIES, true);
  assert.equal(filters.length, SWEEP_SELECTIVITIES.length, 'no label filters without classes');
  filters.forEach((fc, i) => {
    const t = rangeThreshold(n, SWEEP_SELECTIVITIES[i]!);
    assert.equal(fc.where, `f < ${t}`);
    assert.equal(fc.rowsFor(0).length, t);
    assert.equal(f.filter((v) => v < t).length, t, 'what the SQL matches');
    assert.equal(fc.selectivity, SWEEP_SELECTIVITIES[i]);
    for (const id of fc.rowsFor(0)) assert.ok(fc.allows(0, id));
  });
  // uncorrelated with the row order (and so with the data): 0.1 % is spread over the table
  const rows = filters[0]!.rowsFor(0);
  assert.ok(rows[rows.length - 1]! - rows[0]! > n / 2, 'not a contiguous block');
  const firstHalf = [...filters[8]!.rowsFor(0)].filter((r) => r < n / 2).length;
  assert.ok(Math.abs(firstHalf - 15_000) < 600, `50 % filter: ${firstHalf} of its rows in the first half`);
  // a tiny table still matches at least one row
  assert.equal(rangeThreshold(500, 0.001), 1);
});

test('class filters: label = 3 and the query own class, correlated with the vectors', () => {
  const ds = syntheticDataset(2000, 8, 10, 20);
  const cols = filterColumns(ds);
  assert.ok(cols.hasLabels);
  const filters = designFilters(ds, cols, [0.01], true);
  assert.deepEqual(filters.map((f) => f.id), ['f<20', 'label=3', 'label=own']);
  const fixed = filters[1]!;
  assert.equal(fixed.rowsFor(0).length, ds.labels!.filter((l) => l === 3).length);
  assert.ok(fixed.selectivity > 0.05 && fixed.selectivity < 0.15, `${fixed.selectivity}`);
  const own = filters[2]!;
  assert.equal(own.where, 'label = $2');
  for (let q = 0; q < ds.queries.length; q++) {
    assert.deepEqual(own.params(q), [ds.queryLabels![q]]);
    assert.equal(own.literalWhere(q), `label = ${ds.queryLabels![q]}`);
    assert.ok(own.rowsFor(q).every((id) => ds.labels![id] === ds.queryLabels![q]));
  }
  // the labels are the generator's clusters: a row's nearest other row is nearly always in its class
  let same = 0;
  for (let i = 0; i < 200; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < ds.n; j++) {
      if (j === i) continue;
      const d = distance('l2', ds.train.subarray(i * 8, i * 8 + 8), ds.train.subarray(j * 8, j * 8 + 8));
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (ds.labels![best] === ds.labels![i]) same++;
  }
  assert.ok(same >= 190, `${same}/200 nearest neighbours share the class`);
  const s = summarizeFilter(own, ds.queries.length);
  assert.ok(s.minMatching <= s.maxMatching && s.minMatching > 0);
  assert.equal(summarizeFilter(fixed, 3).minMatching, summarizeFilter(fixed, 3).maxMatching);
});

test('filtered ground truth is exact search over exactly the matching rows', () => {
  const ds = syntheticDataset(1500, 6, 10, 12);
  const cache = mkdtempSync(join(tmpdir(), 'quiver-fgt-'));
  try {
    for (const fc of designFilters(ds, filterColumns(ds), [0.005, 0.2], true)) {
      const gt = filterGroundTruth(ds, fc, 'l2', 10, cache);
      for (let q = 0; q < ds.queries.length; q++) {
        const brute = [...fc.rowsFor(q)]
          .map((id) => ({ id, d: distance('l2', ds.queries[q]!, ds.train.subarray(id * 6, id * 6 + 6)) }))
          .sort((a, b) => a.d - b.d)
          .slice(0, 10);
        const got = [...gt.ids.subarray(q * 10, q * 10 + 10)].filter((id) => id !== 0xffffffff);
        assert.equal(got.length, Math.min(10, fc.rowsFor(q).length), `${fc.id} q${q}: as many as match`);
        assert.ok(got.every((id) => fc.allows(q, id)), `${fc.id} q${q}: only matching rows`);
        got.forEach((id, j) => assert.ok(Math.abs(distance('l2', ds.queries[q]!, ds.train.subarray(id * 6, id * 6 + 6)) - brute[j]!.d) < 1e-3, `${fc.id} q${q} #${j}`));
      }
      assert.deepEqual(filterGroundTruth(ds, fc, 'l2', 10, cache), gt, 'read back from the cache');
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('IDX1 label files parse (as in the Fashion-MNIST package)', () => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x801, 0);
  head.writeUInt32BE(3, 4);
  assert.deepEqual([...parseIdxLabels(gzipSync(Buffer.concat([head, Buffer.from([9, 0, 3])])))], [9, 0, 3]);
  assert.throws(() => parseIdxLabels(gzipSync(Buffer.alloc(8))), /not an IDX1/);
});

// ---------------------------------------------------------------- report on fake data

const plan = (family: PlanSettings['family'], ef: number | null): PlanSettings => ({
  family,
  iterativeScan: family === 'default' ? null : family === 'off' ? 'off' : 'relaxed_order',
  efSearch: ef,
  forceIndex: family === 'relaxed_order, index forced',
});

function point(filter: string, p: PlanSettings, qps: number, recall: number, extra: Partial<SweepPoint> = {}): SweepPoint {
  return {
    status: 'ok', filter, plan: p, sql: '', explain: '', usesVectorIndex: true,
    queries: 200, seconds: 200 / qps, qps, recall, meanRows: 10, minRows: 10, shortQueries: 0, p50Ms: 1000 / qps, p95Ms: 1, p99Ms: 2, meanMs: 1, ...extra,
  };
}

function fakeResult(): FilteredSweepResult {
  const cfg = defaultFilteredConfig(false);
  const filters = [
    { id: 'f<60', kind: 'range' as const, correlated: false, where: 'f < 60', selectivity: 0.001, minMatching: 60, maxMatching: 60 },
    { id: 'f<6000', kind: 'range' as const, correlated: false, where: 'f < 6000', selectivity: 0.1, minMatching: 6000, maxMatching: 6000 },
    { id: 'label=own', kind: 'label-own' as const, correlated: true, where: 'label = $2', selectivity: 0.1, minMatching: 6000, maxMatching: 6000 },
  ];
  const target = (name: 'quiver' | 'postgres', points: SweepPoint[]) => ({ name, kind: name, url: '', serverVersion: null, status: 'ok' as const, steps: [], points });
  return {
    kind: 'filtered-sweep', version: 1, startedAt: '', finishedAt: '', command: 'npm run bench -- --filtered-sweep --compare',
    machine: { nproc: 2, cpuModel: 'cpu', memTotalBytes: 1, node: 'v20', platform: 'linux', kernel: '6' }, loadAverage: { start: 0.5, end: 1.25 },
    dataset: { id: 'fashion-mnist', description: 'Fashion-MNIST', n: 60000, dim: 784, queries: 200 }, config: cfg, filters,
    targets: [
      target('quiver', [
        point('f<60', plan('default', null), 2500, 1),
        point('f<6000', plan('default', null), 3000, 0.99, { shortQueries: 2, minRows: 7 }),
        point('label=own', plan('default', null), 1500, 0.97),
      ]),
      target('postgres', [
        // exact plan at 0.1 %: the planner's bitmap scan, recall 1.0
        point('f<60', plan('off', 40), 1200, 1, { usesVectorIndex: false }),
        point('f<60', plan('relaxed_order', 40), 1150, 1, { usesVectorIndex: false }),
        // 10 %: post-filtering loses rows at ef 40, fixed at ef 200; relaxed_order is faster at the target
        point('f<6000', plan('off', 40), 2000, 0.55, { shortQueries: 180, minRows: 2 }),
        point('f<6000', plan('off', 100), 1300, 0.93),
        point('f<6000', plan('off', 200), 900, 0.98),
        point('f<6000', plan('relaxed_order', 40), 1100, 0.96),
        point('f<6000', { ...plan('relaxed_order', 40), forceIndex: true, family: 'relaxed_order, index forced' }, 0, 0, { status: 'skipped', queries: 0 }),
        point('label=own', plan('off', 40), 900, 0.94),
        point('label=own', plan('off', 100), 700, 0.99),
        point('label=own', plan('relaxed_order', 40), 1000, 0.9),
        point('label=own', plan('relaxed_order', 100), 600, 0.97),
        point('label=own', plan('relaxed_order', 400), 5000, 1, { status: 'unsupported', error: 'timeout' }),
      ]),
    ],
  };
}

test('best plan: the fastest point at recall ≥ 0.95 over both iterative_scan modes and every ef_search', () => {
  const r = fakeResult();
  const pg = r.targets[1]!.points;
  assert.equal(bestPlan(pg.filter((p) => p.filter === 'f<6000'), 0.95)!.plan.family, 'relaxed_order');
  assert.equal(bestPlan(pg.filter((p) => p.filter === 'f<6000'), 0.95)!.qps, 1100, 'not the faster ef 40 off point at recall 0.55');
  const own = bestPlan(pg.filter((p) => p.filter === 'label=own'), 0.95)!;
  assert.deepEqual([own.plan.family, own.plan.efSearch, own.qps], ['off', 100, 700], 'an unsupported point never wins');
  assert.equal(bestPlan(pg.filter((p) => p.filter === 'f<6000'), 0.99), undefined, 'none reaches the level');
  const v = verdicts(r);
  assert.deepEqual(v.map((x) => (x.ratio === null ? null : Number(x.ratio.toFixed(3)))), [2.083, 2.727, 2.143]);
  assert.deepEqual(v.map((x) => x.met), [true, false, true]);
  assert.deepEqual(v[1]!.reasons, ['2 queries with < 10 rows']);
  assert.equal(v[1]!.byFamily.get('off')!.plan.efSearch, 200, 'a family shows its point at the target');
});

test('report: one row per filter with both pgvector modes, the best plan, the ratio and the verdict', () => {
  const r = fakeResult();
  const table = renderFilteredTable(r);
  const lines = table.split('\n');
  assert.equal(lines.length, 2 + r.filters.length);
  assert.match(lines[0]!, /^\| filter \(selectivity\) \| rows matching \| Quiver QPS \(recall\) \| pgvector iterative off \| pgvector relaxed_order \| pgvector best plan at recall ≥ 0\.95 \| Quiver vs best \| targets/);
  assert.equal(lines[2], '| 0.10 % (f < 60) | 60 | 2,500 (1.000) | 1,200 (1.000) — ef 40 | 1,150 (1.000) — ef 40 | 1,200 (1.000) — off, ef 40, exact | 2.08× | met |');
  assert.equal(
    lines[3],
    '| 10.0 % (f < 6000) | 6000 | 3,000 (0.990) ⚠ 2 short | 900 (0.980) — ef 200 | 1,100 (0.960) — ef 40 | 1,100 (0.960) — relaxed_order, ef 40 | 2.73× | not met: 2 queries with < 10 rows |',
  );
  assert.match(lines[4]!, /^\| 10\.0 % \(label = query class, correlated\) \| 6000 \| 1,500 \(0\.970\) \| 700 \(0\.990\) — ef 100 \| 600 \(0\.970\) — ef 100 \| 700 \(0\.990\) — off, ef 100 \| 2\.14× \| met \|$/);
  const summary = renderFilteredSummary(r);
  assert.match(summary, /targets: not met at 1 of 3 filters \(f<6000\)/);
  assert.match(summary, /load average 0\.5 at start, 1\.25 at end/);
  assert.match(summary, /postgres: label=own, relaxed_order: unsupported: timeout/);
  assert.match(summary, /postgres: f<6000, off ef 40: 180\/200 queries returned fewer rows than match/);
  // Quiver alone: no pgvector columns, and "no pgvector run" is not a failure
  const alone = { ...r, targets: [r.targets[0]!] };
  const t2 = renderFilteredTable(alone).split('\n');
  assert.equal(t2[0], '| filter (selectivity) | rows matching | Quiver QPS (recall) | targets (recall ≥ 0.95, 10 rows) |');
  assert.equal(t2[2], '| 0.10 % (f < 60) | 60 | 2,500 (1.000) | met |');
  // a PostgreSQL that could not run is a failure, not a win
  const pgDown = { ...r, targets: [r.targets[0]!, { ...r.targets[1]!, status: 'unsupported' as const, error: 'aborted: connect ECONNREFUSED', points: [] }] };
  assert.deepEqual(verdicts(pgDown).map((v) => v.reasons), [['pgvector not measured'], ['2 queries with < 10 rows', 'pgvector not measured'], ['pgvector not measured']]);
  assert.match(renderFilteredSummary(pgDown), /postgres: .* — aborted: connect ECONNREFUSED/);
});

test('plot: QPS against selectivity on log axes, the range filters only, hollow points below target', () => {
  const svg = renderFilteredSvg(fakeResult());
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 4, 'Quiver, pgvector best, off, relaxed_order');
  assert.equal((svg.match(/<circle /g) ?? []).length, 2 + 2 + 2 + 2, 'two range filters per series');
  assert.equal((svg.match(/<circle [^>]*fill="white"/g) ?? []).length, 1, 'Quiver at 10 % has short answers');
  for (const tick of ['0.1 %', '1 %', '10 %']) assert.ok(svg.includes(`>${tick}</text>`), `x tick ${tick}`);
});

function runHarness(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm run bench -- --filtered-sweep --quick runs against Quiver and answers every filter', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'quiver-fsweep-test-'));
  try {
    const run = await runHarness(['--filtered-sweep', '--quick', '--no-install', '--out', out, '--target', 'quiver']);
    assert.equal(run.code, 0, `harness exited with ${run.code}\n${run.stderr}`);
    assert.match(run.stdout, /\| filter \(selectivity\) \| rows matching \| Quiver QPS \(recall\) \|/);
    const jsonPath = join(out, 'latest-filtered-quick.json');
    assert.ok(existsSync(jsonPath));
    const r = JSON.parse(readFileSync(jsonPath, 'utf8')) as FilteredSweepResult;
    assert.equal(r.kind, 'filtered-sweep');
    assert.equal(r.filters.length, SWEEP_SELECTIVITIES.length + 2, 'nine selectivities and the two class filters');
    const q = r.targets[0]!;
    assert.equal(q.status, 'ok', `Quiver target: ${q.error ?? ''}`);
    assert.ok(q.steps.every((s) => s.status === 'ok'), JSON.stringify(q.steps));
    assert.equal(q.points.length, r.filters.length);
    for (const p of q.points) {
      assert.equal(p.status, 'ok', `${p.filter}: ${p.error ?? ''}`);
      assert.ok(p.queries > 0 && p.qps > 0);
      assert.ok(p.recall >= 0.9, `${p.filter}: recall@10 ${p.recall}`);
      assert.equal(p.shortQueries, 0, `${p.filter}: Quiver returned fewer rows than match`);
    }
    const svg = readFileSync(join(out, 'latest-filtered-quick.svg'), 'utf8');
    assert.equal((svg.match(/<circle /g) ?? []).length, SWEEP_SELECTIVITIES.length);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
