/**
 * EXPLAIN: the plan as PostgreSQL prints it. First a tree of display nodes with
 * PostgreSQL's names (Seq Scan, Index Scan, Hash Join + Hash, HashAggregate, …) and
 * estimates from the cost model; then that tree rendered as text or as JSON.
 *
 * Quiver's plan has nodes PostgreSQL folds into others: a projection or a filter above a
 * node is shown on that node (its Output / Filter, its rows and width); a partitioned
 * scan is an Append of one Seq Scan per partition; a TopK is Limit over Sort; a hash
 * join's build side is a Hash node. The vector Top-K keeps Quiver's own name and details.
 */
import { expressionKeyIndex, rangeOnExpression } from './expression-index-match.js';
import { isIndexOnly } from './index-only.js';
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import { mergeJoinType, mergeKeysOf, mergeSides } from './merge-join-cost.js';
import { CostModel, CPU_TUPLE_COST, exprCost, memoizeKeys, setopWidth, typeWidth, type Estimate } from './cost.js';
import type { ModifyingCte, TableDml } from './dml-statement.js';
import { deparse, sortKeyText, type DeparseContext } from './explain-expr.js';
import { hashableJoinKeys, hashJoinKeys } from './join-keys.js';
import { indexQuals } from './range-comparison.js';
import { rangeTableSizes, type BitmapPath, type Expr, type Plan, type SortKey } from './plan.js';
import { bitmapHeapScanCost } from './bitmap-cost.js';
import { mapExpr, walkPlanExprs } from './expr-walk.js';
import { subplanNumbers, type SubplanNumbers } from './subplan-numbers.js';
import { relationNames, relationsOf } from './relation-names.js';
import { vectorStatsLines, type VectorSearchStats } from './vector-cost.js';
import { incrementalSortLines, type IncrementalSortStats } from './incremental-sort-stats.js';
import { readAbove, type TlistRequest } from './explain-tlists.js';
import { finalTarget, inputTarget, windowChain, windowsBelow, type WindowChain } from './window-tlists.js';
import { exprIdentity } from './plan-order.js';
import { offsetZeroOnly } from './rules/drop-zero-offset.js';
import { writeJson, writeXml, writeYaml, type Json, type JsonObject } from '../types/explain-formats.js';
import { coercedOperand, leafPlaces, unionMembers } from './union-members.js';
import { OID, T } from '../types/types.js';
import { chooseHashTableSize, hashAggPeakBytes, hashTableInfo, hashTupleSpace, kilobytes, sortSpaceUsed, type HashAggRun, type HashInfo, type SortSpace, type TupleShapes } from './pg-memory.js';

/** IS_OUTER_JOIN's join types: a WHERE condition above one of them is the join's Filter, not a Join Filter */
const OUTER_JOINS: ReadonlySet<string> = new Set(['left', 'right', 'full', 'anti']);

export interface NodeMetrics { rows: number; ms: number; firstMs?: number }

/** Rows (a join's pairs) a node's own Filter / Join Filter rejected while it ran (executor/removed-rows.ts). */
export interface RemovedCount { n: number }

/** An INSERT … ON CONFLICT's proposed rows that met a conflict, and those of them its DO UPDATE's WHERE left alone. */
export interface ConflictCounts { conflicting: number; filtered: number }
/** what MERGE's actions did (EXPLAIN ANALYZE's Tuples: inserted=… updated=… deleted=… skipped=…) */
export interface MergeCounts { inserted: number; updated: number; deleted: number; skipped: number }

/**
 * EXPLAIN ANALYZE's `Rows Removed by Filter: n` (or `by Join Filter`), right after the node's
 * condition of that label, as explain.c's show_instrumentation_count puts it; a node without
 * that condition shows none. The text leaves out a 0 (renderText), JSON writes it.
 */
/**
 * An Index Only Scan's Index Cond reads the index's own column: a cidr key compared through
 * inet's operators shows without its RelabelType (fix_indexqual_operand), `(net = '…'::inet)`.
 */
function withoutCidrRelabel(e: Expr): Expr {
  if (e.kind !== 'call') return e;
  const args = e.args.map((a) => (a.kind === 'cast' && a.type.oid === OID.inet && a.arg.type.oid === OID.cidr && a.arg.kind === 'column' ? a.arg : a));
  return args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
}

function rowsRemoved(n: DisplayNode, label: 'Filter' | 'Join Filter' | 'Index Cond' | 'Recheck Cond', count: number, by: string = label): void {
  let at = -1;
  n.details.forEach(([k], i) => { if (k === label) at = i; });
  // a hashed Agg's Batches line comes between its Filter and this (explain.c's T_Agg)
  if (at >= 0 && n.details[at + 1]?.[0] === 'Batches' && n.details[at + 1]?.[2]) at++;
  if (at >= 0) n.details.splice(at + 1, 0, [`Rows Removed by ${by}`, String(count)]);
}

/** What a sort, hash join or hash aggregate held: in memory, or spilled to temp files past work_mem. */
export type SpillStats =
  | { readonly kind: 'sort'; readonly method: 'quicksort' | 'external merge'; readonly bytes: number }
  | { readonly kind: 'hash'; readonly batches: number; readonly diskBytes: number }
  | IncrementalSortStats;

/** One partition's scan under an Append: its rows and time, the rows its Filter rejected, its index's candidates. */
export interface PartitionRun { rows: number; ms: number; firstMs?: number; removed: number; candidates: number }

/** What a sort, a hash join's table or a hashed aggregate held in memory, measured as PostgreSQL would (pg-memory.ts). */
export type MemoryStats =
  | { readonly kind: 'sort'; readonly space: SortSpace; readonly handed?: number }
  | { readonly kind: 'hashJoin'; readonly tuples: TupleShapes }
  | { readonly kind: 'hashAgg'; readonly run: HashAggRun };

/** A bitmap scan's index side: a GIN scan's candidates; a B-tree bitmap's positions per Bitmap Index Scan. */
export interface BitmapStats { candidates: number; leaves?: Map<BitmapPath, number> }

export interface ExplainOptions {
  readonly metrics?: Map<Plan, NodeMetrics>;
  readonly vectorStats?: Map<Plan, VectorSearchStats>;
  readonly scanStats?: Map<Plan, { segmentsSkipped: number; sealedSegments: number }>;
  /** per bitmap scan: rows its Bitmap Index Scan handed on (GIN), or each of its Bitmap Index Scans (B-tree) */
  readonly textStats?: Map<Plan, BitmapStats>;
  readonly spillStats?: Map<Plan, SpillStats>;
  /** per sort / hash join / hashed aggregate: what it held, for its Memory figures */
  readonly memoryStats?: Map<Plan, MemoryStats>;
  /** per partitioned scan: each partition's run (by the partition's oid) */
  readonly partitionRuns?: Map<Plan, Map<number, PartitionRun>>;
  /** work_mem and hash_mem in bytes: the sizes PostgreSQL's hash tables are planned for */
  readonly workMemBytes?: number;
  readonly hashMemBytes?: number;
  /** per Index Only Scan: the rows whose visibility needed the row store (planner/index-only.ts) */
  readonly heapFetches?: Map<Plan, number>;
  /** per scan or join: the rows its own Filter / Join Filter rejected */
  readonly removedRows?: Map<Plan, RemovedCount>;
  /** an INSERT … ON CONFLICT's conflicts (ANALYZE) */
  readonly conflicts?: ConflictCounts;
  /** MERGE's actions (ANALYZE) */
  readonly merged?: MergeCounts;
  readonly verbose: boolean;
  readonly costs: boolean;
  readonly timing: boolean;
  readonly format: 'text' | 'json' | 'yaml' | 'xml';
  readonly dml: TableDml | null;
  /** the statement's data-modifying WITH queries (each shown as its CTE's plan) */
  readonly withQueries?: readonly ModifyingCte[];
  /** relation names the statement's other parts took (a WITH query's plan is built after the main one) */
  readonly takenNames?: readonly string[];
  readonly model: CostModel;
}

/**
 * A labelled detail: "Filter", "Hash Cond", "Sort Key", … (string[]: a list); a runtime line
 * whose structured formats have fields of their own ("Sort Method: quicksort  Memory: 25kB" is
 * Sort Method, Sort Space Used, Sort Space Type) carries them third.
 */
type Detail = [string, string | string[]] | [string, string, [string, string | number][]];

/** One node as EXPLAIN shows it. */
interface DisplayNode {
  readonly type: string;
  /** the text headline ("Seq Scan on t", "Hash Left Join") */
  title: string;
  /** JSON-only fields after Node Type ("Relation Name", "Join Type", …) */
  readonly props: [string, string | number | boolean][];
  /** labelled details: "Filter", "Hash Cond", "Sort Key", … (string[]: a list) */
  readonly details: Detail[];
  est: Estimate;
  actual?: NodeMetrics | 'never';
  readonly children: { rel: string; node: DisplayNode }[];
  /** a ModifyTable's partitions written (show_modifytable_info's "Target Tables"): text line, then JSON fields */
  targets?: { title: string; props: [string, string][] }[];
  /** subqueries in this node's expressions */
  readonly subplans: { name: string; node: DisplayNode }[];
  /**
   * an Agg's grouping sets as the structured formats group them (show_grouping_set_keys'
   * "Grouping Sets": a hashed set alone, a sorted rollup's sets together); the text has
   * them as its Hash Key / Group Key details
   */
  groupingSets?: { keys: 'Hash Keys' | 'Group Keys'; sets: string[][] }[];
}

/**
 * PostgreSQL's lines: "Sort Method: external merge  Disk: 3920kB" or "quicksort  Memory: 25kB";
 * a hash join or hash aggregate that spilled: "Batches: 33  Disk Usage: 5352kB".
 */
function spillDetail(s: Exclude<SpillStats, IncrementalSortStats>): Detail {
  if (s.kind === 'sort') return sortMethodDetail(s.method, s.method === 'quicksort' ? 'Memory' : 'Disk', kilobytes(s.bytes));
  return ['Batches', `${s.batches}  Disk Usage: ${kilobytes(s.diskBytes)}kB`];
}

/** show_sort_info: "Sort Method: quicksort  Memory: 25kB"; Sort Method, Sort Space Used, Sort Space Type in the other formats */
function sortMethodDetail(method: string, type: 'Memory' | 'Disk', kb: number): Detail {
  return ['Sort Method', `${method}  ${type}: ${kb}kB`, [['Sort Method', method], ['Sort Space Used', kb], ['Sort Space Type', type]]];
}

/** show_hash_info: "Buckets: n  Batches: n  Memory Usage: n kB", each with "(originally m)" when it changed at run time */
function hashDetail(h: HashInfo): Detail {
  const kb = kilobytes(h.peakBytes);
  const changed = h.buckets !== h.originalBuckets || h.batches !== h.originalBatches;
  const text = changed
    ? `${h.buckets} (originally ${h.originalBuckets})  Batches: ${h.batches} (originally ${h.originalBatches})  Memory Usage: ${kb}kB`
    : `${h.buckets}  Batches: ${h.batches}  Memory Usage: ${kb}kB`;
  return ['Buckets', text, [['Hash Buckets', h.buckets], ['Original Hash Buckets', h.originalBuckets], ['Hash Batches', h.batches], ['Original Hash Batches', h.originalBatches], ['Peak Memory Usage', kb]]];
}

/** show_hashagg_info: "Batches: n  Memory Usage: n kB" (and its Disk Usage when it spilled) */
function hashAggDetail(batches: number, peakBytes: number, diskBytes: number, costs: boolean): Detail {
  const kb = kilobytes(peakBytes);
  const disk = kilobytes(diskBytes);
  const fields: [string, number][] = [['HashAgg Batches', batches], ['Peak Memory Usage', kb], ['Disk Usage', disk]];
  if (costs) fields.unshift(['Planned Partitions', 0]);
  return ['Batches', `${batches}  Memory Usage: ${kb}kB${batches > 1 ? `  Disk Usage: ${disk}kB` : ''}`, fields];
}

class Builder implements DeparseContext {
  readonly qualify: boolean;
  private readonly numbers = new Map<Plan, number>();
  private readonly shownCtes = new Set<number>();
  /** the WITH queries met while building, for the top node */
  readonly cteSubplans: { name: string; node: DisplayNode }[] = [];
  /** subplans numbered while deparsing the current node's expressions */
  private pending: { name: string; plan: Plan; n: number }[] = [];
  /** per query being built (innermost last): the InitPlans its nodes read */
  private readonly levelInitPlans: { name: string; plan: Plan; n: number }[][] = [[]];
  /** InitPlans' parameter numbers ($0, $1, …) */
  private readonly params = new Map<Plan, number>();
  /** each relation's name in this statement, unique as PostgreSQL makes it (relation-names.ts) */
  readonly refnames: Map<Plan, string>;
  /** per query being built (innermost last): its relations' names as bound → as shown, where they differ */
  private readonly levelNames: Map<string, string>[] = [];
  /** the numbers PostgreSQL gives the subqueries (subplan-numbers.ts) */
  private readonly assigned: SubplanNumbers;
  /** the subqueries already shown (each once, under the node that reads it first) */
  private readonly shown = new Set<Plan>();

  /** numbers for subqueries the numbering did not reach (none expected): after all of its */
  private nextPlan: number;
  private nextParam: number;

  /** PostgreSQL's range table has more than one entry: Output names columns with their relation (show_plan_tlist) */
  private readonly qualifyOutput: boolean;

  /** Sorts below a Merge Join: a key expression is computed by the input below and handed up (VERBOSE Output) */
  private readonly mergeInputSorts = new WeakSet<Plan>();
  /** A semi join's right side made unique (unique-semi-join.ts): PostgreSQL's UniquePath target list (VERBOSE Output) */
  private readonly uniqueInners = new WeakSet<Plan>();
  /** VERBOSE: the Output of the WindowAggs below the top of a stack (window-tlists.ts) */
  private readonly windowOutputs = new Map<Plan, { text: string; plain: boolean }[]>();
  /** per node, the columns of its output read above it, in target-list order (explain-tlists.ts) */
  private readonly above = new Map<Plan, number[]>();
  /** subqueries' select lists read through a Subquery Scan that stays without a Filter (narrowedSubquery) */
  private readonly keptScans = new Set<Plan>();
  /** the same, for naming their columns above them (s.rn) */
  private readonly narrowedScans = new Set<Plan>();
  /** each set operation's leaves' "*SELECT* n" places (setopPlaces) */
  private readonly leafPlaces = new Map<Plan, Map<Plan, number>>();
  /** the target list the node being built is asked for (createplan.c's flags) */
  private request: TlistRequest = 'exact';
  /** each Output line's items, and whether each is a plain column (an upper node's reference to it is not parenthesized) */
  readonly outputItems = new WeakMap<DisplayNode, { text: string; plain: boolean }[]>();

  /** the scan of the partitioned table an UPDATE / DELETE writes: its partitions are its result relations */
  private readonly modified: Plan | undefined;
  /** each plan node built, as shown */
  readonly nodes = new Map<Plan, DisplayNode>();
  /** those partitions as shown (the ModifyTable's target lines), in the order scanned */
  readonly targetPartitions: { table: TableDef; alias: string }[] = [];

  constructor(private readonly opts: ExplainOptions, root: Plan) {
    this.modified = opts.dml && opts.dml.kind !== 'insert' ? targetScan(root, opts.dml.table) : undefined;
    // an INSERT's target is the first entry of its range table, before what its source reads
    const insertInto = opts.dml?.kind === 'insert' ? opts.dml.table.name : undefined;
    // a statement with data-modifying WITH queries has their relations in its range table too
    const withQueries = !!opts.withQueries?.length || opts.takenNames !== undefined;
    this.qualifyOutput = insertInto !== undefined || withQueries || Math.max(rangeTableSizes.get(root) ?? 0, countRelations(root)) > 1;
    this.qualify = opts.verbose || this.qualifyOutput;
    this.assigned = subplanNumbers(root);
    this.refnames = relationNames(root, this.assigned, [...(insertInto !== undefined ? [insertInto] : []), ...(opts.takenNames ?? [])]);
    // the one partition an UPDATE / DELETE writes is what the statement's columns of its
    // target name (pt_1), the parent being the ModifyTable's
    const modified = this.modified;
    if (modified?.kind === 'scan' && modified.partitions?.length === 1) this.refnames.set(modified, `${modified.alias ?? modified.table.name}_1`);
    this.nextPlan = this.assigned.plans.size + 1;
    this.nextParam = Math.max(-1, ...this.assigned.params.values()) + 1;
  }

  /** a subquery's number: PostgreSQL's */
  private number(plan: Plan): number {
    const n = this.numbers.get(plan) ?? this.assigned.plans.get(plan) ?? this.nextPlan++;
    this.numbers.set(plan, n);
    return n;
  }

