/**
 * The cost model: per plan node a startup cost (before the first row), a total cost, the
 * estimated rows and the average row width in bytes, in PostgreSQL's units and with its
 * constants (costsize.c): reading one page sequentially costs seq_page_cost = 1.
 *
 * Quiver has no 8 kB heap pages; a table's pages are what its rows would fill in
 * PostgreSQL's heap:
 *   relpages = ceil(rows / floor(8168 / (MAXALIGN(24 + avg width) + 4)))
 * (a page's 8,192 bytes less its 24-byte header; each tuple its 23-byte header padded to
 * 24, its data, 8-byte aligned, and a 4-byte line pointer), so that page counts, and with them costs,
 * come out as PostgreSQL's for tables without dead rows.
 *
 * Rows come from the storage's live row count and the selectivity of the conditions
 * (selectivity.ts); widths from ANALYZE's avg_width, else the type's width.
 *
 * A disabled method (enable_seqscan = off, …) is not forbidden: DISABLE_COST is added to
 * its startup cost, as PostgreSQL does, so it is chosen only when nothing else can run.
 */
import { expressionKeyIndex, rangeOnExpression } from './expression-index-match.js';
import { allVisibleFraction, isIndexOnly } from './index-only.js';
import { keyHoldsEveryRow, recordedSize, storesRows, type Catalog, type IndexKeyNode, type TableDef } from '../catalog/catalog.js';
import { leafPartitions } from '../catalog/partitions.js';
import { OID, typeInfo, type SqlType, type Value } from '../types/types.js';
import { hashableJoinKeys, hashJoinKeys, inputSide } from './join-keys.js';
import { mapExpr, outerColumnsRead, planIsCorrelated } from './expr-walk.js';
import { castCalls } from './cast-cost.js';
import { finalFunctionCalls, transitionStates } from './agg-cost.js';
import { indexQuals } from './range-comparison.js';
import type { Expr, OutputColumn, Plan } from './plan.js';
import { clauseSelectivity, distinctCount, groupCount, isDefaultDistinct, semiJoinSelectivity, type ColumnInfo, type ColumnLookup, type JoinOperands } from './selectivity.js';
import { incrementalSortCost } from './incremental-sort-cost.js';
import { bitmapHeapScanCost } from './bitmap-cost.js';
import { btreeKeyOf, btreeQuals, costIndex, expressionKeyQuals, keyLookupQuals, keyOfColumns, partitionKey } from './btree-cost.js';
import { exprIdentity } from './plan-order.js';
import { coercedOperand, costedCoercions, isSimpleUnionAll, unionMembers } from './union-members.js';
import { mergeJoinCost, orderedIndexScanCost } from './merge-join-cost.js';

export const SEQ_PAGE_COST = 1;
export const RANDOM_PAGE_COST = 4;
export const CPU_TUPLE_COST = 0.01;
export const CPU_INDEX_TUPLE_COST = 0.005;
export const CPU_OPERATOR_COST = 0.0025;
export const DISABLE_COST = 1e10;
/** cost_append's share of cpu_tuple_cost an Append pays a row it hands on */
const APPEND_CPU_COST_MULTIPLIER = 0.5;
const PAGE_SIZE = 8192;
const PAGE_HEADER = 24;
/** a heap tuple's header, 23 bytes, padded to 24 where its data begins (t_hoff) */
const TUPLE_HEADER = 24;
const LINE_POINTER = 4;
/** a never-analyzed table is assumed to fill at least this many pages (table_block_relation_estimate_size) */
const MIN_UNANALYZED_PAGES = 10;

/** PostgreSQL's planner method switches (enable_*), as booleans. */
export interface PlannerSettings {
  readonly seqscan: boolean;
  readonly indexscan: boolean;
  readonly bitmapscan: boolean;
  readonly hashjoin: boolean;
  readonly nestloop: boolean;
  readonly mergejoin: boolean;
  readonly sort: boolean;
  readonly hashagg: boolean;
  readonly material: boolean;
  readonly memoize: boolean;
  readonly incrementalSort: boolean;
  /** enable_indexonlyscan (absent: on); off, a B-tree scan covering the query is an Index Scan (planner/index-only.ts) */
  readonly indexonlyscan?: boolean;
  /** work_mem in kB (a Materialize past it spills: its pages are charged) */
  readonly workMemKb: number;
  /** join_collapse_limit / from_collapse_limit: the most relations whose join order is searched together (join-order.ts) */
  readonly joinCollapseLimit: number;
  readonly fromCollapseLimit: number;
}

export const ALL_ENABLED: PlannerSettings = {
  seqscan: true, indexscan: true, bitmapscan: true, hashjoin: true, nestloop: true, mergejoin: true, sort: true, hashagg: true,
  material: true, memoize: true, incrementalSort: true, workMemKb: 4096, joinCollapseLimit: 8, fromCollapseLimit: 8,
};

/** The planner settings from a setting getter (SHOW's values: 'on' / 'off', integers). */
export function plannerSettings(get: (name: string) => string | undefined): PlannerSettings {
  const on = (name: string) => get(`enable_${name}`) !== 'off';
  const limit = (name: string) => Number(get(name) ?? 8) || 8;
  return {
    seqscan: on('seqscan'), indexscan: on('indexscan'), bitmapscan: on('bitmapscan'), hashjoin: on('hashjoin'),
    nestloop: on('nestloop'), mergejoin: on('mergejoin'), sort: on('sort'), hashagg: on('hashagg'),
    material: on('material'), memoize: on('memoize'), incrementalSort: on('incremental_sort'), workMemKb: workMemKb(get('work_mem')),
    joinCollapseLimit: limit('join_collapse_limit'), fromCollapseLimit: limit('from_collapse_limit'),
    indexonlyscan: on('indexonlyscan'),
  };
}

/** work_mem's value in kB (SHOW gives it with a unit: 4MB, 64kB, 1GB). */
function workMemKb(shown: string | undefined): number {
  const m = /^(\d+)\s*(kB|MB|GB|TB)?$/.exec(shown ?? '');
  if (!m) return 4096;
  return Number(m[1]) * ({ kB: 1, MB: 1024, GB: 1024 ** 2, TB: 1024 ** 3 }[m[2] ?? 'kB'] ?? 1);
}

/** What costing reads besides the plan: live rows per table and the settings. */
export interface CostEnv {
  rowCount(tableOid: number): number;
  /** a column's smallest and largest values now, read through its B-tree (histogram ends) */
  columnEnds?(tableOid: number, column: number): { readonly min: Value; readonly max: Value } | undefined;
  readonly settings: PlannerSettings;
}

export interface Estimate {
  readonly startup: number;
  readonly total: number;
  readonly rows: number;
  readonly width: number;
}

/** A table's rows when the storage's count is not at hand: ANALYZE's reltuples, else 1000. */
function defaultRowCount(catalog: Catalog): (oid: number) => number {
  return (oid) => catalog.tables.get(oid)?.stats?.reltuples ?? 1000;
}

export function costEnvOrDefault(catalog: Catalog, env: CostEnv | undefined): CostEnv {
  return env ?? { rowCount: defaultRowCount(catalog), settings: ALL_ENABLED };
}

/**
 * get_typavgwidth: fixed-length types their length, a varchar(n) / char(n) at most n, any
 * other variable-length type 32 — pgvector's vector(n) too (its typmod gives no maximum
 * size to PostgreSQL), until ANALYZE measures the column's average width.
 */
export function typeWidth(type: SqlType): number {
  const len = typeInfo(type.oid)?.len ?? -1;
  if (len > 0) return len;
  const max = typeMaximumSize(type);
  if (max > 0) {
    if (type.oid === OID.bpchar || max <= 32) return max;
    return 32 + Math.trunc((Math.min(max, 1000) - 32) / 2);
  }
  return 32;
}

/**
 * A set operation's row width, as set_pathtarget_cost_width finds it for the setop relation's
 * target list: no statistics above a set operation, so each output column's get_typavgwidth
 * (numeric(10,2): 16, text: 32); an INTERSECT / EXCEPT adds its flag column (4) to this.
 */
export function setopWidth(plan: Extract<Plan, { kind: 'setop' }>): number {
  return plan.schema.reduce((w, c) => w + typeWidth(c.type), 0);
}

/** type_maximum_size: the most bytes a value of the typmod can take (UTF-8: 4 a character), or -1. */
function typeMaximumSize(type: SqlType): number {
  const m = type.typmod;
  if (m < 0) return -1;
  switch (type.oid) {
    case OID.varchar: case OID.bpchar: return m > 4 ? (m - 4) * 4 + 4 : -1;
    case OID.numeric: {
      if (m < 4) return -1;
      const precision = ((m - 4) >> 16) & 0xffff;
      return 8 + Math.trunc((precision + 6) / 4) * 2;
    }
    case OID.bit: case OID.varbit: return 8 + Math.trunc((m + 7) / 8);
    default: return -1;
  }
}

/** PostgreSQL 15 hashes `= ANY` / `<> ALL` of a constant array of at least this many elements (convert_saop_to_hashed_saop). */
const MIN_ARRAY_SIZE_FOR_HASHED_SAOP = 9;

/** The element count of a constant `= ANY` / `<> ALL` list PostgreSQL 15 hashes, else undefined. */
function hashedArrayLength(e: Extract<Expr, { kind: 'anyall' }>): number | undefined {
  if (e.all ? e.op !== '<>' : e.op !== '=') return undefined;
  const r = e.right.kind === 'cast' ? e.right.arg : e.right;
  const n = r.kind === 'const' && Array.isArray(r.value) ? r.value.length : r.kind === 'array' && r.elems.every((x) => x.kind === 'const') ? r.elems.length : undefined;
  return n !== undefined && n >= MIN_ARRAY_SIZE_FOR_HASHED_SAOP ? n : undefined;
}

/** cost_qual_eval's startup part: a hashed list's table, cpu_operator_cost an element, built once per scan. */
export function exprStartupCost(e: Expr | null | undefined): number {
  let cost = 0;
  if (!e) return 0;
  mapExpr(e, (x) => {
    if (x.kind === 'anyall') {
      const n = hashedArrayLength(x);
      if (n !== undefined) cost += n * CPU_OPERATOR_COST;
    }
    return undefined;
  });
  return cost;
}

/**
 * cost_qual_eval: cpu_operator_cost per operator or function call in the expression (an
 * `= ANY (array)` counts half its elements, as PostgreSQL's ScalarArrayOpExpr does).
 */
export function exprCost(e: Expr | null | undefined): number {
  if (!e) return 0;
  switch (e.kind) {
    case 'call': return CPU_OPERATOR_COST + e.args.reduce((s, a) => s + exprCost(a), 0);
    case 'anyall': {
      // a hashed list: one hash and one comparison a row (its table built once: exprStartupCost)
      if (hashedArrayLength(e) !== undefined) return 2 * CPU_OPERATOR_COST + exprCost(e.left);
      const n = e.right.kind === 'const' && Array.isArray(e.right.value) ? e.right.value.length : e.right.kind === 'array' ? e.right.elems.length : 10;
      return CPU_OPERATOR_COST * Math.max(1, n * 0.5) + exprCost(e.left);
    }
    // a cast of a constant is folded by eval_const_expressions: free; others as the node they become (cast-cost.ts)
    case 'cast': return (e.arg.kind !== 'const' ? CPU_OPERATOR_COST * castCalls(e.arg.type.oid, e.type.oid) : 0) + exprCost(e.arg);
    case 'not': case 'isnull': case 'booltest': case 'field': return exprCost(e.arg);
    case 'domain': return CPU_OPERATOR_COST * e.constraints.checks.length + exprCost(e.arg);
    case 'and': case 'or': case 'coalesce': case 'minmax': return e.args.reduce((s, a) => s + exprCost(a), 0);
    // cost_qual_eval: every column's operator, as if all were compared
    case 'rowcompare': return CPU_OPERATOR_COST * e.ops.length + e.args.reduce((s, a) => s + exprCost(a), 0);
    case 'case': return e.whens.reduce((s, w) => s + exprCost(w.cond) + exprCost(w.result), exprCost(e.otherwise));
    case 'distinct': return CPU_OPERATOR_COST + exprCost(e.left) + exprCost(e.right);
    // an uncorrelated scalar subquery is an InitPlan's Param, free where it is read (the InitPlan's
    // cost goes to the query's top node: SS_charge_for_initplans, explain.ts buildQuery)
    case 'subquery': return planIsCorrelated(e.plan) ? CPU_OPERATOR_COST : 0;
    case 'insubquery': case 'sqlCall': return CPU_OPERATOR_COST;
    default: return 0;
  }
}

