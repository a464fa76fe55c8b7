/**
 * Physical operators. Each plan node runs as a generator of row batches (arrays of
 * rows), pulled by its parent; ORDER BY … LIMIT runs as a bounded heap (TopK) that
 * never holds more than offset + limit rows.
 */
import { SqlError, SqlState } from '../errors.js';
import type { SystemRelationContext, TableDef } from '../catalog/catalog.js';
import type { AggregateCall, BitmapPath, Expr, Plan, SortKey } from '../planner/plan.js';
import type { BitmapScanSpec, RowBatch, Snapshot, Storage, Transaction } from '../storage/api.js';
import { comparatorFor, compareValues, hashKey } from '../types/compare.js';
import { outerColumnsRead } from '../planner/expr-walk.js';
import { OID, T, elementTypeOf, sqlType, type Row, type SqlType, type Value } from '../types/types.js';
import { compileExpr, flattenArray, isRowIndependent, type Compiled, type ExecEnv } from './expr.js';
import { setFunctionRows } from '../functions/set-functions.js';
import { AwaitBeforeEvaluating } from '../functions/await-before-evaluating.js';
import { prunePartitions } from '../planner/partition-pruning.js';
import { hashJoinKeys } from '../planner/join-keys.js';
import { scanCondition } from '../planner/scan-condition.js';
import { isIndexOnly } from '../planner/index-only.js';
import { vectorIndexOrder } from './vector-index-order.js';
import { indexedVectorTopK, type VectorSearchStats } from './vector-search.js';
import { addVectorStats } from '../planner/vector-cost.js';
import { sparseIndexedTopK } from './sparse-vector-search.js';
import { VectorCandidates } from './vector-candidates.js';
import { indexConditions, leadsWithIsNull, rowBoundsOf, zoneConditions } from './zone-conditions.js';
import { segmentIndex, textIndexRows } from './text-index-scan.js';
import { bm25SegmentRows } from './bm25-top-k.js';
import { parseTsquery } from '../types/tsquery.js';
import { indexedSearchStaysInThread, parallelVectorTopK } from './parallel-vector-search.js';
import { startVectorSearches, takeStartedSearch } from './early-vector-search.js';
import { bitIndexedTopK } from './bit-vector-search.js';
import { expressionIndexedTopK } from './expression-vector-search.js';
import { windowAgg } from './window.js';
import type { SegmentSearchPool } from '../query-worker/pool.js';
import { PAUSE, awaitStep, cancellable, collect, gather, isSuspend, tooManyRows, MAX_MATERIALIZED_ROWS, type Batch, type Step, type TimeSlice } from './suspend.js';
import { gatherWithin, rowBytes, workMemFor, type WorkMem } from './work-mem.js';
import { join } from './hash-join.js';
import { mergeJoin } from './merge-join.js';
import { sortRows, type SortStats } from './spill/external-sort.js';
import { incrementalSort } from './incremental-sort.js';
import { sampleScan } from './sample-scan.js';
import { checkScannable } from './scannable.js';
import { bitmapScanSpec } from './btree-bitmap.js';
import { newIncrementalSortStats } from '../planner/incremental-sort-stats.js';
import { HashPartitions, MAX_DEPTH, readBack } from './spill/hash-partitions.js';
import { SpillFiles, type TempSpace } from './spill/temp-files.js';
import type { BitmapStats, ConflictCounts, MemoryStats, MergeCounts, PartitionRun, RemovedCount, SpillStats } from '../planner/explain.js';
import { removedCounter } from './removed-rows.js';
import { AllocSetModel, TupleShapes, addHashAggGroup, type HashAggRun, type SortSpace } from '../planner/pg-memory.js';

type DistanceOperator = '<->' | '<#>' | '<=>' | '<+>';

export type { Batch, Step } from './suspend.js';

/** Everything a running statement reads through. */
export interface RunContext {
  readonly storage: Storage;
  readonly snapshot: Snapshot;
  readonly txn: Transaction | undefined;
  readonly system: SystemRelationContext;
  /** per-execution cache of CTE results */
  readonly cteResults: Map<number, Row[]>;
  /** operator metrics for EXPLAIN ANALYZE: rows produced per plan node */
  readonly metrics?: Map<Plan, { rows: number; ms: number; firstMs?: number }>;
  /** per vector search: how segments were searched (EXPLAIN ANALYZE) */
  readonly vectorStats?: Map<Plan, VectorSearchStats>;
  /** per GIN bitmap scan: the rows its index scan handed on (EXPLAIN ANALYZE's Bitmap Index Scan rows) */
  readonly textStats?: Map<Plan, BitmapStats>;
  /** per scan: sealed segments its zone maps skipped (EXPLAIN ANALYZE) */
  readonly scanStats?: Map<Plan, { segmentsSkipped: number; sealedSegments: number }>;
  /** per Index Only Scan: its rows whose visibility needed the row store (EXPLAIN ANALYZE's Heap Fetches, planner/index-only.ts) */
  readonly heapFetches?: Map<Plan, number>;
  /** per scan or join: rows its own Filter / Join Filter rejected (EXPLAIN ANALYZE's Rows Removed by …, removed-rows.ts) */
  readonly removedRows?: Map<Plan, RemovedCount>;
  /** an INSERT … ON CONFLICT's conflicts (EXPLAIN ANALYZE's Conflicting Tuples, Rows Removed by Conflict Filter) */
  readonly conflicts?: ConflictCounts;
  /** MERGE's actions (EXPLAIN ANALYZE's Tuples: …) */
  readonly merged?: MergeCounts;
  /** when set, long-running operators yield PAUSE once a time slice is used up */
  readonly slice?: TimeSlice;
  /** when set, vector top-k over sealed segments runs in these query workers */
  readonly queryWorkers?: SegmentSearchPool;
  /** the session running the plan (identity only): tells one searching session from several */
  readonly session?: object;
  /** work_mem in bytes: what a sort, hash table or aggregate may hold (work-mem.ts) */
  readonly workMemBytes?: number;
  /** where a sort, hash join or hash aggregate past work_mem spills; without it they fail with 53200 */
  readonly tempSpace?: TempSpace;
  /** per sort / hash join / hash aggregate: memory or disk it used (EXPLAIN ANALYZE) */
  readonly spillStats?: Map<Plan, SpillStats>;
  /** per sort / hash join / hashed aggregate: what it held, measured as PostgreSQL would (EXPLAIN ANALYZE's Memory) */
  readonly memoryStats?: Map<Plan, MemoryStats>;
  /** per partitioned scan: each partition's rows (EXPLAIN ANALYZE's Append members) */
  readonly partitionRuns?: Map<Plan, Map<number, PartitionRun>>;
}

export function runPlan(plan: Plan, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (rc.metrics) return measured(plan, rc, env);
  return dispatch(plan, rc, env);
}

function* measured(plan: Plan, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const m = rc.metrics!.get(plan) ?? { rows: 0, ms: 0 };
  rc.metrics!.set(plan, m);
  const it = dispatch(plan, rc, env)[Symbol.iterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const next = it.next();
      m.ms += performance.now() - t0;
      if (next.done) return;
      if (!isSuspend(next.value)) {
        m.rows += next.value.length;
        // time to the first rows: EXPLAIN ANALYZE's "actual time=first..total"
        m.firstMs ??= m.ms;
      }
      yield next.value;
    }
  } finally {
    // stopped early (LIMIT, cancel): the child's finally blocks release what it holds
    it.return?.();
  }
}

function dispatch(plan: Plan, rc: RunContext, env: ExecEnv): Iterable<Step> {
  switch (plan.kind) {
    case 'scan': return scan(plan, rc, env);
    case 'systemScan': return [plan.relation.rows(rc.system)];
    case 'sampleScan': return sampleScan(plan, rc, env);
    case 'values': return values(plan, env);
    case 'functionScan': return functionScan(plan, rc, env);
    case 'filter': return filter(plan, rc, env);
    case 'result': return gatingResult(plan, rc, env);
    case 'project': return project(plan, rc, env);
    case 'projectSet': return projectSet(plan, rc, env);
    case 'join':
      if (plan.lateral) return lateralJoin(plan, rc, env);
      startEarly(plan, rc, env);
      if (plan.algorithm === 'merge') return mergeJoin(plan, rc, env, (p) => runPlan(p, rc, env));
      return join(plan, rc, env, (p) => runPlan(p, rc, env));
    case 'aggregate': return aggregate(plan, rc, env);
    case 'window': return windowAgg(plan, runPlan(plan.input, rc, env), rc, env, workMemFor(rc.workMemBytes, 'window aggregate'));
    case 'sort': return sort(plan, rc, env);
    case 'topk': return topk(plan, rc, env);
    case 'limit': return limit(plan, rc, env);
    case 'distinct': return distinct(plan, rc, env);
    case 'setop':
      startEarly(plan, rc, env);
      return setop(plan, rc, env);
    case 'recursiveUnion': return recursiveUnion(plan, rc, env);
    case 'sqlFunctionScan': {
      const argRow = plan.args.map((a) => compileExpr(a)([], env));
      return runPlan(plan.body, rc, { ...env, outer: [argRow] });
    }
    case 'workTableScan': return [rc.cteResults.get(plan.workTable) ?? []];
    case 'cteScan': return cteScan(plan, rc, env);
  }
}