  subplanNumber(plan: Plan): number {
    const n = this.number(plan);
    if (!this.shown.has(plan)) {
      this.shown.add(plan);
      this.pending.push({ name: `SubPlan ${n}`, plan, n });
    }
    return n;
  }

  initPlanParam(plan: Plan): number {
    const k = this.params.get(plan) ?? this.assigned.params.get(plan) ?? this.nextParam++;
    this.params.set(plan, k);
    const n = this.number(plan);
    if (!this.shown.has(plan)) {
      this.shown.add(plan);
      this.pending.push({ name: `InitPlan ${n} (returns $${k})`, plan, n });
    }
    return k;
  }

  expr(e: Expr | null | undefined): string {
    return deparse(e, this);
  }

  /**
   * Deparsing for a node above `input` (a Sort's keys): a column of the input prints as what
   * the input computes for it, through Projections down to an Aggregate's group keys and
   * calls, in parentheses unless it is a plain column — PostgreSQL's get_variable, which
   * resolves an upper node's Var through its child's target list (`Sort Key: (count(*))
   * DESC`, `((a + b))`).
   */
  private overInput(input: Plan): DeparseContext {
    return {
      qualify: this.qualify,
      tableName: (t, l) => this.tableName(t, l),
      subplanNumber: (p) => this.subplanNumber(p),
      initPlanParam: (p) => this.initPlanParam(p),
      inputColumn: (c) => {
        // read from a Subquery Scan: its column under the FROM item's name
        if (input.kind === 'project' && this.narrowedScans.has(input)) return `${input.subqueryAlias}.${input.schema[c.index]?.name}`;
        const e = computedColumn(input, c.index);
        // a join's column handed through a projection: under its table's name (jo1.a)
        const source = !e || (e.kind === 'column' && !e.table) ? this.sourceExpr(input, c.index) : undefined;
        if (source?.kind === 'column') return this.expr(source);
        if (!e || e.kind === 'column') return e ? this.expr(e) : undefined;
        return `(${this.expr(e)})`;
      },
    };
  }

  /**
   * A condition tested in a WindowAgg (its Filter, its Run Condition): its own functions as
   * their calls, a lower WindowAgg's in parentheses, `((count(*) OVER (?)) <= 3)`; undefined
   * over anything else.
   */
  private windowQual(window: Plan, e: Expr): string | undefined {
    const chain = windowChain(window);
    return chain && deparse(e, this.windowContext(chain, window));
  }

  /** A Filter or Output absorbed into an Aggregate's node: in terms of its group keys and calls, as its own expressions. */
  private ownExpr(input: Plan, e: Expr): string {
    // over a WindowAgg its functions' columns print as their calls: row_number() OVER (?)
    return this.expr(input.kind === 'aggregate' || input.kind === 'window' ? throughInput(input, e) : e);
  }