/**
 * A key read from a semi join's right side made unique on an expression: PostgreSQL's
 * UniquePath hands on the columns and the join computes the expression from them again,
 * so the hash clause costs it too.
 */
function groupedKeyCost(plan: Extract<Plan, { kind: 'join' }>, right: Expr): number {
  if (!plan.semiUnique || plan.right.kind !== 'aggregate' || right.kind !== 'column') return 0;
  const key = plan.right.groupBy[right.index];
  return key && key.kind !== 'column' ? exprCost(key) : 0;
}

/** A table's scan, maybe under a filter: its columns are the table's, its rows the table's restricted. */
function isBaseScan(plan: Plan): boolean {
  // a projection keeps its input's rows: an IN subquery's select list over its table, which PostgreSQL pulls up
  if (plan.kind === 'filter' || plan.kind === 'project') return isBaseScan(plan.input);
  return plan.kind === 'scan' && !plan.partitions;
}

/** The input columns a projection hands on as its columns `at` (-1 for one it computes). */
function columnsBelowProject(plan: Extract<Plan, { kind: 'project' }>, at: readonly number[]): number[] {
  return at.map((i) => {
    const e = plan.exprs[i];
    return e?.kind === 'column' && e.level === 0 ? e.index : -1;
  });
}

/**
 * The base table scan under a join's inner side and the scan's columns the side's output
 * columns `at` are: through filters (whatever a restriction keeps, a unique column stays
 * unique), sorts and projections (a row for a row) where the column is selected as it is —
 * `x IN (SELECT id FROM c WHERE region = 'north')`'s right side. -1 for a column computed.
 */
function baseScanColumns(plan: Plan, at: readonly number[]): { scan: Plan; columns: number[] } | undefined {
  // a merge join's input Sort keeps the rows too
  if (plan.kind === 'filter' || plan.kind === 'sort') return baseScanColumns(plan.input, at);
  if (plan.kind === 'project') return baseScanColumns(plan.input, columnsBelowProject(plan, at));
  return plan.kind === 'scan' && !plan.partitions ? { scan: plan, columns: [...at] } : undefined;
}

/**
 * query_is_distinct_for over a set operation: a UNION, INTERSECT or EXCEPT without ALL under
 * the side (through filters, sorts and projections that select its columns as they are)
 * whose every output column is one of the columns `at`.
 */
function distinctSetopFor(plan: Plan, at: readonly number[]): boolean {
  if (plan.kind === 'filter' || plan.kind === 'sort') return distinctSetopFor(plan.input, at);
  if (plan.kind === 'project') return distinctSetopFor(plan.input, columnsBelowProject(plan, at));
  return plan.kind === 'setop' && !plan.all && plan.schema.every((_, i) => at.includes(i));
}

/**
 * estimate_hash_bucket_stats: the share of the build rows in a probe's bucket. `restricted`
 * is the share of the column's table its scan keeps (distinct values shrink with it).
 */
function bucketFraction(info: ColumnInfo | undefined, buckets: number, restricted: number): number {
  const mcvFreq = info?.stats?.mostCommonFreqs?.[0] ?? 0;
  if (!info || isDefaultDistinct(info)) return Math.max(0.1, mcvFreq);
  const nd = distinctCount(info);
  const avgFreq = (1 - (info.stats?.nullFrac ?? 0)) / nd;
  const ndRestricted = clampRows(nd * Math.min(1, restricted));
  let fraction = ndRestricted > buckets ? 1 / buckets : 1 / ndRestricted;
  if (avgFreq > 0 && mcvFreq > avgFreq) fraction *= mcvFreq / avgFreq;
  return Math.min(1, Math.max(1e-6, fraction));
}

/**
 * A join as written: for a parameterized nested loop (param-index-join.ts) its ON and right
 * input before the ON's equalities became the inner index scan's, which its rows and match
 * fractions are estimated from, as PostgreSQL estimates a join relation's whatever its path.
 */
function asWritten(plan: Extract<Plan, { kind: 'join' }>): Extract<Plan, { kind: 'join' }> {
  return plan.parameterized ? { ...plan, on: plan.parameterized.on, right: plan.parameterized.right, lateral: false } : plan;
}

/**
 * has_indexed_join_quals: a parameterized nested loop whose join conditions are all its inner
 * index scan's Index Cond (none left to the join, none a Filter of the scan).
 */
function indexedJoinQuals(plan: Extract<Plan, { kind: 'join' }>): boolean {
  // under a Memoize the inner path is no index scan
  if (!plan.parameterized || plan.memoize || plan.on || plan.right.kind !== 'scan') return false;
  const scan = plan.right;
  const range = scan.indexRange;
  // the Index Cond's conditions on the outer row
  const indexed = scan.keyLookup ? scan.keyLookup.values.length
    : range ? indexQuals(scan.filter, range.columns).filter((q) => readsLevel1(q.value)).length : 0;
  const on = plan.parameterized.on;
  const leftWidth = plan.left.schema.length;
  // the join's conditions: those reading the left row (one on the right input alone restricts its scan)
  const readsLeft = (c: Expr) => {
    let found = false;
    mapExpr(c, (x) => {
      if (x.kind === 'column' && x.level === 0 && x.index < leftWidth) found = true;
      return found ? x : undefined;
    });
    return found;
  };
  const joinConds = (!on ? [] : on.kind === 'and' ? on.args : [on]).filter(readsLeft);
  return indexed > 0 && joinConds.length === indexed;
}

/**
 * The outer columns a parameterized nested loop's inner side reads (Memoize's Cache Key),
 * as columns of the left input, in the order the inner side first reads them.
 */
export function memoizeKeys(plan: Extract<Plan, { kind: 'join' }>): Extract<Expr, { kind: 'column' }>[] {
  return outerColumnsRead(plan.right);
}

/** whether the expression reads a column of the outer row (level 1) */
function readsLevel1(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 1) found = true;
    return found ? x : undefined;
  });
  return found;
}

/** A DISTINCT [ON] subquery's top, below its select list hiding the ORDER BY keys. */
function overDistinct(plan: Plan): boolean {
  let top = plan;
  while (top.kind === 'project') top = top.input;
  return top.kind === 'distinct';
}

/** A subquery's top read through a SubqueryScan (plan.ts readAsSubquery): its rescan runs it again. */
function throughSubqueryScan(plan: Plan): boolean {
  return (plan.kind === 'sort' || plan.kind === 'limit' || plan.kind === 'topk' || plan.kind === 'project' || plan.kind === 'setop' || plan.kind === 'distinct') && plan.subqueryScan === true;
}

/** Plan nodes that hold their whole output, so a rescan replays it (ExecMaterializesOutput). */
const MATERIALIZES_OUTPUT = new Set<Plan['kind']>(['sort', 'cteScan', 'functionScan', 'workTableScan']);

/** Costs of every node of one plan, computed once each. */
export class CostModel {
  private readonly cache = new Map<Plan, Estimate>();
  /** per partitioned table: the rows the partitions of its (last estimated) scan keep (relationRows) */
  private readonly appendTuples = new Map<number, number>();
  /** a subquery's top read through a SubqueryScan: its estimate without that scan's cost */
  private readonly beforeScan = new Map<Plan, Estimate>();
  readonly env: CostEnv;

  constructor(readonly catalog: Catalog, env?: CostEnv) {
    const given = costEnvOrDefault(catalog, env);
    this.liveRows = (oid) => given.rowCount(oid);
    this.env = { ...given, rowCount: (oid) => this.plannedRows(oid, given.rowCount(oid)) };
  }

  /** the table's live rows, as stored (a B-tree's height follows them, not the planned rows) */
  readonly liveRows: (tableOid: number) => number;

  /** A table's relpages: what its rows fill, but 10 for one never analyzed that fills fewer (plannedRows). */
  tablePages(table: TableDef, rows: number, width: number): number {
    if (this.smallUnanalyzed(table)) return MIN_UNANALYZED_PAGES;
    // truncated (reltuples -1): the pages its rows fill now, whatever density plannedRows assumed
    if (table.relStats && table.relStats.tuples < 0 && storesRows(table)) return this.filledPages(table, this.liveRows(table.oid), width);
    return this.filledPages(table, rows, width);
  }

  /** The heap pages `rows` rows of the table fill (pg_class.relpages as VACUUM and CREATE INDEX record it). */
  heapPages(table: TableDef, rows: number): number {
    return this.filledPages(table, rows, this.tableWidth(table));
  }

  /** A whole row of the table: its columns' widths. */
  tableWidth(table: TableDef): number {
    return this.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
  }

  private filledPages(table: TableDef, rows: number, width: number): number {
    // analyzed: the pages PostgreSQL's heap would fill with them (alignment, NULL bitmaps,
    // TOAST pointers: engine/heap-layout.ts), at the density ANALYZE found
    const st = table.stats;
    if (st?.relpages && st.reltuples > 0) return Math.ceil((rows * st.relpages) / st.reltuples);
    // vacuumed or indexed, not analyzed: at the density VACUUM / CREATE INDEX counted
    const recorded = table.relStats;
    if (recorded && recorded.pages > 0 && recorded.tuples > 0) return Math.ceil((rows * recorded.pages) / recorded.tuples);
    return this.pages(rows, width);
  }

  /** Never analyzed nor vacuumed (PostgreSQL's reltuples = -1) and filling fewer than 10 pages at its columns' type widths. */
  private smallUnanalyzed(table: TableDef): boolean {
    // reltuples -1: never recorded, or reset by TRUNCATE (its statistics stay)
    const unknownTuples = table.relStats ? table.relStats.tuples < 0 : !table.stats;
    if (!unknownTuples || table.allVisibleRows !== undefined || !storesRows(table)) return false;
    return this.pages(this.liveRows(table.oid), this.typeWidths(table)) < MIN_UNANALYZED_PAGES;
  }

  /** get_rel_data_width: each column's analyzed average width, else its type's. */
  private typeWidths(table: TableDef): number {
    return table.columns.reduce((w, c) => w + (table.stats?.columns[c.name]?.avgWidth || typeWidth(c.type)), 0);
  }

  /**
   * The rows a scan of the table starts from: its live rows, but for a table never analyzed
   * nor vacuumed (PostgreSQL's reltuples = -1) that would fill fewer than 10 pages, what 10
   * pages hold at the columns' type widths — table_block_relation_estimate_size's guard
   * against a table that was small when planned and grows, so a new table of 0 or 5 rows is
   * planned as ~1,000 rows, as PostgreSQL plans it.
   */
  private plannedRows(oid: number, live: number): number {
    const table = this.catalog.tables.get(oid);
    // a partitioned table's: its partitions' (set_append_rel_size's tuples, the whole table's here)
    if (table?.kind === 'p') return leafPartitions(this.catalog, table).reduce((n, p) => n + this.env.rowCount(p.oid), 0);
    if (!table) return live;
    const recorded = recordedSize(table);
    if (recorded && recorded.tuples >= 0 && recorded.pages > 0 && live > 0 && storesRows(table)) {
      // estimate_rel_size: the pages the rows fill now at the density pg_class recorded
      return Math.round((recorded.tuples / recorded.pages) * this.filledPages(table, live, this.tableWidth(table)));
    }
    const density = (): number => this.widthDensity(table);
    if (this.smallUnanalyzed(table)) return density() * MIN_UNANALYZED_PAGES;
    // truncated, then filled past 10 pages: its pages now at that density
    if (table.relStats && table.relStats.tuples < 0 && live > 0 && storesRows(table)) return density() * this.filledPages(table, live, this.tableWidth(table));
    return live;
  }

  /** Rows a page holds as PostgreSQL reckons them without a recorded density: the data width plus a tuple header and line pointer, unaligned. */
  private widthDensity(table: TableDef): number {
    return Math.floor((PAGE_SIZE - PAGE_HEADER) / (this.typeWidths(table) + TUPLE_HEADER + LINE_POINTER));
  }

