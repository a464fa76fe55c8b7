/**
 * What a scan through a B-tree costs, as PostgreSQL 15 prices it: cost_index and
 * index_pages_fetched (costsize.c), genericcostestimate and btcostestimate (selfuncs.c).
 * Every Index Scan, Index Only Scan and Bitmap Index Scan of a B-tree is priced here (key
 * lookups, ranges, ordered reads, the inner side of a parameterized nested loop).
 *
 * Quiver keeps no B-tree pages, so an index's page count and height are those PostgreSQL's
 * bulk build (_bt_load, nbtsort.c) would lay its keys out in (btreeLayout); pg_class shows
 * the same count.
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import { OID, T } from '../types/types.js';
import { CPU_INDEX_TUPLE_COST, CPU_OPERATOR_COST, CPU_TUPLE_COST, DISABLE_COST, RANDOM_PAGE_COST, SEQ_PAGE_COST, clampRows, exprCost, exprStartupCost, typeWidth, type CostModel, type Estimate } from './cost.js';
import type { Expr } from './plan.js';
import { expressionKeyIndex } from './expression-index-match.js';
import { indexQuals, type RangeComparison } from './range-comparison.js';
import { clauseSelectivity, distinctCount } from './selectivity.js';
import { hashIndexPages, hashInitialBuckets } from './hash-index-size.js';

const BLCKSZ = 8192;
/** SizeOfPageHeaderData */
const PAGE_HEADER = 24;
/** sizeof(BTPageOpaqueData): the special space at each page's end */
const BT_SPECIAL = 16;
/** sizeof(ItemIdData) */
const LINE_POINTER = 4;
/** sizeof(IndexTupleData): the heap TID and the size / flag bits */
const INDEX_TUPLE_HEADER = 8;
/** sizeof(ItemPointerData): one heap TID of a posting list */
const HEAP_TID = 6;
/** BTREE_DEFAULT_FILLFACTOR and BTREE_NONLEAF_FILLFACTOR */
const LEAF_FILLFACTOR = 90;
const NONLEAF_FILLFACTOR = 70;
/** DEFAULT_PAGE_CPU_MULTIPLIER: btcostestimate's CPU charge per page descended */
const PAGE_CPU_MULTIPLIER = 50;
/** effective_cache_size's default, 4GB, in 8 kB pages */
const EFFECTIVE_CACHE_SIZE = 524288;

const maxalign = (n: number): number => Math.ceil(n / 8) * 8;
/** The average fill of leaves of repeated keys split by INSERTs (btreeLayout). */
const DEDUPLICATED_GROWN_FILL = 0.82;
/** Rows a key from which its leaves fill so (10 a key still split as unique keys do: 148 pages, PostgreSQL 148). */
const MANY_REPEATS = 100;

/** The index's pages and its root's level (_bt_getrootheight: 0 while the root is the only leaf). */
export interface BtreeLayout {
  readonly pages: number;
  readonly height: number;
}

/**
 * The pages of a B-tree over `rows` keys of `keyBytes` bytes (the index tuple's data, as
 * aligned in it), `distinct` of them distinct, as CREATE INDEX's bulk build lays them out
 * (nbtsort.c _bt_buildadd):
 *   a page's free space at first = 8192 - 24 (header) - 16 (special) - 4 (the high key's line
 *   pointer) - 4 (PageGetFreeSpace's own line pointer) = 8144 bytes; an index tuple takes
 *   MAXALIGN(8 + key) + 4 (its line pointer); a leaf page is finished once an item would leave
 *   less than 8192 × (100 - 90) / 100 = 819 bytes free, and its last item moves to the next
 *   page (becoming the high key): items a leaf = floor((8144 - 819) / item bytes)
 *   (an int4 key: 16 + 4 bytes, 366 a leaf)
 *   deduplication (a non-unique index, PostgreSQL 13+): each key's repeats share posting list
 *   tuples of MAXALIGN(MAXALIGN(8 + key) + 6 × TIDs) bytes, at most
 *   MAXALIGN_DOWN(819) - 4 = 812 bytes each (_bt_dedup_start_pending's maxpostingsize); a leaf
 *   of posting tuples runs fuller by their TIDs' bytes (truncextra: its high key drops them):
 *   items a leaf = floor((8144 - 819 + TID bytes an item) / item bytes)
 *   inner pages the same with pivot tuples MAXALIGN(8 + key) filled to 70 % (2457 bytes
 *   left), level by level up to one root; pages = leaves + inner pages + the meta page
 * An index of fewer keys than a leaf holds is its meta page and a root leaf (2 pages, height 0);
 * an empty one the meta page alone (1 page).
 */
