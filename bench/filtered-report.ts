/**
 * Output of the filtered sweep: per filter, Quiver's point, pgvector's best point per plan
 * family, pgvector's best plan at the recall target, the ratio and whether the issue's
 * targets hold (recall, always k rows, QPS ratio); and a QPS-vs-selectivity plot (log x).
 */
import type { FilterSummary } from './filter-design.js';
import type { FilteredSweepResult, PlanFamily, SweepPoint } from './filtered-sweep.js';
import { formatNumber } from './util.js';

const measured = (p: SweepPoint): boolean => p.status === 'ok' && p.queries > 0;

/** The fastest measured point at or above the recall target; undefined when none reaches it. */
export function bestPlan(points: readonly SweepPoint[], recallTarget: number): SweepPoint | undefined {
  let best: SweepPoint | undefined;
  for (const p of points) if (measured(p) && p.recall >= recallTarget && (!best || p.qps > best.qps)) best = p;
  return best;
}

/** A family's point to show: its best at the target, else its highest recall (then fastest). */
export function familyPoint(points: readonly SweepPoint[], recallTarget: number): SweepPoint | undefined {
  const best = bestPlan(points, recallTarget);
  if (best) return best;
  let top: SweepPoint | undefined;
  for (const p of points) if (measured(p) && (!top || p.recall > top.recall || (p.recall === top.recall && p.qps > top.qps))) top = p;
  return top;
}

export interface FilterVerdict {
  filter: FilterSummary;
  quiver: SweepPoint | undefined;
  /** pgvector's fastest point at recall ≥ target, over every family and ef_search */
  pgBest: SweepPoint | undefined;
  byFamily: Map<PlanFamily, SweepPoint | undefined>;
  /** quiver QPS / pgBest QPS (null: either missing) */
  ratio: number | null;
  /** every target of the issue met at this filter; reasons when not */
  met: boolean;
  reasons: string[];
}

export function verdicts(r: FilteredSweepResult): FilterVerdict[] {
  const { recallTarget, qpsRatioTarget, k } = r.config;
  const quiver = r.targets.find((t) => t.kind === 'quiver');
  const pgT = r.targets.find((t) => t.kind === 'postgres');
  return r.filters.map((filter) => {
    const q = quiver?.points.find((p) => p.filter === filter.id && measured(p));
    const pgPoints = pgT?.points.filter((p) => p.filter === filter.id) ?? [];
    const pgBest = bestPlan(pgPoints, recallTarget);
    const byFamily = new Map<PlanFamily, SweepPoint | undefined>();
    for (const fam of ['off', 'relaxed_order', 'relaxed_order, index forced'] as const) {
      const pts = pgPoints.filter((p) => p.plan.family === fam);
      if (pts.length) byFamily.set(fam, familyPoint(pts, recallTarget));
    }
    const ratio = q && pgBest && pgBest.qps > 0 ? q.qps / pgBest.qps : null;
    const reasons: string[] = [];
    if (!q) reasons.push('Quiver not measured');
    else {
      if (q.recall < recallTarget) reasons.push(`recall ${q.recall.toFixed(3)} < ${recallTarget}`);
      if (q.shortQueries > 0) reasons.push(`${q.shortQueries} queries with < ${Math.min(k, filter.minMatching)} rows`);
    }
    if (!pgT) reasons.push('no pgvector run');
    else if (!pgPoints.some(measured)) reasons.push('pgvector not measured');
    // no pgvector plan reaching the recall target: nothing to be 2× of
    else if (ratio !== null && ratio < qpsRatioTarget) reasons.push(`${ratio.toFixed(2)}× < ${qpsRatioTarget}×`);
    return { filter, quiver: q, pgBest, byFamily, ratio, met: reasons.length === 0, reasons };
  });
}

function pointCell(p: SweepPoint | undefined, recallTarget: number, withPlan = false): string {
  if (!p) return 'n/a';
  const short = p.shortQueries > 0 ? ` ⚠ ${p.shortQueries} short` : '';
  const low = p.recall < recallTarget ? ' ✗' : '';
  const plan = withPlan ? ` ${p.plan.family}, ef ${p.plan.efSearch}${p.usesVectorIndex === false ? ', exact' : ''}` : p.plan.efSearch !== null ? ` ef ${p.plan.efSearch}` : '';
  return `${formatNumber(p.qps)} (${p.recall.toFixed(3)})${low}${short}${plan ? ` —${plan}` : ''}`;
}

export function filterLabel(f: FilterSummary): string {
  const pct = f.selectivity * 100;
  const sel = `${pct >= 1 ? formatNumber(pct, 3) : formatNumber(pct, 2)} %`;
  return f.kind === 'range' ? `${sel} (${f.where})` : `${sel} (${f.kind === 'label-own' ? 'label = query class' : f.where}, correlated)`;
}