  /** The rows estimate_rel_size gives the table once emptied by TRUNCATE: 10 pages at widthDensity. */
  emptyTableRows(table: TableDef): number {
    return this.widthDensity(table) * MIN_UNANALYZED_PAGES;
  }

  /** A node's own estimate as EXPLAIN shows it: a subquery's Sort without the SubqueryScan above it (PostgreSQL drops that node, keeping its cost above). */
  ownEstimate(plan: Plan): Estimate {
    const e = this.estimate(plan);
    // a projection shown folded into the node below it (EXPLAIN's absorb) counts as that node
    let top = plan;
    while (top.kind === 'project' && !top.subqueryScan) top = top.input;
    if (top === plan && throughSubqueryScan(plan)) return this.beforeScan.get(plan)!;
    return throughSubqueryScan(top) ? { ...e, total: e.total - CPU_TUPLE_COST * this.estimate(top).rows } : e;
  }

  estimate(plan: Plan): Estimate {
    let e = this.cache.get(plan);
    if (!e) {
      e = this.compute(plan);
      // read through a SubqueryScan (cost_subqueryscan: cpu_tuple_cost a row); EXPLAIN shows the node's own (ownEstimate)
      if (throughSubqueryScan(plan)) {
        this.beforeScan.set(plan, e);
        e = { ...e, total: e.total + CPU_TUPLE_COST * e.rows };
      }
      this.cache.set(plan, e);
    }
    return e;
  }

  /** Statistics of a table's columns, by position. */
  tableLookup(table: TableDef): ColumnLookup {
    const rows = this.env.rowCount(table.oid);
    // one relation's columns: `t.a = t.b` is no join clause (selectivity.ts oneRelation)
    const lookup = Object.assign((c: Extract<Expr, { kind: 'column' }>) => this.columnInfo(table, c.index, rows), { oneRelation: true as const });
    if (!table.stats?.indexes) return lookup;
    // examine_variable: an expression matching an expression index's key reads that index's statistics
    return Object.assign(lookup, {
      expression: (e: Expr): ColumnInfo | undefined => {
        const index = expressionKeyIndex(table, e);
        const stats = index && table.stats?.indexes?.[index.name];
        return stats ? { type: index.expression!.type, stats, rows, unique: index.unique, relation: table.oid } : undefined;
      },
    });
  }

  /**
   * The rows a relation's statistics scale by (examine_variable's rel->tuples): a table's
   * rows, but a partitioned table's those its scan's partitions keep after their filters
   * (set_append_rel_size's tuples), once that scan is estimated
   */
  private relationRows(table: TableDef): number {
    return (table.kind === 'p' ? this.appendTuples.get(table.oid) : undefined) ?? this.env.rowCount(table.oid);
  }

  /** Statistics of the columns of a node's input rows, through their origin (table, attnum). */
  schemaLookup(schema: readonly OutputColumn[]): ColumnLookup {
    return (c) => {
      const out = schema[c.index];
      const table = out && out.tableOid ? this.catalog.tables.get(out.tableOid) : undefined;
      if (!table || out.attnum < 1) return undefined;
      return this.columnInfo(table, out.attnum - 1, this.relationRows(table));
    };
  }

  /**
   * examine_variable for a join key over a node's rows: a plain column's statistics, or for
   * an expression (`b.id + 1`) what PostgreSQL knows of one without statistics — its
   * type and, when it reads one table's columns alone, that table's rows (so its distinct
   * values are the rows under 200, else the default 200); undefined over several tables.
   */
  keyInfo(e: Expr, schema: readonly OutputColumn[]): ColumnInfo | undefined {
    if (e.kind === 'column') return e.level === 0 ? this.schemaLookup(schema)(e) : undefined;
    // a binary-coercible cast is PostgreSQL's RelabelType, which examine_variable looks through
    if (e.kind === 'cast' && castCalls(e.arg.type.oid, e.type.oid) === 0) return this.keyInfo(e.arg, schema);
    const tables = new Set<number>();
    mapExpr(e, (x) => {
      if (x.kind === 'column') tables.add(x.level === 0 ? schema[x.index]?.tableOid ?? 0 : 0);
      return undefined;
    });
    const [oid] = tables;
    if (tables.size !== 1 || !oid || !this.catalog.tables.has(oid)) return undefined;
    return { type: e.type, rows: this.env.rowCount(oid), unique: false };
  }

  private columnInfo(table: TableDef, index: number, rows: number): ColumnInfo | undefined {
    const column = table.columns[index];
    if (!column) return undefined;
    const unique = table.indexes.some((i) => i.unique && !i.expression && keyHoldsEveryRow(i) && i.columns.length === 1 && i.columns[0] === index);
    const env = this.env;
    const leads = env.columnEnds && table.indexes.some((i) => i.method === 'btree' && i.columns[0] === index && !i.expression && !i.predicateSql);
    const actualEnds = leads ? () => env.columnEnds!(table.oid, index) : undefined;
    return { type: column.type, stats: table.stats?.columns[column.name], rows, unique, actualEnds, relation: table.oid };
  }

  /** The average width of rows with this schema (stats' avg_width where the column has one). */
  schemaWidth(schema: readonly OutputColumn[]): number {
    let w = 0;
    for (const c of schema) {
      const table = c.tableOid ? this.catalog.tables.get(c.tableOid) : undefined;
      const column = table && c.attnum > 0 ? table.columns[c.attnum - 1] : undefined;
      w += (column && table?.stats?.columns[column.name]?.avgWidth) || (column && table!.kind === 'p' && this.partitionsColumnWidth(table!, column.name)) || typeWidth(c.type);
    }
    return w;
  }

  /**
   * A partitioned table's column as wide as set_append_rel_size makes it: its partitions'
   * widths (stats' avg_width, else the type's) averaged over their rows. Undefined when no
   * partition has rows.
   */
  private partitionsColumnWidth(table: TableDef, name: string): number | undefined {
    let rows = 0;
    let size = 0;
    for (const p of leafPartitions(this.catalog, table)) {
      const n = this.env.rowCount(p.oid);
      const column = p.columns.find((c) => c.name === name);
      if (!column || n <= 0) continue;
      rows += n;
      size += n * (p.stats?.columns[name]?.avgWidth || typeWidth(column.type));
    }
    return rows > 0 ? Math.round(size / rows) : undefined;
  }

  private compute(plan: Plan): Estimate {
    switch (plan.kind) {
      case 'scan': return this.scan(plan);
      case 'systemScan': return this.leaf(100, plan.schema, CPU_TUPLE_COST);
      case 'sampleScan': return this.sampleScan(plan);
      case 'values': return this.leaf(plan.rows.length, plan.schema, CPU_TUPLE_COST + CPU_OPERATOR_COST);
      case 'functionScan': {
        if (!plan.rowsFrom) return this.leaf(plan.scalar ? 1 : functionRows(plan), plan.schema, CPU_TUPLE_COST);
        // cost_functionscan: each function's call (cpu_operator_cost) before the first row
        const leaf = this.leaf(Math.max(...plan.rowsFrom.map((f) => (f.scalar ? 1 : functionRows(f)))), plan.schema, CPU_TUPLE_COST);
        const calls = CPU_OPERATOR_COST * plan.rowsFrom.length;
        return { ...leaf, startup: calls, total: leaf.total + calls };
      }
      case 'workTableScan': return this.leaf(100, plan.schema, CPU_TUPLE_COST);
      case 'cteScan': {
        const inner = this.estimate(plan.cte.plan);
        // a data-modifying WITH query returns about the rows its source gives (PostgreSQL: its ModifyTable's rows)
        const rows = plan.cte.rowsFrom ? this.estimate(plan.cte.rowsFrom).rows : inner.rows;
        return { startup: 0, total: rows * 2 * CPU_TUPLE_COST, rows, width: inner.width };
      }
      case 'sqlFunctionScan': return this.estimate(plan.body);
      case 'filter': return this.filter(plan);
      case 'result': return this.result(plan);
      case 'project': {
        const input = this.estimate(plan.input);
        const perRow = plan.exprs.reduce((s, e) => s + exprCost(e), 0);
        // over a relation proven empty, PostgreSQL counts no width for its columns, only for computed values
        const empty = (plan.input.kind === 'result' && !plan.input.gated && !plan.input.joined) || (plan.input.kind === 'scan' && plan.input.partitions?.length === 0);
        if (empty) return { ...input, width: plan.exprs.reduce((s, e) => s + (e.kind === 'column' ? 0 : typeWidth(e.type)), 0) };
        // a subquery's select list keeps every column (PostgreSQL's subquery target list: an unread one becomes a NULL of its type)
        const shown = plan.outputRead && !plan.subqueryScan ? plan.outputRead.map((i) => plan.schema[i]) : plan.schema;
        // the select list of a subquery over a set operation (no simple UNION ALL): as wide as the operation's columns
        const overSetop = plan.input.kind === 'setop' && !isSimpleUnionAll(plan.input) && plan.exprs.every((e) => e.kind === 'column' && e.level === 0);
        const overAppend = plan.input.kind === 'setop' && isSimpleUnionAll(plan.input) ? plan.input : undefined;
        const listWidth = overSetop ? shown.reduce((w, c) => w + typeWidth(c.type), 0)
          : overAppend ? plan.exprs.reduce((w, e) => w + (e.kind === 'column' && e.level === 0 ? this.appendColumnWidth(overAppend, e.index) : this.exprWidth(e, overAppend.schema)), 0)
          : this.schemaWidth(shown);
        return { ...input, total: input.total + input.rows * perRow, width: listWidth + this.windowKeysWidth(plan) + this.groupKeysWidth(plan) };
      }
      case 'projectSet': {
        const input = this.estimate(plan.input);
        const rows = input.rows * 10;
        return { startup: input.startup, total: input.total + rows * CPU_TUPLE_COST, rows, width: this.schemaWidth(plan.schema) };
      }
      case 'join': return this.join(plan, plan.algorithm ?? (hashableJoinKeys(plan.on, plan.left.schema.length) ? 'hash' : 'nestloop'));
      case 'aggregate': return this.aggregate(plan);
      case 'window': return this.window(plan);
      // over a scan reading some columns: as wide as those (the scan's target list)
      // over WindowAggs: as wide as their final target (the window keys included)
      // (a join handing on only what is read above it: as wide as that)
      case 'sort': return plan.presorted ? this.presortedSort(plan) : this.sort(plan.input, (plan.input.kind === 'scan' && plan.input.columns) || (plan.input.kind === 'join' && plan.input.outputRead) || (plan.input.kind === 'project' && plan.input.input.kind === 'window') || plan.input.kind === 'window' ? [] : plan.schema);
      case 'topk': return this.topk(plan);
      case 'limit': return this.limit(plan);
      case 'distinct': return this.distinct(plan);
      case 'setop': return this.setop(plan);
      case 'recursiveUnion': {
        // cost_recursive_union: the recursive term is assumed to run 10 times
        const a = this.estimate(plan.nonRecursive);
        const b = this.estimate(plan.recursive);
        const rows = a.rows + 10 * b.rows;
        return { startup: a.startup, total: a.total + 10 * b.total + rows * CPU_TUPLE_COST, rows, width: Math.max(a.width, b.width) };
      }
    }
  }

  /**
   * The select list over WindowAggs carries their PARTITION BY and ORDER BY keys not in it
   * as well (resjunk entries of PostgreSQL's final target list): their widths.
   */
  private windowKeysWidth(plan: Extract<Plan, { kind: 'project' }>): number {
    const identity = exprIdentity;
    const shown = new Set(plan.exprs.map(identity));
    let width = 0;
    for (let p = plan.input; p.kind === 'window' || p.kind === 'sort'; p = p.input) {
      if (p.kind !== 'window') continue;
      const input = p.input;
      for (const e of [...p.fns[0]?.partitionBy ?? [], ...(p.fns[0]?.orderBy ?? []).map((k) => k.expr)]) {
        const id = identity(e);
        if (shown.has(id)) continue;
        shown.add(id);
        width += this.exprWidth(e, input.schema);
      }
    }
    return width;
  }