export function btreeLayout(rows: number, keyBytes: number, distinct = rows, deduplicate = false, inserted = 0): BtreeLayout {
  if (rows <= 0) return { pages: 1, height: 0 };
  const free = BLCKSZ - PAGE_HEADER - BT_SPECIAL - 2 * LINE_POINTER;
  const tuple = maxalign(INDEX_TUPLE_HEADER + keyBytes);
  // leaf items, their bytes (tuple and line pointer) and the bytes their posting lists would
  // free as a high key (truncextra: _bt_buildadd lets a page run that much fuller)
  let items = rows;
  let bytes = rows * (tuple + LINE_POINTER);
  let truncExtra = 0;
  const groups = Math.max(1, Math.min(rows, distinct));
  const repeats = rows / groups;
  if (deduplicate && repeats >= 2) {
    const maxPosting = Math.floor((BLCKSZ * (100 - LEAF_FILLFACTOR)) / 100 / 8) * 8 - LINE_POINTER;
    const perPosting = Math.max(2, Math.floor((maxPosting - tuple) / HEAP_TID));
    // one key's TIDs: full posting tuples, then the rest in one more (a single TID stays a plain tuple)
    const full = Math.floor(repeats / perPosting);
    const rest = repeats - full * perPosting;
    const restBytes = rest === 0 ? 0 : rest < 2 ? tuple + LINE_POINTER : maxalign(tuple + HEAP_TID * rest) + LINE_POINTER;
    const fullPosting = maxalign(tuple + HEAP_TID * perPosting);
    const restExtra = rest < 2 ? 0 : maxalign(tuple + HEAP_TID * rest) - tuple;
    items = groups * (full + (rest > 0 ? 1 : 0));
    bytes = groups * (full * (fullPosting + LINE_POINTER) + restBytes);
    truncExtra = groups * (full * (fullPosting - tuple) + restExtra);
  }
  const leafRoom = free - Math.floor((BLCKSZ * (100 - LEAF_FILLFACTOR)) / 100) + truncExtra / items;
  const perLeaf = Math.max(1, Math.floor(leafRoom / (bytes / items)));
  let level = Math.ceil(items / perLeaf);
  if (inserted > 0) {
    // rows inserted since the build, in no ascending order: page splits halve full leaves, which
    // then fill again — on average ln 2 of a page full (Yao's 69 %), where the bulk build filled
    // 90 %; the bulk-built leaves take the first of them in their free tenth. (PostgreSQL 15's
    // leaves split in waves, so the fill swings around that with the row count: random float8
    // keys 63 % at 30,000 rows, 76 % at 50,000; random text of 13-65 bytes 63-73 %.) Repeated
    // keys are deduplicated into posting lists before a full leaf splits, so those leaves run
    // fuller: ~82 % (measured: 100 values in 20,000 rows 21 pages where the bulk build makes 19,
    // 2 values 18 for 17, 100 in 100,000 rows 102 for 82)
    const grownFill = deduplicate && repeats >= MANY_REPEATS ? DEDUPLICATED_GROWN_FILL : Math.LN2;
    const perGrownLeaf = Math.max(1, Math.floor((free * grownFill) / (bytes / items)));
    const grownItems = (items * Math.min(rows, inserted)) / rows;
    const builtLeaves = Math.ceil((items - grownItems) / perLeaf);
    const slack = builtLeaves * Math.max(0, Math.floor(free / (bytes / items)) - perLeaf);
    level = Math.max(level, builtLeaves + Math.ceil(Math.max(0, grownItems - slack) / perGrownLeaf));
  }
  let pages = level + 1;
  let height = 0;
  const innerRoom = free - Math.floor((BLCKSZ * (100 - NONLEAF_FILLFACTOR)) / 100);
  const perInner = Math.max(2, Math.floor(innerRoom / (tuple + LINE_POINTER)));
  while (level > 1) {
    level = Math.ceil(level / perInner);
    pages += level;
    height++;
  }
  return { pages, height };
}