/** A CTE runs once per execution; every reference reads its rows. */
function* cteScan(plan: Extract<Plan, { kind: 'cteScan' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  let rows = rc.cteResults.get(plan.cte.id);
  if (!rows) {
    rows = yield* gather(runPlan(plan.cte.plan, rc, env));
    rc.cteResults.set(plan.cte.id, rows);
  }
  yield rows;
}

export { collect, MAX_MATERIALIZED_ROWS };

/** The rows with this key (null: a NULL key value, no row; undefined: too many, scan instead). */
function lookupOne(rc: RunContext, table: number, keyName: string, values: Value[], limit: number): RowBatch | null | undefined {
  if (values.some((v) => v === null)) return null;
  return rc.storage.lookupKey(table, keyName, values, rc.snapshot, rc.txn, limit);
}

/** `key = ANY (array)`: the rows of each distinct non-NULL element, in the array's order. */
function lookupEach(rc: RunContext, table: number, keyName: string, array: Value, arrayType: SqlType, limit: number): RowBatch | null | undefined {
  if (array === null) return null;
  const elemType = sqlType(elementTypeOf(arrayType.oid)!);
  const seen = new Set<unknown>();
  const rows: Row[] = [];
  const rowIds: number[] = [];
  for (const v of flattenArray(array as Value[])) {
    if (v === null) continue;
    const h = hashKey(elemType, v);
    if (seen.has(h)) continue;
    seen.add(h);
    const batch = rc.storage.lookupKey(table, keyName, [v], rc.snapshot, rc.txn, limit);
    if (!batch) return undefined;
    for (let i = 0; i < batch.rows.length; i++) {
      rows.push(batch.rows[i] as Row);
      rowIds.push(batch.rowIds[i]);
    }
    if (rows.length > limit) return undefined;
  }
  return { rows, rowIds };
}

function* scan(plan: Extract<Plan, { kind: 'scan' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  checkScannable(plan.table);
  const condition = scanCondition(plan);
  const pred = condition ? compileExpr(condition) : null;
  let tables = plan.partitions ?? [plan.table];
  if (plan.partitions && plan.filter) {
    // run-time pruning: $n parameters are known now
    const valueOf = (e: Expr) => (e.kind === 'const' ? { value: e.value } : e.kind === 'param' ? { value: env.params[e.index] ?? null } : undefined);
    const keep = new Set(prunePartitions(rc.system.catalog, plan.table, plan.filter, valueOf).map((t) => t.oid));
    tables = tables.filter((t) => keep.has(t.oid));
  }
  const partitioned = plan.partitions !== undefined;
  const runs = partitioned && rc.partitionRuns ? partitionRunsOf(rc.partitionRuns, plan) : undefined;
  const heapFetched = rc.heapFetches && isIndexOnly(plan) ? (n: number) => rc.heapFetches!.set(plan, (rc.heapFetches!.get(plan) ?? 0) + n) : undefined;
  if (heapFetched) heapFetched(0);
  // a key lookup scanning every row (below) tests its key with the Filter: not counted as the Filter's
  const removed = pred && !plan.keyLookup ? removedCounter(rc.removedRows, plan) : undefined;
  if (plan.keyLookup) {
    // a plain index whose key is shared by many rows: scanning is cheaper than fetching each
    const limit = Math.max(64, rc.storage.rowCount(plan.table.oid) / 20);
    const batch = plan.keyLookup.anyOf
      ? lookupEach(rc, plan.table.oid, plan.keyLookup.keyName, compileExpr(plan.keyLookup.anyOf)([], env), plan.keyLookup.anyOf.type, limit)
      : lookupOne(rc, plan.table.oid, plan.keyLookup.keyName, plan.keyLookup.values.map((v) => compileExpr(v)([], env)), limit);
    if (batch === null) return;
    if (batch) {
      // each row was fetched by its RowId from the row store
      heapFetched?.(batch.rows.length);
      let out: Row[] = plan.withRowId ? batch.rows.map((r, i) => [...r, batch.rowIds[i]]) : (batch.rows as Row[]);
      if (pred) {
        const fetched = out.length;
        out = out.filter((r) => pred(r, env) === true);
        const counted = removedCounter(rc.removedRows, plan);
        if (counted) counted.n += fetched - out.length;
      }
      if (out.length) yield out;
      return;
    }
  }
  if (plan.textLookup) {
    const query = compileExpr(plan.textLookup.query)([], env);
    if (query === null) return; // key @@ NULL is never true
    const rest = plan.textLookup.rest ? compileExpr(plan.textLookup.rest) : null;
    const filter = { all: (r: Row) => !pred || pred(r, env) === true, rest: (r: Row) => !rest || rest(r, env) === true };
    const counted = rc.textStats && { candidates: 0 };
    if (counted) rc.textStats!.set(plan, counted);
    // partitions have the parent's columns in its order: the parent's index key names their lists too
    for (const table of tables) {
      const run = runs && partitionRun(runs, table);
      const own = run ? { candidates: 0 } : counted;
      const clock = run && partitionClock(run);
      for (const batch of textIndexRows(rc.storage, table.oid, rc.snapshot, rc.txn, plan.textLookup.index, query as string, filter, own, plan.columns)) {
        env.checkCancel();
        clock?.handing(batch.rows.length);
        if (!plan.withRowId) yield batch.rows;
        else yield batch.rows.map((r, i) => (partitioned ? [...r, batch.rowIds[i], table.oid] : [...r, batch.rowIds[i]]));
        clock?.resume();
        if (rc.slice?.due()) yield PAUSE;
      }
      clock?.handing(0);
      if (run && own) {
        run.candidates = own.candidates;
        if (counted) counted.candidates += own.candidates;
      }
    }
    return;
  }
  if (plan.bm25TopK) {
    yield* bm25PrunedScan(plan, tables, plan.bm25TopK, pred, rc, env);
    return;
  }
  const zone = zoneConditions(plan.filter, env);
  const skipped = rc.scanStats && ((n: number, of: number) => {
    const s = rc.scanStats!.get(plan) ?? { segmentsSkipped: 0, sealedSegments: 0 };
    rc.scanStats!.set(plan, { segmentsSkipped: s.segmentsSkipped + n, sealedSegments: s.sealedSegments + of });
  });
  for (const table of tables) {
    const range = plan.indexRange;
    // an expression index read in its key's order (rules/use-index-range.ts orderByIndex): no conditions
    const byExpression = range?.order && plan.table.indexes.find((i) => i.name === range.keyName)?.expression;
    const index = range && byExpression ? { columns: range.columns, conditions: [[]], order: range.order!, orderColumns: 1, keyName: range.keyName } : range && {
      columns: range.columns,
      conditions: range.columns.map((c) => indexConditions(plan.filter, c, env)),
      ...rowBoundsOf(plan.filter, range.columns, env),
      ...(leadsWithIsNull(plan.filter, range.columns[0]) ? { leadingIsNull: true } : {}),
      ...(range.order ? { order: range.order, orderColumns: range.orderColumns ?? 1 } : {}),
    };
    const paths = rc.textStats && plan.btreeBitmap ? new Map<BitmapScanSpec, BitmapPath>() : undefined;
    const bitmap = plan.btreeBitmap && bitmapScanSpec(plan.btreeBitmap.path, env, paths);
    const counted = paths && bitmapCounter(plan, paths, rc.textStats!);
    const run = runs && partitionRun(runs, table);
    const clock = run && partitionClock(run);
    const opts = zone.length || index || bitmap || plan.columns
      ? { zone, skipped, ...(index ? { index } : {}), ...(bitmap ? { bitmap, bitmapCounted: counted } : {}), ...(plan.columns ? { columns: plan.columns } : {}), ...(index && heapFetched ? { heapFetched } : {}) } : undefined;
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, opts)) {
      // the scan waits for a worker (an ordered index scan's sort): outside a synchronous
      // subplan the event loop serves others meanwhile; there it reads on, sorting here
      if (batch.wait) {
        if (!env.synchronous) yield { kind: 'suspend', wait: cancellable(batch.wait, () => env.checkCancel()) };
        continue;
      }
      env.checkCancel();
      let out: Row[];
      if (plan.withRowId) out = batch.rows.map((r, i) => (partitioned ? [...r, batch.rowIds[i], table.oid] : [...r, batch.rowIds[i]]));
      else out = batch.rows as Row[];
      if (pred) {
        const read = out.length;
        out = out.filter((r) => pred(r, env) === true);
        if (removed) removed.n += read - out.length;
        if (run) run.removed += read - out.length;
      }
      // a key lookup that found too many rows to fetch one by one: scanned, every row from the row store
      if (heapFetched && !index) heapFetched(out.length);
      clock?.handing(out.length);
      if (out.length) yield out;
      clock?.resume();
      if (rc.slice?.due()) yield PAUSE;
    }
    clock?.handing(0);
  }
}