  /** An expression's width over its input's rows: a column's as the input has it, else its type's. */
  exprWidth(e: Expr, schema: readonly OutputColumn[]): number {
    return e.kind === 'column' && e.level === 0 && schema[e.index] ? this.schemaWidth([schema[e.index]!]) : typeWidth(e.type);
  }

  /**
   * The select list over a GROUP BY carries the group keys it does not select as they are
   * (resjunk entries PostgreSQL's findTargetlistEntrySQL99 adds): their widths.
   */
  private groupKeysWidth(plan: Extract<Plan, { kind: 'project' }>): number {
    let agg = plan.input;
    while (agg.kind === 'filter') agg = agg.input;
    if (agg.kind !== 'aggregate' || agg.groupBy.length === 0) return 0;
    const selected = new Set(plan.exprs.filter((e) => e.kind === 'column' && e.level === 0).map((e) => (e as Extract<Expr, { kind: 'column' }>).index));
    let width = 0;
    for (let i = 0; i < agg.groupBy.length; i++) {
      if (selected.has(i)) continue;
      width += this.exprWidth(agg.groupBy[i]!, agg.input.schema);
    }
    return width;
  }

  /** A scan with a fixed row count and cost per row (VALUES, functions, system relations). */
  private leaf(rows: number, schema: readonly OutputColumn[], perRow: number): Estimate {
    return { startup: 0, total: rows * perRow, rows, width: this.schemaWidth(schema) };
  }

  /**
   * A table's pg_class.relpages and relallvisible as the last VACUUM, ANALYZE or CREATE INDEX
   * recorded them (engine/relation-size.ts) and their all-visible share (index-only.ts);
   * before any, undefined (PostgreSQL's 0 and 0).
   */
  relationPages(table: TableDef): { pages: number; allVisible: number } | undefined {
    const recorded = recordedSize(table);
    if (!recorded) return undefined;
    return { pages: recorded.pages, allVisible: Math.round(recorded.pages * allVisibleFraction(table, recorded.tuples)) };
  }

  /** relpages as defined at the top of this file. */
  pages(rows: number, width: number): number {
    if (rows <= 0) return 0;
    // a heap tuple: its header and the data, MAXALIGNed, and a 4-byte line pointer, on 8 kB
    // pages less their 24-byte header
    const perPage = Math.max(1, Math.floor((PAGE_SIZE - PAGE_HEADER) / (Math.ceil((TUPLE_HEADER + width) / 8) * 8 + LINE_POINTER)));
    return Math.ceil(rows / perPage);
  }

  /** A partitioned table's scan is the sum of its partitions' (an Append of them). */
  private scan(plan: Extract<Plan, { kind: 'scan' }>): Estimate {
    if (plan.partitions) {
      const lookup = plan.textLookup;
      const parts = plan.partitions.map((p) => (lookup ? this.textIndexScan(p, plan.filter, lookup.cond).heap : this.partitionScan(plan, p)));
      if (parts.length === 1) {
        this.appendTuples.set(plan.table.oid, parts[0]!.rows);
        return parts[0]!;
      }
      // every partition pruned: a dummy relation, no width (set_append_rel_size computes none)
      if (parts.length === 0) return { startup: 0, total: 0, rows: 0, width: 0 };
      const rows = parts.reduce((s, p) => s + p.rows, 0);
      this.appendTuples.set(plan.table.oid, rows);
      // cost_append: the partitions' costs and rows summed, cpu_tuple_cost × APPEND_CPU_COST_MULTIPLIER
      // (0.5) a row handed on; set_append_rel_size: the partitions' widths averaged over their rows
      return {
        // an unordered Append starts when its first member does
        startup: parts[0]!.startup,
        total: parts.reduce((s, p) => s + p.total, 0) + CPU_TUPLE_COST * APPEND_CPU_COST_MULTIPLIER * rows,
        rows,
        width: rows > 0 ? Math.round(parts.reduce((s, p) => s + p.width * p.rows, 0) / rows) : parts[0]!.width,
      };
    }
    // an Index Only Scan fetches from the row store only the rows not all-visible (cost_index's allvisfrac)
    const allVisible = isIndexOnly(plan) ? allVisibleFraction(plan.table, this.env.rowCount(plan.table.oid)) : 0;
    const est = plan.textLookup ? this.textIndexScan(plan.table, plan.filter, plan.textLookup.cond).heap
      : plan.btreeBitmap ? bitmapHeapScanCost(this, plan.table, plan.filter, plan.btreeBitmap.path).heap
      : plan.indexRange?.merged || rangeOnExpression(plan) ? orderedIndexScanCost(this, plan.table, plan.filter, plan.indexRange!.keyName, plan.indexRange!.columns, allVisible)
      : plan.indexRange?.loops ? this.parameterizedRangeScan(plan.table, plan.filter, plan.indexRange.keyName, plan.indexRange.columns, plan.indexRange.loops, allVisible)
      : plan.indexRange ? this.indexRangeScan(plan.table, plan.filter, plan.indexRange.columns, allVisible, plan.indexRange.keyName)
        : this.tableScan(plan.table, plan.filter, plan.keyLookup, allVisible);
    // a scan that reads some columns hands on rows as wide as those (PostgreSQL's width of its target list)
    const shown = plan.handsOn ?? plan.columns;
    return shown ? { ...est, width: this.columnsWidth(plan.table, shown) } : est;
  }

  /**
   * Sample Scan (cost_samplescan with tsm_system_rows' and tsm_bernoulli's sample size):
   *   fraction = percent / 100 (0.1 when it is not a constant)
   *   pages    = SYSTEM: relpages × fraction; BERNOULLI: relpages (it reads them all)
   *   tuples   = rows × fraction
   *   total    = page cost × pages + (cpu_tuple_cost + qual cost) × tuples
   * where page cost is random_page_cost for SYSTEM (it picks blocks), seq_page_cost for BERNOULLI;
   * rows = tuples × the filter's selectivity.
   */
  private sampleScan(plan: Extract<Plan, { kind: 'sampleScan' }>): Estimate {
    const table = plan.table;
    const rowsIn = this.env.rowCount(table.oid);
    const rowWidth = this.schemaWidth(plan.schema);
    const width = plan.handsOn ? this.columnsWidth(table, plan.handsOn) : rowWidth;
    const p = plan.sample.percent;
    const fraction = p.kind === 'const' && typeof p.value === 'number' && p.value >= 0 && p.value <= 100 ? p.value / 100 : 0.1;
    const relpages = this.tablePages(table, rowsIn, rowWidth);
    const system = plan.sample.method === 'system';
    const pages = system ? clampRows(relpages * fraction) : relpages;
    const tuples = clampRows(rowsIn * fraction);
    const sel = plan.filter ? clauseSelectivity(plan.filter, this.tableLookup(table)) : 1;
    const startup = exprStartupCost(plan.filter);
    const total = startup + (system ? RANDOM_PAGE_COST : SEQ_PAGE_COST) * pages + (CPU_TUPLE_COST + exprCost(plan.filter)) * tuples;
    return { startup, total, rows: clampRows(tuples * sel), width };
  }

  /**
   * A select list computed in one partition's scan (apply_scanjoin_target_to_paths gives each
   * partition the target): its columns as wide as the partition's statistics say.
   */
  partitionTargetWidth(partition: TableDef, exprs: readonly Expr[], schema: readonly OutputColumn[]): number {
    return exprs.reduce((w, e) => {
      const out = e.kind === 'column' && e.level === 0 ? schema[e.index] : undefined;
      const column = out && out.attnum > 0 ? partition.columns[out.attnum - 1] : undefined;
      return w + (column ? partition.stats?.columns[column.name]?.avgWidth || typeWidth(column.type) : this.exprWidth(e, schema));
    }, 0);
  }

  /** One partition's Seq Scan under a partitioned table's scan: as wide as the columns it hands on. */
  partitionScan(plan: Extract<Plan, { kind: 'scan' }>, partition: TableDef): Estimate {
    const est = this.tableScan(partition, plan.filter, plan.keyLookup && partitionKey(plan.table, partition, plan.keyLookup));
    const shown = plan.handsOn ?? plan.columns;
    return shown ? { ...est, width: this.columnsWidth(partition, shown) } : est;
  }

  private columnsWidth(table: TableDef, columns: readonly number[]): number {
    return this.schemaWidth(columns.map((i) => ({ name: table.columns[i].name, type: table.columns[i].type, tableOid: table.oid, attnum: i + 1 })));
  }

  /**
   * Bitmap Index Scan on a GIN index, then Bitmap Heap Scan (a simplified gincostestimate
   * and cost_bitmap_heap_scan): with matches = rows × selectivity of the indexed condition,
   *   index: startup = 0, total = random_page_cost × posting pages + cpu_index_tuple_cost × matches
   *          (posting pages = ceil(matches × 4 bytes / page size), at least 1)
   *   heap:  startup = index total,
   *          total = startup + random_page_cost × min(matches, relpages)
   *                + (cpu_tuple_cost + qual cost) × matches
   * enable_bitmapscan = off adds disable_cost to the heap scan's startup.
   */
  textIndexScan(table: TableDef, filter: Expr | null, cond: Expr): { index: Estimate; heap: Estimate } {
    const rowsIn = this.env.rowCount(table.oid);
    const width = this.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
    const lookup = this.tableLookup(table);
    const matches = clampRows(rowsIn * clauseSelectivity(cond, lookup));
    const rows = filter ? clampRows(rowsIn * clauseSelectivity(filter, lookup)) : matches;
    const indexTotal = RANDOM_PAGE_COST * Math.max(1, Math.ceil((matches * 4) / PAGE_SIZE)) + CPU_INDEX_TUPLE_COST * matches;
    const startup = indexTotal + (this.env.settings.bitmapscan ? 0 : DISABLE_COST);
    const heapPages = Math.min(matches, Math.max(1, this.tablePages(table, rowsIn, width)));
    const total = startup + RANDOM_PAGE_COST * heapPages + (CPU_TUPLE_COST + exprCost(filter)) * matches;
    return { index: { startup: 0, total: indexTotal, rows: matches, width: 0 }, heap: { startup, total, rows, width } };
  }

  /**
   * A B-tree range scan (use-index-range.ts, min-max-index.ts) through the index `keyName`
   * (else the first B-tree whose key is `columns`): cost_index over btcostestimate
   * (btree-cost.ts), its index clauses the filter's comparisons on the key's columns. As an
   * Index Only Scan the heap pages × (1 - allvisfrac) (index-only.ts).
   */
  indexRangeScan(table: TableDef, filter: Expr | null, columns: readonly number[], allVisible = 0, keyName?: string): Estimate {
    const key = keyName !== undefined ? btreeKeyOf(table, keyName, columns) : keyOfColumns(table, columns);
    return costIndex(this, table, { key, quals: btreeQuals(filter, key.columns), filter, allVisible });
  }

  /**
   * The same run once per outer row of a nested loop, its bounds read from that row
   * (param-index-join.ts): cost_index with loop_count = `loops`.
   */
  parameterizedRangeScan(table: TableDef, filter: Expr | null, keyName: string, columns: readonly number[], loops: number, allVisible = 0): Estimate {
    const key = btreeKeyOf(table, keyName, columns);
    return costIndex(this, table, { key, quals: btreeQuals(filter, key.columns), filter, loops, allVisible });
  }