/** Markdown: one row per filter. */
export function renderFilteredTable(r: FilteredSweepResult): string {
  const { recallTarget, qpsRatioTarget } = r.config;
  const hasPg = r.targets.some((t) => t.kind === 'postgres');
  const head = ['filter (selectivity)', 'rows matching', 'Quiver QPS (recall)'];
  if (hasPg) head.push('pgvector iterative off', 'pgvector relaxed_order', `pgvector best plan at recall ≥ ${recallTarget}`, 'Quiver vs best');
  head.push(hasPg ? `targets (recall ≥ ${recallTarget}, ${r.config.k} rows, ≥ ${qpsRatioTarget}×)` : `targets (recall ≥ ${recallTarget}, ${r.config.k} rows)`);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`];
  for (const v of verdicts(r)) {
    const f = v.filter;
    const rows = f.minMatching === f.maxMatching ? String(f.minMatching) : `${f.minMatching}–${f.maxMatching}`;
    const cells = [filterLabel(f), rows, pointCell(v.quiver, recallTarget)];
    if (hasPg) {
      const forced = v.byFamily.get('relaxed_order, index forced');
      const relaxed = pointCell(v.byFamily.get('relaxed_order'), recallTarget);
      cells.push(
        pointCell(v.byFamily.get('off'), recallTarget),
        forced ? `${relaxed}; index forced: ${pointCell(forced, recallTarget)}` : relaxed,
        v.pgBest ? pointCell(v.pgBest, recallTarget, true) : `none reaches ${recallTarget}`,
        v.ratio === null ? '—' : `${v.ratio.toFixed(2)}×`,
      );
    }
    const reasons = hasPg ? v.reasons : v.reasons.filter((x) => x !== 'no pgvector run');
    cells.push(reasons.length === 0 ? 'met' : `not met: ${reasons.join('; ')}`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderFilteredSummary(r: FilteredSweepResult): string {
  const m = r.machine;
  const c = r.config;
  const out = [
    `filtered sweep: ${r.dataset.description}`,
    `machine: ${m.nproc} × ${m.cpuModel}, Node ${m.node}, Linux ${m.kernel}${r.loadAverage ? `; load average ${r.loadAverage.start} at start, ${r.loadAverage.end} at end` : ''}`,
    `queries: SELECT id FROM ${c.table} WHERE <filter> ORDER BY embedding <-> $1 LIMIT ${c.k}; prepared, 1 connection, ${r.dataset.queries} queries per point (cap ${c.maxSecondsPerPoint} s); HNSW m ${c.hnsw.m}, ef_construction ${c.hnsw.efConstruction}${c.filterIndexes ? '; B-tree indexes on f and label' : ''}`,
    `Quiver: default settings. pgvector: hnsw.iterative_scan off and relaxed_order, hnsw.ef_search ${c.pgEfLadder.join(' → ')} until recall ≥ ${c.recallTarget}; "index forced" = relaxed_order with enable_seqscan/enable_bitmapscan off, tried when the planner chose an exact scan.`,
    'Cells read "QPS (recall@10)"; ✗ = below the recall target; "⚠ N short" = N queries returned fewer than min(10, matching) rows; "exact" = the plan scans no HNSW index.',
  ];
  for (const t of r.targets) {
    out.push(`${t.name}: ${t.url}${t.serverVersion ? ` — ${t.serverVersion.split(',')[0]}` : ''}${t.status !== 'ok' ? ` — ${t.error}` : ''}`);
    const steps = t.steps.map((s) => `${s.what} ${s.status === 'ok' ? `${formatNumber(s.seconds)} s` : `unsupported (${s.error})`}`);
    if (steps.length) out.push(`  ${steps.join(', ')}`);
  }
  const problems: string[] = [];
  for (const t of r.targets) {
    for (const p of t.points) {
      if (p.status === 'unsupported') problems.push(`${t.name}: ${p.filter}, ${p.plan.family}: unsupported: ${p.error}`);
      else if (measured(p) && p.shortQueries > 0) problems.push(`${t.name}: ${p.filter}, ${p.plan.family}${p.plan.efSearch ? ` ef ${p.plan.efSearch}` : ''}: ${p.shortQueries}/${p.queries} queries returned fewer rows than match (min ${p.minRows})`);
    }
  }
  const vs = verdicts(r);
  const hasPg = r.targets.some((t) => t.kind === 'postgres');
  const failing = vs.filter((v) => (hasPg ? v.reasons : v.reasons.filter((x) => x !== 'no pgvector run')).length > 0);
  out.push(failing.length === 0 ? `targets: met at every filter (${vs.length})` : `targets: not met at ${failing.length} of ${vs.length} filters (${failing.map((v) => v.filter.id).join(', ')})`);
  if (problems.length) out.push('', 'problems:', ...problems.map((p) => `  - ${p}`));
  return out.join('\n');
}

// ---------------------------------------------------------------- SVG

const COLORS = { quiver: '#1f77b4', best: '#d62728', off: '#ff7f0e', relaxed: '#2ca02c' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * QPS (y, log) against selectivity (x, log) for the uncorrelated range filters: Quiver,
 * pgvector's best plan at the recall target, and pgvector's two iterative_scan modes at
 * their best; a hollow point is below the recall target. Correlated filters are in the table.
 */
export function renderFilteredSvg(r: FilteredSweepResult): string {
  const target = r.config.recallTarget;
  const vs = verdicts(r).filter((v) => v.filter.kind === 'range');
  type Pt = { sel: number; p: SweepPoint };
  const pick = (f: (v: FilterVerdict) => SweepPoint | undefined): Pt[] => vs.flatMap((v) => (f(v) ? [{ sel: v.filter.selectivity, p: f(v)! }] : []));
  const series: { name: string; color: string; dash: string; pts: Pt[] }[] = [{ name: 'Quiver (default)', color: COLORS.quiver, dash: '', pts: pick((v) => v.quiver) }];
  if (r.targets.some((t) => t.kind === 'postgres')) {
    series.push(
      { name: `pgvector best (recall ≥ ${target})`, color: COLORS.best, dash: '', pts: pick((v) => v.pgBest) },
      { name: 'pgvector iterative off', color: COLORS.off, dash: '5,4', pts: pick((v) => v.byFamily.get('off')) },
      { name: 'pgvector relaxed_order', color: COLORS.relaxed, dash: '5,4', pts: pick((v) => v.byFamily.get('relaxed_order')) },
    );
  }
  const W = 760;
  const H = 460;
  const L = 80;
  const R = 230;
  const T = 50;
  const B = 60;
  const sels = vs.map((v) => v.filter.selectivity).filter((s) => s > 0);
  const xMin = sels.length ? 10 ** Math.floor(Math.log10(Math.min(...sels))) : 0.001;
  const xMax = sels.length ? 10 ** Math.ceil(Math.log10(Math.max(...sels))) : 1;
  const qps = series.flatMap((s) => s.pts.map((x) => x.p.qps)).filter((q) => q > 0);
  const yMin = qps.length ? 10 ** Math.floor(Math.log10(Math.min(...qps))) : 1;
  const yMax = qps.length ? 10 ** Math.ceil(Math.log10(Math.max(...qps))) : 10;
  const lx = (v: number) => L + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * (W - L - R);
  const ly = (v: number) => T + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="20" font-size="14" font-weight="bold">Filtered k-NN: QPS vs selectivity (l2, k=${r.config.k}, one connection)</text>`);
  out.push(`<text x="${L}" y="37" font-size="11" fill="#555">${esc(`${r.dataset.id}: ${r.dataset.n} × ${r.dataset.dim}, WHERE f < T (uncorrelated); ${r.machine.nproc} × ${r.machine.cpuModel}`)}</text>`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${ly(v)}" y2="${ly(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 8}" y="${ly(v) + 4}" text-anchor="end">${v >= 1 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(1)))}</text>`);
  }
  for (let e = Math.log10(xMin); e <= Math.log10(xMax) + 1e-9; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${lx(v)}" x2="${lx(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${lx(v)}" y="${H - B + 18}" text-anchor="middle">${String(Number((v * 100).toPrecision(3)))} %</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">Selectivity: share of rows matching the filter (log)</text>`);
  out.push(`<text transform="translate(20 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">Queries per second (1/s, log)</text>`);
  // drawn last to first, so Quiver and pgvector's best stay on top of the dashed modes
  [...series.entries()].reverse().forEach(([i, s]) => {
    const pts = s.pts.filter((x) => x.p.qps > 0).sort((a, b) => a.sel - b.sel);
    if (pts.length) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts.map((x) => `${lx(x.sel).toFixed(1)},${ly(x.p.qps).toFixed(1)}`).join(' ')}"/>`);
      for (const x of pts) {
        const ok = x.p.recall >= target && x.p.shortQueries === 0;
        const title = `${s.name} at ${(x.sel * 100).toPrecision(2)} %: ${x.p.qps} QPS, recall ${x.p.recall}${x.p.plan.efSearch !== null ? `, ${x.p.plan.family} ef ${x.p.plan.efSearch}` : ''}`;
        out.push(`<circle cx="${lx(x.sel).toFixed(1)}" cy="${ly(x.p.qps).toFixed(1)}" r="3.5" fill="${ok ? s.color : 'white'}" stroke="${s.color}" stroke-width="1.5"><title>${esc(title)}</title></circle>`);
      }
    }
    const y = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 15}" x2="${W - R + 40}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${W - R + 46}" y="${y + 4}">${esc(s.name)}${pts.length ? '' : ' (no data)'}</text>`);
  });
  out.push(`<text x="${W - R + 15}" y="${T + 20 + series.length * 20}" font-size="10" fill="#555">${esc(`hollow: recall < ${target} or short answers`)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