  /**
   * A scan's own condition (Filter, Index Cond, Recheck Cond): PostgreSQL's show_scan_qual
   * names the scan's columns bare (VERBOSE qualifies them); references to an enclosing
   * query's row keep their table.
   */
  scanExpr(e: Expr | null | undefined): string {
    const ctx: DeparseContext = {
      qualify: this.opts.verbose, qualifyOuter: this.qualify,
      subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l),
    };
    return deparse(e, ctx);
  }

  private node(plan: Plan, type: string, title = type): DisplayNode {
    const m = this.opts.metrics;
    return {
      type, title, props: [], details: [], est: this.opts.model.ownEstimate(plan),
      actual: m ? m.get(plan) ?? 'never' : undefined, children: [], subplans: [],
    };
  }

  /** `build` run with the relations of the query `plan` under the names EXPLAIN shows for them */
  private namedAs<T>(plan: Plan, build: () => T): T {
    this.levelNames.push(this.renamedIn(plan));
    try {
      return build();
    } finally {
      this.levelNames.pop();
    }
  }

  /**
   * The top node of a query (the statement, a subquery, a WITH query) with every InitPlan
   * of that query under it, in the order of their numbers, as PostgreSQL attaches them
   * (SS_attach_initplans).
   */
  buildQuery(plan: Plan): DisplayNode {
    const level: { name: string; plan: Plan; n: number }[] = [];
    this.levelInitPlans.push(level);
    this.levelNames.push(this.renamedIn(plan));
    if (!this.above.has(plan)) for (const [p, read] of readAbove(plan)) this.above.set(p, read);
    const narrowed = narrowedSubquery(plan);
    if (narrowed) {
      this.keptScans.add(narrowed);
      this.narrowedScans.add(narrowed);
    }
    const node = this.asking('exact', () => this.build(plan));
    const inits: { name: string; node: DisplayNode; n: number }[] = [];
    // a min() / max() InitPlan is part of this query in PostgreSQL (planagg.c): the InitPlans
    // it reads are this query's too, so the list grows while they are built
    for (let i = 0; i < level.length; i++) {
      const s = level[i];
      inits.push({ name: s.name, n: s.n, node: this.assigned.planagg.has(s.plan) ? this.build(s.plan) : this.buildQuery(s.plan) });
    }
    this.levelInitPlans.pop();
    this.levelNames.pop();
    // SS_charge_for_initplans: the query's top node starts after its InitPlans ran, and costs them too
    const initCost = inits.reduce((s, x) => s + x.node.est.total, 0);
    if (initCost > 0) node.est = { ...node.est, startup: node.est.startup + initCost, total: node.est.total + initCost };
    node.subplans.unshift(...inits.sort((a, b) => a.n - b.n).map(({ name, node: sub }) => ({ name, node: sub })));
    return node;
  }

  build(plan: Plan): DisplayNode {
    const before = this.pending.length;
    const node = this.shape(plan);
    this.nodes.set(plan, node);
    // in the order of their numbers, as PostgreSQL lists a node's SubPlans; InitPlans go to the query's top node
    const found = this.pending.splice(before).sort((a, b) => a.n - b.n);
    for (const s of found) {
      if (s.name.startsWith('InitPlan')) this.levelInitPlans.at(-1)!.push(s);
      else node.subplans.push({ name: s.name, node: this.buildQuery(s.plan) });
    }
    this.addRuntimeDetails(plan, node);
    return node;
  }

  private addRuntimeDetails(plan: Plan, node: DisplayNode): void {
    const ss = plan.kind === 'join' ? undefined : this.opts.spillStats?.get(plan);
    const memory = plan.kind === 'join' || plan.kind === 'topk' ? undefined : this.opts.memoryStats?.get(plan);
    // (an Incremental Sort's lines go on its own node, below the Limit: topk())
    // in memory: PostgreSQL's figure for what it held; spilled: Quiver's own runs on disk
    const external = ss?.kind === 'sort' && ss.method === 'external merge';
    if (memory?.kind === 'sort' && !external) node.details.push(this.sortDetail(memory.space, plan));
    else if (memory?.kind === 'hashAgg') {
      if (node.props.some(([k, v]) => k === 'Strategy' && v === 'Hashed')) this.hashAggLine(node, memory.run, ss);
    } else if (ss && ss.kind !== 'incrementalSort') node.details.push(spillDetail(ss));
    // PostgreSQL's Heap Fetches on an Index Only Scan under ANALYZE, 0 when it never ran (index-only.ts says what they are here)
    if (this.opts.metrics && this.opts.heapFetches && plan.kind === 'scan' && isIndexOnly(plan)) {
      node.details.push(['Heap Fetches', String(this.opts.heapFetches.get(plan) ?? 0)]);
    }
    // PostgreSQL's Rows Removed by Filter / Join Filter, after the condition it counts
    const removed = this.opts.metrics && (plan.kind === 'scan' || plan.kind === 'join') ? this.opts.removedRows?.get(plan) : undefined;
    if (removed) rowsRemoved(node, plan.kind === 'join' ? 'Join Filter' : 'Filter', removed.n);
    // an index condition rechecked on the row: never lossy here, so 0 (JSON shows it, text leaves a 0 out)
    if (this.opts.metrics && plan.kind === 'scan') rowsRemoved(node, node.type === 'Bitmap Heap Scan' ? 'Recheck Cond' : 'Index Cond', 0, 'Index Recheck');
    const zs = this.opts.scanStats?.get(plan);
    // (none sealed: nothing to skip, and the plan reads as PostgreSQL's)
    if (zs && zs.sealedSegments > 0) node.details.push(['Zone maps', `${zs.segmentsSkipped} of ${zs.sealedSegments} sealed segments skipped`]);
    const vs = this.opts.vectorStats?.get(plan);
    // "Label: value" lines of the vector search's own counters (planner/vector-cost.ts)
    if (vs) {
      for (const line of vectorStatsLines(vs)) {
        const at = line.indexOf(': ');
        node.details.push([line.slice(0, at), line.slice(at + 2)]);
      }
    }
  }

  /** A sort's Sort Method line from what it held (pg-memory.ts), its input's columns in PostgreSQL's order */
  private sortDetail(space: SortSpace, plan: Plan): Detail {
    const input = plan.kind === 'sort' || plan.kind === 'topk' ? plan.input : plan;
    const bytes = sortSpaceUsed(space, this.opts.workMemBytes ?? 4 * 1024 * 1024, this.above.get(input));
    return sortMethodDetail(space.method, 'Memory', kilobytes(bytes));
  }

  /** A hashed Agg's Batches line after its Filter (show_hashagg_info follows show_upper_qual) */
  private hashAggLine(node: DisplayNode, run: HashAggRun, spilled: SpillStats | undefined): void {
    const hashMem = this.opts.hashMemBytes ?? 8 * 1024 * 1024;
    const peak = hashAggPeakBytes(run, node.est.rows, hashMem, node.est.width);
    const batches = spilled?.kind === 'hash' ? spilled.batches : 1;
    const line = hashAggDetail(batches, peak, spilled?.kind === 'hash' ? spilled.diskBytes : 0, this.opts.costs);
    const filter = node.details.findIndex(([k]) => k === 'Filter');
    if (filter >= 0) node.details.splice(filter + 1, 0, line);
    else node.details.push(line);
  }

  private child(node: DisplayNode, plan: Plan, rel = 'Outer'): void {
    node.children.push({ rel, node: this.build(plan) });
  }

  private output(node: DisplayNode, exprs: readonly Expr[]): void {
    // deparsed even without VERBOSE: that numbers the SubPlans in the select list, which
    // are shown under the node either way (as PostgreSQL shows them)
    const ctx: DeparseContext = { qualify: this.qualifyOutput, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) };
    const texts = exprs.map((e) => deparse(e, ctx));
    // "the tlist of an Append isn't real helpful, so suppress it" (show_plan_tlist)
    if (!this.opts.verbose || node.type === 'Append' || node.type === 'Merge Append') return;
    const i = node.details.findIndex(([k]) => k === 'Output');
    if (i >= 0) node.details.splice(i, 1);
    this.outputItems.set(node, texts.map((text, k) => ({ text, plain: exprs[k]!.kind === 'column' })));
    // an empty target list prints no Output (show_plan_tlist)
    if (texts.length) node.details.unshift(['Output', texts.join(', ')]);
  }

  /** Expressions as an Output line shows them, qualified or not (a ModifyTable's RETURNING, its scan's new values). */
  outputTexts(exprs: readonly Expr[], qualify = this.qualifyOutput): string[] {
    const ctx: DeparseContext = { qualify, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) };
    return exprs.map((e) => deparse(e, ctx));
  }

  /** Output lines already deparsed (plain: a column as it is, not parenthesized when an upper node shows it) */
  private outputItemsOf(node: DisplayNode, items: readonly { text: string; plain: boolean }[]): void {
    if (!this.opts.verbose) return;
    const i = node.details.findIndex(([k]) => k === 'Output');
    if (i >= 0) node.details.splice(i, 1);
    this.outputItems.set(node, [...items]);
    if (items.length) node.details.unshift(['Output', items.map((x) => x.text).join(', ')]);
  }

  /**
   * A select list over a stack of WindowAggs (window-tlists.ts): the top WindowAgg shows the
   * final target, each one below it the input target and the functions computed up to it;
   * a function computed below the node showing it is in parentheses, as PostgreSQL prints
   * an upper node's reference to its child's output: `(rank() OVER (?))`.
   */
  private overWindows(plan: Extract<Plan, { kind: 'project' }>, chain: WindowChain, sortKeys: readonly Expr[]): DisplayNode {
    const top = chain.windows[0]!;
    // the select list, then the ORDER BY keys not in it (resjunk)
    const shown = new Set(plan.exprs.map(exprIdentity));
    const exprs = [...plan.exprs, ...sortKeys.filter((k) => !shown.has(exprIdentity(k)) && shown.add(exprIdentity(k)))];
    if (this.opts.verbose) {
      const target = inputTarget(exprs, chain);
      const base = target.map((e) => ({ text: deparse(e, this.windowContext(chain, null)), plain: true }));
      // an Aggregate below (through a HAVING's Filters) computes the input target: its Output
      let agg = chain.base;
      while (agg.kind === 'filter') agg = agg.input;
      if (agg.kind === 'aggregate') {
        const computed = target.map((e) => throughInput(chain.base, e));
        const plainCtx = { ...this.windowContext(chain, null), inputColumn: undefined };
        this.windowOutputs.set(agg, computed.map((e) => ({ text: deparse(e, plainCtx), plain: e.kind === 'column' })));
      }
      const below: { text: string; plain: boolean }[] = [];
      for (const w of [...chain.windows].reverse()) {
        if (w === top) break;
        const own = w.fns.map((fn) => deparse(fn, this.windowContext(chain, null)));
        this.windowOutputs.set(w, [...base, ...below, ...own.map((text) => ({ text, plain: false }))]);
        below.push(...own.map((text) => ({ text: `(${text})`, plain: true })));
      }
    }
    const n = this.build(plan.input);
    // the top WindowAgg, below the Limits and Sorts (they show its Output)
    const target = projectingBelow(n);
    if (!this.opts.verbose) {
      // (deparsed all the same: that numbers the SubPlans in the select list)
      this.output(target, plan.exprs);
      return this.absorb(n, plan);
    }
    const ctx = this.windowContext(chain, top);
    const items = finalTarget(exprs, chain).map((e) => ({
      text: deparse(e, ctx),
      plain: e.kind === 'column' && chain.fnAt.get(e.index)?.window !== top,
    }));
    this.outputItemsOf(target, items);
    return this.absorb(n, plan);
  }

  /**
   * Deparsing over a stack of WindowAggs: a window function's column as its call, in
   * parentheses unless computed by `at`; a column the base computes (an Aggregate's) as
   * that, in parentheses.
   */
  private windowContext(chain: WindowChain, at: Plan | null): DeparseContext {
    const ctx: DeparseContext = {
      qualify: this.qualifyOutput,
      subplanNumber: (p) => this.subplanNumber(p),
      initPlanParam: (p) => this.initPlanParam(p),
      tableName: (t, l) => this.tableName(t, l),
      inputColumn: (c) => {
        const fn = chain.fnAt.get(c.index);
        if (fn) {
          const text = deparse(fn.fn, ctx);
          return fn.window === at ? text : `(${text})`;
        }
        const e = computedColumn(chain.base, c.index);
        if (!e || e.kind === 'column') return e ? deparse(e, { ...ctx, inputColumn: undefined }) : undefined;
        return `(${deparse(e, { ...ctx, inputColumn: undefined })})`;
      },
    };
    return ctx;
  }

  /** Output: the select list, then the sort keys not in it (resjunk) */
  private outputWithKeys(node: DisplayNode, exprs: readonly Expr[], keys: readonly Expr[]): void {
    const ctx: DeparseContext = { qualify: this.qualifyOutput, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) };
    const shown = new Set(exprs.map((e) => deparse(e, ctx)));
    const resjunk = keys.filter((k) => {
      const text = deparse(k, ctx);
      if (shown.has(text)) return false;
      shown.add(text);
      return true;
    });
    this.output(node, [...exprs, ...resjunk]);
  }

  /** build under a target-list request (createplan.c's flags for a child) */
  private asking<T>(request: TlistRequest, build: () => T): T {
    const before = this.request;
    this.request = request;
    try {
      return build();
    } finally {
      this.request = before;
    }
  }

  /**
   * A table scan's Output: every column when its parent accepts any list (the physical
   * tlist; an Index Only Scan's is its index's columns), else the columns read above.
   */
  private scanTlist(plan: Extract<Plan, { kind: 'scan' }>): Expr[] {
    const all = this.columnsOf(plan);
    if (this.request === 'any') {
      const key = isIndexOnly(plan) ? plan.indexRange?.columns ?? plan.table.indexes.find((i) => i.name === plan.keyLookup?.keyName)?.columns : undefined;
      return key ? key.map((c) => all[c]!).filter((e) => e !== undefined) : all;
    }
    const read = this.above.get(plan);
    return read ? read.map((c) => all[c]!).filter((e) => e !== undefined) : all;
  }

  /**
   * A join's Output: the columns read above it, each relation's together (build_joinrel_tlist
   * appends one input relation's target list after another's); the relations in the order
   * the query first reads them (PostgreSQL's is the FROM order, which the plan no longer knows)
   */
  private joinTlist(n: DisplayNode, plan: Extract<Plan, { kind: 'join' }>): void {
    if (!this.opts.verbose) return;
    const width = plan.left.schema.length;
    const semi = plan.joinType === 'semi' || plan.joinType === 'anti';
    const read = (this.above.get(plan) ?? plan.schema.map((_, i) => i)).filter((c) => !semi || c < width);
    const exprs = read.map((c) => this.sourceExpr(plan, c) ?? { kind: 'column', type: plan.schema[c]!.type, level: 0, index: c, name: plan.schema[c]!.name } as Expr);
    const relation = (e: Expr) => (e.kind === 'column' ? e.table ?? '' : '');
    const order = [...new Set(exprs.map(relation))];
    this.output(n, order.flatMap((r) => exprs.filter((e) => relation(e) === r)));
  }

  /**
   * A join's key condition: a column read through a subquery PostgreSQL pulled up, or whose
   * Subquery Scan it removed, under its table's name (`sqs_t.id`, not `s.id`), as
   * set_plan_references resolves it through the subquery's target list
   */
  private condExpr(plan: Extract<Plan, { kind: 'join' }>, e: Expr): string {
    return this.expr(mapExpr(e, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      const grouped = this.uniqueKeyExpr(plan, x.index);
      if (grouped) return grouped;
      const source = this.sourceExpr(plan, x.index);
      return source?.kind === 'column' ? source : x;
    }));
  }

  /**
   * A semi join's right side made unique (unique-semi-join.ts): on a key expression the join
   * reads the expression, as PostgreSQL's join over the UniquePath computes it from the
   * grouped row's columns, `Hash Cond: (a.x = (b.y + 1))`; a grouped column under its table's name.
   */
  private uniqueKeyExpr(plan: Extract<Plan, { kind: 'join' }>, index: number): Expr | undefined {
    const width = plan.left.schema.length;
    if (!plan.semiUnique || index < width || plan.right.kind !== 'aggregate') return undefined;
    const key = plan.right.groupBy[index - width];
    if (!key) return undefined;
    if (key.kind !== 'column') return this.pulledUp(plan.right.input, key);
    // a grouped column under its table's name, through a subquery's select list (`c.parent`)
    const source = this.sourceExpr(plan.right.input, key.index);
    return source?.kind === 'column' && source.table ? source : undefined;
  }

  /**
   * An expression over `input`'s columns with those a pulled-up subquery hands on as a
   * table's column named by that table (`Group Key: sq2_t.g`, not `s.g`), as
   * set_plan_references resolves them through the subquery's target list.
   */
  private throughPulledUp(input: Plan, e: Expr): string {
    return this.expr(this.pulledUp(input, e));
  }

  private pulledUp(input: Plan, e: Expr): Expr {
    return mapExpr(e, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      const source = this.sourceExpr(input, x.index);
      return source?.kind === 'column' ? source : x;
    });
  }

  /** Column `index` of `plan`'s output as the expression below that gives it (a table's column under its name), if known */
  private sourceExpr(plan: Plan, index: number): Expr | undefined {
    switch (plan.kind) {
      case 'scan': return this.columnsOf(plan)[index];
      case 'join': {
        const width = plan.left.schema.length;
        return index < width ? this.sourceExpr(plan.left, index) : this.sourceExpr(plan.right, index - width);
      }
      // a Subquery Scan EXPLAIN shows names its own columns (s.id)
      case 'filter': return subqueryScanBelow(plan) ? undefined : this.sourceExpr(plan.input, index);
      case 'sort': case 'limit': case 'topk': case 'distinct': return this.sourceExpr(plan.input, index);
      case 'project': {
        if (this.narrowedScans.has(plan)) return undefined;
        const e = plan.exprs[index];
        return e && mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? this.sourceExpr(plan.input, x.index) ?? x : undefined));
      }
      default: return undefined;
    }
  }

  /**
   * `e` over the Limits and Sorts of `input` as the node below them computes it (throughInput),
   * a join's column under its table's name (`jo1.a`, as PostgreSQL's Sort over a join shows it)
   */
  private belowSorts(input: Plan, e: Expr): Expr {
    return mapExpr(e, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      const computed = computedColumn(input, x.index);
      if (computed && computed.kind !== 'column') return computed;
      const source = this.sourceExpr(input, x.index);
      return source?.kind === 'column' ? source : computed ?? x;
    });
  }

  private columnsOf(plan: Plan): Expr[] {
    // a scan's columns under the name the query reads the table by (its alias)
    const table = plan.kind === 'scan' ? this.refname(plan) ?? plan.table.name : plan.kind === 'sampleScan' ? plan.alias ?? plan.table.name : plan.kind === 'cteScan' ? plan.alias ?? plan.cte.name : undefined;
    return plan.schema.map((c, i) => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name, table }));
  }

  // one case per plan kind: a flat table of short cases reads best
  private shape(plan: Plan): DisplayNode {
    switch (plan.kind) {
      case 'scan': return this.scan(plan);
      case 'sampleScan': {
        const n = this.node(plan, 'Sample Scan');
        this.relation(n, plan.table, plan.alias);
        const { method, percent, repeatable } = plan.sample;
        n.details.push(['Sampling', `${method} (${this.scanExpr(percent)})${repeatable ? ` REPEATABLE (${this.scanExpr(repeatable)})` : ''}`]);
        if (plan.filter) n.details.push(['Filter', this.scanExpr(plan.filter)]);
        this.output(n, this.columnsOf(plan));
        return n;
      }
      case 'systemScan': {
        const n = this.node(plan, 'Seq Scan', `Seq Scan on ${plan.relation.name}`);
        n.props.push(['Relation Name', plan.relation.name]);
        return n;
      }
      case 'values': {
        // one row is a Result (the parser makes VALUES of one row a plain target list)
        if (plan.rows.length === 1) {
          const n = this.node(plan, 'Result');
          // its target list is the row (a projection above, absorbed, sets its own)
          this.output(n, plan.rows[0]!);
          return n;
        }
        const n = this.node(plan, 'Values Scan', 'Values Scan on "*VALUES*"');
        n.props.push(['Alias', '*VALUES*']);
        return n;
      }
      case 'functionScan': case 'sqlFunctionScan': {
        // the alias follows the function's name when it is another name (ExplainTargetRel)
        const alias = plan.kind === 'functionScan' ? plan.alias ?? plan.name : plan.name;
        // ROWS FROM of several functions: ExplainTargetRel names the alias alone
        const on = plan.kind === 'functionScan' && plan.rowsFrom ? alias : `${plan.name}${alias !== plan.name ? ` ${alias}` : ''}`;
        const n = this.node(plan, 'Function Scan', `Function Scan on ${on}`);
        n.props.push(['Function Name', plan.name], ['Alias', alias]);
        return n;
      }
      case 'workTableScan': return this.node(plan, 'WorkTable Scan');
      case 'cteScan': {
        const name = plan.cte.name ?? `cte_${plan.cte.id}`;
        const n = this.node(plan, 'CTE Scan', `CTE Scan on ${name}${plan.alias ? ` ${plan.alias}` : ''}`);
        n.props.push(['CTE Name', name], ['Alias', plan.alias ?? name]);
        // shown once, as PostgreSQL does: on the query's top node (displayTree), before its children
        // (a data-modifying one is shown with the statement's: withQueryPlans)
        if (!this.shownCtes.has(plan.cte.id) && !plan.cte.modifying) {
          this.shownCtes.add(plan.cte.id);
          this.cteSubplans.push({ name: `CTE ${name}`, node: this.buildQuery(plan.cte.plan) });
        }
        return n;
      }
      case 'filter': {
        const subquery = subqueryScanBelow(plan);
        if (subquery) return this.subqueryScan(plan, subquery);
        const n = this.build(plan.input);
        // a WHERE condition kept above an outer join is PostgreSQL's qpqual there (Filter), tested
        // after null-extension; above an inner join it is one more join qual (Join Filter)
        const join = (n.type.includes('Join') || n.type === 'Nested Loop') && !(plan.input.kind === 'join' && OUTER_JOINS.has(plan.input.joinType));
        const onScan = SCAN_TYPES.has(n.type) && n.children.length === 0;
        const filter: ['Filter' | 'Join Filter', string] = [join ? 'Join Filter' : 'Filter', onScan ? this.scanExpr(plan.predicate) : this.windowQual(plan.input, plan.predicate) ?? this.ownExpr(plan.input, plan.predicate)];
        // a WindowAgg shows its Filter before its Run Condition (explain.c's T_WindowAgg)
        const runAt = n.details.findIndex(([k]) => k === 'Run Condition');
        // a hashed Agg's Batches line follows its Filter (show_hashagg_info after show_upper_qual)
        const batchesAt = n.type === 'Aggregate' ? n.details.findIndex(([k, , fields]) => k === 'Batches' && fields !== undefined) : -1;
        if (runAt >= 0) n.details.splice(runAt, 0, filter);
        else if (batchesAt >= 0) n.details.splice(batchesAt, 0, filter);
        else n.details.push(filter);
        // the rows its input handed up that it did not pass on
        const read = this.opts.metrics?.get(plan.input);
        const passed = this.opts.metrics?.get(plan);
        if (read && passed) rowsRemoved(n, filter[0], read.rows - passed.rows);
        return this.absorb(n, plan);
      }
      case 'result': {
        const n = this.node(plan, 'Result');
        n.details.push(['One-Time Filter', this.expr(plan.oneTime)]);
        // over SELECT without FROM, PostgreSQL's Result has no input node
        const fromless = plan.gated?.kind === 'values' && plan.gated.rows.length === 1 && plan.gated.schema.length === 0;
        if (plan.gated && !fromless) this.child(n, plan.gated);
        return n;
      }
      case 'project': {
        if (this.keptScans.delete(plan)) return this.narrowingScan(plan);
        const windows = windowsBelow(plan.input);
        if (windows) return this.overWindows(plan, windows.chain, sortKeysBelow(plan.input));
        if (plan.input.kind === 'values' && plan.input.rows.length === 1 && plan.input.schema.length === 0) {
          const n = this.node(plan, 'Result');
          this.output(n, plan.exprs);
          return n;
        }
        const n = this.build(plan.input);
        // over an aggregate (a HAVING's Filter between): its group keys and calls, as the Agg node computes them
        // (over a join, a pulled-up subquery's column under its table's name)
        const exprs = overAggregate(plan.input) ? plan.exprs.map((e) => throughInput(plan.input, e)) : plan.input.kind === 'join' ? plan.exprs.map((e) => this.pulledUp(plan.input, e)) : plan.exprs;
        const target = projectingBelow(n);
        if (target.type === 'Append') this.projectIntoPartitions(target, plan);
        if (target === n) this.output(n, exprs);
        // PostgreSQL computes the select list below a Limit or Sort, with the sort keys it
        // needs after it (resjunk); the Limit and Sort show that node's columns
        else this.outputWithKeys(target, plan.exprs.map((e) => this.belowSorts(plan.input, e)), sortKeysBelow(plan.input).map((e) => this.belowSorts(plan.input, e)));
        // the select list computed by a Subquery Scan (narrowingScan): the scan's cost is its own
        if (n.type === 'Subquery Scan') {
          this.absorb(n, plan);
          n.est = { ...this.opts.model.estimate(plan), width: n.est.width };
          return n;
        }
        return this.absorb(n, plan);
      }
      case 'projectSet': {
        const n = this.node(plan, 'ProjectSet');
        this.child(n, plan.input);
        return n;
      }
      case 'join': return this.join(plan);
      case 'aggregate': {
        if (plan.groupingSets) return this.groupingSetsAggregate(plan, plan.groupingSets);
        const hashed = plan.groupBy.length > 0;
        const n = this.node(plan, 'Aggregate', hashed ? 'HashAggregate' : 'Aggregate');
        n.props.push(['Strategy', hashed ? 'Hashed' : 'Plain']);
        if (hashed) n.details.push(['Group Key', plan.groupBy.map((e) => this.throughPulledUp(plan.input, e))]);
        if (this.uniqueInners.has(plan)) return this.uniqueInner(n, plan);
        this.asking('any', () => this.child(n, plan.input));
        const items = this.windowOutputs.get(plan);
        if (items) this.outputItemsOf(n, items);
        return n;
      }
      case 'window': {
        const n = this.node(plan, 'WindowAgg');
        this.asking('small', () => this.child(n, plan.input));
        const items = this.windowOutputs.get(plan);
        if (items) this.outputItemsOf(n, items);
        if (plan.runCondition) n.details.push(['Run Condition', this.windowQual(plan, plan.runCondition)!]);
        return n;
      }
      case 'sort': {
        const n = this.node(plan, plan.presorted ? 'Incremental Sort' : 'Sort');
        // a key that is an expression (a window's PARTITION BY x || 'a') is computed below in
        // PostgreSQL and referenced: in parentheses, as get_variable prints it
        const keyText = (k: SortKey) => {
          const ctx = this.overInput(plan.input);
          if (k.expr.kind === 'column') return sortKeyText(k, ctx);
          const bare = sortKeyText({ ...k, desc: false, nullsFirst: false }, ctx);
          return `(${bare})${sortKeyText(k, ctx).slice(bare.length)}`;
        };
        n.details.push(['Sort Key', plan.keys.map(keyText)]);
        if (plan.presorted) {
          n.details.push(['Presorted Key', plan.keys.slice(0, plan.presorted).map((k) => sortKeyText({ expr: k.expr, desc: false, nullsFirst: false }, this.overInput(plan.input)))]);
          const stats = this.opts.spillStats?.get(plan);
          if (stats?.kind === 'incrementalSort') n.details.push(...incrementalSortLines(stats));
        }
        this.asking('small', () => this.child(n, plan.input));
        if (this.mergeInputSorts.has(plan)) this.computedSortKeys(n.children[n.children.length - 1]!.node, plan);
        return n;
      }
      case 'topk': return this.topk(plan);
      case 'limit': {
        const n = this.node(plan, 'Limit');
        this.child(n, plan.input);
        // WITH TIES over a Sort: the Sort's estimate is the bounded one (cost.ts limit), its run the full input's
        const sort = n.children[0]?.node;
        if (plan.withTies && plan.input.kind === 'sort' && !plan.input.presorted && sort?.type === 'Sort') {
          const rows = this.opts.model.estimate(plan.input.input).rows;
          sort.est = { ...sort.est, startup: n.est.startup, total: n.est.startup + rows * 0.0025 };
        }
        return n;
      }
      case 'distinct': {
        const n = plan.on ? this.node(plan, 'Unique') : this.hashAggregate(plan);
        const proj = plan.input.kind === 'project' ? plan.input : undefined;
        if (!plan.on && this.opts.verbose && proj && proj.exprs.every((e) => e.kind === 'column' && e.level === 0)) {
          // DISTINCT over plain columns: the HashAggregate computes them (its Output) and its
          // input may hand on every column, as PostgreSQL's Agg over a physical target list
          const keys = proj.exprs.map((e) => throughInput(proj.input, e));
          n.details.push(['Group Key', keys.map((e) => this.expr(e))]);
          this.output(n, keys);
          n.children.push({ rel: 'Outer', node: this.absorb(this.asking('any', () => this.build(proj.input)), proj) });
          return n;
        }
        // over window functions: their calls, count(*) OVER (?)
        const overWindows = !plan.on && proj && windowsBelow(proj.input) ? proj : undefined;
        // a Unique shows no keys (explain.c)
        if (!plan.on) {
          const groupKeys = overWindows ? overWindows.exprs.map((e) => throughInput(overWindows.input, e)) : this.columnsOf(plan.input);
          n.details.push(['Group Key', groupKeys.map((e) => this.expr(e))]);
        }
        this.asking('any', () => this.child(n, plan.input));
        return n;
      }
      case 'setop': return this.keptScans.delete(plan) ? this.narrowingScan(plan) : this.setop(plan);
      case 'recursiveUnion': {
        const n = this.node(plan, 'Recursive Union');
        this.child(n, plan.nonRecursive);
        this.child(n, plan.recursive, 'Inner');
        return n;
      }
    }
  }

  /**
   * PostgreSQL's Subquery Scan, kept over a subquery in FROM (or an inlined WITH query) that
   * was not pulled up when a condition of the outer query stays on it (setrefs.c's
   * trivial_subqueryscan): its Filter over the subquery's columns under the FROM item's
   * name, `(s.rn = 2)`. A Limit that is only `OFFSET 0` is not a node in PostgreSQL.
   */
  private subqueryScan(plan: Extract<Plan, { kind: 'filter' }>, marked: SubqueryTop): DisplayNode {
    const alias = marked.subqueryAlias ?? '';
    const top = plan.input;
    const n = this.node(plan, 'Subquery Scan', `Subquery Scan on ${alias}`);
    n.props.push(['Alias', alias]);
    // as wide as the columns read above it
    const read = this.above.get(plan);
    if (read) n.est = { ...n.est, width: this.opts.model.schemaWidth(read.map((i) => top.schema[i]!).filter((c) => c !== undefined)) };
    // the subquery's columns under its name, always qualified: a kept scan means more than one relation
    const named = mapExpr(plan.predicate, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, table: alias, name: top.schema[x.index]?.name ?? x.name } : undefined));
    n.details.push(['Filter', deparse(named, { ...this.overInput(top), qualify: true, inputColumn: undefined })]);
    const handed = this.opts.metrics?.get(top);
    const kept = this.opts.metrics?.get(plan);
    if (handed && kept) rowsRemoved(n, 'Filter', handed.rows - kept.rows);
    this.output(n, top.schema.map((c, i): Expr => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name, table: alias })));
    n.children.push({ rel: 'Subquery', node: this.build(offsetZeroOnly(top) ? top.input : top) });
    return n;
  }

  /**
   * A Subquery Scan without a Filter, over a subquery's select list that the statement's
   * target list reads otherwise than column for column (narrowedSubquery): it costs
   * cpu_tuple_cost a row above the subquery's top and is as wide as the columns read.
   */
  private narrowingScan(plan: SubqueryTop): DisplayNode {
    const alias = plan.subqueryAlias ?? '';
    const n = this.node(plan, 'Subquery Scan', `Subquery Scan on ${alias}`);
    n.props.push(['Alias', alias]);
    const est = this.opts.model.estimate(plan);
    const read = this.above.get(plan) ?? plan.schema.map((_, i) => i);
    n.est = { ...est, width: this.opts.model.schemaWidth(read.map((i) => plan.schema[i]!).filter((c) => c !== undefined)) };
    this.output(n, read.map((i): Expr => ({ kind: 'column', type: plan.schema[i]!.type, level: 0, index: i, name: plan.schema[i]!.name, table: alias })));
    const top = this.build(plan);
    // a DISTINCT ON's Unique hands on its ORDER BY keys too (resjunk): as wide as its input
    if (plan.kind === 'project' && plan.input.kind === 'distinct') top.est = { ...top.est, width: this.opts.model.estimate(plan.input).width };
    n.children.push({ rel: 'Subquery', node: top });
    return n;
  }

  /** A node shown with the estimate and actual rows of a plan node folded into it. */
  private absorb(n: DisplayNode, plan: Plan): DisplayNode {
    n.est = this.opts.model.ownEstimate(plan);
    if (this.opts.metrics) n.actual = this.opts.metrics.get(plan) ?? 'never';
    return n;
  }

  /** `on name [alias]`: PostgreSQL shows the alias when it differs (a partition under its parent's name) */
  private relation(n: DisplayNode, table: TableDef, alias = table.name): void {
    // the session's temporary schema is shown as pg_temp (get_namespace_name_or_temp)
    const schema = /^pg_temp_\d+$/.test(table.schema) ? 'pg_temp' : table.schema;
    n.title += this.opts.verbose ? ` on ${schema}.${table.name}` : ` on ${table.name}`;
    if (alias !== table.name) n.title += ` ${alias}`;
    n.props.push(['Relation Name', table.name]);
    if (this.opts.verbose) n.props.push(['Schema', schema]);
    n.props.push(['Alias', alias]);
  }

  /**
   * ANALYZE: a partition's own rows and Rows Removed by Filter under an Append (its time the
   * whole scan's); one the scan did not read was never executed
   */
  /** A select list computed over a partitioned table's Append: each partition's scan computes it, as wide as that */
  private projectIntoPartitions(append: DisplayNode, plan: Extract<Plan, { kind: 'project' }>): void {
    let below = plan.input;
    while (below.kind === 'sort' || below.kind === 'limit' || below.kind === 'filter' || (below.kind === 'topk' && !below.vectorSearch)) below = below.input;
    if (below.kind !== 'scan' || !below.partitions || below.partitions.length !== append.children.length || below.textLookup) return;
    const scan = below;
    append.children.forEach((c, k) => { c.node.est = { ...c.node.est, width: this.opts.model.partitionTargetWidth(scan.partitions![k]!, plan.exprs, scan.schema) }; });
  }

  /** `build` with the columns of a partitioned table's scan named after one partition (VERBOSE: pt_1.i) */
  asPartition<T>(plan: Extract<Plan, { kind: 'scan' }>, alias: string, build: () => T): T {
    const top = Math.max(0, this.levelNames.length - 1);
    const saved = this.levelNames[top];
    this.levelNames[top] = new Map(saved ?? []).set(plan.alias ?? plan.table.name, alias);
    try {
      return build();
    } finally {
      if (saved) this.levelNames[top] = saved;
      else this.levelNames.splice(top, 1);
    }
  }

  /** a partition's alias: the parent's name, numbered under an Append of several (pd_1, pd_2, …) */
  private static partitionAlias(parent: string, k: number, of: number): string {
    return of === 1 ? parent : `${parent}_${k + 1}`;
  }

  /** the relations of one query whose shown name differs from the one its columns are bound with */
  private renamedIn(plan: Plan): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of relationsOf(plan)) {
      const shown = this.refnames.get(r);
      const bound = r.kind === 'scan' ? r.alias ?? r.table.name : r.kind === 'cteScan' ? r.alias ?? r.cte.name : r.name;
      if (shown && bound && shown !== bound) out.set(bound, shown);
    }
    return out;
  }

  /** the name a scan's relation shows under (its alias, made unique in the statement) */
  refname(plan: Extract<Plan, { kind: 'scan' }>): string | undefined {
    return this.refnames.get(plan) ?? plan.alias;
  }

  /** a column's relation as EXPLAIN names it: renamed in its query (`level` queries out) when the statement reads the name twice */
  tableName(table: string, level: number): string {
    return this.levelNames[this.levelNames.length - 1 - level]?.get(table) ?? table;
  }

  private scan(plan: Extract<Plan, { kind: 'scan' }>): DisplayNode {
    if (plan.partitions) {
      if (plan.partitions.length === 0) {
        const n = this.node(plan, 'Result');
        n.details.push(['One-Time Filter', 'false']);
        return n;
      }
      // an UPDATE's / DELETE's partitions are numbered even when one is left: the
      // ModifyTable names the parent (explain.c's rels_used)
      const modified = plan === this.modified;
      // under ANALYZE each partition's own run (a partition the scan never reached: never executed)
      const runs = this.opts.partitionRuns?.get(plan);
      const several = plan.partitions.length > 1;
      const runOf = (p: TableDef): PartitionRun | undefined => (several ? runs?.get(p.oid) : undefined);
      const actualOf = (run: PartitionRun | undefined): DisplayNode['actual'] => (!this.opts.metrics || !several ? undefined : run ? { rows: run.rows, ms: run.ms, firstMs: run.firstMs } : 'never');
      const parts = plan.partitions.map((p, k) => {
        const alias = modified ? `${plan.alias ?? plan.table.name}_${k + 1}` : Builder.partitionAlias(plan.alias ?? plan.table.name, k, plan.partitions!.length);
        if (modified) this.targetPartitions.push({ table: p, alias });
        const run = runOf(p);
        if (plan.textLookup) return this.bitmapScan(plan, plan.textLookup, p, alias, { actual: actualOf(run), candidates: run?.candidates });
        const part: DisplayNode = { type: 'Seq Scan', title: 'Seq Scan', props: [], details: [], est: this.opts.model.partitionScan(plan, p), actual: actualOf(run), children: [], subplans: [] };
        this.relation(part, p, alias);
        this.asPartition(plan, alias, () => {
          if (plan.filter) part.details.push(['Filter', this.scanExpr(plan.filter)]);
          this.output(part, this.scanTlist(plan));
        });
        if (run && this.opts.metrics && plan.filter) rowsRemoved(part, 'Filter', run.removed);
        if (plan.bm25TopK) part.details.push(['Top-K Pruning', `bm25_rank from inverted lists, ${this.expr(plan.bm25TopK.query)}`]);
        return part;
      });
      // one partition left: PostgreSQL drops the Append
      if (parts.length === 1) return this.absorb(parts[0]!, plan);
      const n = this.node(plan, 'Append');
      for (const part of parts) n.children.push({ rel: 'Member', node: part });
      return n;
    }
    if (plan.keyLookup) {
      const type = isIndexOnly(plan) ? 'Index Only Scan' : 'Index Scan';
      const n = this.node(plan, type, `${type} using ${plan.keyLookup.keyName}`);
      n.props.push(['Scan Direction', 'Forward'], ['Index Name', plan.keyLookup.keyName]);
      this.relation(n, plan.table, this.refname(plan));
      const { cond, rest } = this.indexCond(plan.table, plan.keyLookup, plan.filter, this.refname(plan) ?? plan.table.name);
      n.details.push(['Index Cond', cond]);
      if (rest) n.details.push(['Filter', rest]);
      this.output(n, this.scanTlist(plan));
      return n;
    }
    if (plan.textLookup) return this.bitmapScan(plan, plan.textLookup);
    if (plan.btreeBitmap) return this.btreeBitmapScan(plan, plan.btreeBitmap);
    if (plan.indexRange) {
      const range = plan.indexRange;
      const backward = range.order === 'desc' ? ' Backward' : '';
      const type = isIndexOnly(plan) ? 'Index Only Scan' : 'Index Scan';
      const n = this.node(plan, type, `${type}${backward} using ${range.keyName}`);
      n.props.push(['Scan Direction', range.order === 'desc' ? 'Backward' : 'Forward'], ['Index Name', range.keyName]);
      this.relation(n, plan.table, this.refname(plan));
      // an expression index read in its key's order has no Index Cond
      const quals = indexQuals(plan.filter, rangeOnExpression(plan) ? [] : range.columns);
      const onKey = quals.map((c) => c.cond);
      const shownKey = isIndexOnly(plan) ? onKey.map(withoutCidrRelabel) : onKey;
      // `flag` is shown as its Index Cond `(flag = true)` only; a LIKE stays in the Filter
      const shown = new Set<Expr>([...onKey, ...quals.flatMap((c) => (c.replaces ? [c.replaces] : []))]);
      const rest = plan.filter ? conjuncts(plan.filter).filter((c) => !shown.has(c)) : [];
      const list = (parts: Expr[]) => (parts.length === 1 ? this.scanExpr(parts[0]) : `(${parts.map((c) => this.scanExpr(c)).join(' AND ')})`);
      if (onKey.length) n.details.push(['Index Cond', list(shownKey)]);
      if (rest.length) n.details.push(['Filter', list(rest)]);
      this.output(n, this.scanTlist(plan));
      return n;
    }
    const n = this.node(plan, 'Seq Scan');
    this.relation(n, plan.table, this.refname(plan));
    if (plan.filter) n.details.push(['Filter', this.scanExpr(plan.filter)]);
    // Quiver's own: sealed segments hand on only rows that can reach the Top-K above
    if (plan.bm25TopK) n.details.push(['Top-K Pruning', `bm25_rank from inverted lists, ${this.expr(plan.bm25TopK.query)}`]);
    this.output(n, this.scanTlist(plan));
    return n;
  }

  /** A GIN index's candidates, rechecked: Bitmap Heap Scan over a Bitmap Index Scan, as PostgreSQL shows it. */
  private bitmapScan(
    plan: Extract<Plan, { kind: 'scan' }>, lookup: NonNullable<Extract<Plan, { kind: 'scan' }>['textLookup']>, partition?: TableDef, alias?: string,
    partRun?: { actual: DisplayNode['actual']; candidates?: number },
  ): DisplayNode {
    const table = partition ?? plan.table;
    const n: DisplayNode = partition
      ? { type: 'Bitmap Heap Scan', title: 'Bitmap Heap Scan', props: [], details: [], est: this.opts.model.textIndexScan(partition, plan.filter, lookup.cond).heap, actual: partRun?.actual, children: [], subplans: [] }
      : this.node(plan, 'Bitmap Heap Scan');
    this.relation(n, table, alias ?? this.refname(plan));
    // a partition's own index attached to the parent's (its name), else the parent's
    const index = (partition && partition.indexes.find((i) => this.sameKey(i, lookup.index, partition, plan.table))) ?? lookup.index;
    const cond = this.scanExpr(lookup.cond);
    n.details.push(['Recheck Cond', cond]);
    const others = plan.filter ? conjuncts(plan.filter).filter((c) => c !== lookup.cond) : [];
    if (others.length) n.details.push(['Filter', others.length === 1 ? this.scanExpr(others[0]) : `(${others.map((c) => this.scanExpr(c)).join(' AND ')})`]);
    this.output(n, this.scanTlist(plan));
    const indexNode: DisplayNode = {
      type: 'Bitmap Index Scan', title: `Bitmap Index Scan on ${index.name}`, props: [['Index Name', index.name]],
      details: [['Index Cond', cond]], children: [], subplans: [],
      est: this.opts.model.textIndexScan(table, plan.filter, lookup.cond).index, actual: n.actual,
    };
    const handed = partRun ? (partRun.candidates !== undefined ? { candidates: partRun.candidates } : undefined) : this.opts.textStats?.get(plan);
    if (handed && n.actual && n.actual !== 'never') indexNode.actual = { ...n.actual, rows: handed.candidates };
    // a partition's Recheck Cond under ANALYZE: never lossy here (JSON shows the 0)
    if (partRun && partRun.actual) rowsRemoved(n, 'Recheck Cond', 0, 'Index Recheck');
    n.children.push({ rel: 'Outer', node: indexNode });
    return n;
  }

  /** B-tree indexes' bitmap: Bitmap Heap Scan over BitmapOr / BitmapAnd / Bitmap Index Scans, as PostgreSQL shows it. */
  private btreeBitmapScan(plan: Extract<Plan, { kind: 'scan' }>, bitmap: NonNullable<Extract<Plan, { kind: 'scan' }>['btreeBitmap']>): DisplayNode {
    const n = this.node(plan, 'Bitmap Heap Scan');
    this.relation(n, plan.table, this.refname(plan));
    const list = (parts: readonly Expr[]) => (parts.length === 1 ? this.scanExpr(parts[0]) : `(${parts.map((c) => this.scanExpr(c)).join(' AND ')})`);
    if (bitmap.recheck.length) n.details.push(['Recheck Cond', list(bitmap.recheck)]);
    // the rest (a LIKE, `NOT flag` whose Index Cond is `flag = false`) is the Filter
    const shown = new Set<Expr>(bitmap.recheck);
    const rest = plan.filter ? conjuncts(plan.filter).filter((c) => !shown.has(c)) : [];
    if (rest.length) n.details.push(['Filter', list(rest)]);
    this.output(n, this.scanTlist(plan));
    const costs = bitmapHeapScanCost(this.opts.model, plan.table, plan.filter, bitmap.path).nodes;
    // EXPLAIN ANALYZE: a Bitmap Index Scan's rows are its positions, a BitmapOr's / BitmapAnd's 0 (as PostgreSQL's)
    const leaves = this.opts.textStats?.get(plan)?.leaves;
    const actual = (rows: number): DisplayNode['actual'] => (n.actual && n.actual !== 'never' ? { ...n.actual, rows } : n.actual);
    const build = (p: BitmapPath): DisplayNode => {
      const est = costs.get(p)!;
      if (p.kind === 'index') {
        return { type: 'Bitmap Index Scan', title: `Bitmap Index Scan on ${p.keyName}`, props: [['Index Name', p.keyName]], details: [['Index Cond', list(p.cond)]], children: [], subplans: [], est, actual: actual(leaves?.get(p) ?? 0) };
      }
      const type = p.kind === 'or' ? 'BitmapOr' : 'BitmapAnd';
      return { type, title: type, props: [], details: [], children: p.args.map((a) => ({ rel: 'Member', node: build(a) })), subplans: [], est, actual: actual(0) };
    };
    n.children.push({ rel: 'Outer', node: build(bitmap.path) });
    return n;
  }

  /** a partition's GIN index on the same key as the parent's (its copy, attached to it) */
  private sameKey(i: IndexDef, parentIndex: IndexDef, partition: TableDef, parent: TableDef): boolean {
    return i.method === 'gin' && i.tsvectorConfig === parentIndex.tsvectorConfig
      && partition.columns[i.columns[0]]?.name === parent.columns[parentIndex.columns[0]]?.name;
  }

  /** The key lookup's condition as PostgreSQL prints it, (id = 5), and the rest of the filter. */
  private indexCond(table: TableDef, lookup: NonNullable<Extract<Plan, { kind: 'scan' }>['keyLookup']>, filter: Expr | null, refname: string): { cond: string; rest: string } {
    const index = table.indexes.find((i) => i.name === lookup.keyName);
    if (index?.expression) return this.expressionIndexCond(table, index, lookup.values[0], filter);
    const columns = index?.columns ?? [];
    // VERBOSE qualifies a scan's conditions (show_scan_qual's useprefix), as scanExpr does
    const columnName = (i: number) => `${this.opts.verbose ? `${refname}.` : ''}${table.columns[columns[i]]?.name ?? `#${columns[i]}`}`;
    if (lookup.anyOf) {
      // the list's conjunct is the Index Cond, as PostgreSQL prints it; the rest is the Filter
      const isList = (c: Expr) => c.kind === 'anyall' && c.right === lookup.anyOf;
      const others = filter ? conjuncts(filter).filter((c) => !isList(c)) : [];
      const rest = others.length === 0 ? '' : others.length === 1 ? this.scanExpr(others[0]) : `(${others.map((c) => this.scanExpr(c)).join(' AND ')})`;
      return { cond: `(${columnName(0)} = ANY (${this.scanExpr(lookup.anyOf)}))`, rest };
    }
    const parts = lookup.values.map((v, i) => `(${columnName(i)} = ${this.scanExpr(v)})`);
    // the equalities the lookup uses are its Index Cond; any other (`id = 7 AND id = 8`, `id = tag`) stays a Filter
    const used = new Set(lookup.values.map((v, i) => `${columns[i]}=${this.scanExpr(v)}`));
    const isUsedEquality = (c: Expr) => {
      if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) return false;
      const [a, b] = c.args;
      const [col, value] = a.kind === 'column' && a.level === 0 ? [a, b] : [b, a];
      if (col.kind !== 'column' || col.level !== 0) return false;
      return used.delete(`${col.index}=${this.scanExpr(value)}`);
    };
    const others = filter ? conjuncts(filter).filter((c) => !isUsedEquality(c)) : [];
    const rest = others.length === 0 ? '' : others.length === 1 ? this.scanExpr(others[0]) : `(${others.map((c) => this.scanExpr(c)).join(' AND ')})`;
    return { cond: parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`, rest };
  }

  /** An expression index's lookup: `(lower(s) = 's3'::text)`, the key on the left as PostgreSQL commutes it; the rest is the Filter. */
  private expressionIndexCond(table: TableDef, index: IndexDef, value: Expr, filter: Expr | null): { cond: string; rest: string } {
    let cond = '';
    const isUsed = (c: Expr) => {
      if (cond || c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) return false;
      for (const [key, other] of [[c.args[0], c.args[1]], [c.args[1], c.args[0]]] as const) {
        if (expressionKeyIndex(table, key) === index && this.scanExpr(other) === this.scanExpr(value)) {
          cond = `(${this.scanExpr(key)} = ${this.scanExpr(value)})`;
          return true;
        }
      }
      return false;
    };
    const others = filter ? conjuncts(filter).filter((c) => !isUsed(c)) : [];
    const rest = others.length === 0 ? '' : others.length === 1 ? this.scanExpr(others[0]) : `(${others.map((c) => this.scanExpr(c)).join(' AND ')})`;
    return { cond, rest };
  }

  private join(plan: Extract<Plan, { kind: 'join' }>): DisplayNode {
    const keys = plan.algorithm === 'nestloop' || plan.lateral ? null : hashableJoinKeys(plan.on, plan.left.schema.length);
    // a semi join probing a unique key is PostgreSQL's inner join
    const shownType = this.opts.model.semiJoinOnUniqueKey(plan) ? 'inner' : plan.joinType;
    const joinType = shownType[0].toUpperCase() + shownType.slice(1);  // Semi, Anti as PostgreSQL names them
    const suffix = shownType === 'inner' ? 'Join' : `${joinType} Join`;
    if (!keys) {
      const n = this.node(plan, 'Nested Loop', shownType === 'inner' ? 'Nested Loop' : `Nested Loop ${suffix}`);
      n.props.push(['Join Type', joinType]);
      this.innerUnique(n, plan, 'right');
      if (plan.on) n.details.push(['Join Filter', this.condExpr(plan, plan.on)]);
      this.joinTlist(n, plan);
      this.asking('any', () => this.child(n, plan.left));
      const inner = this.opts.model.nestLoopInner(plan);
      if (plan.memoize) {
        // the inner rows cached per outer key, as PostgreSQL 14+ shows it
        const cached = this.asking('small', () => this.build(plan.right));
        const key = memoizeKeys(plan).map((k) => this.expr(k)).join(', ');
        n.children.push({ rel: 'Inner', node: {
          type: 'Memoize', title: 'Memoize', props: [], details: [['Cache Key', key], ['Cache Mode', memoizeMode(plan)]], est: inner.est, actual: cached.actual,
          children: [{ rel: 'Outer', node: cached }], subplans: [],
        } });
        return n;
      }
      if (!inner.materialize) {
        this.asking('any', () => this.child(n, plan.right, 'Inner'));
        return n;
      }
      // the inner rows held for the loop (the executor holds them either way), as PostgreSQL shows it
      const held = this.asking('small', () => this.build(plan.right));
      n.children.push({ rel: 'Inner', node: {
        type: 'Materialize', title: 'Materialize', props: [], details: [], est: inner.est, actual: held.actual,
        children: [{ rel: 'Outer', node: held }], subplans: [],
      } });
      return n;
    }
    if (plan.algorithm === 'merge') return this.mergeJoin(plan, mergeKeysOf(plan).map((k) => k.cond));
    // PostgreSQL's outer (probe) input comes first, and first in each Hash Cond
    const buildLeft = plan.hashBuild === 'left' && hashesLeftInput(plan.joinType);
    // a LEFT JOIN hashing its left input is PostgreSQL's Hash Right Join (its outer input the right one), and back
    const hashType = buildLeft ? SWAPPED_JOIN_TYPE[shownType] ?? shownType : shownType;
    const hashTypeName = hashType[0].toUpperCase() + hashType.slice(1);
    const n = this.node(plan, 'Hash Join', hashType === 'inner' ? 'Hash Join' : `Hash ${hashTypeName} Join`);
    n.props.push(['Join Type', hashTypeName]);
    this.innerUnique(n, plan, buildLeft ? 'left' : 'right');
    if (plan.semiUnique && plan.right.kind === 'aggregate') this.uniqueInners.add(plan.right);
    const conds = keys.map((k) => k.cond);
    const shown = conds.map((c) => probeSideFirst(c, plan.left.schema.length, buildLeft));
    n.details.push(['Hash Cond', shown.length === 1 ? this.condExpr(plan, shown[0]) : `(${shown.map((c) => this.condExpr(plan, c)).join(' AND ')})`]);
    const rest = conjuncts(plan.on!).filter((c) => !conds.includes(c));
    if (rest.length) n.details.push(['Join Filter', rest.length === 1 ? this.condExpr(plan, rest[0]) : `(${rest.map((c) => this.condExpr(plan, c)).join(' AND ')})`]);
    this.joinTlist(n, plan);
    this.asking('any', () => this.child(n, buildLeft ? plan.right : plan.left));
    const inner = this.asking('small', () => this.build(buildLeft ? plan.left : plan.right));
    const hash: DisplayNode = {
      type: 'Hash', title: 'Hash', props: [], details: [], children: [{ rel: 'Outer', node: inner }], subplans: [],
      // the input's whole cost: a subquery's top read through its (removed) SubqueryScan counts that scan
      est: { ...inner.est, startup: this.opts.model.estimate(buildLeft ? plan.left : plan.right).total, total: this.opts.model.estimate(buildLeft ? plan.left : plan.right).total }, actual: inner.actual,
    };
    const spilled = this.opts.spillStats?.get(plan);
    const held = this.opts.memoryStats?.get(plan);
    if (held?.kind === 'hashJoin') {
      // buckets and batches as ExecChooseHashTableSize plans them from the inner estimate (one hash key: the skew table may take its share)
      const innerPlan = buildLeft ? plan.left : plan.right;
      const planned = chooseHashTableSize(Math.max(1, Math.round(inner.est.rows)), Math.round(inner.est.width), this.opts.hashMemBytes ?? 8 * 1024 * 1024, keys.length === 1);
      const batches = spilled?.kind === 'hash' ? spilled.batches : planned.batches;
      hash.details.push(hashDetail(hashTableInfo(planned, held.tuples.rows, held.tuples.bytes(hashTupleSpace, this.above.get(innerPlan)), batches)));
      // the Hash counts the tuples it put in its table: not those with a NULL key it drops (MultiExecPrivateHash)
      if (hash.actual && hash.actual !== 'never') hash.actual = { ...hash.actual, rows: held.tuples.rows };
    } else if (spilled && spilled.kind !== 'incrementalSort') hash.details.push(spillDetail(spilled));
    n.children.push({ rel: 'Inner', node: hash });
    return n;
  }

  /** Inner Unique: always in JSON, in text only under VERBOSE and when true (PostgreSQL's "not too chatty") */
  private innerUnique(n: DisplayNode, plan: Extract<Plan, { kind: 'join' }>, innerSide: 'left' | 'right'): void {
    const unique = this.opts.model.joinInnerUnique(plan, innerSide);
    if (this.opts.format !== 'text' || (this.opts.verbose && unique)) n.details.push(['Inner Unique', String(unique)]);
  }

  /** Merge Join (executor/merge-join.ts): its outer input first, the inner under a Materialize when costed so. */
  private mergeJoin(plan: Extract<Plan, { kind: 'join' }>, conds: Expr[]): DisplayNode {
    const { outer, inner, swapped } = mergeSides(plan);
    // a semi join on a unique key is PostgreSQL's inner join (reduce_unique_semijoins)
    const type = this.opts.model.semiJoinOnUniqueKey(plan) ? 'inner' : mergeJoinType(plan);
    const joinType = type[0].toUpperCase() + type.slice(1);
    const n = this.node(plan, 'Merge Join', type === 'inner' ? 'Merge Join' : `Merge ${joinType} Join`);
    n.props.push(['Join Type', joinType]);
    this.innerUnique(n, plan, swapped ? 'left' : 'right');
    const shown = conds.map((c) => this.mergeCond(plan, probeSideFirst(c, plan.left.schema.length, swapped)));
    n.details.push(['Merge Cond', shown.length === 1 ? shown[0] : `(${shown.join(' AND ')})`]);
    // an inner join's key equality left out of a merge on fewer keys: PostgreSQL's clause made
    // from the equivalence class names the first relation's column first
    const equalities = (hashJoinKeys(plan.on, plan.left.schema.length) ?? []).map((k) => k.cond);
    const rest = conjuncts(plan.on!).filter((c) => !conds.includes(c))
      .map((c) => (plan.joinType === 'inner' && equalities.includes(c) ? probeSideFirst(c, plan.left.schema.length, false) : c));
    if (rest.length) n.details.push(['Join Filter', rest.length === 1 ? this.condExpr(plan, rest[0]) : `(${rest.map((c) => this.condExpr(plan, c)).join(' AND ')})`]);
    this.joinTlist(n, plan);
    for (const input of [outer, inner]) if (input.kind === 'sort') this.mergeInputSorts.add(input);
    n.children.push({ rel: 'Outer', node: this.asking('any', () => this.build(outer)) });
    if (!this.opts.model.mergeJoin(plan).materializeInner) {
      n.children.push({ rel: 'Inner', node: this.asking('any', () => this.build(inner)) });
      return n;
    }
    // the inner rows held so equal outer keys can go back over them (the executor holds each key's group)
    const held = this.asking('small', () => this.build(inner));
    const est = this.opts.model.material(this.opts.model.estimate(inner));
    n.children.push({ rel: 'Inner', node: {
      type: 'Materialize', title: 'Materialize', props: [], details: [], est, actual: held.actual,
      children: [{ rel: 'Outer', node: held }], subplans: [],
    } });
    return n;
  }

  /**
   * VERBOSE: a semi join's right side grouped on its keys hands on, as PostgreSQL's
   * UniquePath, the columns the keys read (`Output: b.id` for `Group Key: ((b.id % 50) + 1)`:
   * the join computes the expression again), and its input computes them and the key
   * expressions (`Output: b.id, ((b.id % 50) + 1)`).
   */
  /**
   * Grouping sets, all hashed as PostgreSQL hashes them when they fit work_mem: a Hash Key per
   * set, the empty sets as Group Key: () (a MixedAggregate when both kinds are present); one
   * sorted rollup is a GroupAggregate with a Group Key per set.
   */
  private groupingSetsAggregate(plan: Extract<Plan, { kind: 'aggregate' }>, sets: readonly (readonly number[])[]): DisplayNode {
    const hashedSets = sets.filter((s) => s.length > 0);
    const emptySets = sets.length - hashedSets.length;
    const [name, strategy] = plan.rollupSorted ? ['GroupAggregate', 'Sorted'] : !hashedSets.length ? ['Aggregate', 'Plain'] : emptySets ? ['MixedAggregate', 'Mixed'] : ['HashAggregate', 'Hashed'];
    const n = this.node(plan, 'Aggregate', name);
    n.props.push(['Strategy', strategy]);
    const keys = (s: readonly number[]) => s.map((i) => this.throughPulledUp(plan.input, plan.groupBy[i]!));
    for (const s of hashedSets) n.details.push([plan.rollupSorted ? 'Group Key' : 'Hash Key', keys(s)]);
    for (let i = 0; i < emptySets; i++) n.details.push(['Group Key', ['()']]);
    const empties: string[][] = Array.from({ length: emptySets }, () => []);
    n.groupingSets = plan.rollupSorted
      ? [{ keys: 'Group Keys', sets: [...hashedSets.map(keys), ...empties] }]
      : [...hashedSets.map((s) => ({ keys: 'Hash Keys' as const, sets: [keys(s)] })), ...(emptySets ? [{ keys: 'Group Keys' as const, sets: empties }] : [])];
    this.asking('any', () => this.child(n, plan.input));
    const items = this.windowOutputs.get(plan);
    if (items) this.outputItemsOf(n, items);
    return n;
  }

  private uniqueInner(n: DisplayNode, plan: Extract<Plan, { kind: 'aggregate' }>): DisplayNode {
    const child = this.asking('small', () => this.build(plan.input));
    n.children.push({ rel: 'Outer', node: child });
    const ctx: DeparseContext = { qualify: this.qualifyOutput, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) };
    const columns: Expr[] = [];
    const seen = new Set<string>();
    for (const key of plan.groupBy) {
      mapExpr(this.pulledUp(plan.input, key), (x) => {
        if (x.kind !== 'column' || x.level !== 0) return undefined;
        const text = deparse(x, ctx);
        if (!seen.has(text)) { seen.add(text); columns.push(x); }
        return x;
      });
    }
    this.output(n, columns);
    const computed = plan.groupBy.filter((k) => k.kind !== 'column').map((k) => ({ text: deparse(this.pulledUp(plan.input, k), ctx), plain: false }));
    const below = this.outputItems.get(child);
    if (below) this.outputItemsOf(child, [...below, ...computed.filter((c) => !below.some((b) => b.text === c.text))]);
    return n;
  }

  /**
   * VERBOSE: a merge join's Sort on a key expression (`(b.id + 1)`) sorts on what its input
   * computes: the input's Output ends with it (the Sort's, passed up, shows `((b.id + 1))`),
   * as prepare_sort_from_pathkeys adds it to the input's target list.
   */
  private computedSortKeys(input: DisplayNode, sort: Extract<Plan, { kind: 'sort' }>): void {
    const items = this.outputItems.get(input);
    if (!items) return;
    const ctx: DeparseContext = { qualify: this.qualifyOutput, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) };
    const added = sort.keys.filter((k) => k.expr.kind !== 'column').map((k) => ({ text: deparse(k.expr, ctx), plain: false }));
    this.outputItemsOf(input, [...items, ...added.filter((a) => !items.some((i) => i.text === a.text))]);
  }

  /**
   * A merge clause: a key side that is an expression is computed below (the Sort's key) and
   * referenced, so in parentheses as get_variable prints it, `(a.id = ((b.id + 1)))`.
   */
  private mergeCond(plan: Extract<Plan, { kind: 'join' }>, c: Expr): string {
    if (c.kind !== 'call' || c.args.length !== 2 || c.args.every((a) => a.kind === 'column')) return this.condExpr(plan, c);
    const side = (a: Expr) => (a.kind === 'column' ? this.condExpr(plan, a) : `(${this.condExpr(plan, a)})`);
    return `(${side(c.args[0])} ${c.name} ${side(c.args[1])})`;
  }

  private topk(plan: Extract<Plan, { kind: 'topk' }>): DisplayNode {
    const vs = plan.vectorSearch;
    const keys = plan.keys.map((k) => sortKeyText(k, this.overInput(plan.input)));
    if (vs?.index && !plan.limit && plan.input.kind === 'scan') {
      // the partitions' scans print their own column names, unqualified
      const own = plan.keys.map((k) => sortKeyText(k, { qualify: false, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p) }));
      return this.vectorIndexScan(plan, vs.index, plan.input, plan.input.partitions ? own : keys);
    }
    if (vs) {
      const title = `Vector Top-K (${vs.strategy !== 'exact' && vs.index ? `${vs.strategy} index ${vs.index.name}` : 'exact'}, ${vs.operator} on ${vs.column})`;
      const n = this.node(plan, 'Vector Top-K', title);
      n.details.push(['Sort Key', keys], ['Limit', this.expr(plan.limit)]);
      this.child(n, plan.input);
      return n;
    }
    // PostgreSQL's Presorted Key names the expressions alone (no direction)
    if (plan.presorted) return this.incrementalSort(plan, keys, plan.keys.slice(0, plan.presorted).map((k) => sortKeyText({ expr: k.expr, desc: false, nullsFirst: false }, this.overInput(plan.input))));
    // PostgreSQL's shape: Limit over a Sort with a bound (top-N heapsort)
    const limit = this.node(plan, 'Limit');
    const input = this.opts.model.estimate(plan.input);
    const sort: DisplayNode = {
      type: 'Sort', title: 'Sort', props: [], details: [['Sort Key', keys]], children: [], subplans: [],
      est: { startup: limit.est.startup, total: limit.est.startup + (input.rows * 0.0025), rows: input.rows, width: limit.est.width },
      actual: limit.actual,
    };
    const below = this.asking('small', () => this.build(plan.input));
    // over a Subquery Scan the Sort holds its rows, as wide as they are
    if (below.type === 'Subquery Scan') sort.est = { ...sort.est, width: below.est.width };
    const held = this.opts.memoryStats?.get(plan);
    if (held?.kind === 'sort') sort.details.push(this.sortDetail(held.space, plan));
    // the Sort handed the Limit the rows it skipped (OFFSET) too
    if (held?.kind === 'sort' && held.handed !== undefined && limit.actual && limit.actual !== 'never') sort.actual = { ...limit.actual, rows: held.handed };
    sort.children.push({ rel: 'Outer', node: below });
    limit.children.push({ rel: 'Outer', node: sort });
    return limit;
  }

  /** Limit over an Incremental Sort (rules/incremental-sort-by-index.ts), PostgreSQL's lines and estimates. */
  private incrementalSort(plan: Extract<Plan, { kind: 'topk' }>, keys: string[], presorted: string[]): DisplayNode {
    const limit = this.node(plan, 'Limit');
    const sort: DisplayNode = {
      type: 'Incremental Sort', title: 'Incremental Sort', props: [],
      details: [['Sort Key', keys], ['Presorted Key', presorted]], children: [], subplans: [],
      est: this.opts.model.incrementalSort(plan), actual: limit.actual,
    };
    const stats = this.opts.spillStats?.get(plan);
    if (stats?.kind === 'incrementalSort') sort.details.push(...incrementalSortLines(stats));
    const below = this.asking('small', () => this.build(plan.input));
    // over a Subquery Scan the Sort holds its rows, as wide as they are
    if (below.type === 'Subquery Scan') sort.est = { ...sort.est, width: below.est.width };
    sort.children.push({ rel: 'Outer', node: below });
    limit.children.push({ rel: 'Outer', node: sort });
    return limit;
  }

  /**
   * An ORDER BY distance without LIMIT through a vector index, as pgvector shows it (its
   * implied conditions are not shown); over partitions a Merge Append of each one's index scan.
   */
  private vectorIndexScan(plan: Extract<Plan, { kind: 'topk' }>, index: IndexDef, scan: Extract<Plan, { kind: 'scan' }>, keys: string[]): DisplayNode {
    const scanOf = (table: TableDef, own: IndexDef, alias?: string, n?: DisplayNode): DisplayNode => {
      const node = n ?? { type: 'Index Scan', title: 'Index Scan', props: [], details: [], est: this.opts.model.estimate(plan), children: [], subplans: [] };
      node.title = `Index Scan using ${own.name}`;
      node.props.push(['Scan Direction', 'Forward'], ['Index Name', own.name]);
      this.relation(node, table, alias);
      node.details.push(['Order By', keys.join(', ')]);
      if (scan.filter) node.details.push(['Filter', this.scanExpr(scan.filter)]);
      return node;
    };
    if (!scan.partitions) {
      const n = scanOf(scan.table, index, scan.alias, this.node(plan, 'Index Scan'));
      this.output(n, this.scanTlist(scan));
      return n;
    }
    const parts = scan.partitions.map((p, k) => scanOf(p, p.indexes.find((i) => i.parentIndex === index.oid) ?? index, Builder.partitionAlias(scan.alias ?? scan.table.name, k, scan.partitions!.length)));
    if (parts.length === 1) return this.absorb(parts[0], plan);
    // under ANALYZE each partition's Index Scan with its own rows (vector-index-order.ts)
    if (this.opts.metrics) {
      const runs = this.opts.partitionRuns?.get(plan);
      scan.partitions.forEach((p, k) => {
        const run = runs?.get(p.oid);
        parts[k].actual = run ? { rows: run.rows, ms: run.ms } : 'never';
        if (run && scan.filter) rowsRemoved(parts[k], 'Filter', run.removed);
      });
    }
    const n = this.node(plan, 'Merge Append');
    const qualified = plan.keys.map((k) => `(${sortKeyText(k, { qualify: true, subplanNumber: (p) => this.subplanNumber(p), initPlanParam: (p) => this.initPlanParam(p), tableName: (t, l) => this.tableName(t, l) })})`);
    n.details.push(['Sort Key', qualified]);
    for (const part of parts) n.children.push({ rel: 'Member', node: part });
    return n;
  }

  /** PostgreSQL's Agg node hashing its groups: `HashAggregate` in text, an Aggregate of Strategy Hashed in the other formats. */
  private hashAggregate(plan: Plan): DisplayNode {
    const n = this.node(plan, 'Aggregate', 'HashAggregate');
    n.props.push(['Strategy', 'Hashed']);
    return n;
  }

  /** The "*SELECT* n" places of the leaves of the set operation `plan` is part of (numbered when its root is shown). */
  private setopPlaces(plan: Extract<Plan, { kind: 'setop' }>): Map<Plan, number> {
    if (!this.leafPlaces.has(plan)) {
      const places = leafPlaces(plan);
      // every set operation of the tree shares its root's numbering
      const share = (p: Plan): void => {
        if (p.kind !== 'setop') return;
        this.leafPlaces.set(p, places);
        share(p.left);
        share(p.right);
      };
      share(plan);
    }
    return this.leafPlaces.get(plan)!;
  }

  /**
   * A UNION member: a coerced operand through PostgreSQL's Subquery Scan on "*SELECT* n"
   * (the coercion is the scan's own; the operand below it keeps its types), any other as it is.
   */
  private unionMember(member: Plan, place: number | undefined): DisplayNode {
    const coerced = coercedOperand(member);
    if (!coerced) return this.buildQuery(member);
    const alias = `*SELECT* ${place ?? 1}`;
    const scan = this.node(member, 'Subquery Scan', `Subquery Scan on "${alias}"`);
    scan.props.push(['Alias', alias]);
    const quoted = `"${alias}"`;
    scan.est = this.opts.model.unionMember(member, false);
    // its Output: the operand's columns under the scan's name, a constant one as the constant (1, 'x'::text)
    this.output(scan, coerced.input.schema.map((c, i): Expr => {
      const source = this.sourceExpr(coerced.input, i);
      return source?.kind === 'const' ? source : { kind: 'column', type: c.type, level: 0, index: i, name: c.name, table: quoted };
    }));
    scan.children.push({ rel: 'Subquery', node: this.buildQuery(coerced.input) });
    return scan;
  }

  /** A coerced operand's output expressions over its columns named by its Subquery Scan ("*SELECT* n".a). */
  private operandNamed(coerced: Extract<Plan, { kind: 'project' }>, place: number | undefined): Expr[] {
    const alias = `"*SELECT* ${place ?? 1}"`;
    return coerced.exprs.map((e) => mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, name: coerced.input.schema[x.index]?.name ?? x.name, table: alias } : undefined)));
  }

  private setop(plan: Extract<Plan, { kind: 'setop' }>): DisplayNode {
    const places = this.setopPlaces(plan);
    if (plan.op === 'union') {
      // one Append of the UNION's members, nested UNIONs flattened (union-members.ts)
      const members = unionMembers(plan);
      const append = this.node(plan, 'Append');
      // each member is a query of its own: its InitPlans under its top node
      for (const m of members) append.children.push({ rel: 'Member', node: this.unionMember(m, places.get(m)) });
      if (plan.all) return append;
      const n = this.hashAggregate(plan);
      const first = members[0]!;
      const coerced = coercedOperand(first);
      // the first member's expressions, as the Append hands them on: sqs_t.id, ((id + 1)), or a
      // coerced operand's columns under its Subquery Scan's name: (("*SELECT* 1".a)::bigint)
      this.namedAs(first, () => {
        const keys = coerced ? this.operandNamed(coerced, places.get(first)) : this.columnsOf(plan).map((e, i) => this.sourceExpr(first, i) ?? e);
        const items = keys.map((e) => (e.kind === 'column' ? { text: this.expr(e), plain: true } : { text: `(${this.expr(e)})`, plain: false }));
        n.details.push(['Group Key', items.map((x) => x.text)]);
        this.outputItemsOf(n, items);
      });
      append.est = { ...this.opts.model.unionAppend(plan), width: n.est.width };
      // under ANALYZE the Append hands on every member's rows
      const m = this.opts.metrics;
      if (m) {
        const got = members.map((o) => m.get(o));
        append.actual = got.every((g) => g !== undefined) ? { rows: got.reduce((s, g) => s + g!.rows, 0), ms: Math.max(...got.map((g) => g!.ms)) } : 'never';
      }
      n.children.push({ rel: 'Outer', node: append });
      return n;
    }
    const op = plan.op === 'intersect' ? 'Intersect' : 'Except';
    const n = this.node(plan, 'SetOp', `HashSetOp ${op}${plan.all ? ' All' : ''}`);
    n.props.push(['Strategy', 'Hashed'], ['Command', `${op}${plan.all ? ' All' : ''}`]);
    // PostgreSQL's shape: an Append of the operands, each read through a Subquery Scan that
    // adds the flag column telling them apart ("*SELECT* n": the operand's place in the query)
    const operands = [plan.left, plan.right];
    const append = this.node(plan, 'Append');
    let total = 0;
    let rows = 0;
    operands.forEach((operand, k) => {
      const place = places.get(operand) ?? (plan.swapped ? 2 - k : k + 1);
      const name = `"*SELECT* ${place}"`;
      const scan = this.node(operand, 'Subquery Scan', `Subquery Scan on ${name}`);
      scan.props.push(['Alias', `*SELECT* ${place}`]);
      const e = this.opts.model.estimate(operand);
      scan.est = { ...e, total: e.total + CPU_TUPLE_COST * e.rows, width: e.width + 4 };
      scan.children.push({ rel: 'Subquery', node: this.buildQuery(operand) });
      append.children.push({ rel: 'Member', node: scan });
      total += scan.est.total;
      rows += e.rows;
    });
    // cost_append: cpu_tuple_cost × 0.5 a row
    append.est = { startup: 0, total: total + CPU_TUPLE_COST * 0.5 * rows, rows, width: setopWidth(plan) + 4 };
    // under ANALYZE the Append hands on every operand's rows
    const m = this.opts.metrics;
    if (m) {
      const got = operands.map((o) => m.get(o));
      append.actual = got.every((g) => g !== undefined) ? { rows: got.reduce((s, g) => s + g!.rows, 0), ms: Math.max(...got.map((g) => g!.ms)) } : 'never';
    }
    n.children.push({ rel: 'Outer', node: append });
    return n;
  }
}

/** Nodes whose Filter is a scan qual (shown with bare column names, show_scan_qual). */
const SCAN_TYPES = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Function Scan', 'CTE Scan', 'Values Scan', 'WorkTable Scan']);

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** A hash key with the probe (outer) side's column first, as PostgreSQL prints it, whichever side the query wrote first. */
/**
 * PostgreSQL's Memoize compares its keys with the equality operators of the join conditions
 * (logical) when the outer row is read through equalities only, else byte by byte (binary).
 */
function memoizeMode(plan: Extract<Plan, { kind: 'join' }>): 'logical' | 'binary' {
  const leftWidth = plan.left.schema.length;
  const readsLeft = (e: Expr): boolean => {
    let found = false;
    mapExpr(e, (x) => {
      if (x.kind === 'column' && x.level === 0 && x.index < leftWidth) found = true;
      return found ? x : undefined;
    });
    return found;
  };
  const on = plan.parameterized?.on;
  const joinConds = (on ? conjuncts(on) : []).filter(readsLeft);
  return joinConds.every((c) => c.kind === 'call' && c.name === '=') ? 'logical' : 'binary';
}

const SWAPPED_JOIN_TYPE: Partial<Record<string, string>> = { left: 'right', right: 'left' };

/** Join types whose hash join may hash the left input (PostgreSQL 15 has no Hash Right Semi / Anti Join). */
function hashesLeftInput(type: string): boolean {
  return type !== 'semi' && type !== 'anti';
}

function probeSideFirst(c: Expr, leftWidth: number, probeIsRight: boolean): Expr {
  if (c.kind !== 'call' || c.args.length !== 2) return c;
  const [a, b] = c.args;
  // a key side reads one input's columns (join-keys.ts): its first column tells which
  const side = (e: Expr) => { const col = firstColumn(e); return col && (col.index < leftWidth ? 'left' : 'right'); };
  const probe = probeIsRight ? 'right' : 'left';
  const sa = side(a), sb = side(b);
  if (!sa || !sb) return c;
  return sa !== probe && sb === probe ? { ...c, args: [b, a] } : c;
}

function firstColumn(e: Expr): Extract<Expr, { kind: 'column' }> | undefined {
  let found: Extract<Expr, { kind: 'column' }> | undefined;
  mapExpr(e, (x) => {
    if (!found && x.kind === 'column' && x.level === 0) found = x;
    return found ? x : undefined;
  });
  return found;
}

/** Relations the plan reads (PostgreSQL qualifies column names when there is more than one). */
function countRelations(plan: Plan): number {
  let n = 0;
  const visit = (p: Plan): void => {
    // a relation proven empty is still one of the query's (a Result with no input)
    if (p.kind === 'scan' || p.kind === 'cteScan' || p.kind === 'functionScan' || p.kind === 'values' || p.kind === 'systemScan' || (p.kind === 'result' && !p.gated)) n++;
    // a partitioned table's partitions are entries of their own
    if (p.kind === 'scan' && p.partitions) n += p.partitions.length;
    if (p.kind === 'cteScan') visit(p.cte.plan);
    for (const c of planChildren(p)) visit(c);
  };
  visit(plan);
  walkPlanExprs(plan, 0, (e) => {
    if (e.kind === 'subquery' || e.kind === 'insubquery') n++;
  });
  return n;
}

function planChildren(plan: Plan): Plan[] {
  switch (plan.kind) {
    case 'filter': case 'project': case 'projectSet': case 'aggregate': case 'window':
    case 'sort': case 'topk': case 'limit': case 'distinct':
      return [plan.input];
    case 'join': case 'setop':
      return [plan.left, plan.right];
    case 'recursiveUnion':
      return [plan.nonRecursive, plan.recursive];
    case 'sqlFunctionScan':
      return [plan.body];
    case 'result':
      return plan.gated ? [plan.gated] : [];
    case 'scan': case 'systemScan': case 'sampleScan': case 'values': case 'functionScan': case 'workTableScan': case 'cteScan':
      return [];
  }
}

/** The scan an UPDATE / DELETE reads its target table with: the first of that table in the plan. */
function targetScan(plan: Plan, table: TableDef): Extract<Plan, { kind: 'scan' }> | undefined {
  if (plan.kind === 'scan' && plan.table.oid === table.oid) return plan;
  for (const c of planChildren(plan)) {
    const found = targetScan(c, table);
    if (found) return found;
  }
  return undefined;
}

/** The name an UPDATE / DELETE reads its target table by (`UPDATE t x`: x), from its scan of it. */
function targetAlias(plan: Plan, table: TableDef): string {
  const scan = targetScan(plan, table);
  return scan ? scan.alias ?? table.name : table.name;
}

/** The plan's display tree (the DML node on top for INSERT / UPDATE / DELETE), its data-modifying WITH queries first among its subplans. */
function displayTree(plan: Plan, opts: ExplainOptions): DisplayNode {
  const b = new Builder(opts, plan);
  const root = statementTree(plan, opts, b);
  if (!opts.withQueries?.length) return root;
  // each WITH query's relations named after the main query's (PostgreSQL's range table order: `Delete on t t_1`)
  const taken = [...(opts.takenNames ?? []), ...b.refnames.values(), ...(opts.dml?.kind === 'insert' ? [opts.dml.table.name] : [])];
  const ctes = opts.withQueries.map((cte) => {
    const cteOpts = { ...opts, dml: cte.stmt.kind === 'select' ? null : cte.stmt, withQueries: [], takenNames: taken };
    const cb = new Builder(cteOpts, cte.stmt.source);
    const node = statementTree(cte.stmt.source, cteOpts, cb);
    taken.push(...cb.refnames.values());
    return { name: `CTE ${cte.name}`, node };
  });
  root.subplans.unshift(...ctes);
  // their cost is charged to the top node, as an InitPlan's (SS_charge_for_initplans)
  const charge = ctes.reduce((c, x) => c + x.node.est.total, 0);
  root.est = { ...root.est, startup: root.est.startup + charge, total: root.est.total + charge };
  return root;
}

function statementTree(plan: Plan, opts: ExplainOptions, b: Builder): DisplayNode {
  const root = b.buildQuery(plan);
  root.subplans.unshift(...b.cteSubplans);
  if (opts.verbose) passOutputsUp(root, b.outputItems);
  if (!opts.dml) return root;
  const verb = opts.dml.kind[0].toUpperCase() + opts.dml.kind.slice(1);
  // the statement's InitPlans belong to its top node, the ModifyTable
  const inits = root.subplans.filter((s) => s.name.startsWith('InitPlan'));
  root.subplans.splice(0, root.subplans.length, ...root.subplans.filter((s) => !s.name.startsWith('InitPlan')));
  const table = opts.dml.table;
  // (in a WITH query the target may be renamed: `Delete on t t_1`)
  const renamed = opts.takenNames?.length ? targetScan(plan, table) : undefined;
  const alias = renamed ? b.refname(renamed) ?? targetAlias(plan, table) : targetAlias(plan, table);
  const schema = /^pg_temp_\d+$/.test(table.schema) ? 'pg_temp' : table.schema;
  const props: [string, string][] = [['Operation', verb], ['Relation Name', table.name]];
  if (opts.verbose) props.push(['Schema', schema]);
  props.push(['Alias', alias]);
  const source = targetScanOf(plan, table);
  if (opts.dml.kind !== 'insert' && source) scanAsModifyTableSource(root, source, opts.dml, b, opts);
  else if (opts.dml.kind !== 'insert' && targetScan(plan, table)?.partitions?.length === 0 && root.type === 'Result') prunedAsModifyTableSource(root, opts.dml, b, opts);
  else if (opts.dml.kind !== 'insert') joinAsModifyTableSource(plan, opts.dml, b, opts);
  const returning = opts.dml.returning;
  // VERBOSE: the RETURNING list (an INSERT's range table has more than its target: qualified),
  // over a partitioned table's first partition written
  const written = b.targetPartitions;
  const scan = opts.dml.kind !== 'insert' && written.length ? targetScan(plan, table) : undefined;
  // a partition's columns named after it (RETURNING binds the target's columns unnamed)
  const owner = scan ? scan.alias ?? table.name : opts.dml.kind === 'insert' ? table.name : undefined;
  const named = (e: Expr) => (owner ? mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 && !x.table ? { ...x, table: owner } : undefined)) : e);
  const returned = () => b.outputTexts(returning!.exprs.map(named), opts.dml!.kind === 'insert' || scan !== undefined || !!returning!.joined || opts.takenNames !== undefined);
  const details: [string, string | string[]][] = opts.verbose && returning ? [['Output', (scan ? b.asPartition(scan, written[0]!.alias, returned) : returned()).join(', ')]] : [];
  // show_modifytable_info: INSERT … ON CONFLICT's action, the unique index that arbitrates and the DO UPDATE's WHERE
  const onConflict = opts.dml.kind === 'insert' ? opts.dml.onConflict : null;
  if (onConflict) {
    details.push(['Conflict Resolution', onConflict.action === 'update' ? 'UPDATE' : 'NOTHING']);
    if (onConflict.keyName) details.push(['Conflict Arbiter Indexes', [onConflict.keyName]]);
    const counted = opts.metrics ? opts.conflicts : undefined;
    if (onConflict.where) details.push(['Conflict Filter', b.outputTexts([onConflict.where], true)[0]!]);
    if (onConflict.where && counted) details.push(['Rows Removed by Conflict Filter', String(counted.filtered)]);
    // ANALYZE: the proposed rows inserted and those that conflicted (updated, filtered or left)
    const proposed = root.actual && root.actual !== 'never' ? root.actual.rows : undefined;
    if (proposed !== undefined && counted) details.push(['Tuples Inserted', String(proposed - counted.conflicting)], ['Conflicting Tuples', String(counted.conflicting)]);
  }
  // show_modifytable_info: the rows each kind of MERGE action took (those none took: skipped)
  const merged = opts.dml.kind === 'merge' && opts.metrics ? opts.merged : undefined;
  const kinds = ['inserted', 'updated', 'deleted', 'skipped'] as const;
  // the structured formats: each count under its own name, zeros included
  if (merged && opts.format !== 'text') details.push(...kinds.map((k): [string, string] => [`Tuples ${k[0].toUpperCase()}${k.slice(1)}`, String(merged[k])]));
  else if (merged && kinds.some((k) => merged[k] > 0)) details.push(['Tuples', kinds.filter((k) => merged[k] > 0).map((k) => `${k}=${merged[k]}`).join(' ')]);
  // show_modifytable_info: each partition written, `Update on pt1 pt_1`
  const targets = written.map(({ table: p, alias: a }) => {
    const pSchema = /^pg_temp_\d+$/.test(p.schema) ? 'pg_temp' : p.schema;
    const props: [string, string][] = [['Relation Name', p.name], ...(opts.verbose ? [['Schema', pSchema] as [string, string]] : []), ['Alias', a]];
    return { title: `${verb} on ${opts.verbose ? `${pSchema}.` : ''}${p.name}${a !== p.name ? ` ${a}` : ''}`, props };
  });
  return {
    type: 'ModifyTable', title: `${verb} on ${opts.verbose ? `${schema}.` : ''}${table.name}${alias !== table.name ? ` ${alias}` : ''}`, props, details, ...(targets.length ? { targets } : {}),
    // it hands on rows only with RETURNING (rows=0 width=0 otherwise, as PostgreSQL estimates and counts them)
    est: returning ? root.est : { ...root.est, rows: 0, width: 0 },
    actual: root.actual && root.actual !== 'never' && !returning ? { ...root.actual, rows: 0 } : root.actual, children: [{ rel: 'Outer', node: root }], subplans: inits,
  };
}

/** The plain scan of the target table an UPDATE / DELETE reads (through its Filters), if that is all its source is. */
function targetScanOf(plan: Plan, table: TableDef): Extract<Plan, { kind: 'scan' }> | undefined {
  let p = plan;
  while (p.kind === 'filter') p = p.input;
  return p.kind === 'scan' && p.table.oid === table.oid && p.partitions?.length !== 0 ? p : undefined;
}

/**
 * An UPDATE's or DELETE's scan hands the ModifyTable what PostgreSQL's subplan target list
 * holds: the SET columns' new values in column order, then a partition's tableoid (of a
 * partitioned table) and ctid (a DELETE: those alone) — its Output, its width (the values'
 * widths, tableoid's 4 bytes and ctid's 6) and its cost (the values computed per row),
 * whatever the executor reads to write the new row version. A partitioned table's scan: each
 * partition's, and the Append's over them.
 */
function scanAsModifyTableSource(node: DisplayNode, scan: Extract<Plan, { kind: 'scan' }>, dml: Exclude<TableDml, { kind: 'insert' }>, b: Builder, opts: ExplainOptions): void {
  const values = dml.kind === 'update' ? [...dml.assignments].sort((x, y) => x.column - y.column).map((a) => a.expr) : [];
  const partitioned = scan.partitions !== undefined;
  const width = values.reduce((w, e) => w + opts.model.exprWidth(e, scan.schema), CTID_WIDTH + (partitioned ? TABLEOID_WIDTH : 0));
  const perRow = values.reduce((c, e) => c + exprCost(e), 0);
  const column = (name: string, alias: string): Expr => ({ kind: 'column', type: T.int8, level: 0, index: scan.table.columns.length, name, table: alias });
  const source = (n: DisplayNode, alias: string) => {
    n.est = { ...n.est, width, total: n.est.total + perRow * n.est.rows };
    if (!opts.verbose) return;
    const texts = b.asPartition(scan, alias, () => [...b.outputTexts(values), ...(partitioned ? [b.outputTexts([column('tableoid', alias)])[0]!] : []), b.outputTexts([column('ctid', alias)])[0]!]);
    const i = n.details.findIndex(([k]) => k === 'Output');
    if (i >= 0) n.details.splice(i, 1);
    n.details.unshift(['Output', texts.join(', ')]);
    b.outputItems.set(n, texts.map((text) => ({ text, plain: false })));
  };
  if (!partitioned) return source(node, scan.alias ?? scan.table.name);
  const parts = node.type === 'Append' ? node.children.map((c) => c.node) : [node];
  const before = parts.reduce((t, p) => t + p.est.total, 0);
  parts.forEach((p, k) => source(p, b.targetPartitions[k]!.alias));
  if (node.type === 'Append') node.est = { ...node.est, width, total: node.est.total + parts.reduce((t, p) => t + p.est.total, 0) - before };
}

/**
 * Every partition pruned: the dummy Result hands on the new values and ctid, its width the
 * values' when one is computed (set_pathtarget_cost_width over the target list; only Vars of
 * the empty relation: none)
 */
function prunedAsModifyTableSource(node: DisplayNode, dml: Exclude<TableDml, { kind: 'insert' }>, b: Builder, opts: ExplainOptions): void {
  const values = dml.kind === 'update' ? [...dml.assignments].sort((x, y) => x.column - y.column).map((a) => a.expr) : [];
  const computed = values.some((e) => e.kind !== 'column');
  if (computed) node.est = { ...node.est, width: values.reduce((w, e) => w + typeWidth(e.type), CTID_WIDTH) };
  if (opts.verbose) setOutput(node, [...b.outputTexts(values, false), 'ctid'], b);
}

/**
 * An UPDATE … FROM's or DELETE … USING's join hands the ModifyTable the SET columns' new
 * values and the row identity of each table read: the target's ctid (and a partition's
 * tableoid), every other table's ctid (the row marks preprocess_rowmarks adds); below it each
 * join and scan hands on the columns read above it and those identities — the widths of
 * PostgreSQL's target lists. Only over joins of table scans (without RETURNING).
 */
function joinAsModifyTableSource(plan: Plan, dml: Exclude<TableDml, { kind: 'insert' }>, b: Builder, opts: ExplainOptions): void {
  let top = plan;
  while (top.kind === 'filter') top = top.input;
  const scans: Extract<Plan, { kind: 'scan' }>[] = [];
  const joins: Extract<Plan, { kind: 'join' }>[] = [];
  let plain = true;
  const collect = (p: Plan): void => {
    if (p.kind === 'scan') scans.push(p);
    else if (p.kind === 'join' && p.joinType === 'inner') { joins.push(p); collect(p.left); collect(p.right); }
    else if (p.kind === 'filter') collect(p.input);
    else plain = false;
  };
  collect(top);
  const target = scans.find((s) => s.table.oid === dml.table.oid);
  if (!plain || top.kind !== 'join' || !target || (dml.returning && !dml.returning.joined)) return;
  const values = dml.kind === 'update' ? [...dml.assignments].sort((x, y) => x.column - y.column).map((a) => a.expr) : [];
  const identity = target.partitions ? [dml.table.columns.length, dml.table.columns.length + 1] : [dml.table.columns.length];
  // RETURNING's columns of the other tables, as it reads them (the target's it takes from the row written)
  const forValues = values.flatMap((e) => outerColumnsOf(e));
  const returned = [...new Set((dml.returning?.exprs ?? []).flatMap((e) => outerColumnsOf(e)).filter((c) => c >= target.schema.length && !forValues.includes(c)))];
  const needed = [...new Set([...forValues, ...identity, ...returned])];
  const read = readAbove(plan, needed);
  const junk = (s: Extract<Plan, { kind: 'scan' }>) => CTID_WIDTH + (s.partitions ? TABLEOID_WIDTH : 0);
  // a node's output column, as a column of the scan it comes from
  const origin = (p: Plan, c: number): [Extract<Plan, { kind: 'scan' }>, number] | undefined => {
    if (p.kind === 'scan') return [p, c];
    if (p.kind === 'filter') return origin(p.input, c);
    if (p.kind === 'join') return c < p.left.schema.length ? origin(p.left, c) : origin(p.right, c - p.left.schema.length);
    return undefined;
  };
  const below = (p: Plan): Extract<Plan, { kind: 'scan' }>[] => scans.filter((s) => p === s || contains(p, s));
  const widthOf = (p: Plan) => below(p).reduce((w, s) => {
    const cols = (read.get(p) ?? []).map((c) => origin(p, c)).filter((o) => o?.[0] === s && o[1] < s.table.columns.length).map((o) => s.schema[o![1]]!);
    return w + opts.model.schemaWidth(cols) + junk(s);
  }, 0);
  const setWidth = (n: DisplayNode | undefined, width: number) => {
    if (!n) return;
    n.est = { ...n.est, width };
    if (n.type === 'Append') for (const c of n.children) c.node.est = { ...c.node.est, width };
  };
  for (const s of scans) setWidth(b.nodes.get(s), widthOf(s));
  const returnedWidth = opts.model.schemaWidth(returned.map((c) => plan.schema[c]!));
  for (const j of joins) setWidth(b.nodes.get(j), j === top ? values.reduce((w, e) => w + opts.model.exprWidth(e, plan.schema), 0) + scans.reduce((w, s) => w + junk(s), 0) + returnedWidth : widthOf(j));
  // the new values are computed in the top join, a row at a time
  const topNode = b.nodes.get(top);
  const perRow = values.reduce((c, e) => c + exprCost(e), 0);
  if (topNode) topNode.est = { ...topNode.est, total: topNode.est.total + perRow * topNode.est.rows };
  if (opts.verbose) {
    // createplan.c's order: a scan hands on the columns the new values read, its ctid (a row
    // mark, or a plain target's row identity), the columns the join conditions read; a
    // partitioned target its row identity last (add_row_identity_columns). The top join: the
    // new values, a plain target's ctid, the other tables' ctids, a partitioned target's identity
    const valueCols = needed.filter((c) => !returned.includes(c)).map((c) => origin(plan, c)).filter((o) => o !== undefined);
    const returnedCols = returned.map((c) => origin(plan, c)).filter((o) => o !== undefined);
    const identityOf = (s: Extract<Plan, { kind: 'scan' }>, alias: string) => {
      const column = (name: string): Expr => ({ kind: 'column', type: T.int8, level: 0, index: s.table.columns.length, name, table: alias });
      return b.outputTexts([...(s.partitions ? [column('tableoid')] : []), column('ctid')], true);
    };
    const scanOutput = (s: Extract<Plan, { kind: 'scan' }>, n: DisplayNode, alias: string) => {
      const column = (c: number): Expr => ({ kind: 'column', type: s.schema[c]!.type, level: 0, index: c, name: s.schema[c]!.name, table: s.alias ?? s.table.name });
      const real = (c: number) => c < s.table.columns.length;
      const own = valueCols.filter((o) => o[0] === s && real(o[1])).map((o) => o[1]);
      const forReturning = returnedCols.filter((o) => o[0] === s && real(o[1]) && !own.includes(o[1])).map((o) => o[1]);
      const quals = (read.get(s) ?? []).filter((c) => real(c) && !own.includes(c) && !forReturning.includes(c));
      const texts = () => {
        const [values, joined, identity] = [b.outputTexts(own.map(column), true), b.outputTexts([...forReturning, ...quals].map(column), true), identityOf(s, alias)];
        return s === target && s.partitions ? [...values, ...joined, ...identity] : [...values, ...identity, ...joined];
      };
      setOutput(n, s.partitions ? b.asPartition(s, alias, texts) : texts(), b);
    };
    const single = target.partitions?.length === 1 ? b.targetPartitions[0]?.alias : undefined;
    const names = (s: Extract<Plan, { kind: 'scan' }>) => (s === target && single ? single : b.refname(s) ?? s.table.name);
    for (const s of scans) {
      const n = b.nodes.get(s);
      if (!n) continue;
      if (n.type === 'Append') n.children.forEach((c, k) => scanOutput(s, c.node, s === target ? b.targetPartitions[k]?.alias ?? names(s) : `${names(s)}_${k + 1}`));
      else scanOutput(s, n, names(s));
    }
    const others = scans.filter((s) => s !== target).flatMap((s) => identityOf(s, names(s)));
    const computed = single ? b.asPartition(target, single, () => b.outputTexts(values, true)) : b.outputTexts(values, true);
    const mine = identityOf(target, target.partitions && !single ? target.alias ?? target.table.name : names(target));
    const forReturning = b.outputTexts(returnedCols.map(([s, c]): Expr => ({ kind: 'column', type: s.schema[c]!.type, level: 0, index: c, name: s.schema[c]!.name, table: names(s) })), true);
    if (topNode) setOutput(topNode, target.partitions ? [...computed, ...others, ...forReturning, ...mine] : [...computed, ...mine, ...others, ...forReturning], b);
  }
  // a Hash, Sort or Materialize hands on its input's rows
  const passOn = (n: DisplayNode): void => {
    n.children.forEach((c) => passOn(c.node));
    if (!PASS_THROUGH.has(n.type) || n.children.length !== 1) return;
    const input = n.children[0]!.node;
    n.est = { ...n.est, width: input.est.width };
    const items = b.outputItems.get(input);
    if (opts.verbose && items) setOutput(n, items.map((i) => (i.plain ? i.text : `(${i.text})`)), b);
  };
  if (topNode) passOn(topNode);
}

/** VERBOSE: a node's Output line, in place of the one it had */
function setOutput(n: DisplayNode, texts: string[], b: Builder): void {
  const i = n.details.findIndex(([k]) => k === 'Output');
  if (i >= 0) n.details.splice(i, 1);
  n.details.unshift(['Output', texts.join(', ')]);
  b.outputItems.set(n, texts.map((text) => ({ text, plain: true })));
}

/** a plan contains a node (below it) */
function contains(p: Plan, node: Plan): boolean {
  return planChildren(p).some((c) => c === node || contains(c, node));
}

/** the columns of the current query an expression reads */
function outerColumnsOf(e: Expr): number[] {
  const out: number[] = [];
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) out.push(x.index);
    return undefined;
  });
  return out;
}

/** a tuple id's bytes (ItemPointerData), ctid's width in a target list */
const CTID_WIDTH = 6;
/** an oid's bytes, tableoid's width in a target list */
const TABLEOID_WIDTH = 4;

// ---------------------------------------------------------------------------------------
// text format

/** printf("%.2f") as PostgreSQL's (glibc's) does it: an exact tie — n × 8 odd, 1.125 — rounds to even, where toFixed rounds it up */
const fmt2 = (n: number): string => {
  if (Number.isInteger(n * 8) && (n * 8) % 2 !== 0) {
    const cents = Math.floor(n * 100);
    return ((cents % 2 === 0 ? cents : cents + 1) / 100).toFixed(2);
  }
  return n.toFixed(2);
};
const fmt3 = (n: number) => n.toFixed(3);

function annotation(n: DisplayNode, opts: ExplainOptions): string {
  let s = '';
  if (opts.costs) s += `  (cost=${fmt2(n.est.startup)}..${fmt2(n.est.total)} rows=${Math.round(n.est.rows)} width=${Math.round(n.est.width)})`;
  if (n.actual === 'never') s += `${opts.costs ? ' ' : ' '}(never executed)`;
  else if (n.actual) {
    const a = n.actual;
    const time = opts.timing ? `time=${fmt3(a.firstMs ?? a.ms)}..${fmt3(a.ms)} ` : '';
    s += ` (actual ${time}rows=${a.rows} loops=1)`;
  }
  return s;
}

/**
 * PostgreSQL's ExplainNode layout, `indent` being its es->indent: a subplan's name, then
 * `->  ` for any node below the root, the node's details one level in; CTEs and InitPlans
 * before the node's children, SubPlans after them.
 */
function renderText(n: DisplayNode, indent: number, lines: string[], opts: ExplainOptions, planName?: string): void {
  if (planName) {
    lines.push(' '.repeat(indent * 2) + planName);
    indent++;
  }
  let prefix = '';
  if (indent) {
    prefix = ' '.repeat(indent * 2) + '->  ';
    indent += 2;
  }
  lines.push(prefix + n.title + annotation(n, opts));
  indent++;
  const detailIndent = ' '.repeat(indent * 2);
  for (const [k, v] of n.details) {
    // "not interesting enough" in text (show_instrumentation_count)
    if (k.startsWith('Rows Removed by ') && v === '0') continue;
    lines.push(`${detailIndent}${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  }
  for (const t of n.targets ?? []) lines.push(detailIndent + t.title);
  const isSubPlan = (s: { name: string }) => s.name.startsWith('SubPlan');
  for (const s of n.subplans) if (!isSubPlan(s)) renderText(s.node, indent, lines, opts, s.name);
  for (const c of n.children) renderText(c.node, indent, lines, opts);
  for (const s of n.subplans) if (isSubPlan(s)) renderText(s.node, indent, lines, opts, s.name);
}