/** A key column's bytes in an index tuple: ANALYZE's average width of a variable-length value, else the type's, aligned as the type. */
function keyColumnBytes(offset: number, width: number, fixed: boolean): number {
  if (!fixed) return offset + width;
  const align = width >= 8 ? 8 : width >= 4 ? 4 : width >= 2 ? 2 : 1;
  return Math.ceil(offset / align) * align + width;
}

const FIXED = new Set<number>([OID.int2, OID.int4, OID.int8, OID.oid, OID.float4, OID.float8, OID.bool, OID.date, OID.timestamp, OID.timestamptz, OID.time, OID.uuid]);

/** The key, its bytes and its distinct values: a plain index's columns, or an expression index's one key (its own statistics). */
export interface BtreeKey {
  readonly columns: readonly number[];
  readonly unique: boolean;
  readonly expression?: IndexDef;
  /** a hash index (hashcostestimate: genericcostestimate alone; its pages hash-index-size.ts's) */
  readonly hash?: IndexDef;
  /** the rows its bulk build laid out (IndexDef.builtRows); absent: every row */
  readonly builtRows?: number;
}

/**
 * The layout of the B-tree `key` over `rows` rows of the table: ANALYZE's widths and distinct
 * counts where known, `widths` (each column's average stored bytes, counted by CREATE INDEX on
 * a table not analyzed) before the types' own.
 */
export function btreeKeyLayout(model: CostModel, table: TableDef, key: BtreeKey, rows: number, widths?: readonly number[]): BtreeLayout {
  const lookup = model.tableLookup(table);
  if (key.hash) {
    const column = table.columns[key.columns[0] ?? -1];
    const distinct = column && table.stats?.columns[column.name] ? distinctCount(lookup({ kind: 'column', type: column.type, level: 0, index: key.columns[0]!, name: column.name })) : rows;
    return { pages: hashIndexPages(rows, distinct, key.hash.hashBuckets ?? hashInitialBuckets(rows)), height: 0 };
  }
  if (key.expression) {
    const stats = table.stats?.indexes?.[key.expression.name];
    const type = key.expression.expression!.type;
    const bytes = keyColumnBytes(0, stats?.avgWidth || typeWidth(type), FIXED.has(type.oid));
    const distinct = stats ? Math.min(rows, distinctCount({ type, stats, rows, unique: key.unique })) : rows;
    return btreeLayout(rows, bytes, distinct, !key.unique, insertedOutOfOrder(key, stats?.correlation, rows));
  }
  let bytes = 0;
  let distinct = 1;
  for (const c of key.columns) {
    const column = table.columns[c];
    if (!column) continue;
    const stats = table.stats?.columns[column.name];
    const fixed = FIXED.has(column.type.oid);
    bytes = keyColumnBytes(bytes, fixed ? typeWidth(column.type) : stats?.avgWidth || widths?.[c] || typeWidth(column.type), fixed);
    distinct *= stats ? distinctCount(lookup({ kind: 'column', type: column.type, level: 0, index: c, name: column.name })) : rows;
  }
  const leading = table.columns[key.columns[0] ?? -1];
  const correlation = leading ? table.stats?.columns[leading.name]?.correlation : undefined;
  return btreeLayout(rows, bytes, key.unique ? rows : Math.min(rows, distinct), !key.unique, insertedOutOfOrder(key, correlation, rows));
}

