/**
 * `npm run bench -- [options]`: one honest, repeatable harness that runs the same SQL
 * workload through the same protocol (node-postgres) against Quiver and PostgreSQL +
 * pgvector, plus the same queries straight against usearch in this process (the ceiling).
 *
 *   --target quiver                 start a Quiver server (temp data dir, free port)
 *   --target postgres://u@h:p/db    any PostgreSQL with pgvector (repeatable with the above)
 *   --compare                       quiver and postgres ($QUIVER_BENCH_PG_URL, --pg, or the scratch server)
 *   --quick                         a few seconds on small synthetic data (what the tests run)
 *   --dataset fashion-mnist | synthetic:n=1000000,d=128,clusters=100,seed=1
 *   --queries N  --concurrency N  --ef 10,20,40  --no-ceiling  --no-install  --out DIR
 *   --pg-stop-cmd CMD --pg-start-cmd CMD   measure PostgreSQL restart (only for a server you own)
 *   --filtered-sweep                filtered k-NN at 0.1 % … 50 % selectivity and class filters, pgvector's
 *                                   best plan per filter (bench/filtered-sweep.ts); --no-filter-index;
 *                                   --selectivities 0.001,0.01 runs only those `f` filters (no class filters)
 *   --render RESULT.json            re-print the table and re-draw the SVG of an earlier run
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCeiling, type CeilingResult } from './ceiling.js';
import { defaultConfig, type BenchConfig } from './config.js';
import { groundTruth, loadDataset, parseDatasetSpec, type SyntheticSpec } from './dataset.js';
import { printFilteredSweep, runFilteredSweep, type FilteredSweepResult } from './filtered-sweep.js';
import { renderFilteredSummary, renderFilteredSvg, renderFilteredTable } from './filtered-report.js';
import { renderSummary, renderSvg, renderTable, type BenchResult } from './report.js';
import { runOnTarget, type PostgresRestart, type SqlTarget } from './targets.js';
import { availableCores, errorMessage, log, machineInfo, nowMs, repoRoot } from './util.js';
import { emptyTargetResult, SqlWorkload, type SqlTargetResult } from './workload.js';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:55432/bench';

export interface BenchOptions {
  targets: string[];
  quick: boolean;
  dataset: string;
  queries: number | undefined;
  concurrency: number | undefined;
  efSweep: number[] | undefined;
  ceiling: boolean;
  sweepOnly: boolean;
  /** --filtered-sweep: the filtered k-NN sweep instead of the main workload */
  filteredSweep: boolean;
  /** B-tree indexes on the filter columns in the filtered sweep (--no-filter-index: none) */
  filterIndexes: boolean;
  /** --selectivities: the filtered sweep's `f` filters to run (and no class filters); undefined: all */
  selectivities: number[] | undefined;
  allowInstall: boolean;
  outDir: string;
  cacheDir: string;
  quiverEntry: string;
  quiverDatabase: string;
  quiverUser: string;
  pgRestart: PostgresRestart | undefined;
}