// ---------------------------------------------------------------------------------------
// JSON format (PostgreSQL's keys and layout: two-space indentation, costs with 2 decimals)

function jsonNode(n: DisplayNode, rel: string | undefined, opts: ExplainOptions, subplanName?: string): JsonObject {
  const o: JsonObject = { 'Node Type': n.type };
  // an Agg's or SetOp's strategy follows its type (explain.c's sname / strategy)
  const strategy = n.props.find(([k]) => k === 'Strategy');
  if (strategy) o.Strategy = strategy[1];
  if (n.type === 'Aggregate') o['Partial Mode'] = 'Simple';
  // a ModifyTable's operation follows its type (ExplainNode's operation)
  const operation = n.props.find(([k]) => k === 'Operation');
  if (operation) o.Operation = operation[1];
  if (rel) o['Parent Relationship'] = rel;
  if (subplanName) o['Subplan Name'] = subplanName;
  o['Parallel Aware'] = false;
  o['Async Capable'] = false;
  for (const [k, v] of n.props) o[k] = v;
  if (opts.costs) {
    o['Startup Cost'] = { raw: fmt2(n.est.startup) };
    o['Total Cost'] = { raw: fmt2(n.est.total) };
    o['Plan Rows'] = Math.round(n.est.rows);
    o['Plan Width'] = Math.round(n.est.width);
  }
  if (n.actual) {
    const a = n.actual === 'never' ? { rows: 0, ms: 0, firstMs: 0 } : n.actual;
    if (opts.timing) {
      o['Actual Startup Time'] = { raw: fmt3(a.firstMs ?? a.ms) };
      o['Actual Total Time'] = { raw: fmt3(a.ms) };
    }
    o['Actual Rows'] = a.rows;
    o['Actual Loops'] = n.actual === 'never' ? 0 : 1;
  }
  // counters PostgreSQL writes as JSON numbers
  for (const [k, v, fields] of n.details) {
    if (n.groupingSets && (k === 'Hash Key' || k === 'Group Key')) {
      o['Grouping Sets'] ??= n.groupingSets.map((g) => ({ [g.keys]: g.sets }));
      continue;
    }
    if (fields) for (const [fk, fv] of fields) o[fk] = fv;
    else o[k] = Array.isArray(v) ? v : k === 'Output' ? v.split(', ') : k === 'Heap Fetches' || k.startsWith('Tuples ') || k === 'Conflicting Tuples' || k.startsWith('Rows Removed by ') ? Number(v) : k === 'Inner Unique' ? v === 'true' : v;
  }
  if (n.targets) o['Target Tables'] = n.targets.map((t) => Object.fromEntries(t.props));
  // show_hashagg_info: the partitions a hashed Agg planned to spill to, with the costs (none planned here)
  if (opts.costs && n.type === 'Aggregate' && (strategy?.[1] === 'Hashed' || strategy?.[1] === 'Mixed') && !('Planned Partitions' in o)) o['Planned Partitions'] = 0;
  const initPlans = n.subplans.filter((s) => !s.name.startsWith('SubPlan'));
  const subPlans = n.subplans.filter((s) => s.name.startsWith('SubPlan'));
  const plans = [
    ...initPlans.map((s) => jsonNode(s.node, 'InitPlan', opts, s.name)),
    ...n.children.map((c) => jsonNode(c.node, c.rel, opts)),
    ...subPlans.map((s) => jsonNode(s.node, 'SubPlan', opts, s.name)),
  ];
  // ExplainMissingMembers: every Append says how many members pruning removed (none here)
  if ((n.type === 'Append' || n.type === 'Merge Append') && !('Subplans Removed' in o)) o['Subplans Removed'] = 0;
  if (plans.length) o.Plans = plans;
  return o;
}