/**
 * The rows of `rows` that INSERT put in the index after its bulk build, when they came in no
 * ascending key order: 0 when that is unknown (no build count, no statistics) or the key's
 * first column rises with the table's order (correlation 0.95 or more: each insert lands on
 * the rightmost leaf, whose splits leave 90 % behind, as the bulk build does).
 */
function insertedOutOfOrder(key: BtreeKey, correlation: number | null | undefined, rows: number): number {
  if (key.builtRows === undefined || rows <= key.builtRows || correlation == null || correlation >= 0.95) return 0;
  return rows - key.builtRows;
}

/**
 * index_pages_fetched (Mackert and Lohman): the pages `tuples` fetches read from a relation
 * of T = `pages` pages, with b = effective_cache_size × T / (all the query's table pages +
 * the index's pages) of it cached:
 *   T ≤ b:  min(T, 2TN / (2T + N)), whole
 *   T > b:  N ≤ 2Tb / (2T - b): 2TN / (2T + N), else b + (N - 2Tb / (2T - b)) × (T - b) / T; whole
 * Quiver counts the scanned table's pages as the query's (root->total_table_pages).
 */
export function indexPagesFetched(tuples: number, pages: number, indexPages: number, tablePages = pages): number {
  const t = pages > 1 ? pages : 1;
  const total = Math.max(1, tablePages + indexPages);
  let b = (EFFECTIVE_CACHE_SIZE * t) / total;
  b = b <= 1 ? 1 : Math.ceil(b);
  if (t <= b) {
    const fetched = (2 * t * tuples) / (2 * t + tuples);
    return fetched >= t ? t : Math.ceil(fetched);
  }
  const lim = (2 * t * b) / (2 * t - b);
  return Math.ceil(tuples <= lim ? (2 * t * tuples) / (2 * t + tuples) : b + ((tuples - lim) * (t - b)) / t);
}

/** One index clause: its condition, its key column's position, and what btcostestimate tells apart. */
export interface BtreeQual {
  readonly cond: Expr;
  /** the key column it is on (0 = the first) */
  readonly keyColumn: number;
  readonly kind: 'eq' | 'range' | 'isnull' | 'notnull' | 'saop';
  /** a ScalarArrayOpExpr's elements (estimate_array_length) */
  readonly arrayLength?: number;
  /** the operand that is not the key (index_other_operands_eval_cost) */
  readonly operand?: Expr;
  /** the conjuncts of the restriction this qual stands for (left out of the scan's qpquals) */
  readonly covers: readonly Expr[];
}

/** estimate_array_length: a constant array's elements, an ARRAY[…]'s, else 10. */
export function estimateArrayLength(e: Expr): number {
  if (e.kind === 'const') return Array.isArray(e.value) ? e.value.length : 1;
  if (e.kind === 'array') return e.elems.length;
  if (e.kind === 'cast') return estimateArrayLength(e.arg);
  return 10;
}

function conjunctsOf(e: Expr | null | undefined): Expr[] {
  if (!e) return [];
  return e.kind === 'and' ? e.args.flatMap(conjunctsOf) : [e];
}

/** A range comparison as an index clause on `columns`. */
function fromComparison(q: RangeComparison, columns: readonly number[]): BtreeQual {
  const kind = q.op === '=' ? 'eq' : q.op === 'isnull' ? 'isnull' : q.op === 'notnull' ? 'notnull' : 'range';
  // a cut row comparison stays in the Filter (its whole is rechecked); a LIKE's range leaves the LIKE there
  const covers = q.fromLike || (q.row && q.cond !== q.row.whole) ? [] : [q.replaces ?? q.row?.written ?? q.cond];
  return { cond: q.cond, keyColumn: columns.indexOf(q.column), kind, operand: q.value, covers };
}

/**
 * The index clauses of a B-tree on `columns` in the restriction `filter`, in key column order
 * (match_restriction_clauses_to_index): its comparisons on key columns and, when `anyOf`
 * says so, a `key = ANY (array)` on the first column.
 */
