/**
 * Output of a run: the side-by-side table (markdown, printed on stdout and pasted into
 * the README), the recall-vs-QPS plot (SVG, one curve per target, ann-benchmarks style)
 * and the JSON file with everything measured.
 */
import type { CeilingResult } from './ceiling.js';
import type { BenchConfig } from './config.js';
import { formatBytes, formatNumber, type MachineInfo } from './util.js';
import type { QueryStats, SqlTargetResult } from './workload.js';

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineInfo;
  dataset: { id: string; description: string; n: number; dim: number; queries: number };
  config: BenchConfig;
  targets: SqlTargetResult[];
  ceiling: CeilingResult | null;
}

type Cell = { text: string; value: number | null };

const na = (text = 'n/a'): Cell => ({ text, value: null });

function queryCell(s: QueryStats | undefined | null): Cell {
  if (!s) return na();
  if (s.status !== 'ok') return na('unsupported');
  if (s.queries === 0) return na('no queries');
  const short = s.shortQueries > 0 ? ` ⚠ ${s.shortQueries} short` : '';
  return { text: `${formatNumber(s.qps)} (${s.recall.toFixed(3)})${short}`, value: s.qps };
}

function latencyCell(s: QueryStats | undefined | null): Cell {
  if (!s || s.status !== 'ok' || s.queries === 0 || s.p50Ms === undefined) return na(s && s.status !== 'ok' ? 'unsupported' : 'n/a');
  return { text: `${formatNumber(s.p50Ms)} / ${formatNumber(s.p99Ms)}`, value: s.p50Ms };
}

/** Recall levels at which the table compares QPS, interpolated on each engine's ef sweep. */
export const RECALL_LEVELS = [0.95, 0.99, 0.995];

/**
 * QPS at a recall level from an ef_search sweep: the two sweep points around the level
 * (highest recall below it, lowest at or above it), QPS interpolated linearly in recall;
 * never below a point measured at or above the level (noise can make a higher ef faster).
 * When every point is at or above the level, the fastest of them (`interpolated: false`:
 * the engine is faster than that at exactly this recall, the sweep does not show by how
 * much). undefined when no point reaches the level.
 */
export function qpsAtRecall(points: readonly { recall: number; qps: number }[], level: number): { qps: number; interpolated: boolean } | undefined {
  const above = points.filter((p) => p.recall >= level && p.qps > 0);
  if (above.length === 0) return undefined;
  const bestAbove = Math.max(...above.map((p) => p.qps));
  const below = points.filter((p) => p.recall < level && p.qps > 0);
  if (below.length === 0) return { qps: bestAbove, interpolated: false };
  const lo = below.reduce((x, p) => (p.recall > x.recall || (p.recall === x.recall && p.qps > x.qps) ? p : x));
  const hi = above.reduce((x, p) => (p.recall < x.recall || (p.recall === x.recall && p.qps > x.qps) ? p : x));
  const t = (level - lo.recall) / (hi.recall - lo.recall);
  return { qps: Math.max(lo.qps + t * (hi.qps - lo.qps), bestAbove), interpolated: true };
}

function recallLevelCell(sweep: readonly QueryStats[], level: number): Cell {
  const ok = sweep.filter((s) => s.status === 'ok' && s.queries > 0);
  if (ok.length === 0) return na();
  const at = qpsAtRecall(ok, level);
  if (!at) return na(`not reached (max ${Math.max(...ok.map((s) => s.recall)).toFixed(3)})`);
  return { text: at.interpolated ? formatNumber(at.qps) : `≥ ${formatNumber(at.qps)} (lowest ef above)`, value: at.qps };
}

interface Row {
  label: string;
  /** higher: ratio = first/second is "times better"; lower: ratio shows second/first */
  better: 'higher' | 'lower';
  cells: Cell[];
}