export interface ExplainTimes { readonly planningMs?: number; readonly executionMs?: number }

/** EXPLAIN's output rows: one per line in text format, a single row in JSON. */
export function explainPlan(plan: Plan, opts: ExplainOptions, times: ExplainTimes = {}): string[] {
  const root = displayTree(plan, opts);
  if (opts.format !== 'text') {
    const top: JsonObject = { Plan: jsonNode(root, undefined, opts) };
    if (times.planningMs !== undefined) top['Planning Time'] = { raw: fmt3(times.planningMs) };
    top.Triggers = [];
    if (times.executionMs !== undefined) top['Execution Time'] = { raw: fmt3(times.executionMs) };
    // ExplainPrintTriggers runs under ANALYZE, SUMMARY or not (none here: an empty group)
    if (!opts.metrics) delete top.Triggers;
    return [opts.format === 'json' ? writeJson([top], 0) : opts.format === 'yaml' ? writeYaml([top]) : writeXml([top])];
  }
  const lines: string[] = [];
  renderText(root, 0, lines, opts);
  if (times.planningMs !== undefined) lines.push(`Planning Time: ${fmt3(times.planningMs)} ms`);
  if (times.executionMs !== undefined) lines.push(`Execution Time: ${fmt3(times.executionMs)} ms`);
  return lines;
}