  /**
   * Seq Scan (cost_seqscan):
   *   startup = 0
   *   total   = seq_page_cost × relpages + (cpu_tuple_cost + qual cost) × rows
   *
   * An Index Scan through a key (`lookup`: the index's columns each fixed by `=`, or its one
   * column by `= ANY (array)`, or an expression index's key by `=`) is cost_index over
   * btcostestimate (btree-cost.ts), run `lookup.loops` times as the inner side of a
   * parameterized nested loop; as an Index Only Scan the heap pages × (1 - allvisfrac).
   */
  tableScan(table: TableDef, filter: Expr | null, lookup?: { readonly keyName: string; readonly loops?: number }, allVisible = 0): Estimate {
    if (lookup) {
      const key = btreeKeyOf(table, lookup.keyName);
      const quals = key.expression ? expressionKeyQuals(table, key.expression, filter) : keyLookupQuals(filter, key.columns);
      return costIndex(this, table, { key, quals, filter, loops: lookup.loops, allVisible });
    }
    const rowsIn = this.env.rowCount(table.oid);
    const width = this.schemaWidth(table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 })));
    const sel = filter ? clauseSelectivity(filter, this.tableLookup(table)) : 1;
    const rows = clampRows(rowsIn * sel);
    const relpages = this.tablePages(table, rowsIn, width);
    const startup = (this.env.settings.seqscan ? 0 : DISABLE_COST) + exprStartupCost(filter);
    return { startup, total: startup + SEQ_PAGE_COST * relpages + (CPU_TUPLE_COST + exprCost(filter)) * rowsIn, rows, width };
  }

  /**
   * A gating Result: the one-time filter costs once, at startup (cost_qual_eval's startup
   * part); its selectivity is not applied (PostgreSQL estimates the rows as if it passes).
   * Over a scan the scan carries that cost itself, as PostgreSQL counts a pseudoconstant
   * qual among the relation's restrictions. Proven empty (no input): nothing at all, width
   * 0 as PostgreSQL's dummy Result.
   */
  private result(plan: Extract<Plan, { kind: 'result' }>): Estimate {
    if (!plan.gated) return { startup: 0, total: 0, rows: 0, width: plan.joined ? this.schemaWidth(plan.schema) : 0 };
    const input = this.estimate(plan.gated);
    const once = exprCost(plan.oneTime);
    const gated = { ...input, startup: input.startup + once, total: input.total + once };
    if (plan.gated.kind === 'scan') this.cache.set(plan.gated, gated);
    return gated;
  }

  /** A filter above a node: its qual cost on each input row; rows × selectivity. */
  private filter(plan: Extract<Plan, { kind: 'filter' }>): Estimate {
    const input = this.estimate(plan.input);
    // create_one_window_path's topqual: not in cost_windowagg's rows or costs
    if (plan.windowTopQual) return input;
    // over a DISTINCT [ON] subquery the underlying columns' statistics do not apply
    // (examine_simple_variable: "cannot go further"): the default selectivities
    const lookup: ColumnLookup = overDistinct(plan.input) ? () => undefined : this.schemaLookup(plan.input.schema);
    const sel = clauseSelectivity(plan.predicate, lookup);
    return { ...input, total: input.total + input.rows * exprCost(plan.predicate), rows: clampRows(input.rows * sel) };
  }

  /**
   * Rows of a join: the pairs times the ON's selectivity; an outer join keeps every row of
   * its outer side(s); a semi join the left rows with a match (semiJoinSelectivity), an anti
   * join the others.
   */
  joinRows(plan: Extract<Plan, { kind: 'join' }>, left: Estimate, right: Estimate): number {
    // a semi join run over its right side made unique: the semi join's rows, as PostgreSQL
    // sizes a join relation once whatever its path (the grouped side's statistics — its MCVs'
    // frequencies — are not the table's any more)
    if ((plan.joinType === 'semi' && !this.reducedSemiJoin(plan)) || plan.joinType === 'anti' || plan.semiUnique === true) {
      const matched = this.semiSelectivity(plan, right);
      return clampRows(left.rows * (plan.joinType === 'anti' ? 1 - matched : matched));
    }
    const sel = plan.on ? this.onSelectivity(plan, plan.on) : 1;
    let rows = left.rows * right.rows * sel;
    if (plan.joinType === 'left' || plan.joinType === 'full') rows = Math.max(rows, left.rows);
    if (plan.joinType === 'right' || plan.joinType === 'full') rows = Math.max(rows, right.rows);
    return clampRows(rows);
  }

  /**
   * The ON's selectivity over the join's two input schemas, computed once per ON and
   * schemas: a join's methods and orders of its inputs (Sort, Index Scan, a swapped merge)
   * share them, and the join search prices many of those.
   */
  private onSelectivity(plan: Extract<Plan, { kind: 'join' }>, on: Expr): number {
    let byLeft = this.selectivityCache.get(on);
    if (!byLeft) this.selectivityCache.set(on, (byLeft = new WeakMap()));
    let byRight = byLeft.get(plan.left.schema);
    if (!byRight) byLeft.set(plan.left.schema, (byRight = new WeakMap()));
    let sel = byRight.get(plan.right.schema);
    if (sel === undefined) byRight.set(plan.right.schema, (sel = clauseSelectivity(on, this.joinLookup(plan))));
    return sel;
  }

  private readonly selectivityCache = new WeakMap<Expr, WeakMap<readonly OutputColumn[], WeakMap<readonly OutputColumn[], number>>>();

  /** Statistics of a join row's columns: the left input's, then the right's. */
  joinColumnLookup(plan: Extract<Plan, { kind: 'join' }>): ColumnLookup {
    return this.joinLookup(plan);
  }

  /** …answering for operands that are expressions of one input each (selectivity.ts joinOperands) */
  private joinLookup(plan: Extract<Plan, { kind: 'join' }>): ColumnLookup {
    const schema = [...plan.left.schema, ...plan.right.schema];
    const leftWidth = plan.left.schema.length;
    const joinOperands = (a: Expr, b: Expr): JoinOperands | undefined => {
      const sa = inputSide(a, leftWidth), sb = inputSide(b, leftWidth);
      if (!sa || !sb || sa === sb) return undefined;
      const [l, r] = sa === 'left' ? [a, b] : [b, a];
      return { left: this.keyInfo(l, schema), right: this.keyInfo(r, schema) };
    };
    return Object.assign(this.schemaLookup(schema), { joinOperands });
  }

  private semiSelectivity(plan: Extract<Plan, { kind: 'join' }>, right: Estimate): number {
    // a right side made unique: the semi join's inner relation, as PostgreSQL's semifactors and join size read it
    const inner = plan.semiUnique && plan.right.kind === 'aggregate' ? this.estimate(plan.right.input) : right;
    return semiJoinSelectivity(plan.on, plan.left.schema.length, inner.rows, this.joinLookup(plan));
  }

  /**
   * Materialize (cost_material): the input's cost, plus 2 × cpu_operator_cost a row of
   * bookkeeping, plus seq_page_cost a page when its rows outgrow work_mem (pages of
   * relation_byte_size: rows × (MAXALIGN(width) + 24-byte tuple header)).
   */
  material(input: Estimate): Estimate {
    return { ...input, total: input.total + 2 * CPU_OPERATOR_COST * input.rows + this.spillPages(input) * SEQ_PAGE_COST };
  }

  private spillPages(input: Estimate): number {
    const bytes = input.rows * (Math.ceil(input.width / 8) * 8 + 24);
    return bytes > this.env.settings.workMemKb * 1024 ? Math.ceil(bytes / PAGE_SIZE) : 0;
  }

  /**
   * cost_rescan: what running the input again costs. A Materialize or a Sort replays what it
   * holds (cpu_operator_cost a row, plus its pages past work_mem); a CTE or work table scan
   * reads its tuplestore again (cpu_tuple_cost a row); a function scan keeps its result, so
   * only its run cost recurs; anything else costs what it cost the first time.
   */
  /**
   * Memoize over a parameterized inner side (cost_memoize_rescan): `calls` = outer rows,
   * ndistinct = the distinct values of the outer columns the inner side reads
   * (estimate_num_groups; without statistics every call a miss), entries held =
   * floor(hash_mem / (rows × (MAXALIGN(width) + 24) + 64 + 16 × rows + key widths)),
   * hash_mem = 2 × work_mem, hit = (calls - ndistinct) / calls × entries / max(ndistinct, entries),
   * evict = 1 - min(entries, ndistinct) / ndistinct:
   *   rescan startup = inner startup × (1 - hit) + cpu_tuple_cost
   *   rescan total   = inner total × (1 - hit) + cpu_operator_cost + cpu_tuple_cost × evict
   *                  + cpu_operator_cost / 10 × evict × rows + cpu_tuple_cost + cpu_operator_cost × rows
   * The first scan: the inner side's cost plus cpu_tuple_cost.
   */
  memoizeRescan(plan: Extract<Plan, { kind: 'join' }>, inner: Estimate): { startup: number; total: number } {
    const calls = Math.max(1, this.estimate(plan.left).rows);
    const keys = memoizeKeys(plan);
    const lookup = this.schemaLookup(plan.left.schema);
    const usedDefault = keys.some((k) => isDefaultDistinct(lookup(k)));
    const ndistinct = usedDefault ? calls : this.outerKeyGroups(plan, keys, calls);
    const keyWidth = keys.reduce((w, k) => w + typeWidth(k.type), 0);
    const entryBytes = inner.rows * (Math.ceil(inner.width / 8) * 8 + 24) + 24 + 24 + 16 * inner.rows + keyWidth;
    const entries = Math.floor((this.env.settings.workMemKb * 1024 * 2) / entryBytes);
    const evict = 1 - Math.min(entries, ndistinct) / ndistinct;
    const hit = ((calls - ndistinct) / calls) * (entries / Math.max(ndistinct, entries));
    const total = inner.total * (1 - hit) + CPU_OPERATOR_COST + CPU_TUPLE_COST * evict + (CPU_OPERATOR_COST / 10) * evict * inner.rows
      + CPU_TUPLE_COST + CPU_OPERATOR_COST * inner.rows;
    return { startup: inner.startup * (1 - hit) + CPU_TUPLE_COST, total };
  }

  /**
   * estimate_num_groups over the outer key columns: each column's distinct values, for a
   * filtered table scan scaled to the rows it keeps as PostgreSQL does,
   *   nd × (1 - ((table rows - rows) / table rows) ^ (table rows / nd)),
   * multiplied, at most the outer rows.
   */
  private outerKeyGroups(plan: Extract<Plan, { kind: 'join' }>, keys: readonly Extract<Expr, { kind: 'column' }>[], calls: number): number {
    const lookup = this.schemaLookup(plan.left.schema);
    let groups = 1;
    for (const k of keys) {
      const info = lookup(k);
      let nd = distinctCount(info);
      const tableRows = info?.rows ?? calls;
      if (isBaseScan(plan.left) && calls < tableRows && nd > 0) nd *= 1 - Math.pow((tableRows - calls) / tableRows, tableRows / nd);
      groups *= clampRows(nd);
    }
    return Math.min(calls, clampRows(groups));
  }

  private rescan(plan: Plan, est: Estimate, materialized: boolean): { startup: number; total: number } {
    if (materialized || (plan.kind === 'sort' && !throughSubqueryScan(plan))) return { startup: 0, total: CPU_OPERATOR_COST * est.rows + this.spillPages(est) * SEQ_PAGE_COST };
    if (plan.kind === 'cteScan' || plan.kind === 'workTableScan') return { startup: 0, total: CPU_TUPLE_COST * est.rows + this.spillPages(est) * SEQ_PAGE_COST };
    if (plan.kind === 'functionScan') return { startup: 0, total: est.total - est.startup };
    return { startup: est.startup, total: est.total };
  }

  /**
   * The inner (right) side of a nested loop as PostgreSQL's match_unsorted_outer settles it:
   * under a Materialize when enable_material is on, the input does not hold its output
   * already (Sort, CTE, function and work table scans: ExecMaterializesOutput) and the loop
   * is cheaper so; otherwise as it is. A LATERAL inner is run per left row, never held.
   */
  nestLoopInner(plan: Extract<Plan, { kind: 'join' }>): { materialize: boolean; est: Estimate } {
    const right = this.estimate(plan.right);
    if (plan.memoize) return { materialize: false, est: { ...right, startup: right.startup + CPU_TUPLE_COST, total: right.total + CPU_TUPLE_COST } };
    // a subquery's Sort is read through PostgreSQL's SubqueryScan, which holds nothing
    const subquery = throughSubqueryScan(plan.right);
    if (plan.lateral || !this.env.settings.material || (!subquery && MATERIALIZES_OUTPUT.has(plan.right.kind))) return { materialize: false, est: right };
    const held = this.material(right);
    const materialize = this.nestLoop(plan, held, true).total < this.nestLoop(plan, right, false).total;
    return { materialize, est: materialize ? held : right };
  }

  /**
   * Hash Join (initial_cost_hashjoin + final_cost_hashjoin, in one batch): the build side is
   * hashed, the probe side streams past it. With hash_qual = cpu_operator_cost × hash keys
   * and hash_eval the key equalities' own cost (`a.id = b.id + 1`: two operators),
   *   startup = probe startup + build total + (hash_qual + cpu_tuple_cost) × build rows
   *   run     = (probe total - probe startup) + hash_qual × probe rows
   *           + hash_eval × probe rows × clamp(build rows × bucketsize) × 0.5
   *           + (cpu_tuple_cost + other ON conditions) × probe rows × build rows × sel(hash keys)
   * bucketsize (estimate_hash_bucket_stats, the smallest over the keys): 1 / min(distinct
   * values, buckets), scaled up by the most common value's frequency over the average, 0.1
   * without statistics (an expression key over 200 rows or more); 1 / buckets over a semi
   * join's right side made unique; buckets = max(1024, the power of 2 ≥ build rows). A semi
   * or anti join, or one whose build side is unique on its keys, stops at a probe row's first
   * match (earlyStop: matched = probe rows × match fraction, scan_frac = 2 / (match count + 1)):
   *   run     = … + hash_eval × matched × clamp(build rows × bucketsize × scan_frac) × 0.5
   *           + hash_eval × unmatched × clamp(build rows / buckets) × 0.05
   *           + (cpu_tuple_cost + other ON conditions) × (anti ? unmatched : matched)
   */
  private hashJoin(plan: Extract<Plan, { kind: 'join' }>, hashBuild: 'left' | 'right'): { startup: number; total: number } {
    const keys = hashableJoinKeys(plan.on, plan.left.schema.length) ?? [];
    const buildLeft = hashBuild === 'left';
    const left = this.estimate(plan.left);
    const right = this.estimate(plan.right);
    const [probe, build] = buildLeft ? [right, left] : [left, right];
    // hashing a row: cpu_operator_cost per key (initial_cost_hashjoin), whatever the key's expression
    const hashQual = CPU_OPERATOR_COST * keys.length;
    // comparing a bucket's entries: the key equalities' whole cost, `b.id + 1` included (final_cost_hashjoin)
    const hashQualEval = keys.reduce((s, k) => s + exprCost(k.cond) + groupedKeyCost(plan, k.rightExpr), 0);
    const startup = probe.startup + build.total + (hashQual + CPU_TUPLE_COST) * build.rows + (this.env.settings.hashjoin ? 0 : DISABLE_COST);
    let run = probe.total - probe.startup + hashQual * probe.rows;
    const buckets = Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, build.rows))));
    const lookup = this.joinLookup(plan);
    const buildPlan = buildLeft ? plan.left : plan.right;
    let bucketSize = 1;
    // a semi join's right side made unique holds each key once: PostgreSQL's UniquePath inner, one entry a bucket
    if (plan.semiUnique && !buildLeft) bucketSize = 1 / buckets;
    else for (const k of keys) {
      const info = this.keyInfo(buildLeft ? k.leftExpr : k.rightExpr, buildPlan.schema);
      const restricted = isBaseScan(buildPlan) && info ? build.rows / Math.max(1, info.rows) : 1;
      bucketSize = Math.min(bucketSize, bucketFraction(info, buckets, restricted));
    }
    const otherQual = Math.max(0, exprCost(plan.on) - hashQualEval);
    const stop = this.earlyStop(plan, buildLeft ? 'left' : 'right', build);
    let tuples: number;
    if (stop) {
      const matched = Math.round(probe.rows * stop.matchFrac);
      const scanFrac = 2 / (stop.matchCount + 1);
      run += hashQualEval * matched * clampRows(build.rows * bucketSize * scanFrac) * 0.5;
      run += hashQualEval * (probe.rows - matched) * clampRows(build.rows / buckets) * 0.05;
      tuples = plan.joinType === 'anti' ? probe.rows - matched : matched;
    } else {
      run += hashQualEval * probe.rows * clampRows(build.rows * bucketSize) * 0.5;
      const keySel = keys.reduce((sel, k) => sel * clauseSelectivity(k.cond, lookup), 1);
      tuples = clampRows(probe.rows * build.rows * keySel);
    }
    run += (CPU_TUPLE_COST + otherQual) * tuples;
    return { startup, total: startup + run };
  }

  /**
   * A join that stops at an outer row's first match (compute_semi_anti_join_factors): a semi
   * or anti join, or an inner / outer join whose inner side is unique on its equality keys
   * (innerrel_is_unique: a base table scan with a unique index on a key column). matchFrac
   * is the share of outer rows with a match — the semi join selectivity, or for the unique
   * inner side the plain join selectivity (eqjoinsel reads the join's own type) — and
   * matchCount the inner rows each matched row meets (at least 1).
   */
  private earlyStop(plan: Extract<Plan, { kind: 'join' }>, innerSide: 'left' | 'right', inner: Estimate): { matchFrac: number; matchCount: number } | undefined {
    const nsel = plan.on ? this.onSelectivity(plan, plan.on) : 1;
    let jsel: number;
    // a semi join's right side made unique keeps the semi join's selectivity (its sjinfo is the semi join's)
    if ((plan.joinType === 'semi' && !this.reducedSemiJoin(plan)) || plan.joinType === 'anti' || plan.semiUnique) jsel = this.semiSelectivity(plan, inner);
    else if (this.reducedSemiJoin(plan) || this.innerUnique(plan, innerSide)) jsel = nsel;
    else return undefined;
    return { matchFrac: jsel, matchCount: Math.max(1, jsel > 0 ? (nsel * inner.rows) / jsel : 1) };
  }

  /**
   * A semi join probing a unique key per left row (param-index-join.ts): at most one match
   * each, so an inner join as PostgreSQL plans and shows it (`Nested Loop`).
   */
  semiJoinOnUniqueKey(plan: Extract<Plan, { kind: 'join' }>): boolean {
    return plan.joinType === 'semi' && this.innerUnique(asWritten(plan), 'right');
  }

  /**
   * reduce_unique_semijoins: a semi join whose right side is unique on its equality keys is
   * an inner join (each left row meets at most one right row), planned and costed as one.
   */
  private reducedSemiJoin(plan: Extract<Plan, { kind: 'join' }>): boolean {
    return plan.joinType === 'semi' && !plan.parameterized && this.innerUnique(plan, 'right');
  }

  /**
   * get_loop_count: a parameterized inner side runs once per row of the outer relations
   * its parameters come from, the smallest of their row counts (a relation's rows, not the
   * join's below it): the table scans in the left input that give the outer columns read.
   */
  outerRelationRows(plan: Extract<Plan, { kind: 'join' }>): number {
    const oids = new Set(memoizeKeys(plan).map((k) => plan.left.schema[k.index]?.tableOid ?? 0));
    let rows = Infinity;
    const visit = (p: Plan): void => {
      if (p.kind === 'scan' && oids.has(p.table.oid)) rows = Math.min(rows, this.estimate(p).rows);
      else if (p.kind === 'join') { visit(p.left); visit(p.right); }
      else if (p.kind === 'filter' || p.kind === 'project') visit(p.input);
    };
    visit(plan.left);
    return Number.isFinite(rows) ? rows : this.estimate(plan.left).rows;
  }

  /**
   * Whether a Memoize may go over this parameterized nested loop's inner side
   * (get_memoize_path): enable_memoize, two or more outer rows, outer columns to key the
   * cache on, and for a semi or anti join an inner side unique on the keys.
   */
  memoizable(plan: Extract<Plan, { kind: 'join' }>): boolean {
    if (!plan.parameterized || !this.env.settings.memoize || this.estimate(plan.left).rows < 2 || memoizeKeys(plan).length === 0) return false;
    return (plan.joinType !== 'semi' && plan.joinType !== 'anti') || this.innerUnique(asWritten(plan), 'right');
  }

  /**
   * PostgreSQL's Join.inner_unique (EXPLAIN VERBOSE's `Inner Unique: true`): each outer row
   * meets at most one inner row. Unproven for semi and anti joins (add_paths_to_joinrel),
   * true for a semi join reduced to an inner join or run over its unique-ified inner side.
   */
  joinInnerUnique(plan: Extract<Plan, { kind: 'join' }>, innerSide: 'left' | 'right'): boolean {
    if (plan.joinType === 'semi') return plan.semiUnique === true || this.reducedSemiJoin(plan) || this.semiJoinOnUniqueKey(plan);
    if (plan.joinType === 'anti') return false;
    // a semi join's right side made unique on the keys (unique-semi-join.ts)
    if (plan.semiUnique && innerSide === 'right') return true;
    return this.innerUnique(plan, innerSide);
  }

  /** The inner side is a scan of a table with a unique index on one of the join's equality key columns. */
  private innerUnique(joined: Extract<Plan, { kind: 'join' }>, innerSide: 'left' | 'right'): boolean {
    // a parameterized nested loop: the ON its inner index scan took over, over that scan's table
    const plan = joined.parameterized && !joined.on && innerSide === 'right' ? { ...joined, on: joined.parameterized.on, right: joined.parameterized.right, lateral: false } : joined;
    if (plan.lateral || !plan.on) return false;
    // asked for every method and input order of a join: answered once per ON, inner input and side
    const innerPlan = innerSide === 'left' ? plan.left : plan.right;
    let byInner = this.uniqueCache.get(plan.on);
    if (!byInner) this.uniqueCache.set(plan.on, (byInner = new WeakMap()));
    let bySide = byInner.get(innerPlan);
    if (!bySide) byInner.set(innerPlan, (bySide = new Map()));
    const key = `${innerSide} ${plan.left.schema.length}`;
    let unique = bySide.get(key);
    if (unique === undefined) bySide.set(key, (unique = this.computeInnerUnique(plan, innerSide)));
    return unique;
  }

  private readonly uniqueCache = new WeakMap<Expr, WeakMap<Plan, Map<string, boolean>>>();

  private computeInnerUnique(plan: Extract<Plan, { kind: 'join' }>, innerSide: 'left' | 'right'): boolean {
    const keys = hashJoinKeys(plan.on, plan.left.schema.length);
    const innerKeys = keys?.map((k) => (innerSide === 'left' ? k.left : k.right));
    if (innerKeys && distinctSetopFor(innerSide === 'left' ? plan.left : plan.right, innerKeys)) return true;
    const base = keys && baseScanColumns(innerSide === 'left' ? plan.left : plan.right, innerKeys!);
    if (!keys || !base) return false;
    const lookup = this.schemaLookup(base.scan.schema);
    if (keys.some((k, n) => base.columns[n]! >= 0 && lookup({ kind: 'column', type: k.type, level: 0, index: base.columns[n]!, name: '' })?.unique === true)) return true;
    // a unique index of several columns, each an equality key (relation_has_unique_index_for)
    const keyColumns = base.columns.filter((i) => i >= 0).map((i) => base.scan.schema[i]!);
    const table = keyColumns[0]?.tableOid ? this.catalog.tables.get(keyColumns[0].tableOid) : undefined;
    if (!table || keyColumns.some((c) => c.tableOid !== table.oid)) return false;
    const attnums = new Set(keyColumns.map((c) => c.attnum - 1));
    return table.indexes.some((i) => i.unique && !i.predicate && keyHoldsEveryRow(i) && !i.expression && i.columns.length > 1 && i.columns.every((c) => attnums.has(c)));
  }

  /**
   * Nested Loop (initial_cost_nestloop + final_cost_nestloop), the right input the inner side:
   *   startup = left startup + inner startup
   *   run     = (left total - left startup) + (left rows - 1) × inner rescan startup
   *           + inner run + (left rows - 1) × inner rescan run
   *           + (cpu_tuple_cost + ON cost) × left rows × inner rows
   * A semi or anti join, or one whose inner side is unique, stops at a left row's first match
   * (earlyStop). With matched = left rows × the match fraction, scan_frac = 2 / (match count + 1):
   *   run     = (left total - left startup) + (left rows - 1) × inner rescan startup + inner run
   *           + matched × inner rescan run × scan_frac + unmatched × inner rescan run
   *           (the first, whole, inner run taken off the unmatched rows, or the matched when none)
   *           + (cpu_tuple_cost + ON cost) × (matched × inner rows × scan_frac + unmatched × inner rows)
   * LATERAL runs the inner side per left row: its rescan is its whole cost.
   */
  private nestLoop(plan: Extract<Plan, { kind: 'join' }>, inner: Estimate, materialized: boolean): { startup: number; total: number } {
    const left = this.estimate(plan.left);
    const again = plan.memoize ? this.memoizeRescan(plan, this.estimate(plan.right)) : this.rescan(plan.right, inner, materialized);
    const rescanRun = again.total - again.startup;
    const innerRun = inner.total - inner.startup;
    const startup = left.startup + inner.startup + (this.env.settings.nestloop ? 0 : DISABLE_COST);
    let run = left.total - left.startup + Math.max(0, left.rows - 1) * again.startup;
    let pairs: number;
    const written = asWritten(plan);
    const stop = this.earlyStop(written, 'right', this.estimate(written.right));
    if (stop && indexedJoinQuals(plan)) {
      // has_indexed_join_quals: every join condition is the inner index scan's, so a matched
      // left row reads scan_frac of its matches, an unmatched one stops at the first index entry
      const scanFrac = 2 / (stop.matchCount + 1);
      const matched = Math.round(left.rows * stop.matchFrac);
      run += matched * rescanRun * scanFrac + ((left.rows - matched) * rescanRun) / Math.max(1, inner.rows);
      pairs = matched * inner.rows * scanFrac;
    } else if (stop) {
      const scanFrac = 2 / (stop.matchCount + 1);
      let matched = Math.round(left.rows * stop.matchFrac);
      let unmatched = left.rows - matched;
      pairs = matched * inner.rows * scanFrac + unmatched * inner.rows;
      // the one whole first scan is charged to an unmatched left row if there is one, else to a matched one
      run += innerRun;
      if (unmatched >= 1) unmatched -= 1;
      else matched -= 1;
      if (matched > 0) run += matched * rescanRun * scanFrac;
      if (unmatched > 0) run += unmatched * rescanRun;
    } else {
      run += innerRun + Math.max(0, left.rows - 1) * rescanRun;
      pairs = left.rows * inner.rows;
    }
    run += (CPU_TUPLE_COST + exprCost(plan.on)) * pairs;
    return { startup, total: startup + run };
  }

  /**
   * Hash Join: hashJoin below (the right input is the build side, or for an inner join the
   * left one when that is cheaper).
   *
   * Nested Loop: nestLoop below, over the inner side nestLoopInner settles.
   */
  join(plan: Extract<Plan, { kind: 'join' }>, algorithm: 'hash' | 'nestloop' | 'merge', hashBuild: 'left' | 'right' = plan.hashBuild ?? 'right'): Estimate {
    const left = this.estimate(plan.left);
    const written = asWritten(plan);
    const right = this.estimate(plan.right);
    const rows = this.joinRows(written, left, this.estimate(written.right));
    // as wide as what is read above it (PostgreSQL's width of the join's target list), else both sides
    const width = plan.outputRead ? this.schemaWidth(plan.outputRead.map((i) => plan.schema[i])) : plan.joinType === 'semi' || plan.joinType === 'anti' ? left.width : left.width + right.width;
    if (algorithm === 'hash') return { ...this.hashJoin(plan, hashBuild), rows, width };
    if (algorithm === 'merge') {
      const { startup, total } = this.mergeJoin(plan);
      return { startup, total, rows, width };
    }
    const inner = this.nestLoopInner(plan);
    return { ...this.nestLoop(plan, inner.est, inner.materialize), rows, width };
  }

  /** Merge Join (merge-join-cost.ts), and whether its inner input is under a Materialize. */
  mergeJoin(plan: Extract<Plan, { kind: 'join' }>): { startup: number; total: number; materializeInner: boolean } {
    const swapped = plan.mergeOuter === 'right';
    // a semi join's right side made unique on its keys is a unique inner side too
    return mergeJoinCost(this, plan, (plan.semiUnique === true && !swapped) || this.innerUnique(plan, swapped ? 'left' : 'right'));
  }

  /**
   * Aggregate without GROUP BY (cost_agg, AGG_PLAIN):
   *   startup = input total + cpu_operator_cost × aggregates × input rows
   *   total   = startup + cpu_tuple_cost
   * HashAggregate (AGG_HASHED):
   *   startup = input total + cpu_operator_cost × (group columns + aggregates) × input rows
   *   total   = startup + cpu_tuple_cost × groups
   * groups: estimate_num_groups (selectivity.ts).
   */
  private aggregate(plan: Extract<Plan, { kind: 'aggregate' }>): Estimate {
    const input = this.estimate(plan.input);
    // a transition step, its inputs and its FILTER a row for each transition state, shared ones
    // once (agg-cost.ts); GROUPING() has none (its value comes from the grouping set)
    const computed = plan.aggs.filter((a) => !a.grouping);
    const aggCost = transitionStates(computed).reduce((s, a) => s + CPU_OPERATOR_COST + a.args.reduce((t, x) => t + exprCost(x), 0) + (a.filter ? exprCost(a.filter) : 0), 0);
    // the final functions once a group (agg-cost.ts)
    const finalCost = computed.reduce((s, a) => s + CPU_OPERATOR_COST * finalFunctionCalls(a), 0);
    const width = this.schemaWidth(plan.schema);
    if (plan.groupingSets) return this.groupingSets(plan, plan.groupingSets, input, aggCost, finalCost, width);
    if (plan.groupBy.length === 0) {
      const startup = input.total + aggCost * input.rows + finalCost;
      return { startup, total: startup + CPU_TUPLE_COST, rows: 1, width };
    }
    const groups = groupCount(plan.groupBy, input.rows, this.schemaLookup(plan.input.schema));
    // a key that is an expression: computed a row below (PostgreSQL: in the scan's target list) and in the Agg's own
    const keyCost = plan.semiUnique ? 0 : plan.groupBy.reduce((c, k) => c + (k.kind === 'column' ? 0 : exprCost(k)), 0);
    const startup = input.total + (CPU_OPERATOR_COST * plan.groupBy.length + aggCost + keyCost) * input.rows + (this.env.settings.hashagg ? 0 : DISABLE_COST);
    return { startup, total: startup + (CPU_TUPLE_COST + keyCost + finalCost) * groups, rows: groups, width };
  }

  /**
   * Grouping sets, all hashed (create_groupingsets_path over consider_groupingsets_paths'
   * hash-everything plan): the empty sets form one rollup costed first, as AGG_MIXED (the
   * sorted formula: no startup beyond the input's); without them the first hashed set takes
   * the HashAggregate formula over the input. Every later set is charged its own pass over
   * the input rows (no input cost again):
   *   hashed set: (cpu_operator_cost × its columns + aggregates) × input rows + cpu_tuple_cost × its groups
   *   rows: the sum of every set's groups. Only empty sets: a plain Aggregate (one row).
   */
  private groupingSets(plan: Extract<Plan, { kind: 'aggregate' }>, sets: readonly (readonly number[])[], input: Estimate, aggCost: number, finalCost: number, width: number): Estimate {
    const est = this.groupingSetsPasses(plan, sets, input, aggCost, width);
    // GROUPING() calls: evaluated in the Agg's target list, cpu_operator_cost an output row; the final functions once a group
    const groupingCalls = plan.aggs.filter((a) => a.grouping).length;
    return { ...est, total: est.total + (CPU_OPERATOR_COST * groupingCalls + finalCost) * est.rows };
  }

  private groupingSetsPasses(plan: Extract<Plan, { kind: 'aggregate' }>, sets: readonly (readonly number[])[], input: Estimate, aggCost: number, width: number): Estimate {
    const hashed = sets.filter((s) => s.length > 0);
    const empties = sets.length - hashed.length;
    const lookup = this.schemaLookup(plan.input.schema);
    if (plan.rollupSorted) {
      // AGG_SORTED over the sorted input: a comparison per key column of the widest set per row
      const groups = hashed.reduce((n, s) => n + groupCount(s.map((i) => plan.groupBy[i]!), input.rows, lookup), 0) + empties;
      const total = input.total + (aggCost + CPU_OPERATOR_COST * hashed[0]!.length) * input.rows + CPU_TUPLE_COST * groups;
      return { startup: input.startup, total, rows: groups, width };
    }
    if (!hashed.length) {
      const startup = input.total + aggCost * input.rows;
      return { startup, total: startup + CPU_TUPLE_COST, rows: 1, width };
    }
    const pass = (s: readonly number[]) => {
      const groups = groupCount(s.map((i) => plan.groupBy[i]!), input.rows, lookup);
      return { work: (CPU_OPERATOR_COST * s.length + aggCost) * input.rows, groups };
    };
    let startup: number;
    let total: number;
    let rows: number;
    let rest = hashed;
    if (empties) {
      startup = input.startup;
      total = input.total + aggCost * input.rows + CPU_TUPLE_COST * empties;
      rows = empties;
    } else {
      const first = pass(hashed[0]!);
      startup = input.total + first.work + (this.env.settings.hashagg ? 0 : DISABLE_COST);
      total = startup + CPU_TUPLE_COST * first.groups;
      rows = first.groups;
      rest = hashed.slice(1);
    }
    for (const s of rest) {
      const p = pass(s);
      total += p.work + CPU_TUPLE_COST * p.groups;
      rows += p.groups;
    }
    return { startup, total, rows, width };
  }

  /** DISTINCT as a HashAggregate on every column; DISTINCT ON as Unique (a comparison per key and row). */
  private distinct(plan: Extract<Plan, { kind: 'distinct' }>): Estimate {
    const input = this.estimate(plan.input);
    const keys: Expr[] = plan.on ? [...plan.on] : plan.schema.map((c, i) => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name }));
    const groups = groupCount(keys, input.rows, this.schemaLookup(plan.input.schema));
    const perRow = CPU_OPERATOR_COST * keys.length;
    if (plan.on) return { ...input, total: input.total + perRow * input.rows, rows: groups };
    const startup = input.total + perRow * input.rows + (this.env.settings.hashagg ? 0 : DISABLE_COST);
    return { startup, total: startup + CPU_TUPLE_COST * groups, rows: groups, width: input.width };
  }

  /**
   * Sort (cost_sort, in memory):
   *   startup = input total + 2 × cpu_operator_cost × N × log2(N)
   *   total   = startup + cpu_operator_cost × N
   */
  private sort(inputPlan: Plan, schema: readonly OutputColumn[]): Estimate {
    const input = this.estimate(inputPlan);
    const n = Math.max(input.rows, 2);
    const startup = input.total + 2 * CPU_OPERATOR_COST * n * Math.log2(n) + (this.env.settings.sort ? 0 : DISABLE_COST);
    // cost_tuplesort counts at least 2 rows, for the run part too
    return { startup, total: startup + CPU_OPERATOR_COST * n, rows: input.rows, width: this.schemaWidth(schema) || input.width };
  }

  /**
   * Top-N heapsort (cost_sort with a bound, then the Limit above it):
   *   startup = input total + sort key cost × N + 2 × cpu_operator_cost × N × log2(2 × (offset + k))
   *   total   = startup + cpu_operator_cost × (offset + k)
   * The vector Top-K through an HNSW index is priced by vectorIndexTopK below.
   */
  private topk(plan: Extract<Plan, { kind: 'topk' }>): Estimate {
    const input = this.estimate(plan.input);
    const k = Math.min(limitValue(plan.limit, input.rows) + (plan.offset ? limitValue(plan.offset, 0) : 0), input.rows);
    if (plan.vectorSearch?.strategy === 'hnsw') return this.vectorIndexTopK(plan, input, k);
    if (plan.presorted) return this.limitOver(this.incrementalSort(plan), plan.limit, plan.offset);
    const keyCost = plan.keys.reduce((s, key) => s + exprCost(key.expr), 0);
    const n = input.rows;
    const compare = n > 2 * k ? Math.log2(Math.max(2 * k, 2)) : Math.log2(Math.max(n, 2));
    const startup = input.total + keyCost * n + 2 * CPU_OPERATOR_COST * n * compare + (this.env.settings.sort ? 0 : DISABLE_COST);
    return { startup, total: startup + CPU_OPERATOR_COST * k, rows: Math.min(k, limitValue(plan.limit, n)), width: input.width };
  }

  /** An Incremental Sort without a limit (a Sort with presorted keys, incremental-sort-cost.ts). */
  private presortedSort(plan: Extract<Plan, { kind: 'sort' }>): Estimate {
    const input = this.estimate(plan.input);
    const prefix = plan.keys.slice(0, plan.presorted ?? 0).map((k) => k.expr);
    const groups = groupCount(prefix, Math.max(input.rows, 2), this.schemaLookup(plan.input.schema));
    const est = incrementalSortCost(input, groups, undefined);
    return this.env.settings.sort ? est : { ...est, startup: est.startup + DISABLE_COST, total: est.total + DISABLE_COST };
  }

  /** The Incremental Sort of a Top-K over presorted input (incremental-sort-cost.ts), before its Limit. */
  incrementalSort(plan: Extract<Plan, { kind: 'topk' }>): Estimate {
    const input = this.estimate(plan.input);
    const prefix = plan.keys.slice(0, plan.presorted ?? 0).map((k) => k.expr);
    const groups = groupCount(prefix, Math.max(input.rows, 2), this.schemaLookup(plan.input.schema));
    const bound = plan.limit ? limitValue(plan.limit, input.rows) + (plan.offset ? limitValue(plan.offset, 0) : 0) : undefined;
    return incrementalSortCost(input, groups, bound);
  }

  /**
   * PLACEHOLDER until src/planner/vector-cost.ts prices the vector strategies per segment.
   * Shaped like pgvector's hnswcostestimate: the graph walk visits about
   * (entry level + 2) × m index tuples, entry level = ln(rows) / ln(m), m = 16, each costing
   * cpu_index_tuple_cost plus one distance (cpu_operator_cost), and fetches the k rows
   * from random pages; all of it is startup cost (the walk ends before the first row):
   *   startup = total = visited × (cpu_index_tuple_cost + cpu_operator_cost)
   *                     + k × (random_page_cost + cpu_tuple_cost + filter cost)
   * The input scan's own cost is not charged: the index replaces it.
   */
  private vectorIndexTopK(plan: Extract<Plan, { kind: 'topk' }>, input: Estimate, k: number): Estimate {
    const m = 16;
    const scan = plan.input;
    const rowsIn = scan.kind === 'scan' ? (scan.partitions ?? [scan.table]).reduce((s, t) => s + this.env.rowCount(t.oid), 0) : input.rows;
    const visited = (Math.floor(Math.log(Math.max(rowsIn, 1)) / Math.log(m)) + 2) * m;
    const filter = scan.kind === 'scan' ? exprCost(scan.filter) : 0;
    let cost = visited * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST) + k * (RANDOM_PAGE_COST + CPU_TUPLE_COST + filter);
    if (!this.env.settings.indexscan) cost += DISABLE_COST;
    return { startup: cost, total: cost, rows: Math.min(k, input.rows), width: input.width };
  }

  /**
   * Limit (adjust_limit_rows_costs): the part of the input's run cost for the rows passed:
   *   startup = input startup + run × offset / N
   *   total   = startup + run × limit / N
   */
  private limit(plan: Extract<Plan, { kind: 'limit' }>): Estimate {
    // WITH TIES over a Sort: the planner prices the Sort bounded by the count (limit_tuples), as a Top-N
    if (plan.withTies && plan.input.kind === 'sort' && !plan.input.presorted) {
      const sort = plan.input;
      return this.topk({ kind: 'topk', schema: plan.schema, input: sort.input, keys: sort.keys, limit: plan.limit, offset: plan.offset });
    }
    return this.limitOver(this.estimate(plan.input), plan.limit, plan.offset);
  }

  private limitOver(input: Estimate, limitExpr: Expr | null, offsetExpr: Expr | null): Estimate {
    const plan = { limit: limitExpr, offset: offsetExpr };
    const n = Math.max(input.rows, 1);
    const offset = plan.offset ? Math.min(limitValue(plan.offset, 0), n) : 0;
    const count = plan.limit ? Math.min(limitValue(plan.limit, n), n - offset) : n - offset;
    const run = input.total - input.startup;
    const startup = input.startup + (run * offset) / n;
    return { startup, total: startup + (run * count) / n, rows: clampRows(count), width: input.width };
  }

  /**
   * WindowAgg of one window clause (cost_windowagg), over its input (a Sort, or rows already
   * in its order):
   *   startup = input startup
   *   total   = input total
   *           + Σ per function (cpu_operator_cost (its procost, 1) + cost of its arguments
   *             and FILTER) × input rows
   *           + cpu_operator_cost × (PARTITION BY keys + ORDER BY keys) × input rows
   *           + cpu_tuple_cost × input rows
   * (keys without duplicates, as the parser leaves them). Width: the input's, plus each
   * function's result (create_one_window_path adds get_typavgwidth of each).
   */
  private window(plan: Extract<Plan, { kind: 'window' }>): Estimate {
    const input = this.estimate(plan.input);
    const first = plan.fns[0];
    const distinct = (exprs: readonly Expr[]) => new Set(exprs.map(exprIdentity)).size;
    const keys = first ? distinct(first.partitionBy) + distinct(first.orderBy.map((k) => k.expr)) : 0;
    const perRow = plan.fns.reduce((s, f) => s + CPU_OPERATOR_COST + f.args.reduce((t, a) => t + exprCost(a), 0), 0);
    const total = input.total + input.rows * (perRow + CPU_OPERATOR_COST * keys + CPU_TUPLE_COST);
    const width = input.width + plan.fns.reduce((w, f) => w + typeWidth(f.type), 0);
    return { startup: input.startup, total, rows: input.rows, width };
  }

  /** UNION ALL: an Append (sum of both); UNION / INTERSECT / EXCEPT also hash every row. */
  /**
   * A UNION's Append (union-members.ts): its members, each through its "*SELECT* n" Subquery
   * Scan unless pulled up, and cost_append's cpu_tuple_cost × 0.5 a row handed on.
   */
  unionAppend(plan: Extract<Plan, { kind: 'setop' }>): Estimate {
    const simple = isSimpleUnionAll(plan);
    const members = unionMembers(plan).map((m) => this.unionMember(m, simple));
    const rows = members.reduce((s, e) => s + e.rows, 0);
    const total = members.reduce((s, e) => s + e.total, 0) + CPU_TUPLE_COST * APPEND_CPU_COST_MULTIPLIER * rows;
    // a simple UNION ALL is an append relation over its members' widths; any other set operation's
    // output has no statistics, its columns' type widths (setopWidth)
    return { startup: members[0]!.startup, total, rows, width: simple ? Math.max(...members.map((e) => e.width)) : setopWidth(plan) };
  }

  /**
   * A column of a simple UNION ALL's append relation as set_append_rel_size makes it: each
   * member's width of it (its statistics' where it has them) averaged over the members' rows.
   */
  private appendColumnWidth(plan: Extract<Plan, { kind: 'setop' }>, index: number): number {
    let rows = 0;
    let size = 0;
    for (const m of unionMembers(plan)) {
      const n = this.estimate(m).rows;
      const column = m.schema[index];
      if (!column) continue;
      rows += n;
      size += n * this.schemaWidth([column]);
    }
    return rows > 0 ? Math.round(size / rows) : typeWidth(plan.schema[index]!.type);
  }

  /**
   * One member of a UNION's Append: a coerced operand's kept Subquery Scan costs cpu_tuple_cost
   * and its coercions a row over the operand; a removed one still cpu_tuple_cost (cost_subqueryscan
   * ran before setrefs.c removed it), but in a UNION ALL pulled up as an append relation.
   */
  unionMember(member: Plan, simple: boolean): Estimate {
    const coerced = coercedOperand(member);
    if (coerced) {
      const e = this.estimate(coerced.input);
      const perRow = CPU_TUPLE_COST + CPU_OPERATOR_COST * costedCoercions(coerced);
      // a coerced column as wide as its new type (get_typavgwidth: no statistics for it), another as below
      const width = coerced.exprs.reduce((w, x) => w + this.exprWidth(x, coerced.input.schema), 0);
      return { ...e, total: e.total + perRow * e.rows, width };
    }
    const e = this.estimate(member);
    return simple ? e : { ...e, total: e.total + CPU_TUPLE_COST * e.rows };
  }

  private setop(plan: Extract<Plan, { kind: 'setop' }>): Estimate {
    if (plan.op === 'union') {
      const append = this.unionAppend(plan);
      if (plan.all) return append;
      // a HashAggregate over the Append: hashing every row, handing on each
      const hashing = CPU_OPERATOR_COST * plan.schema.length * append.rows;
      const startup = append.total + hashing;
      return { startup, total: startup + CPU_TUPLE_COST * append.rows, rows: clampRows(append.rows), width: setopWidth(plan) };
    }
    const a = this.estimate(plan.left);
    const b = this.estimate(plan.right);
    const total = a.total + b.total;
    // cost_append: cpu_tuple_cost × APPEND_CPU_COST_MULTIPLIER a row handed on
    const appended = CPU_TUPLE_COST * APPEND_CPU_COST_MULTIPLIER * (a.rows + b.rows);
    // each operand read through a Subquery Scan (cpu_tuple_cost a row, kept when setrefs.c
    // removes the scan), then hashed as the Append hands them on
    const input = total + CPU_TUPLE_COST * (a.rows + b.rows) + appended;
    const hashing = CPU_OPERATOR_COST * plan.schema.length * (a.rows + b.rows);
    // create_setop_path: the input's startup, hashing every row; an INTERSECT gives the fewer
    // groups of its operands, an EXCEPT its left operand's (… ALL: their rows); the Append's
    // rows carry the flag column (4 bytes)
    const keys = (p: Plan): Expr[] => p.schema.map((c, i): Expr => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name }));
    const groupsOf = (p: Plan, e: Estimate) => groupCount(keys(p), e.rows, this.schemaLookup(p.schema));
    const rows = plan.op === 'intersect'
      ? (plan.all ? Math.min(a.rows, b.rows) : Math.min(groupsOf(plan.left, a), groupsOf(plan.right, b)))
      : (plan.all ? a.rows : groupsOf(plan.left, a));
    return { startup: Math.min(a.startup, b.startup), total: input + hashing, rows: clampRows(rows), width: setopWidth(plan) + 4 };
  }
}