export function btreeQuals(filter: Expr | null, columns: readonly number[], withArrays = false): BtreeQual[] {
  const quals = indexQuals(filter, columns).map((q) => fromComparison(q, columns));
  if (!withArrays) return quals;
  const arrays: BtreeQual[] = [];
  for (const c of conjunctsOf(filter)) {
    if (c.kind !== 'anyall' || c.all || (c.op ?? '=') !== '=' || c.left.kind !== 'column' || c.left.level !== 0) continue;
    const keyColumn = columns.indexOf(c.left.index);
    if (keyColumn < 0) continue;
    arrays.push({ cond: c, keyColumn, kind: 'saop', arrayLength: estimateArrayLength(c.right), operand: c.right, covers: [c] });
  }
  return [...quals, ...arrays].sort((a, b) => a.keyColumn - b.keyColumn);
}

/** The conjunction of `parts` (null for none). */
export function and(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: parts };
}

/** amcostestimate's answer (btcostestimate over genericcostestimate). */
export interface IndexCosts {
  readonly startup: number;
  readonly total: number;
  /** of all the index clauses (cost_index's indexSelectivity) */
  readonly selectivity: number;
  readonly correlation: number;
  /** index tuples read by one scan (of every ScalarArrayOp scan together: × num_sa_scans) */
  readonly tuples: number;
  readonly pages: number;
}

/** The relation as the planner sees it: rows (rel->tuples) and heap pages (rel->pages). */
export function relation(model: CostModel, table: TableDef): { tuples: number; pages: number } {
  const tuples = model.env.rowCount(table.oid);
  const width = model.tableWidth(table);
  return { tuples, pages: model.tablePages(table, tuples, width) };
}

/**
 * btcostestimate with genericcostestimate, for the index clauses `quals` and `loops` scans
 * (loop_count), over rel->tuples N and the index's layout (btreeKeyLayout of the rows stored
 * now, as PostgreSQL reads the index's real pages and height):
 *
 * boundary quals (btcostestimate): the clauses of the key's first column, then of each next
 * one while the one before had an `=` (or IS NULL); an `= ANY` among them multiplies
 * num_sa_scans by its elements
 *   index tuples = 1 for a unique index with `=` on every column (no `= ANY` / IS NULL), else
 *                  rint(N × selectivity(boundary quals) / num_sa_scans)
 * genericcostestimate:
 *   selectivity  = selectivity(every index clause); num_sa_scans = Π elements of every `= ANY`
 *   index tuples = the above, else rint(selectivity × N / num_sa_scans); at most N, at least 1
 *   index pages  = ceil(index tuples × index pages / N) (1 when the index has one page or N ≤ 1)
 *   IO           = loops or num_sa_scans > 1: index_pages_fetched(index pages × num_sa_scans × loops,
 *                  index pages) × random_page_cost / loops; else index pages × random_page_cost
 *   startup      = cost of the clauses' other operands (index_other_operands_eval_cost)
 *   total        = IO + startup + index tuples × num_sa_scans × (cpu_index_tuple_cost
 *                  + cpu_operator_cost × clauses)
 * descent (btcostestimate), to startup and num_sa_scans × to total:
 *   ceil(log2(N)) × cpu_operator_cost (N > 1) + (height + 1) × 50 × cpu_operator_cost
 * correlation: pg_stats.correlation of the key's first column (an expression index's own),
 *   × 0.75 for a key of several columns
 */