/** Columns: each SQL target, then the in-process ceiling when present. */
export function buildRows(r: BenchResult): { headers: string[]; rows: Row[] } {
  const targets = r.targets;
  const ceil = r.ceiling && r.ceiling.status === 'ok' ? r.ceiling : null;
  const headers = targets.map((t) => t.name);
  const rows: Row[] = [];
  const add = (label: string, better: Row['better'], per: (t: SqlTargetResult) => Cell, ceilCell?: () => Cell) => {
    rows.push({ label, better, cells: [...targets.map(per), ...(r.ceiling ? [ceil && ceilCell ? ceilCell() : na('—')] : [])] });
  };
  const loadCell = (t: SqlTargetResult, method: string): Cell => {
    const l = t.loads.find((x) => x.method === method);
    if (!l) return na();
    if (l.status !== 'ok') return na('unsupported');
    return { text: `${formatNumber(l.rowsPerSec)}${l.table !== r.config.table ? ` (${l.rows} rows)` : ''}`, value: l.rowsPerSec };
  };
  add('load: COPY binary, rows/s', 'higher', (t) => loadCell(t, 'copy-binary'));
  add(`load: batched INSERT (${r.config.insertBatchRows} rows/stmt), rows/s`, 'higher', (t) => loadCell(t, 'insert-batched'));
  for (const m of r.config.metrics) {
    add(
      `HNSW build ${m} (m=${r.config.hnsw.m}, ef_construction=${r.config.hnsw.efConstruction}), s`,
      'lower',
      (t) => {
        const b = t.indexBuilds.find((x) => x.metric === m);
        if (!b) return na();
        if (b.status !== 'ok') return na('unsupported');
        if (t.indexUsed === false) return na(`${formatNumber(b.seconds)} (index not used)`);
        return { text: formatNumber(b.seconds), value: b.seconds };
      },
      () => {
        const b = ceil!.indexBuilds.find((x) => x.metric === m);
        return b ? { text: formatNumber(b.seconds), value: b.seconds } : na();
      },
    );
  }
  add('exact k-NN l2 k=10 (no index): QPS (recall)', 'higher', (t) => queryCell(t.exact));
  for (const m of r.config.metrics) {
    for (const k of r.config.ks) {
      const ef = r.config.efForK[String(k)];
      const find = (list: QueryStats[]) => list.find((s) => s.metric === m && s.k === k);
      add(`k-NN ${m} k=${k} ef_search=${ef}: QPS (recall@${k})`, 'higher', (t) => queryCell(find(t.knn)), () => queryCell(find(ceil!.knn)));
      add(`  … p50 / p99 latency, ms`, 'lower', (t) => latencyCell(find(t.knn)), () => latencyCell(find(ceil!.knn)));
    }
  }
  add(`k-NN l2 k=10, ${r.config.concurrency} connections: QPS (recall)`, 'higher', (t) => queryCell(t.concurrent), () => queryCell(ceil!.concurrent));
  add(`  … p50 / p99 latency, ms`, 'lower', (t) => latencyCell(t.concurrent));
  for (const sel of r.config.selectivities) {
    const find = (t: SqlTargetResult) => t.filtered.find((s) => s.selectivity !== null && Math.abs(s.selectivity - sel) < 1e-9);
    add(`filtered k-NN l2 k=${r.config.filteredK}, ${sel * 100}% match: QPS (recall)`, 'higher', (t) => queryCell(find(t)));
  }
  for (const ef of r.config.efSweep) {
    const find = (list: QueryStats[]) => list.find((s) => s.efSearch === ef && s.status === 'ok') ?? list.find((s) => s.efSearch === ef);
    add(`ef_search=${ef}, l2 k=10: QPS (recall)`, 'higher', (t) => queryCell(find(t.efSweep)), () => queryCell(find(ceil!.efSweep)));
  }
  for (const level of RECALL_LEVELS) {
    add(`QPS at recall ${level}, l2 k=10 (interpolated on the ef_search sweep)`, 'higher', (t) => recallLevelCell(t.efSweep, level), () => recallLevelCell(ceil!.efSweep, level));
  }
  // PSS splits shared pages (PostgreSQL's shared_buffers) between processes, so the sum over
  // a postmaster and its backends is not inflated; for one process it is ≈ RSS.
  add('server memory after queries (PSS summed over its processes)', 'lower', (t) => {
    if (t.memory.status !== 'ok' || !('rssBytes' in t.memory)) return na();
    const bytes = t.memory.pssBytes ?? t.memory.rssBytes;
    return { text: formatBytes(bytes), value: bytes };
  });
  add('data on disk (Quiver: data dir; PostgreSQL: table + indexes)', 'lower', (t) =>
    t.dataSize.status === 'ok' && 'bytes' in t.dataSize ? { text: formatBytes(t.dataSize.bytes), value: t.dataSize.bytes } : na(),
  );
  add('restart to first answer, s', 'lower', (t) => {
    if (t.restart.status === 'ok' && 'seconds' in t.restart) return { text: formatNumber(t.restart.seconds), value: t.restart.seconds };
    return na(t.restart.error?.startsWith('failed') ? 'failed' : 'n/a');
  });
  if (r.ceiling) headers.push('in-process (usearch)');
  return { headers, rows };
}