/** The runs of a partitioned scan's partitions, by oid (EXPLAIN ANALYZE shows each under the Append). */
function partitionRunsOf(all: Map<Plan, Map<number, PartitionRun>>, plan: Plan): Map<number, PartitionRun> {
  const runs = all.get(plan) ?? new Map<number, PartitionRun>();
  all.set(plan, runs);
  return runs;
}

function partitionRun(runs: Map<number, PartitionRun>, table: TableDef): PartitionRun {
  const run = runs.get(table.oid) ?? { rows: 0, ms: 0, removed: 0, candidates: 0 };
  runs.set(table.oid, run);
  return run;
}

/** A partition's own time: from resuming its scan to handing rows up (the parent's time in between is not its). */
function partitionClock(run: PartitionRun): { handing(rows: number): void; resume(): void } {
  let t0 = performance.now();
  return {
    handing(rows) {
      run.ms += performance.now() - t0;
      t0 = performance.now();
      if (rows > 0) {
        run.rows += rows;
        run.firstMs ??= run.ms;
      }
    },
    resume() { t0 = performance.now(); },
  };
}

/**
 * A scan under ORDER BY bm25_rank DESC LIMIT: sealed segments hand on only possible top rows
 * (bm25-top-k.ts). `tables`: the table, or the partitions left after pruning (their rows
 * scored with the whole partitioned table's corpus).
 */
function* bm25PrunedScan(
  plan: Extract<Plan, { kind: 'scan' }>, tables: readonly TableDef[], spec: NonNullable<Extract<Plan, { kind: 'scan' }>['bm25TopK']>, pred: Compiled | null, rc: RunContext, env: ExecEnv,
): Iterable<Step> {
  const k = evalCount(spec.limit, env, 'LIMIT') + evalCount(spec.offset, env, 'OFFSET');
  const query = compileExpr(spec.query)([], env);
  const corpus = env.ctx.textCorpus?.(plan.table.oid, spec.column, spec.config);
  const passes = (r: Row) => !pred || pred(r, env) === true;
  const partitioned = plan.partitions !== undefined;
  const q = query === null ? null : parseTsquery(query as string);
  for (const table of tables) {
    const out = (rows: Row[], ids: readonly number[]) => (!plan.withRowId ? rows : rows.map((r, i) => (partitioned ? [...r, ids[i], table.oid] : [...r, ids[i]])));
    const sealed = query === null || !corpus || !Number.isFinite(k) ? [] : rc.storage.searchSegments(table.oid, rc.snapshot, rc.txn);
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: new Set(sealed.map((s) => s.id)) })) {
      env.checkCancel();
      const ids: number[] = [];
      const rows: Row[] = [];
      batch.rows.forEach((r, i) => { if (passes(r as Row)) { rows.push(r as Row); ids.push(batch.rowIds[i]); } });
      if (rows.length) yield out(rows, ids);
      if (rc.slice?.due()) yield PAUSE;
    }
    for (const seg of sealed) {
      const index = segmentIndex(seg, { columns: [spec.column], tsvectorConfig: spec.config });
      const found = index ? [...bm25SegmentRows(seg, index, corpus!, q, k, passes)] : [...seg.visibleRows()].filter((f) => passes(f.row as Row));
      if (found.length) yield out(found.map((f) => f.row as Row), found.map((f) => f.rowId));
      if (rc.slice?.due()) yield PAUSE;
    }
  }
}

/** Rows a set function or a scan hands up at a time. */
const SCAN_BATCH = 1024;

/** An iterable of rows as batches of SCAN_BATCH (for collect's bound on materialized rows). */
function* batchesOf(rows: Iterable<Row>): Iterable<Batch> {
  let out: Row[] = [];
  for (const r of rows) {
    out.push(r);
    if (out.length === SCAN_BATCH) { yield out; out = []; }
  }
  if (out.length) yield out;
}

function* values(plan: Extract<Plan, { kind: 'values' }>, env: ExecEnv): Iterable<Step> {
  const compiled = plan.rows.map((r) => r.map(compileExpr));
  const empty: Row = [];
  const out: Row[] = new Array(compiled.length);
  for (let i = 0; i < compiled.length; i++) {
    try {
      out[i] = compiled[i].map((c) => c(empty, env));
    } catch (e) {
      if (!(e instanceof AwaitBeforeEvaluating) || env.synchronous) throw e;
      yield* awaitStep(cancellable(e.work, env.checkCancel));
      out[i] = yield* evaluateRow(compiled[i], empty, env);
    }
  }
  yield out;
}

/**
 * A row's expressions; a function that needs asynchronous work first (AwaitBeforeEvaluating:
 * pg_promote's wait) has it awaited — cancellable — and the row is evaluated again.
 */
function* evaluateRow(exprs: readonly Compiled[], r: Row, env: ExecEnv): Generator<Step, Value[], unknown> {
  for (;;) {
    try {
      const o: Value[] = new Array(exprs.length);
      for (let j = 0; j < exprs.length; j++) o[j] = exprs[j](r, env);
      return o;
    } catch (e) {
      if (!(e instanceof AwaitBeforeEvaluating) || env.synchronous) throw e;
      yield* awaitStep(cancellable(e.work, env.checkCancel));
    }
  }
}