export function btCostEstimate(model: CostModel, table: TableDef, key: BtreeKey, quals: readonly BtreeQual[], loops = 1): IndexCosts {
  const rel = relation(model, table);
  // the index as it is: over the rows stored now (rel->tuples may be estimate_rel_size's guess)
  const layout = btreeKeyLayout(model, table, key, model.liveRows(table.oid));
  const lookup = model.tableLookup(table);
  if (key.hash) return hashCostEstimate(rel, layout.pages, quals, lookup, loops);
  // the boundary quals
  const bound: BtreeQual[] = [];
  let column = 0;
  let eqHere = false;
  let boundArrays = 1;
  let foundArray = false;
  let foundIsNull = false;
  for (const q of quals) {
    if (q.keyColumn !== column) {
      if (!eqHere) break;
      eqHere = false;
      column++;
      if (q.keyColumn !== column) break;
    }
    if (q.kind === 'saop') {
      foundArray = true;
      if ((q.arrayLength ?? 10) > 1) boundArrays *= q.arrayLength ?? 10;
      eqHere = true;
    } else if (q.kind === 'isnull') {
      foundIsNull = true;
      eqHere = true;
    } else if (q.kind === 'eq') eqHere = true;
    bound.push(q);
  }
  let tuples: number;
  const keyColumns = key.expression ? 1 : key.columns.length;
  if (key.unique && column === keyColumns - 1 && eqHere && !foundArray && !foundIsNull) tuples = 1;
  else {
    const boundSel = bound.length ? clauseSelectivity(and(bound.map((q) => q.cond))!, lookup) : 1;
    tuples = Math.round((boundSel * rel.tuples) / boundArrays);
  }
  // genericcostestimate
  const selectivity = quals.length ? clauseSelectivity(and(quals.map((q) => q.cond))!, lookup) : 1;
  const saScans = quals.reduce((n, q) => (q.kind === 'saop' && (q.arrayLength ?? 10) > 1 ? n * (q.arrayLength ?? 10) : n), 1);
  if (tuples <= 0) tuples = Math.round((selectivity * rel.tuples) / saScans);
  tuples = Math.max(1, Math.min(tuples, rel.tuples));
  const pages = layout.pages > 1 && rel.tuples > 1 ? Math.ceil((tuples * layout.pages) / rel.tuples) : 1;
  let total = loops > 1 || saScans > 1
    ? (indexPagesFetched(pages * saScans * loops, layout.pages, layout.pages, rel.pages) * RANDOM_PAGE_COST) / loops
    : pages * RANDOM_PAGE_COST;
  const operands = quals.reduce((s, q) => s + (q.operand ? exprCost(q.operand) + exprStartupCost(q.operand) : 0), 0);
  let startup = operands;
  total += operands + tuples * saScans * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * quals.length);
  // btcostestimate's descent: comparisons to find the first leaf, then a CPU charge per page descended
  if (rel.tuples > 1) {
    const descent = Math.ceil(Math.log(rel.tuples) / Math.log(2)) * CPU_OPERATOR_COST;
    startup += descent;
    total += saScans * descent;
  }
  const perPage = (layout.height + 1) * PAGE_CPU_MULTIPLIER * CPU_OPERATOR_COST;
  startup += perPage;
  total += saScans * perPage;
  const stats = key.expression ? table.stats?.indexes?.[key.expression.name] : table.stats?.columns[table.columns[key.columns[0]]?.name ?? ''];
  const first = stats?.correlation ?? 0;
  const correlation = keyColumns > 1 ? first * 0.75 : first;
  return { startup, total, selectivity, correlation, tuples: tuples * saScans, pages };
}

/**
 * hashcostestimate: genericcostestimate alone — no descent (the hash code names the bucket),
 * no correlation (a hash index reads in no key order):
 *   index tuples = rint(selectivity(every clause) × N / num_sa_scans), between 1 and N
 *   index pages  = ceil(index tuples × index pages / N) (1 for a one-page index), IO and CPU as btCostEstimate's
 */
function hashCostEstimate(rel: { tuples: number; pages: number }, indexPages: number, quals: readonly BtreeQual[], lookup: ReturnType<CostModel['tableLookup']>, loops: number): IndexCosts {
  const selectivity = quals.length ? clauseSelectivity(and(quals.map((q) => q.cond))!, lookup) : 1;
  const saScans = quals.reduce((n, q) => (q.kind === 'saop' && (q.arrayLength ?? 10) > 1 ? n * (q.arrayLength ?? 10) : n), 1);
  const tuples = Math.max(1, Math.min(Math.round((selectivity * rel.tuples) / saScans), rel.tuples));
  const pages = indexPages > 1 && rel.tuples > 1 ? Math.ceil((tuples * indexPages) / rel.tuples) : 1;
  let total = loops > 1 || saScans > 1
    ? (indexPagesFetched(pages * saScans * loops, indexPages, indexPages, rel.pages) * RANDOM_PAGE_COST) / loops
    : pages * RANDOM_PAGE_COST;
  const startup = quals.reduce((s, q) => s + (q.operand ? exprCost(q.operand) + exprStartupCost(q.operand) : 0), 0);
  total += startup + tuples * saScans * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * quals.length);
  return { startup, total, selectivity, correlation: 0, tuples: tuples * saScans, pages };
}