/** Markdown table; with two or more SQL targets a ratio column "first vs second". */
export function renderTable(r: BenchResult): string {
  const { headers, rows } = buildRows(r);
  const sqlCount = r.targets.length;
  const withRatio = sqlCount >= 2;
  const ratioHeader = withRatio ? `${r.targets[0]!.name} vs ${r.targets[1]!.name}` : '';
  const head = ['measure', ...headers.slice(0, sqlCount), ...(withRatio ? [ratioHeader] : []), ...headers.slice(sqlCount)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const sqlCells = row.cells.slice(0, sqlCount);
    const rest = row.cells.slice(sqlCount);
    let ratio = '';
    if (withRatio) {
      const a = sqlCells[0]!.value;
      const b = sqlCells[1]!.value;
      if (a !== null && b !== null && a > 0 && b > 0) {
        // "× better": > 1 means the first target wins, whatever the direction of the measure
        const x = row.better === 'higher' ? a / b : b / a;
        ratio = `${x >= 0.1 ? x.toFixed(2) : formatNumber(x)}×`;
      } else ratio = '—';
    }
    const cells = [row.label, ...sqlCells.map((c) => c.text), ...(withRatio ? [ratio] : []), ...rest.map((c) => c.text)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderSummary(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`dataset: ${r.dataset.description}`);
  out.push(`machine: ${m.nproc} × ${m.cpuModel}, ${formatBytes(m.memTotalBytes)} RAM, Node ${m.node}, Linux ${m.kernel}`);
  for (const t of r.targets) out.push(`${t.name}: ${t.url}${t.serverVersion ? ` — ${t.serverVersion.split(',')[0]}` : ''}${t.status !== 'ok' ? ` — ${t.error}` : ''}`);
  for (const t of r.targets) if (t.knnPlan) out.push(`${t.name} plan for l2 k-NN: ${t.knnPlan.split('\n').map((l) => l.trim()).join(' | ')}`);
  out.push('QPS cells read "QPS (mean recall)"; "⚠ N short" = N queries returned fewer rows than k although k rows match.');
  const problems: string[] = [];
  for (const t of r.targets) {
    const phases: { label: string; status: string; error?: string }[] = [
      ...t.loads.map((l) => ({ label: `load ${l.method}`, status: l.status, ...(l.error ? { error: l.error } : {}) })),
      ...t.indexBuilds.map((b) => ({ label: `index ${b.metric}`, status: b.status, ...(b.error ? { error: b.error } : {}) })),
      ...[t.exact, ...t.knn, t.concurrent, ...t.filtered, ...t.efSweep].filter((s): s is QueryStats => s !== null),
    ];
    for (const p of phases) if (p.status !== 'ok') problems.push(`${t.name}: ${p.label}: unsupported: ${p.error}`);
    if (t.indexUsed === false) problems.push(`${t.name}: the k-NN plan uses no index after CREATE INDEX … USING hnsw (queries are exact scans)`);
    if (t.restart.status !== 'ok' && t.restart.error?.startsWith('failed')) problems.push(`${t.name}: restart: ${t.restart.error}`);
    if (t.status !== 'ok') problems.push(`${t.name}: ${t.error}`);
    for (const s of [...t.knn, ...t.filtered, ...(t.concurrent ? [t.concurrent] : [])])
      if (s.status === 'ok' && s.shortQueries > 0)
        problems.push(`${t.name}: ${s.label}: ${s.shortQueries}/${s.queries} queries returned fewer than ${Math.min(s.k, s.matchingRows ?? s.k)} rows (min ${s.minRows}, mean ${s.meanRows})`);
  }
  if (problems.length) out.push('', 'problems:', ...problems.map((p) => `  - ${p}`));
  return out.join('\n');
}

// ---------------------------------------------------------------- SVG plot

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Recall (x) against QPS (y, log scale), one curve per target, points labelled with ef. */
export function renderSvg(r: BenchResult): string {
  const series: { name: string; points: { recall: number; qps: number; ef: number | null }[] }[] = [];
  for (const t of r.targets) series.push({ name: t.name, points: t.efSweep.filter((s) => s.status === 'ok' && s.queries > 0).map((s) => ({ recall: s.recall, qps: s.qps, ef: s.efSearch })) });
  if (r.ceiling) series.push({ name: 'in-process (usearch)', points: r.ceiling.efSweep.filter((s) => s.status === 'ok').map((s) => ({ recall: s.recall, qps: s.qps, ef: s.efSearch })) });
  const W = 720;
  const H = 460;
  const L = 80;
  const R = 200;
  const T = 50;
  const B = 60;
  const all = series.flatMap((s) => s.points);
  const minRecall = all.length ? Math.max(0, Math.floor(Math.min(...all.map((p) => p.recall)) * 10) / 10) : 0;
  const xMin = Math.min(minRecall, 0.9);
  const xMax = 1;
  const qps = all.map((p) => p.qps).filter((q) => q > 0);
  const yMin = qps.length ? 10 ** Math.floor(Math.log10(Math.min(...qps))) : 1;
  const yMax = qps.length ? 10 ** Math.ceil(Math.log10(Math.max(...qps))) : 10;
  const x = (v: number) => L + ((v - xMin) / (xMax - xMin)) * (W - L - R);
  const y = (v: number) => T + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="20" font-size="14" font-weight="bold">Recall@10 vs queries per second (l2, k=10, one connection)</text>`);
  out.push(`<text x="${L}" y="37" font-size="11" fill="#555">${esc(`${r.dataset.id}: ${r.dataset.n} × ${r.dataset.dim}, ${r.machine.nproc} × ${r.machine.cpuModel}; up and to the right is better`)}</text>`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(1)))}</text>`);
  }
  for (let v = xMin; v <= xMax + 1e-9; v += (xMax - xMin) / 5) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 18}" text-anchor="middle">${v.toFixed(2)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">Recall@10</text>`);
  out.push(`<text transform="translate(20 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">Queries per second (1/s, log)</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    // in ef_search order: the curve shows what raising ef buys
    const pts = [...s.points].filter((p) => p.qps > 0).sort((a, b) => (a.ef ?? 0) - (b.ef ?? 0));
    if (pts.length) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.recall).toFixed(1)},${y(p.qps).toFixed(1)}`).join(' ')}"/>`);
      for (const p of pts) {
        out.push(`<circle cx="${x(p.recall).toFixed(1)}" cy="${y(p.qps).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name} ef=${p.ef}: recall ${p.recall}, ${p.qps} QPS`)}</title></circle>`);
        out.push(`<text x="${(x(p.recall) + 5).toFixed(1)}" y="${(y(p.qps) - 5).toFixed(1)}" font-size="9" fill="${color}">${p.ef ?? ''}</text>`);
      }
    }
    const ly = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 15}" x2="${W - R + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 46}" y="${ly + 4}">${esc(s.name)}${pts.length ? '' : ' (no data)'}</text>`);
  });
  out.push(`<text x="${W - R + 15}" y="${T + 20 + series.length * 20}" font-size="10" fill="#555">labels: hnsw.ef_search</text>`);
  out.push('</svg>');
  return out.join('\n');
}