/** A readable rendering of an expression (error messages, tests), unqualified. */
export function exprText(e: Expr | null): string {
  let n = 0;
  return deparse(e, { qualify: false, subplanNumber: () => ++n });
}

export { CostModel };

/**
 * What `input` computes for its output column `index`, in terms of what is below it:
 * through Projections, down to an Aggregate's group key or call; undefined for other nodes.
 */
function computedColumn(input: Plan, index: number): Expr | undefined {
  if (input.kind === 'aggregate') {
    const g = input.groupBy.length;
    if (index < g) return input.groupBy[index];
    const call = input.aggs[index - g];
    return call ? { kind: 'agg', ...call } : undefined;
  }
  if (input.kind === 'project') {
    const e = input.exprs[index];
    return e && throughInput(input.input, e);
  }
  // a WindowAgg: its functions' columns are their calls, the others its input's
  if (input.kind === 'window') {
    const width = input.input.schema.length;
    return index >= width ? input.fns[index - width] : computedColumn(input.input, index);
  }
  // a ProjectSet: its set-returning calls' columns are their calls, the others its input's
  if (input.kind === 'projectSet') {
    const width = input.input.schema.length;
    const srf = input.srfs[index - width];
    if (!srf) return computedColumn(input.input, index);
    return { kind: 'call', name: srf.name, args: srf.args.map((a) => throughInput(input.input, a)), type: srf.type } as unknown as Expr;
  }
  // nodes that pass their input's columns on as they are (a HAVING's Filter)
  if (input.kind === 'filter' || input.kind === 'sort' || input.kind === 'limit' || input.kind === 'distinct' || input.kind === 'topk') return computedColumn(input.input, index);
  return undefined;
}