function* functionScan(plan: Extract<Plan, { kind: 'functionScan' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const rows = plan.rowsFrom ? rowsFromRows(plan.rowsFrom, env) : functionRows(plan, env);
  // set functions stream (generate_series): hand rows up in batches, yielding between them
  let out: Row[] = [];
  let ordinal = 0;
  for (const r of rows) {
    out.push(plan.withOrdinality ? [...r, BigInt(++ordinal)] : r);
    if (out.length === SCAN_BATCH) {
      yield out;
      out = [];
      env.checkCancel();
      if (rc.slice?.due()) yield PAUSE;
    }
  }
  if (out.length) yield out;
}

function functionRows(fn: { readonly name: string; readonly args: readonly Expr[]; readonly scalar?: boolean }, env: ExecEnv): Iterable<Row> {
  const args = fn.args.map((a) => compileExpr(a)([], env));
  return fn.scalar ? [[args[0]]] : setFunctionRows(fn.name, args, fn.args.map((a) => a.type), env.ctx);
}

/** ROWS FROM's functions side by side: row i of each, NULLs where one has ended (nodeFunctionscan.c) */
function* rowsFromRows(fns: NonNullable<Extract<Plan, { kind: 'functionScan' }>['rowsFrom']>, env: ExecEnv): Iterable<Row> {
  const all = fns.map((fn) => [...functionRows(fn, env)]);
  const n = Math.max(0, ...all.map((rows) => rows.length));
  for (let i = 0; i < n; i++) yield all.flatMap((rows, f) => rows[i] ?? new Array<Value>(fns[f].width).fill(null));
}

function* filter(plan: Extract<Plan, { kind: 'filter' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const pred = compileExpr(plan.predicate);
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    const out = batch.filter((r) => pred(r, env) === true);
    if (out.length) yield out;
  }
}

/** PostgreSQL's gating Result: the one-time filter is evaluated once; the input runs only when it is true. */
function* gatingResult(plan: Extract<Plan, { kind: 'result' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (!plan.gated || compileExpr(plan.oneTime)([], env) !== true) return;
  yield* runPlan(plan.gated, rc, env);
}

function* project(plan: Extract<Plan, { kind: 'project' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const exprs = plan.exprs.map(compileExpr);
  const n = exprs.length;
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    const out: Row[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      const o: Value[] = new Array(n);
      try {
        for (let j = 0; j < n; j++) o[j] = exprs[j](r, env);
      } catch (e) {
        if (!(e instanceof AwaitBeforeEvaluating) || env.synchronous) throw e;
        yield* awaitStep(cancellable(e.work, env.checkCancel));
        out[i] = yield* evaluateRow(exprs, r, env);
        continue;
      }
      out[i] = o;
    }
    yield out;
  }
}

/**
 * Set-returning functions in the select list, in lockstep (PostgreSQL 10+): each input row
 * gives as many rows as its longest function, the shorter ones padded with NULL. The
 * functions are pulled lazily and output goes up in batches, so generate_series(1, 1e22)
 * streams under cancel / statement_timeout instead of filling memory first.
 */
function* projectSet(plan: Extract<Plan, { kind: 'projectSet' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const srfs = plan.srfs.map((f) => ({ name: f.name, record: !!f.record, argTypes: f.args.map((a) => a.type), args: f.args.map(compileExpr), body: f.plan }));
  let out: Row[] = [];
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    for (const r of batch) {
      const iterators: (Iterator<Row> | undefined)[] = srfs.map((f) => {
        const args = f.args.map((a) => a(r, env));
        return (f.body ? env.runPlan(f.body, [args]) : setFunctionRows(f.name, args, f.argTypes, env.ctx))[Symbol.iterator]();
      });
      for (;;) {
        const values: Value[] = [];
        let live = false;
        iterators.forEach((it, k) => {
          const next = it?.next();
          if (!next || next.done) { iterators[k] = undefined; values.push(null); return; }
          live = true;
          values.push(srfs[k].record ? next.value : next.value[0]);
        });
        if (!live) break;
        out.push([...r, ...values]);
        if (out.length === SCAN_BATCH) {
          yield out;
          out = [];
          env.checkCancel();
          if (rc.slice?.due()) yield PAUSE;
        }
      }
    }
  }
  if (out.length) yield out;
}

function* recursiveUnion(plan: Extract<Plan, { kind: 'recursiveUnion' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const types = plan.schema.map((c) => c.type);
  const seen = plan.all ? null : new Set<string>();
  const fresh = (rows: Row[]) => (seen ? rows.filter((r) => { const k = groupKey(types, r); if (seen.has(k)) return false; seen.add(k); return true; }) : rows);
  let total = 0;
  let working = fresh(yield* gather(runPlan(plan.nonRecursive, rc, env)));
  while (working.length > 0) {
    total += working.length;
    if (total > MAX_MATERIALIZED_ROWS) throw tooManyRows();
    yield working;
    env.checkCancel();
    if (rc.slice?.due()) yield PAUSE;
    rc.cteResults.set(plan.workTable, working);
    working = fresh(yield* gather(runPlan(plan.recursive, rc, env)));
  }
}

/**
 * LATERAL (and a parameterized nested loop, planner/param-index-join.ts): the right side is
 * re-run for every left row, with that row as its outer row. A semi join hands on the left
 * row at its first match, an anti join the left rows with none.
 */
function* lateralJoin(plan: Extract<Plan, { kind: 'join' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (plan.joinType === 'right' || plan.joinType === 'full') {
    throw new SqlError(SqlState.featureNotSupported, 'RIGHT and FULL JOIN with LATERAL are not supported');
  }
  const on = plan.on ? compileExpr(plan.on) : null;
  const removed = on ? removedCounter(rc.removedRows, plan) : undefined;
  const nullRight: Value[] = new Array(plan.right.schema.length).fill(null);
  const cache = plan.memoize ? new InnerCache(plan, 2 * (rc.workMemBytes ?? 4 * 1024 * 1024)) : undefined;
  for (const batch of runPlan(plan.left, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    env.checkCancel();
    const out: Row[] = [];
    for (const l of batch) {
      const key = cache?.key(l);
      let rightRows = key === undefined ? undefined : cache!.get(key);
      if (!rightRows) {
        rightRows = yield* gather(runPlan(plan.right, rc, { ...env, outer: [l, ...env.outer] }));
        if (key !== undefined) cache!.set(key, rightRows);
      }
      let matched = false;
      for (const r of rightRows) {
        const combined = [...l, ...r];
        if (on && on(combined, env) !== true) {
          if (removed) removed.n++;
          continue;
        }
        matched = true;
        if (plan.joinType === 'semi' || plan.joinType === 'anti') break;
        out.push(combined);
      }
      if (matched && plan.joinType === 'semi') out.push(l);
      if (!matched && plan.joinType === 'anti') out.push(l);
      if (!matched && plan.joinType === 'left') out.push([...l, ...nullRight]);
    }
    if (out.length) yield out;
  }
}

/**
 * Memoize: a parameterized inner side's rows per value of the outer columns it reads, in
 * at most hash_mem (2 × work_mem, 8 MB when unset) of rows (rowBytes). Past it
 * nothing more is added (PostgreSQL evicts the least recently used entry instead; either
 * way a miss just runs the inner side).
 */
class InnerCache {
  private readonly keys: { index: number; type: SqlType }[];
  private readonly entries = new Map<string, Row[]>();
  private bytes = 0;

  constructor(plan: Extract<Plan, { kind: 'join' }>, private readonly limitBytes: number) {
    this.keys = outerColumnsRead(plan.right).map((k) => ({ index: k.index, type: k.type }));
  }

  key(outer: Row): string {
    return this.keys.map((k) => {
      const v = outer[k.index];
      if (v === null) return 'N';
      const h = hashKey(k.type, v);
      return `${typeof h}:${String(h)}`;
    }).join('\u0000');
  }

  get(key: string): Row[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, rows: Row[]): void {
    const bytes = rows.reduce((n, r) => n + rowBytes(r), 64);
    if (this.bytes + bytes > this.limitBytes) return;
    this.bytes += bytes;
    this.entries.set(key, rows);
  }
}

/** Bookkeeping bytes beside the rows (estimates): a group's entry, one aggregate's state, a hash set entry. */
const GROUP_BYTES = 96;
const AGG_STATE_BYTES = 48;
const SET_ENTRY_BYTES = 32;

interface AggSlot {
  state: unknown;
  seen?: Set<unknown>;
  /** buffered argument rows for ordered aggregates (string_agg(x, ',' ORDER BY y)) */
  buffered?: { args: Value[]; keys: Value[] }[];
}

/**
 * Hash aggregation. Past work_mem (with temp space, GROUP BY, and no ordered or DISTINCT
 * aggregate), the groups already held keep taking their rows, while rows of new groups go
 * to temp files split by the hash of their key (as PostgreSQL 13+ does); each file is then
 * aggregated on its own, split again if it is still too big. Aggregate states are never
 * written out: only input rows are, as [group key…, row…].
 */
function* aggregate(plan: Extract<Plan, { kind: 'aggregate' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const aggs = plan.aggs.map((a) => ({
    call: a,
    args: a.args.map(compileExpr),
    filter: a.filter ? compileExpr(a.filter) : null,
    orderKeys: a.orderBy.map((k) => compileExpr(k.expr)),
    direct: a.direct?.map(compileExpr),
  }));
  const spillable = plan.groupBy.length > 0 && plan.aggs.every((a) => !a.orderBy.length && !a.distinct);
  const files = rc.tempSpace && spillable ? new SpillFiles(rc.tempSpace, 'hashagg') : undefined;
  const stats = { batches: 1 };
  // EXPLAIN ANALYZE: the hash table's memory as PostgreSQL's would take it (pg-memory.ts)
  // (grouping sets: PostgreSQL reports one figure per hash table, not modelled)
  const memory = rc.memoryStats && plan.groupBy.length > 0 && !plan.groupingSets ? hashAggMemory(plan.groupBy.map((g) => g.type), plan.aggs, rc) : undefined;
  if (memory) rc.memoryStats!.set(plan, { kind: 'hashAgg', run: memory.run });
  try {
    if (plan.rollupSorted) yield* sortedRollup(plan, aggs, runPlan(plan.input, rc, env), rc, env);
    else yield* aggregatePass(plan, aggs, runPlan(plan.input, rc, env), 0, files, stats, rc, env, memory);
  } finally {
    if (files) {
      files.removeAll();
      if (files.diskBytes > 0) rc.spillStats?.set(plan, { kind: 'hash', batches: stats.batches, diskBytes: files.diskBytes });
    }
  }
}

type CompiledAgg = {
  call: AggregateCall;
  args: Compiled[];
  filter: Compiled | null;
  orderKeys: Compiled[];
  direct: Compiled[] | undefined;
};

/**
 * One pass over input rows: at depth 0 the plan's input, deeper the rows of one spilled
 * partition, which carry their group key in front.
 */
function* aggregatePass(
  plan: Extract<Plan, { kind: 'aggregate' }>, aggs: CompiledAgg[], input: Iterable<Step>, depth: number,
  files: SpillFiles | undefined, stats: { batches: number }, rc: RunContext, env: ExecEnv, memory?: HashAggMemory,
): Generator<Step, void, unknown> {
  const groupExprs = plan.groupBy.map(compileExpr);
  const sets = plan.groupingSets;
  // with grouping sets a group's key ends in its set's number (its other columns are NULL)
  const groupTypes = [...plan.groupBy.map((g) => g.type), ...(sets ? [T.int4] : [])];
  const nKeys = groupTypes.length;
  const keysOf = groupingSetKeys(groupExprs, sets, env);
  const groups = new Map<string, { key: Value[]; slots: AggSlot[] }>();
  const newSlots = () => initialSlots(aggs);
  const budget = workMemFor(rc.workMemBytes, 'hash aggregate');
  let spilled: HashPartitions | undefined;
  for (const batch of input) {
    if (isSuspend(batch)) { yield batch; continue; }
    env.checkCancel();
    for (const inRow of batch) {
      const r = depth > 0 ? inRow.slice(nKeys) : inRow;
      const inputs = aggInputs(aggs, r, env);
      for (const key of depth > 0 ? [inRow.slice(0, nKeys)] : keysOf(inRow)) {
        const k = nKeys ? groupKey(groupTypes, key) : '';
        let g = groups.get(k);
        if (memory && depth === 0) memory.run.groupsBeforeLast = groups.size;
        if (!g) {
          if (spilled) {
            spilled.add(k, depth > 0 ? inRow : [...key, ...r]);
            continue;
          }
          groups.set(k, (g = { key, slots: newSlots() }));
          if (memory && depth === 0) memory.group(key);
          if (budget && !budget.tryAdd(key, GROUP_BYTES + k.length + AGG_STATE_BYTES * aggs.length)) {
            // every row of one group lands in one partition: past MAX_DEPTH the groups are too big, not too many
            if (!files || depth >= MAX_DEPTH) throw budget.exceeded();
            spilled = new HashPartitions(files, depth);
            stats.batches += spilled.parts.length;
          }
        }
        stepSlots(aggs, g.slots, inputs, env, budget);
      }
    }
    if (spilled && rc.slice?.due()) yield PAUSE;
  }
  // no rows: one group per empty grouping set (a plain aggregate without GROUP BY is one)
  if (depth === 0 && groups.size === 0) {
    if (!sets && nKeys === 0) groups.set('', { key: [], slots: newSlots() });
    sets?.forEach((s, si) => {
      if (s.length) return;
      const key: Value[] = [...plan.groupBy.map(() => null), si];
      groups.set(groupKey(groupTypes, key), { key, slots: newSlots() });
    });
  }
  let out: Row[] = [];
  for (const g of groups.values()) {
    const row: Value[] = sets ? g.key.slice(0, -1) : [...g.key];
    finishSlots(aggs, g.slots, row, g.key, sets ? sets[g.key[nKeys - 1] as number] : undefined, env);
    out.push(row);
    if (spilled && out.length === SCAN_BATCH) { yield out; out = []; }
  }
  if (out.length || !spilled) yield out;
  if (!spilled) return;
  groups.clear();
  const pace = { checkCancel: env.checkCancel, slice: rc.slice };
  for (let i = 0; i < spilled.parts.length; i++) {
    if (spilled.parts[i].rows > 0) yield* aggregatePass(plan, aggs, readBack(spilled.parts[i], pace), depth + 1, files, stats, rc, env);
    spilled.release(i);
  }
}

function initialSlots(aggs: readonly CompiledAgg[]): AggSlot[] {
  return aggs.map((a) => ({
    state: a.call.fn.init(),
    seen: a.call.distinct ? new Set() : undefined,
    // DISTINCT aggregates see their input sorted, as in PostgreSQL (array_agg(DISTINCT x) → {1,2,3})
    buffered: a.call.orderBy.length || a.call.distinct ? [] : undefined,
  }));
}

/** An aggregate's arguments (and ORDER BY keys) from one row; null when its FILTER or strictness skips the row. */
type AggInput = { args: Value[]; keys: Value[] } | null;

function aggInputs(aggs: readonly CompiledAgg[], r: Row, env: ExecEnv): AggInput[] {
  return aggs.map((a) => {
    if (a.call.grouping) return null;
    if (a.filter && a.filter(r, env) !== true) return null;
    const args = a.args.map((x) => x(r, env));
    if (a.call.fn.strict && args.some((v) => v === null)) return null;
    return { args, keys: a.call.orderBy.length ? a.orderKeys.map((x) => x(r, env)) : args };
  });
}

/** One row's aggregate inputs into a group's states (with grouping sets, the same inputs into each set's group). */
function stepSlots(aggs: readonly CompiledAgg[], slots: AggSlot[], inputs: readonly AggInput[], env: ExecEnv, budget: WorkMem | undefined): void {
  for (let i = 0; i < aggs.length; i++) {
    const input = inputs[i];
    if (!input) continue;
    const a = aggs[i];
    const { args, keys } = input;
    const slot = slots[i];
    if (slot.seen) {
      const dk = groupKey(a.call.args.map((x) => x.type), args);
      if (slot.seen.has(dk)) continue;
      slot.seen.add(dk);
    }
    if (slot.buffered) {
      slot.buffered.push({ args, keys });
      budget?.add(keys === args ? args : [...args, ...keys]);
    }
    else slot.state = a.call.fn.step(slot.state, args, env.ctx);
  }
}

/**
 * A group's aggregate results appended to its output row; `key` is what direct arguments
 * read, `set` the group's grouping set (GROUPING()), undefined for a plain GROUP BY.
 */
function finishSlots(aggs: readonly CompiledAgg[], slots: AggSlot[], row: Value[], key: Row, set: readonly number[] | undefined, env: ExecEnv): void {
  slots.forEach((slot, i) => {
    const a = aggs[i];
    if (a.call.grouping) {
      row.push(groupingBits(a.call.grouping, set));
      return;
    }
    if (slot.buffered) {
      const specs = a.call.orderBy.length
        ? a.call.orderBy.map((k, j) => ({ index: j, type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst }))
        : a.call.args.map((x, j) => ({ index: j, type: x.type, desc: false, nullsFirst: false }));
      const cmp = rowComparator(specs);
      slot.buffered.sort((x, y) => cmp(x.keys, y.keys));
      for (const b of slot.buffered) slot.state = a.call.fn.step(slot.state, b.args, env.ctx);
    }
    // direct arguments (percentile_disc(0.5)) read only the group key
    row.push(a.call.fn.final(slot.state, env.ctx, a.direct?.map((d) => d(key, env))));
  });
}

/**
 * One rollup over input sorted by its keys (PostgreSQL's sorted grouping sets): a group of
 * each set is open at a time; when a row's keys differ from the last one's at position p,
 * every set longer than p is finished, the widest first, and restarted. Holds one group per set.
 */
function* sortedRollup(plan: Extract<Plan, { kind: 'aggregate' }>, aggs: CompiledAgg[], input: Iterable<Step>, rc: RunContext, env: ExecEnv): Generator<Step, void, unknown> {
  const sets = plan.groupingSets!;
  // every set is a prefix of the widest (rules/sort-grouping-rollup.ts lists them widest first)
  const order = sets[0]!;
  const keyExprs = order.map((i) => compileExpr(plan.groupBy[i]!));
  const keyTypes = order.map((i) => plan.groupBy[i]!.type);
  const budget = workMemFor(rc.workMemBytes, 'sorted aggregate');
  let slots = sets.map(() => initialSlots(aggs));
  let last: Value[] | undefined;
  let out: Row[] = [];
  const finish = (si: number, key: Value[]) => {
    const set = sets[si]!;
    const row: Value[] = plan.groupBy.map(() => null);
    set.forEach((gi) => { row[gi] = key[order.indexOf(gi)]; });
    finishSlots(aggs, slots[si]!, row, row, set, env);
    out.push(row);
    slots[si] = initialSlots(aggs);
  };
  for (const batch of input) {
    if (isSuspend(batch)) { yield batch; continue; }
    env.checkCancel();
    for (const r of batch) {
      const key = keyExprs.map((k) => k(r, env));
      if (last) {
        let p = 0;
        while (p < key.length && groupKey([keyTypes[p]!], [key[p]!]) === groupKey([keyTypes[p]!], [last[p]!])) p++;
        if (p < key.length) sets.forEach((s, si) => { if (s.length > p) finish(si, last!); });
      }
      last = key;
      const inputs = aggInputs(aggs, r, env);
      for (const s of slots) stepSlots(aggs, s, inputs, env, budget);
    }
    if (out.length >= SCAN_BATCH) { yield out; out = []; }
  }
  // the last groups, and the empty sets' one row even without input
  sets.forEach((s, si) => { if (last || s.length === 0) finish(si, last ?? []); });
  yield out;
}

/**
 * The group keys one input row belongs to: one key, or with grouping sets one per set, the
 * columns outside the set NULL and the set's number last.
 */
function groupingSetKeys(groupExprs: readonly Compiled[], sets: readonly (readonly number[])[] | undefined, env: ExecEnv): (row: Row) => Value[][] {
  if (!sets) return (row) => [groupExprs.map((g) => g(row, env))];
  const inSet = sets.map((s) => groupExprs.map((_, i) => s.includes(i)));
  return (row) => {
    const full = groupExprs.map((g) => g(row, env));
    return inSet.map((member, si) => [...full.map((v, i) => (member[i] ? v : null)), si]);
  };
}

/** GROUPING(args): a bit per argument, the first the most significant, set when the group's set leaves it out. */
function groupingBits(args: readonly number[], set: readonly number[] | undefined): number {
  let bits = 0;
  for (const a of args) bits = (bits << 1) | (!set || set.includes(a) ? 0 : 1);
  return bits;
}

interface HashAggMemory { readonly run: HashAggRun; group(key: readonly Value[]): void }

/**
 * Transition states PostgreSQL passes by reference, allocated per group from their initial
 * value: avg over integers an int8[2], over floats (and their variances) a float8[3].
 */
function byReferenceState(call: AggregateCall): number {
  const arg = call.args[0]?.type.oid;
  const ints = arg === OID.int2 || arg === OID.int4;
  const floats = arg === OID.float4 || arg === OID.float8;
  if (call.name === 'avg' && ints) return 40;
  if (floats && /^(avg|stddev|stddev_pop|stddev_samp|variance|var_pop|var_samp)$/.test(call.name)) return 48;
  return 0;
}

/**
 * The first pass's groups counted into the table context of PostgreSQL's hashed Agg (also a
 * DISTINCT's or a UNION's HashAggregate: the whole row its key, no aggregates).
 */
function hashAggMemory(types: readonly SqlType[], aggs: readonly AggregateCall[], rc: RunContext): HashAggMemory {
  // the table context is CreateWorkExprContext's (blocks up to work_mem / 16)
  const cxt = AllocSetModel.forWorkMem(rc.workMemBytes ?? 4 * 1024 * 1024);
  const states = aggs.map(byReferenceState).filter((b) => b > 0);
  const run: HashAggRun = { groupsBeforeLast: 0, tableBytes: cxt.allocated, transitions: aggs.length };
  return {
    run,
    group(key) {
      addHashAggGroup(cxt, key, types, aggs.length, states);
      run.tableBytes = cxt.allocated;
    },
  };
}

/** A hash set of rows (DISTINCT, UNION) measured as PostgreSQL's HashAggregate, when EXPLAIN ANALYZE asks. */
function hashSetMemory(plan: Plan, types: readonly SqlType[], rc: RunContext): HashAggMemory | undefined {
  if (!rc.memoryStats) return undefined;
  const memory = hashAggMemory(types, [], rc);
  rc.memoryStats.set(plan, { kind: 'hashAgg', run: memory.run });
  return memory;
}

export function groupKey(types: readonly SqlType[], values: readonly Value[]): string {
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) k += '\u0000N|';
    else {
      const h = hashKey(types[i], v);
      k += typeof h === 'bigint' ? `${h}n|` : typeof h === 'string' ? `s${h.length}:${h}|` : `${String(h)}|`;
    }
  }
  return k;
}

interface KeySpec {
  index: number;
  type: SqlType;
  desc: boolean;
  nullsFirst: boolean;
}

/**
 * The order of rows on `keys`: each key's type comparison resolved once (comparatorFor),
 * one closure per key chained, so a sort's millions of calls do no dispatch on the type.
 */
export function rowComparator(keys: readonly KeySpec[]): (a: readonly Value[], b: readonly Value[]) => number {
  let next: (a: readonly Value[], b: readonly Value[]) => number = () => 0;
  for (let i = keys.length - 1; i >= 0; i--) next = keyComparator(keys[i], next);
  return next;
}

function keyComparator(k: KeySpec, then: (a: readonly Value[], b: readonly Value[]) => number): (a: readonly Value[], b: readonly Value[]) => number {
  const { index, desc, nullsFirst } = k;
  const cmp = comparatorFor(k.type);
  return (a, b) => {
    const x = a[index];
    const y = b[index];
    if (x === null || y === null) {
      if (x === null && y === null) return then(a, b);
      return (x === null) === nullsFirst ? -1 : 1;
    }
    const c = cmp(x, y);
    if (c !== 0) return desc ? -c : c;
    return then(a, b);
  };
}

/** Sort keys as comparators over extended rows [row…, key values…]. */
function keySpecs(keys: readonly SortKey[], width: number): { compiled: Compiled[]; specs: KeySpec[] } {
  return {
    compiled: keys.map((k) => compileExpr(k.expr)),
    specs: keys.map((k, i) => ({ index: width + i, type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })),
  };
}

function* sort(plan: Extract<Plan, { kind: 'sort' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (plan.presorted) { yield* incrementalRun(plan, plan.keys, plan.presorted, Number.POSITIVE_INFINITY, 0, rc, env); return; }
  const width = plan.input.schema.length;
  const { compiled, specs } = keySpecs(plan.keys, width);
  const held = rc.memoryStats && new TupleShapes(plan.input.schema.map((c) => c.type));
  const extend = compiled.length ? (r: Row) => { const h = [...r]; for (const c of compiled) h.push(c(r, env)); return h; } : (r: Row) => r;
  const hold = held ? (r: Row) => { held.add(r); return extend(r); } : extend;
  const stats: SortStats | undefined = rc.spillStats ? { method: 'quicksort', bytes: 0 } : undefined;
  const pace = { checkCancel: env.checkCancel, slice: rc.slice };
  try {
    for (const step of sortRows(runPlan(plan.input, rc, env), hold, rowComparator(specs), workMemFor(rc.workMemBytes, 'sort'), rc.tempSpace, pace, stats)) {
      if (isSuspend(step)) yield step;
      else yield compiled.length ? step.map((r) => r.slice(0, width)) : step;
    }
  } finally {
    if (stats) rc.spillStats!.set(plan, { kind: 'sort', ...stats });
    if (held && stats?.method !== 'external merge') rc.memoryStats!.set(plan, { kind: 'sort', space: { method: 'quicksort', tuples: held, count: held.rows, bounded: false } });
  }
}

function evalCount(e: Expr | null, env: ExecEnv, what: string): number {
  if (!e) return 0;
  // (LIMIT 10: its constant, not a closure compiled at every run)
  const v = e.kind === 'const' ? e.value : compileExpr(e)([], env);
  if (v === null) return Number.POSITIVE_INFINITY;
  const n = Number(v);
  if (n < 0) throw new SqlError(what === 'LIMIT' ? '2201W' : '2201X', `${what} must not be negative`);
  return n;
}

/**
 * TopK: ORDER BY keys LIMIT k as a bounded max-heap of k rows. Each input row costs one
 * key evaluation (e.g. one vector distance) and, only when it beats the current k-th
 * row, O(log k) heap work.
 */
/** A distance between a vector column and a per-query constant: the exact vector search key. */
function distanceKey(keys: readonly SortKey[]): { column: number; query: Expr; op: DistanceOperator; half: boolean } | undefined {
  if (keys.length !== 1 || keys[0].desc) return undefined;
  const e = keys[0].expr;
  if (e.kind !== 'call' || !DISTANCE_OPS.has(e.name) || e.args.length !== 2) return undefined;
  const [a, b] = e.args;
  // the operator of vector (or halfvec) with both sides of that type
  const t = a.type.oid;
  if ((t !== OID.vector && t !== OID.halfvec) || b.type.oid !== t) return undefined;
  const half = t === OID.halfvec;
  // the query vector: anything that is the same for every row (a literal, $n, or an
  // expression over them such as '[…]'::vector or array_fill(…)::vector), evaluated once
  const isQuery = (x: Expr) => x.kind === 'const' || x.kind === 'param' || isRowIndependent(x);
  // all four distances are symmetric, so either side may be the column
  if (a.kind === 'column' && a.level === 0 && isQuery(b)) return { column: a.index, query: b, op: e.name as DistanceOperator, half };
  if (b.kind === 'column' && b.level === 0 && isQuery(a)) return { column: b.index, query: a, op: e.name as DistanceOperator, half };
  return undefined;
}

const DISTANCE_OPS = new Set(['<->', '<#>', '<=>', '<+>']);

/**
 * Exact vector top-k: one kernel call per row, a bounded max-heap of (distance, row).
 * NULL vectors sort last (ORDER BY … ASC puts NULLs last), ties keep scan order.
 */
function* vectorTopK(plan: Extract<Plan, { kind: 'topk' }>, key: NonNullable<ReturnType<typeof distanceKey>>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const q = compileExpr(key.query)([], env);
  const col = key.column;
  const nulls: Row[] = [];
  if (q === null) {
    // distance to NULL is NULL for every row: plain input order
    for (const batch of runPlan(plan.input, rc, env)) {
      if (isSuspend(batch)) { yield batch; continue; }
      for (const r of batch) if (nulls.length < k) nulls.push(r);
    }
    yield nulls.slice(offsetN);
    return;
  }
  const candidates = new VectorCandidates(k, key.op, key.half, q as Float32Array);
  let seq = 0;
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    env.checkCancel();
    for (const r of batch) {
      const v = r[col];
      const s = seq++;
      // NULL vectors sort last (ASC NULLS LAST) and only fill up a short result
      if (v === null) {
        if (nulls.length < k) nulls.push(r);
        continue;
      }
      candidates.offer(r, v as Float32Array, s);
    }
  }
  const out = candidates.finish();
  for (const r of nulls) if (out.length < k) out.push(r);
  yield out.slice(offsetN);
}

/**
 * Before a join or set operation runs its sides: start the vector Top-Ks below it in the
 * query workers (early-vector-search.ts), so they search while the other side runs here.
 */
function startEarly(plan: Plan, rc: RunContext, env: ExecEnv): void {
  const pool = rc.queryWorkers;
  if (!pool || env.synchronous) return;
  startVectorSearches(plan, rc, (t, early) => {
    const vkey = distanceKey(t.keys);
    // (no LIMIT: an ordered index scan, not a search)
    if (!vkey || !t.limit || env.ctx.setting('quiver.early_vector_search') === 'off') return undefined;
    let k: number, offsetN: number;
    try {
      offsetN = evalCount(t.offset, env, 'OFFSET');
      k = evalCount(t.limit, env, 'LIMIT') + offsetN;
    } catch {
      return undefined; // the operator raises it when it runs
    }
    return k > 0 && Number.isFinite(k) ? parallelVectorTopK(t, vkey, k, offsetN, rc, env, pool, early) : undefined;
  });
}

function* topk(plan: Extract<Plan, { kind: 'topk' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  // a vector search reads its scan's table without running the scan
  if (plan.input.kind === 'scan') checkScannable(plan.input.table);
  const offsetN = evalCount(plan.offset, env, 'OFFSET');
  // no LIMIT: an ordered vector index scan (planned only over an index)
  if (!plan.limit) {
    yield* vectorIndexOrder(plan, offsetN, rc, env, (p) => runPlan(p, rc, env));
    return;
  }
  const limitN = evalCount(plan.limit, env, 'LIMIT');
  const k = limitN + offsetN;
  const vkey = distanceKey(plan.keys);
  if (vkey && k > 0 && Number.isFinite(k)) {
    if (rc.queryWorkers && !env.synchronous) {
      // started by a join above (startEarly), or now
      const early = takeStartedSearch(plan, rc);
      // a search of one segment while no other session searches is done here: known at once
      const here = !early && !!plan.vectorSearch?.index && indexedSearchStaysInThread(plan, vkey, rc);
      const viaWorkers = here ? undefined : yield* awaitStep(early?.search ?? parallelVectorTopK(plan, vkey, k, offsetN, rc, env, rc.queryWorkers));
      // an indexed search's counts (EXPLAIN ANALYZE), with the mark that it started early
      if (viaWorkers && early?.start.stats && rc.vectorStats) {
        const counts = { ...early.start.stats, startedEarly: true };
        const had = rc.vectorStats.get(plan);
        if (had) addVectorStats(had, counts);
        else rc.vectorStats.set(plan, counts);
      }
      if (viaWorkers) {
        yield viaWorkers;
        return;
      }
    }
    const viaIndex = plan.vectorSearch?.index ? yield* indexedVectorTopK(plan, vkey, k, offsetN, rc, env) : undefined;
    if (viaIndex) {
      yield viaIndex;
      return;
    }
    yield* vectorTopK(plan, vkey, k, offsetN, rc, env);
    return;
  }
  const viaKeyIndex = plan.vectorSearch?.index?.expression && k > 0 && Number.isFinite(k) ? yield* expressionIndexedTopK(plan, k, offsetN, rc, env) : undefined;
  if (viaKeyIndex) {
    yield viaKeyIndex;
    return;
  }
  const viaBitIndex = plan.vectorSearch?.index && k > 0 && Number.isFinite(k) ? yield* bitIndexedTopK(plan, k, offsetN, rc, env) : undefined;
  if (viaBitIndex) {
    yield viaBitIndex;
    return;
  }
  const viaSparseIndex = plan.vectorSearch?.index && k > 0 && Number.isFinite(k) ? yield* sparseIndexedTopK(plan, k, offsetN, rc, env) : undefined;
  if (viaSparseIndex) {
    yield viaSparseIndex;
    return;
  }
  if (plan.presorted) {
    yield* incrementalTopK(plan, k, offsetN, rc, env);
    return;
  }
  const width = plan.input.schema.length;
  const { compiled, specs } = keySpecs(plan.keys, width);
  const cmp = rowComparator(specs);
  const heap: Row[] = []; // max-heap by cmp: heap[0] is the worst kept row
  let seq = 0;
  const seqIndex = width + compiled.length;
  // ties keep input order, like a stable sort
  const full = (a: Row, b: Row) => cmp(a, b) || ((a[seqIndex] as number) - (b[seqIndex] as number));
  const types = plan.input.schema.map((c) => c.type);
  const held = rc.memoryStats && new TupleShapes(types);
  const evicted = held && new TupleShapes(types);
  if (k > 0) {
    for (const batch of runPlan(plan.input, rc, env)) {
      if (isSuspend(batch)) { yield batch; continue; }
      env.checkCancel();
      for (const r of batch) {
        // PostgreSQL's bounded sort holds every row until it has more than twice the bound (then a heap of the bound's)
        if (held && held.rows <= 2 * k) held.add(r);
        const ext = [...r];
        for (const c of compiled) ext.push(c(r, env));
        ext.push(seq++);
        if (heap.length < k) {
          heap.push(ext);
          siftUp(heap, heap.length - 1, full);
        } else if (full(ext, heap[0]) < 0) {
          // make_bounded_heap replaces the top with one of the first 2k + 1 rows without freeing it: still counted
          if (evicted && (ext[seqIndex] as number) <= 2 * k) evicted.add(heap[0].slice(0, width));
          heap[0] = ext;
          siftDown(heap, 0, full);
        }
      }
    }
  }
  heap.sort(full);
  // (the rows the Sort hands its Limit: those OFFSET skips too)
  if (held) rc.memoryStats!.set(plan, { kind: 'sort', space: topNSpace(held, heap.map((r) => r.slice(0, width)), evicted!, k), handed: heap.length });
  yield heap.slice(offsetN).map((r) => r.slice(0, width));
}

/**
 * A bounded sort's memory (tuplesort's TSS_BOUNDED): all rows up to twice the bound are
 * quicksorted; past it the bound's rows kept in a heap, plus the heap tops make_bounded_heap
 * replaced among the first 2k + 1 rows without freeing them (`evicted`, counted in it).
 */
function topNSpace(held: TupleShapes, kept: readonly Row[], evicted: TupleShapes, k: number): SortSpace {
  if (held.rows <= 2 * k) return { method: 'quicksort', tuples: held, count: held.rows, bounded: true };
  for (const r of kept) evicted.add(r);
  return { method: 'top-N heapsort', tuples: evicted, count: held.rows, bounded: true };
}

/** EXPLAIN ANALYZE's rows of each Bitmap Index Scan of a B-tree bitmap: the positions its index gave, summed over segments. */
function bitmapCounter(plan: Plan, paths: Map<BitmapScanSpec, BitmapPath>, stats: Map<Plan, BitmapStats>): (leaf: BitmapScanSpec, positions: number) => void {
  const entry = stats.get(plan) ?? { candidates: 0, leaves: new Map<BitmapPath, number>() };
  stats.set(plan, entry);
  return (leaf, positions) => {
    const path = paths.get(leaf);
    if (path) entry.leaves!.set(path, (entry.leaves!.get(path) ?? 0) + positions);
  };
}

/** ORDER BY … LIMIT over input presorted on the first keys: an Incremental Sort that stops reading at the LIMIT. */
function* incrementalTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (k <= 0) return;
  yield* incrementalRun(plan, plan.keys, plan.presorted ?? 0, k, offsetN, rc, env);
}

/** An Incremental Sort on `keys` over input presorted on the first `presortedKeys`, handing on rows offset … offset + k. */
function* incrementalRun(plan: Extract<Plan, { kind: 'topk' | 'sort' }>, keys: readonly SortKey[], presortedKeys: number, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const width = plan.input.schema.length;
  const { compiled, specs } = keySpecs(keys, width);
  const presorted = specs.slice(0, presortedKeys);
  const stats = rc.spillStats ? newIncrementalSortStats() : undefined;
  const extended = function* (): Iterable<Step> {
    for (const step of runPlan(plan.input, rc, env)) {
      if (isSuspend(step)) { yield step; continue; }
      yield step.map((r) => { const h = [...r]; for (const c of compiled) h.push(c(r, env)); return h; });
    }
  };
  let skip = offsetN;
  try {
    for (const step of incrementalSort(extended(), {
      compare: rowComparator(specs), compareRest: rowComparator(specs.slice(presortedKeys)),
      samePrefix: (a, b) => presorted.every((s) => a[s.index] === null ? b[s.index] === null : b[s.index] !== null && compareValues(s.type, a[s.index], b[s.index]) === 0),
      bound: k, checkCancel: env.checkCancel, stats,
    })) {
      if (isSuspend(step)) { yield step; continue; }
      const rows = skip >= step.length ? [] : step.slice(skip);
      skip = Math.max(0, skip - step.length);
      if (rows.length) yield rows.map((r) => r.slice(0, width));
    }
  } finally {
    if (stats) rc.spillStats!.set(plan, stats);
  }
}

function siftUp(h: Row[], i: number, cmp: (a: Row, b: Row) => number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (cmp(h[i], h[p]) <= 0) break;
    [h[i], h[p]] = [h[p], h[i]];
    i = p;
  }
}

function siftDown(h: Row[], i: number, cmp: (a: Row, b: Row) => number): void {
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < n && cmp(h[l], h[m]) > 0) m = l;
    if (r < n && cmp(h[r], h[m]) > 0) m = r;
    if (m === i) return;
    [h[i], h[m]] = [h[m], h[i]];
    i = m;
  }
}

function* limit(plan: Extract<Plan, { kind: 'limit' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  // recompute_limits: the OFFSET first, then the count
  let skip = evalCount(plan.offset, env, 'OFFSET');
  if (plan.withTies) { yield* limitWithTies(plan, plan.withTies, skip, rc, env); return; }
  let remaining = plan.limit ? evalCount(plan.limit, env, 'LIMIT') : Number.POSITIVE_INFINITY;
  if (remaining === 0) return;
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    let b = batch;
    if (skip > 0) {
      if (b.length <= skip) {
        skip -= b.length;
        continue;
      }
      b = b.slice(skip);
      skip = 0;
    }
    if (b.length >= remaining) {
      yield b.slice(0, remaining);
      return;
    }
    remaining -= b.length;
    yield b;
  }
}

/**
 * FETCH FIRST n ROWS WITH TIES (nodeLimit.c's LIMIT_WINDOWEND_TIES): after the offset, n
 * rows, then the rows equal to the n-th on the ORDER BY keys (NULLs equal to NULLs, as the
 * sort placed them together). A NULL count is an error here, not "no limit".
 */
function* limitWithTies(plan: Extract<Plan, { kind: 'limit' }>, keys: readonly SortKey[], skip: number, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const count = plan.limit ? compileExpr(plan.limit)([], env) : null;
  if (count === null) throw new SqlError('2201W', 'row count cannot be null in FETCH FIRST ... WITH TIES clause');
  let remaining = Number(count);
  if (remaining < 0) throw new SqlError('2201W', 'LIMIT must not be negative');
  if (remaining === 0) return;
  const compiled = keys.map((k) => compileExpr(k.expr));
  const same = rowComparator(keys.map((k, i) => ({ index: i, type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })));
  const keyOf = (r: Row): Value[] => compiled.map((c) => c(r, env));
  let last: Value[] | undefined; // the n-th row's keys, once n rows have passed
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    let b = batch;
    if (skip > 0) {
      if (b.length <= skip) { skip -= b.length; continue; }
      b = b.slice(skip);
      skip = 0;
    }
    if (!last) {
      if (b.length < remaining) { remaining -= b.length; yield b; continue; }
      last = keyOf(b[remaining - 1]);
      const head = b.slice(0, remaining);
      b = b.slice(remaining);
      let n = 0;
      while (n < b.length && same(keyOf(b[n]), last) === 0) n++;
      yield n === 0 ? head : [...head, ...b.slice(0, n)];
      if (n < b.length) return;
      continue;
    }
    let n = 0;
    while (n < b.length && same(keyOf(b[n]), last) === 0) n++;
    if (n > 0) yield b.slice(0, n);
    if (n < b.length) return;
  }
}