/** What cost_index is given besides the index costs. */
export interface IndexScanPath {
  readonly key: BtreeKey;
  readonly quals: readonly BtreeQual[];
  /** the scan's whole restriction: its rows, and the conditions the index does not test (qpquals) */
  readonly filter: Expr | null;
  readonly loops?: number;
  /** an Index Only Scan: the share of the heap all-visible (allvisfrac) */
  readonly allVisible?: number;
  /** cost a row of the scan's target list (an expression key computed in it) */
  readonly targetCost?: number;
}

/**
 * cost_index, for rel->tuples N, rel->pages T and the index's costs (btCostEstimate):
 *   startup = index startup (+ disable_cost when enable_indexscan is off)
 *   tuples fetched = clamp_row_est(selectivity × N)
 *   one scan:  max IO = index_pages_fetched(tuples fetched, T) × random_page_cost;
 *              min IO = random_page_cost + (ceil(selectivity × T) - 1) × seq_page_cost (0 for no page)
 *   loops > 1: max IO = index_pages_fetched(tuples fetched × loops, T) × random_page_cost / loops;
 *              min IO = index_pages_fetched(ceil(selectivity × T) × loops, T) × random_page_cost / loops
 *   an Index Only Scan's page counts × (1 - allvisfrac), rounded up, before the costs
 *   IO = max IO + correlation² × (min IO - max IO)
 *   total = startup + (index total - index startup) + IO + tuples fetched × (cpu_tuple_cost
 *           + cost of the restriction's conditions not among the index clauses) + the target's cost a row
 *   rows = clamp_row_est(N × selectivity of the whole restriction)
 */
export function costIndex(model: CostModel, table: TableDef, path: IndexScanPath): Estimate & { index: IndexCosts } {
  const rel = relation(model, table);
  const loops = Math.max(1, path.loops ?? 1);
  const index = btCostEstimate(model, table, path.key, path.quals, loops);
  const layout = btreeKeyLayout(model, table, path.key, model.liveRows(table.oid));
  const allVisible = path.allVisible ?? 0;
  const visible = (pages: number): number => (allVisible > 0 ? Math.ceil(pages * (1 - allVisible)) : pages);
  const tuplesFetched = clampRows(index.selectivity * rel.tuples);
  const fetched = (n: number): number => indexPagesFetched(n, rel.pages, layout.pages, rel.pages);
  let maxIo: number;
  let minIo: number;
  if (loops > 1) {
    maxIo = (visible(fetched(tuplesFetched * loops)) * RANDOM_PAGE_COST) / loops;
    minIo = (visible(fetched(Math.ceil(index.selectivity * rel.pages) * loops)) * RANDOM_PAGE_COST) / loops;
  } else {
    maxIo = visible(fetched(tuplesFetched)) * RANDOM_PAGE_COST;
    const pages = visible(Math.ceil(index.selectivity * rel.pages));
    minIo = pages > 0 ? RANDOM_PAGE_COST + (pages > 1 ? (pages - 1) * SEQ_PAGE_COST : 0) : 0;
  }
  const csquared = index.correlation * index.correlation;
  const covered = new Set(path.quals.flatMap((q) => q.covers));
  const qpquals = conjunctsOf(path.filter).filter((c) => !covered.has(c));
  const qpStartup = qpquals.reduce((s, c) => s + exprStartupCost(c), 0);
  const qpPerTuple = qpquals.reduce((s, c) => s + exprCost(c), 0);
  const startup = index.startup + qpStartup + (model.env.settings.indexscan ? 0 : DISABLE_COST);
  const run = index.total - index.startup + maxIo + csquared * (minIo - maxIo) + (CPU_TUPLE_COST + qpPerTuple) * tuplesFetched;
  const rows = path.filter ? clampRows(rel.tuples * clauseSelectivity(path.filter, model.tableLookup(table))) : clampRows(rel.tuples);
  const width = model.tableWidth(table);
  return { startup, total: startup + run + (path.targetCost ?? 0) * rows, rows, width, index };
}