const USAGE = `usage: npm run bench -- [--target quiver|postgres://user@host:port/db]... [--compare] [--quick]
       [--dataset fashion-mnist|synthetic:n=N,d=D,clusters=C,seed=S] [--queries N] [--concurrency N]
       [--ef 10,20,40,...] [--sweep-only] [--filtered-sweep [--no-filter-index] [--selectivities 0.001,0.01]] [--no-ceiling] [--no-install] [--out DIR] [--pg URL]
       [--pg-stop-cmd CMD --pg-start-cmd CMD]   (restart timing; only for a PostgreSQL you own)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', multiple: true },
      compare: { type: 'boolean', default: false },
      pg: { type: 'string' },
      quick: { type: 'boolean', default: false },
      dataset: { type: 'string' },
      queries: { type: 'string' },
      concurrency: { type: 'string' },
      ef: { type: 'string' },
      'no-ceiling': { type: 'boolean', default: false },
      'sweep-only': { type: 'boolean', default: false },
      'filtered-sweep': { type: 'boolean', default: false },
      'no-filter-index': { type: 'boolean', default: false },
      selectivities: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
      out: { type: 'string' },
      'quiver-entry': { type: 'string' },
      'quiver-database': { type: 'string' },
      'quiver-user': { type: 'string' },
      'pg-stop-cmd': { type: 'string' },
      'pg-start-cmd': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const root = repoRoot();
  const pgUrl = values.pg ?? process.env['QUIVER_BENCH_PG_URL'] ?? DEFAULT_PG_URL;
  const targets = [...(values.target ?? [])];
  if (values.compare) {
    if (!targets.includes('quiver')) targets.unshift('quiver');
    if (!targets.some((t) => t.startsWith('postgres'))) targets.push(pgUrl);
  }
  if (targets.length === 0) targets.push('quiver');
  for (const t of targets) {
    if (t !== 'quiver' && !/^postgres(ql)?:\/\//.test(t)) throw new Error(`unknown target '${t}' (use quiver or a postgres:// URL)`);
  }
  const positiveInt = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} needs a positive integer`);
    return n;
  };
  return {
    targets,
    quick: values.quick,
    dataset: values.dataset ?? (values.quick ? 'synthetic:n=5000,d=32,clusters=20,seed=1' : 'fashion-mnist'),
    queries: positiveInt('queries', values.queries),
    concurrency: positiveInt('concurrency', values.concurrency),
    efSweep: values.ef?.split(',').map((s) => positiveInt('ef', s)!),
    ceiling: !values['no-ceiling'],
    sweepOnly: values['sweep-only'],
    filteredSweep: values['filtered-sweep'],
    filterIndexes: !values['no-filter-index'],
    selectivities: values.selectivities?.split(',').map((v) => {
      const n = Number(v);
      if (!(n > 0 && n < 1)) throw new Error('--selectivities needs fractions between 0 and 1');
      return n;
    }),
    allowInstall: !values['no-install'],
    outDir: resolve(values.out ?? join(root, 'bench', 'results')),
    cacheDir: join(root, 'bench', 'cache'),
    quiverEntry: values['quiver-entry'] ?? join(root, 'dist', 'src', 'main.js'),
    quiverDatabase: values['quiver-database'] ?? 'postgres',
    quiverUser: values['quiver-user'] ?? 'postgres',
    pgRestart: restartCommands(values['pg-stop-cmd'], values['pg-start-cmd']),
  };
}

function restartCommands(stop: string | undefined, start: string | undefined): PostgresRestart | undefined {
  if (stop === undefined && start === undefined) return undefined;
  if (stop === undefined || start === undefined) throw new Error('--pg-stop-cmd and --pg-start-cmd go together');
  return { stop, start };
}

function configFor(o: BenchOptions): BenchConfig {
  const cfg = defaultConfig(o.quick);
  if (o.queries !== undefined) {
    cfg.queriesPerConfig = o.queries;
    cfg.sweepQueries = o.queries;
    cfg.filteredQueries = Math.min(cfg.filteredQueries, o.queries);
    cfg.concurrentQueries = o.queries * 2;
  }
  if (o.concurrency !== undefined) cfg.concurrency = o.concurrency;
  if (o.efSweep !== undefined) cfg.efSweep = o.efSweep;
  cfg.ceiling = o.ceiling;
  if (o.sweepOnly) {
    cfg.sweepOnly = true;
    cfg.metrics = ['l2'];
    cfg.ks = [10];
    cfg.efForK = { '10': cfg.efForK['10']! };
    cfg.insertRows = 0;
  }
  return cfg;
}

function runTarget(spec: string, o: BenchOptions, run: (target: SqlTarget, r: SqlTargetResult) => Promise<void>): Promise<SqlTargetResult> {
  const r = spec === 'quiver'
    ? emptyTargetResult('quiver', 'quiver', '(started by the harness)')
    : emptyTargetResult('postgres', 'postgres', spec.replace(/:[^:@/]*@/, ':***@'));
  return runOnTarget(spec, o, r, run);
}

export async function runBench(o: BenchOptions, argv: string[]): Promise<{ result: BenchResult; jsonPath: string; svgPath: string }> {
  const startedAt = new Date();
  const cfg = configFor(o);
  const t0 = nowMs();
  const queryCount = Math.max(cfg.queriesPerConfig, cfg.sweepQueries, cfg.filteredQueries, cfg.exactQueries);
  const fallback: SyntheticSpec = { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: queryCount };
  const ds = loadDataset(parseDatasetSpec(o.dataset, queryCount, o.allowInstall), o.cacheDir, fallback);
  log(`dataset: ${ds.description}`);
  // ground truth up front, so no target's timing includes it
  const gtStart = nowMs();
  for (const m of cfg.metrics) groundTruth(ds, m, Math.max(...cfg.ks), o.cacheDir);
  log(`ground truth ready (${((nowMs() - gtStart) / 1000).toFixed(1)} s; cached in bench/cache/)`);

  const targets: SqlTargetResult[] = [];
  for (const spec of o.targets) {
    targets.push(
      await runTarget(spec, o, async (target, r) => {
        await new SqlWorkload(target, ds, cfg, o.cacheDir, r).runAll();
      }),
    );
  }
  let ceiling: CeilingResult | null = null;
  if (cfg.ceiling) {
    log('[in-process] usearch ceiling …');
    ceiling = runCeiling(ds, cfg, o.cacheDir, availableCores());
  }
  const result: BenchResult = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${argv.map((a) => (/[\s"'$]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' ')}`.trim(),
    machine: machineInfo(),
    dataset: { id: ds.id, description: ds.description, n: ds.n, dim: ds.dim, queries: ds.queries.length },
    config: cfg,
    targets,
    ceiling,
  };
  mkdirSync(o.outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const base = `${stamp}-${ds.id}-${o.targets.map((t) => (t === 'quiver' ? 'quiver' : 'postgres')).join('-')}${o.quick ? '-quick' : ''}${o.sweepOnly ? '-sweep' : ''}`;
  const jsonPath = join(o.outDir, `${base}.json`);
  const svgPath = join(o.outDir, `${base}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(svgPath, renderSvg(result));
  const latest = o.quick ? 'latest-quick' : o.sweepOnly ? 'latest-sweep' : 'latest'; // latest.json stays the last full run
  copyFileSync(jsonPath, join(o.outDir, `${latest}.json`));
  copyFileSync(svgPath, join(o.outDir, `${latest}.svg`));
  log(`done in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  return { result, jsonPath, svgPath };
}

/** `--render FILE.json`: print the table and rewrite the SVG of an earlier run, without running anything. */
function renderSaved(path: string): void {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as BenchResult | FilteredSweepResult;
  const svgPath = path.replace(/\.json$/, '.svg');
  if ('kind' in saved && saved.kind === 'filtered-sweep') {
    writeFileSync(svgPath, renderFilteredSvg(saved));
    process.stdout.write(`${renderFilteredSummary(saved)}\n\n${renderFilteredTable(saved)}\n\ncommand: ${saved.command}\nplot:    ${svgPath}\n`);
    return;
  }
  const result = saved as BenchResult;
  writeFileSync(svgPath, renderSvg(result));
  process.stdout.write(`${renderSummary(result)}\n\n${renderTable(result)}\n\ncommand: ${result.command}\nplot:    ${svgPath}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--render' && argv[1] !== undefined) {
    renderSaved(argv[1]);
    return;
  }
  let o: BenchOptions;
  try {
    o = parseOptions(argv);
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (o.filteredSweep) {
    const { result, jsonPath, svgPath } = await runFilteredSweep(o, argv);
    printFilteredSweep(result, `results: ${jsonPath}\nplot:    ${svgPath}`);
    return;
  }
  const { result, jsonPath, svgPath } = await runBench(o, argv);
  process.stdout.write(`\n${renderSummary(result)}\n\n${renderTable(result)}\n\ncommand: ${result.command}\nresults: ${jsonPath}\nplot:    ${svgPath}\n`);
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(join('bench', 'bench.js'));
if (invokedDirectly) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