/** Nodes that hand on their input's columns as they are: their Output is their input's */
const PASS_THROUGH = new Set(['Limit', 'Sort', 'Incremental Sort', 'Hash', 'Materialize', 'Memoize', 'Unique']);

type SubqueryTop = Extract<Plan, { kind: 'project' | 'sort' | 'limit' | 'topk' | 'setop' | 'distinct' }>;

/**
 * A Filter over the top of a subquery read through a SubqueryScan, which PostgreSQL then
 * keeps (plan.ts readAsSubquery): the node marked so, below the subquery's select list when
 * a Top-K moved under it (rules/push-top-k-below-project.ts).
 */
function subqueryScanBelow(plan: Extract<Plan, { kind: 'filter' }>): SubqueryTop | undefined {
  let top = plan.input;
  while (top.kind === 'project' && !top.subqueryScan) top = top.input;
  const marked = (top.kind === 'project' || top.kind === 'sort' || top.kind === 'limit' || top.kind === 'topk' || top.kind === 'setop' || top.kind === 'distinct') && top.subqueryScan === true && top.subqueryAlias !== undefined;
  return marked ? top as SubqueryTop : undefined;
}

/**
 * The select list of a subquery over window functions at the top of the statement (under its
 * ORDER BY and LIMIT) that PostgreSQL reads through a Subquery Scan it keeps although no
 * condition stays on it: the statement's target list is not the subquery's columns in their
 * order, or the WindowAgg carries a window's key the select list lacks (a resjunk column, as
 * an INTERSECT / EXCEPT's flag column, also returned),
 * so the tlists differ (setrefs.c's trivial_subqueryscan; at the top the scan's target list
 * is exact, create_plan's CP_EXACT_TLIST).
 */