/** The B-tree key of a table's index by name (its columns, or its expression). */
export function btreeKeyOf(table: TableDef, keyName: string, columns?: readonly number[]): BtreeKey {
  const index = table.indexes.find((i) => i.name === keyName);
  if (!index) return { columns: columns ?? [], unique: false };
  return { columns: index.columns, unique: index.unique, expression: index.expression ? index : undefined, hash: index.method === 'hash' ? index : undefined, builtRows: index.builtRows };
}

/**
 * A key lookup's index clauses (use-key-lookup.ts): each key column's `column = value`
 * conjunct (the value anything known when the scan starts, `id = 2 + 3`, `id = $1`), or
 * the first column's `= ANY (array)`.
 */
export function keyLookupQuals(filter: Expr | null, columns: readonly number[]): BtreeQual[] {
  const quals: BtreeQual[] = [];
  for (const c of conjunctsOf(filter)) {
    if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) continue;
    const side = c.args.findIndex((a) => a.kind === 'column' && a.level === 0 && columns.includes(a.index));
    if (side < 0) continue;
    const col = c.args[side] as Extract<Expr, { kind: 'column' }>;
    quals.push({ cond: c, keyColumn: columns.indexOf(col.index), kind: 'eq', operand: c.args[1 - side], covers: [c] });
  }
  const arrays = btreeQuals(filter, columns, true).filter((q) => q.kind === 'saop');
  return [...quals, ...arrays].sort((a, b) => a.keyColumn - b.keyColumn);
}

/** The first B-tree of the table whose key is `columns` (a min / max read through its leading column). */
export function keyOfColumns(table: TableDef, columns: readonly number[]): BtreeKey {
  const index = table.indexes.find((i) => i.method === 'btree' && !i.expression && columns.every((c, k) => i.columns[k] === c));
  return index ? { columns: index.columns, unique: index.unique, builtRows: index.builtRows } : { columns, unique: false };
}

/** An expression index's clauses: the filter's `key = value` / range conjuncts on its expression, on its one key column. */
export function expressionKeyQuals(table: TableDef, index: IndexDef, filter: Expr | null): BtreeQual[] {
  return conjunctsOf(filter).flatMap((c): BtreeQual[] => {
    if (c.kind !== 'call' || c.args.length !== 2 || !['=', '<', '<=', '>', '>='].includes(c.name)) return [];
    const side = [c.args[0], c.args[1]].findIndex((a) => expressionKeyIndex(table, a) === index);
    if (side < 0) return [];
    return [{ cond: c, keyColumn: 0, kind: c.name === '=' ? 'eq' : 'range', operand: c.args[1 - side], covers: [c] }];
  });
}

/** A partition's own index standing for the partitioned table's `lookup.keyName` (the same key columns). */
export function partitionKey(parent: TableDef, partition: TableDef, lookup: { readonly keyName: string; readonly loops?: number }): { keyName: string; loops?: number } | undefined {
  const columns = parent.indexes.find((i) => i.name === lookup.keyName)?.columns;
  const names = (t: TableDef, cols: readonly number[] | undefined) => cols?.map((c) => t.columns[c]?.name).join(',');
  const own = partition.indexes.find((i) => i.parentIndex === parent.indexes.find((p) => p.name === lookup.keyName)?.oid)
    ?? partition.indexes.find((i) => names(partition, i.columns) === names(parent, columns));
  return own ? { keyName: own.name, loops: lookup.loops } : undefined;
}
