/**
 * Keeps `npm run bench` from rotting: runs the harness in --quick mode end to end
 * (a Quiver server it starts itself, plus $QUIVER_BENCH_PG_URL when set, plus the
 * in-process usearch ceiling), then checks the JSON result's shape and that recall is sane.
 * Never a speed threshold.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from '../bench/report.js';
import type { QueryStats, SqlTargetResult } from '../bench/workload.js';

const BENCH_JS = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'bench.js');

function runHarness(args: string[], script = BENCH_JS): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertQueryShape(s: QueryStats, where: string): void {
  for (const key of ['label', 'metric', 'k', 'queries', 'qps', 'recall', 'meanRows', 'minRows', 'shortQueries'] as const) {
    assert.ok(key in s, `${where}: ${key} missing`);
  }
  if (s.status === 'ok') {
    assert.ok(s.queries > 0, `${where}: no queries ran`);
    assert.ok(s.qps > 0, `${where}: qps`);
    assert.ok(s.recall >= 0 && s.recall <= 1, `${where}: recall in [0, 1]`);
    assert.ok(typeof s.p50Ms === 'number' && typeof s.p99Ms === 'number' && s.p50Ms <= s.p99Ms, `${where}: latency percentiles`);
  } else {
    assert.equal(s.status, 'unsupported');
    assert.ok(typeof s.error === 'string' && s.error.length > 0, `${where}: an unsupported phase says why`);
  }
}

/** Checks one SQL target; returns whether it got as far as indexed queries. */
function checkSqlTarget(t: SqlTargetResult, cfgKs: number[]): boolean {
  assert.ok(['ok', 'unsupported'].includes(t.status));
  if (t.status !== 'ok') {
    assert.ok(t.error && t.error.length > 0, `${t.name}: a failed target says why`);
    return false;
  }
  const main = t.loads.find((l) => l.status === 'ok' && l.rows > 0 && !l.table.endsWith('_ins'));
  assert.ok(main, `${t.name}: the main table was loaded`);
  assert.ok(main.rowsPerSec > 0);
  assert.ok(t.exact, `${t.name}: exact phase ran`);
  assertQueryShape(t.exact, `${t.name} exact`);
  if (t.exact.status === 'ok') {
    assert.ok(t.exact.recall >= 0.9, `${t.name}: exact k-NN recall@10 = ${t.exact.recall}`);
    assert.equal(t.exact.shortQueries, 0, `${t.name}: exact k-NN returned fewer than 10 rows`);
  }
  assert.equal(t.knn.length, 3 * cfgKs.length);
  t.knn.forEach((s) => assertQueryShape(s, `${t.name} ${s.label}`));
  const l2k10 = t.knn.find((s) => s.metric === 'l2' && s.k === 10)!;
  if (l2k10.status === 'ok') assert.ok(l2k10.recall >= 0.9, `${t.name}: indexed l2 recall@10 = ${l2k10.recall}`);
  assert.equal(t.filtered.length, 4);
  t.filtered.forEach((s) => assertQueryShape(s, `${t.name} ${s.label}`));
  assert.ok(t.efSweep.length >= 1);
  t.efSweep.forEach((s) => assertQueryShape(s, `${t.name} ${s.label}`));
  return l2k10.status === 'ok';
}

test('npm run bench -- --quick runs end to end and writes a sane result', { timeout: 180_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'quiver-bench-test-'));
  try {
    const pgUrl = process.env['QUIVER_BENCH_PG_URL'];
    const args = ['--quick', '--no-install', '--out', out, '--target', 'quiver', ...(pgUrl ? ['--target', pgUrl] : [])];
    const run = await runHarness(args);
    assert.equal(run.code, 0, `harness exited with ${run.code}\n${run.stderr}`);
    assert.match(run.stdout, /\| measure \| quiver \|/, 'the side-by-side table is printed');

    const jsonPath = join(out, 'latest-quick.json');
    assert.ok(existsSync(jsonPath), 'JSON result written');
    const r = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchResult;
    assert.equal(r.version, 1);
    assert.equal(r.config.quick, true);
    assert.equal(r.dataset.n, 5000);
    assert.equal(r.dataset.dim, 32);
    assert.ok(r.machine.nproc >= 1 && r.machine.memTotalBytes > 0);
    assert.equal(r.targets.length, pgUrl ? 2 : 1);
    assert.equal(r.targets[0]!.name, 'quiver');

    // Quiver is the product: a target that is not ok (cannot start, load or query) fails the test
    assert.equal(r.targets[0]!.status, 'ok', `Quiver target: ${r.targets[0]!.error ?? ''}`);
    assert.ok(checkSqlTarget(r.targets[0]!, r.config.ks), 'Quiver runs the indexed k-NN workload');
    if (pgUrl) assert.ok(checkSqlTarget(r.targets[1]!, r.config.ks), 'PostgreSQL + pgvector runs the whole workload');

    // the in-process ceiling always runs: the harness itself is exercised end to end
    const c = r.ceiling!;
    assert.equal(c.status, 'ok', c.error);
    assert.equal(c.indexBuilds.length, 3);
    assert.equal(c.knn.length, 3 * r.config.ks.length);
    c.knn.forEach((s) => assertQueryShape(s, `ceiling ${s.label}`));
    const l2 = c.knn.find((s) => s.metric === 'l2' && s.k === 10)!;
    assert.ok(l2.recall >= 0.9, `in-process l2 recall@10 = ${l2.recall}`);
    assert.equal(l2.shortQueries, 0);
    assert.equal(c.efSweep.length, r.config.efSweep.length);
    const sweep = [...c.efSweep].sort((a, b) => (a.efSearch ?? 0) - (b.efSearch ?? 0));
    assert.ok(sweep.at(-1)!.recall >= sweep[0]!.recall - 0.02, 'recall grows with ef_search');

    const svg = readFileSync(join(out, 'latest-quick.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /in-process \(usearch\)/);
    assert.ok((svg.match(/<circle /g) ?? []).length >= r.config.efSweep.length, 'one point per ef_search value');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('npm run bench:copy loads the data with binary COPY and reports each run and the median', { timeout: 180_000 }, async () => {
  const script = join(dirname(BENCH_JS), 'copy-load.js');
  const run = await runHarness(['--dataset', 'synthetic:n=2000,d=16,clusters=4', '--runs', '2'], script);
  assert.equal(run.code, 0, `copy-load exited with ${run.code}\n${run.stderr}`);
  assert.equal([...run.stdout.matchAll(/^run \d: \d+ rows\/s(, server CPU \d+ ms)?$/gm)].length, 2, run.stdout);
  assert.match(run.stdout, /^quiver: COPY binary 2000 × 16: median \d+ rows\/s/m);
});