function narrowedSubquery(root: Plan): SubqueryTop | undefined {
  let p = root;
  let outer: Extract<Plan, { kind: 'project' }> | undefined;
  for (;;) {
    if ((p.kind === 'sort' || p.kind === 'limit' || p.kind === 'topk') && !p.subqueryScan) p = p.input;
    else if (p.kind === 'project' && !p.subqueryScan && !outer) {
      outer = p;
      p = p.input;
    } else break;
  }
  // an INTERSECT / EXCEPT's HashSetOp hands on a flag column too (resjunk)
  if (p.kind === 'setop' && p.subqueryScan && p.subqueryAlias !== undefined && p.op !== 'union') return p;
  if (p.kind !== 'project' || !p.subqueryScan || p.subqueryAlias === undefined) return undefined;
  // a DISTINCT ON's ORDER BY keys the select list lacks (resjunk)
  if (p.input.kind === 'distinct' && p.exprs.length < p.input.schema.length) return p;
  const chain = windowChain(p.input);
  if (!chain) return undefined;
  const junk = finalTarget(p.exprs, chain).length > p.exprs.length;
  const inOrder = !outer || (outer.exprs.length === p.schema.length && outer.exprs.every((e, i) => e.kind === 'column' && e.level === 0 && e.index === i));
  return junk || !inOrder ? p : undefined;
}

/** The node a projection above `n` is computed in: `n`, or the first node below its Limits and Sorts. */
function projectingBelow(n: DisplayNode): DisplayNode {
  let at = n;
  while (PASS_THROUGH.has(at.type) && at.children.length > 0) at = at.children[0]!.node;
  return at;
}

/** The sort keys of the Limits, Sorts and ordered index scan a projection sits on, over that projection's input columns. */
function sortKeysBelow(input: Plan): Expr[] {
  const keys: Expr[] = [];
  let p = input;
  for (;;) {
    if (p.kind === 'limit' || p.kind === 'filter') p = p.input;
    else if (p.kind === 'sort' || (p.kind === 'topk' && !p.vectorSearch)) {
      keys.push(...p.keys.map((k) => k.expr));
      p = p.input;
    } else break;
  }
  if (p.kind === 'scan' && p.indexRange?.order && !rangeOnExpression(p)) {
    const range = p.indexRange;
    for (const c of range.columns.slice(0, range.orderColumns ?? 1)) keys.push({ kind: 'column', type: p.schema[c]!.type, level: 0, index: c, name: p.schema[c]!.name });
  }
  return keys;
}

/**
 * VERBOSE: a Limit, Sort, Hash, Materialize, Memoize or Unique shows the Output of the node
 * below it; what that node computes (not a plain column) in parentheses, as PostgreSQL's
 * get_variable prints an upper node's reference to it.
 */
function passOutputsUp(n: DisplayNode, items: WeakMap<DisplayNode, { text: string; plain: boolean }[]>): void {
  for (const c of n.children) passOutputsUp(c.node, items);
  for (const s of n.subplans) passOutputsUp(s.node, items);
  if (!PASS_THROUGH.has(n.type) || n.details.some(([k]) => k === 'Output') || n.children.length === 0) return;
  const below = items.get(n.children[0]!.node);
  if (!below || below.length === 0) return;
  const mine = below.map((i) => ({ text: i.plain ? i.text : `(${i.text})`, plain: true }));
  items.set(n, mine);
  n.details.unshift(['Output', mine.map((i) => i.text).join(', ')]);
}

/** An aggregate's output, through the Filters of a HAVING. */
function overAggregate(input: Plan): boolean {
  let p = input;
  while (p.kind === 'filter') p = p.input;
  return p.kind === 'aggregate';
}

/** `e`, over `input`'s output columns, in terms of what `input` computes for them (as far as computedColumn knows). */
function throughInput(input: Plan, e: Expr): Expr {
  return mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? computedColumn(input, x.index) ?? x : undefined));
}