/** PostgreSQL's clamp_row_est: at least one row, whole rows. */
export function clampRows(rows: number): number {
  return rows <= 1 || !Number.isFinite(rows) ? 1 : Math.round(rows);
}

/** A LIMIT / OFFSET value: the constant, else 10 % of the rows (PostgreSQL's guess for a parameter); no limit: every row. */
function limitValue(e: Expr | null, rows: number): number {
  if (!e) return rows;
  if (e.kind === 'const' && e.value !== null) return Math.max(0, Number(e.value));
  if (e.kind === 'cast') return limitValue(e.arg, rows);
  return Math.max(1, Math.round(rows * 0.1));
}

/** Rows of a set-returning function: generate_series and unnest of constants counted, else 1000 (prorows). */
function functionRows(plan: { readonly name: string; readonly args: readonly Expr[] }): number {
  const consts = plan.args.map((a) => (a.kind === 'cast' ? a.arg : a)).map((a) => (a.kind === 'const' ? a.value : undefined));
  if (plan.name === 'generate_series' && consts.length >= 2 && consts.slice(0, 3).every((v) => typeof v === 'number' || typeof v === 'bigint')) {
    const [start, stop, step = 1] = consts.map(Number);
    return step === 0 ? 1000 : Math.max(1, Math.floor((stop - start) / step) + 1);
  }
  if (plan.name === 'unnest' && consts.length === 1 && Array.isArray(consts[0])) return Math.max(1, consts[0].length);
  return 1000;
}

/**
 * What a key lookup's index computes that the row's filter no longer does: an expression
 * index's key (cpu_operator_cost per function or operator call in it), nothing for columns.
 */
export function keyLookupCost(table: TableDef, keyName: string | undefined): number {
  const tree = keyName === undefined ? undefined : table.indexes.find((i) => i.name === keyName)?.expression?.tree;
  const calls = (n: IndexKeyNode): number => (n.kind === 'call' ? 1 + n.args.reduce((s, a) => s + calls(a), 0) : n.kind === 'cast' ? calls(n.arg) : 0);
  return tree ? calls(tree) * CPU_OPERATOR_COST : 0;
}