function* distinct(plan: Extract<Plan, { kind: 'distinct' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const types = plan.schema.map((c) => c.type);
  const on = plan.on ? plan.on.map(compileExpr) : null;
  const onTypes = plan.on ? plan.on.map((e) => e.type) : types;
  const seen = new Set<string>();
  const budget = workMemFor(rc.workMemBytes, 'DISTINCT');
  // (DISTINCT ON is a Unique over a Sort in PostgreSQL: no hash table)
  const memory = on ? undefined : hashSetMemory(plan, types, rc);
  for (const batch of runPlan(plan.input, rc, env)) {
    if (isSuspend(batch)) { yield batch; continue; }
    const out: Row[] = [];
    for (const r of batch) {
      const k = groupKey(onTypes, on ? on.map((c) => c(r, env)) : r);
      if (memory) memory.run.groupsBeforeLast = seen.size;
      if (seen.has(k)) continue;
      seen.add(k);
      memory?.group(r);
      budget?.add([k], SET_ENTRY_BYTES);
      out.push(r);
    }
    if (out.length) yield out;
  }
}

function* setop(plan: Extract<Plan, { kind: 'setop' }>, rc: RunContext, env: ExecEnv): Iterable<Step> {
  const types = plan.schema.map((c) => c.type);
  if (plan.op === 'union' && plan.all) {
    yield* runPlan(plan.left, rc, env);
    yield* runPlan(plan.right, rc, env);
    return;
  }
  // both inputs and the key set are held at once: one budget for all of it
  const budget = workMemFor(rc.workMemBytes, 'set operation');
  const left = yield* gatherWithin(runPlan(plan.left, rc, env), budget);
  const right = yield* gatherWithin(runPlan(plan.right, rc, env), budget);
  const out: Row[] = [];
  if (plan.op === 'union') {
    const seen = new Set<string>();
    const memory = hashSetMemory(plan, types, rc);
    for (const r of [...left, ...right]) {
      const k = groupKey(types, r);
      if (memory) memory.run.groupsBeforeLast = seen.size;
      if (!seen.has(k)) {
        seen.add(k);
        memory?.group(r);
        budget?.add([k], SET_ENTRY_BYTES);
        out.push(r);
      }
    }
  } else {
    const counts = new Map<string, number>();
    for (const r of right) {
      const k = groupKey(types, r);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const emitted = new Set<string>();
    for (const r of left) {
      const k = groupKey(types, r);
      const c = counts.get(k) ?? 0;
      if (plan.op === 'intersect') {
        if (c > 0 && (plan.all ? true : !emitted.has(k))) {
          out.push(r);
          emitted.add(k);
          if (plan.all) counts.set(k, c - 1);
        }
      } else if (plan.all) {
        if (c > 0) counts.set(k, c - 1);
        else out.push(r);
      } else if (c === 0 && !emitted.has(k)) {
        out.push(r);
        emitted.add(k);
      }
    }
  }
  yield out;
}

export function isBoolType(t: SqlType): boolean {
  return t.oid === OID.bool;
}

export type { AggregateCall };
