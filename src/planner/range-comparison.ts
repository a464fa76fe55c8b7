/**
 * `column op value` comparisons, op in = < <= > >=, the value a constant, a parameter or a
 * column of the outer row.
 *
 * rangeComparisons: the column an integer or date/time one, the value of the same type or a
 * narrower integer — comparisons that order like JS numbers, which zone maps
 * (executor/zone-conditions.ts, against segment min/max) and the vector search's sorted
 * column filter act on.
 *
 * indexComparisons: what a B-tree range scan (rules/use-index-range.ts, storage/index-scan.ts)
 * bounds its column with, as PostgreSQL's btree Index Cond: those, plus float4/float8 (NaN
 * above every value, -0 = 0), numeric, boolean (false < true; `flag`, `NOT flag`, `flag IS
 * TRUE` as PostgreSQL's btree takes them), and text/varchar in Quiver's one collation, "C" (code
 * point order, types/compare.ts) — and `col LIKE 'prefix%'` with a constant pattern, which
 * PostgreSQL turns into `col >= 'prefix' AND col < 'prefiy'` under the C collation (the LIKE
 * itself stays in the Filter), or `col = 'text'` when the pattern has no wildcard.
 */
import { resolveOperator } from '../functions/index.js';
import { OID, T } from '../types/types.js';
import { broadcast, network, setMasklenInet } from '../types/network.js';
import type { Expr, RowCompareOp } from './plan.js';

export type RangeOp = '=' | '<' | '<=' | '>' | '>=';

export const ORDERED_LIKE_NUMBERS: ReadonlySet<number> = new Set<number>([OID.int2, OID.int4, OID.int8, OID.oid, OID.date, OID.timestamp, OID.timestamptz]);
const INTEGERS = new Set<number>([OID.int2, OID.int4, OID.int8]);
const FLOATS = new Set<number>([OID.float4, OID.float8]);
const TEXTS = new Set<number>([OID.text, OID.varchar]);
/** a cidr column compares through inet's operators (cidr → inet is binary-coercible; both use inet_ops) */
const NETWORKS = new Set<number>([OID.inet, OID.cidr]);
/** column types a B-tree range scan orders (types/compare.ts's order is PostgreSQL's btree opclass order) */
export const BTREE_RANGE_TYPES: ReadonlySet<number> = new Set<number>([...ORDERED_LIKE_NUMBERS, ...FLOATS, OID.numeric, ...TEXTS, OID.bool, ...NETWORKS, OID.macaddr, OID.macaddr8, OID.pg_lsn]);
const FLIPPED: Record<RangeOp, RangeOp> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** known when the scan starts: a constant, a parameter, a column of the outer row (a parameterized scan's, PostgreSQL's `id > o.customer`) */
const isValue = (x: Expr): boolean => x.kind === 'const' || x.kind === 'param' || (x.kind === 'column' && x.level > 0) || (x.kind === 'cast' && isValue(x.arg)) || outerExpression(x);

/** a non-volatile function of the outer row's columns (and constants): `id > o.b_id * 100` */
function outerExpression(x: Expr): boolean {
  if (x.kind !== 'call' || x.fn.volatile || !x.args.every(isValue)) return false;
  const readsOuter = (e: Expr): boolean => (e.kind === 'column' && e.level > 0) || (e.kind === 'cast' && readsOuter(e.arg)) || (e.kind === 'call' && e.args.some(readsOuter));
  return readsOuter(x);
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** a comparison's operator, or a B-tree's NULL test (`col IS NULL` / `col IS NOT NULL`, value a NULL constant) */
export type IndexOp = RangeOp | 'isnull' | 'notnull';

export interface RangeComparison {
  /** the conjunct itself (for a LIKE: the comparison derived from it, the LIKE left in the Filter) */
  readonly cond: Expr;
  /** level-0 column index */
  readonly column: number;
  /** as `column op value` (flipped when written `value op column`) */
  readonly op: IndexOp;
  readonly value: Expr;
  /** derived from a LIKE pattern: the LIKE is still to be tested on each row */
  readonly fromLike?: boolean;
  /** the conjunct this comparison says the same as (`flag` for `flag = true`): not tested again */
  readonly replaces?: Expr;
  /** from a row comparison (rowRange): its leading fields that are columns compared with values */
  readonly row?: RowRange;
}

/** `(c1, …, cm) op (v1, …, vm)`: the leading fields of a row comparison a B-tree can bound its key with */
export interface RowRange {
  readonly op: RowCompareOp;
  readonly columns: readonly number[];
  readonly values: readonly Expr[];
  /** the row comparison itself, all of whose fields these are or not */
  readonly whole: Extract<Expr, { kind: 'rowcompare' }>;
  /** the conjunct as written when `whole` is it commuted (its columns on the right) */
  readonly written?: Expr;
}

/** the level-0 column `x` is, seeing through a varchar column's cast to text (varchar uses text's btree opclass) and a cidr column's to inet */
function columnOf(x: Expr): Extract<Expr, { kind: 'column' }> | undefined {
  if (x.kind === 'column') return x.level === 0 ? x : undefined;
  if (x.kind === 'cast' && x.type.oid === OID.text && x.arg.kind === 'column' && x.arg.level === 0 && x.arg.type.oid === OID.varchar) return x.arg;
  if (x.kind === 'cast' && x.type.oid === OID.inet && x.arg.kind === 'column' && x.arg.level === 0 && x.arg.type.oid === OID.cidr) return x.arg;
  return undefined;
}

/** whether `value` compares with a column of type `col` in the column's own order */
function sameOrder(col: number, value: number, types: ReadonlySet<number>): boolean {
  if (!types.has(col)) return false;
  if (value === col) return true;
  if (INTEGERS.has(col)) return INTEGERS.has(value);
  // float4 against float8 compares as float8 (float48lt), the order a float4's doubles have
  if (FLOATS.has(col)) return FLOATS.has(value) && types.has(value);
  if (NETWORKS.has(col)) return NETWORKS.has(value) && types.has(value);
  return TEXTS.has(col) && TEXTS.has(value) && types.has(value);
}

function comparisons(filter: Expr | null | undefined, types: ReadonlySet<number>): (RangeComparison & { readonly op: RangeOp })[] {
  if (!filter) return [];
  const out: (RangeComparison & { readonly op: RangeOp })[] = [];
  for (const c of conjuncts(filter)) {
    if (c.kind !== 'call' || c.args.length !== 2 || !(c.name in FLIPPED)) continue;
    const [a, b] = c.args;
    const first = columnOf(a);
    const col = first ?? columnOf(b);
    const other = first ? b : a;
    if (!col || !isValue(other) || !sameOrder(col.type.oid, other.type.oid, types)) continue;
    const op = c.name as RangeOp;
    out.push({ cond: c, column: col.index, op: first ? op : FLIPPED[op], value: other });
  }
  return out;
}

export function rangeComparisons(filter: Expr | null | undefined): (RangeComparison & { readonly op: RangeOp })[] {
  // a row comparison bounds its first column too (`(created, id) > (5, 16)`: created >= 5)
  const rows = filter ? conjuncts(filter).flatMap(rowRange).filter((c) => c.cond.kind === 'call' && sameOrder(c.cond.args[0]!.type.oid, c.value.type.oid, ORDERED_LIKE_NUMBERS)) : [];
  return [...comparisons(filter, ORDERED_LIKE_NUMBERS), ...(rows as (RangeComparison & { readonly op: RangeOp })[])];
}

/** in the order of the conjuncts, as PostgreSQL lists the index quals of one column */
export function indexComparisons(filter: Expr | null | undefined): RangeComparison[] {
  if (!filter) return [];
  return conjuncts(filter).flatMap((c) => [...comparisons(c, BTREE_RANGE_TYPES), ...likeRange(c), ...networkSubsetRange(c), ...booleanTest(c), ...nullTest(c), ...rowRange(c)]);
}

/**
 * `col IS NULL` / `col IS NOT NULL`: a btree finds its NULLs (and skips them) through the
 * index, so PostgreSQL puts these in the Index Cond (match_clause_to_indexcol's NullTest).
 */
function nullTest(c: Expr): RangeComparison[] {
  if (c.kind !== 'isnull') return [];
  const col = columnOf(c.arg);
  if (!col || !BTREE_RANGE_TYPES.has(col.type.oid)) return [];
  return [{ cond: c, column: col.index, op: c.negate ? 'notnull' : 'isnull', value: { kind: 'const', type: col.type, value: null } }];
}

/**
 * A boolean column tested alone as the comparison PostgreSQL's btree makes of it
 * (match_boolean_index_clause): `flag` and `flag IS TRUE` as `flag = true`, `NOT flag` and
 * `flag IS FALSE` as `flag = false`, replacing the conjunct.
 */
function booleanTest(c: Expr): RangeComparison[] {
  let arg: Expr, value: boolean;
  if (c.kind === 'column') [arg, value] = [c, true];
  else if (c.kind === 'not') [arg, value] = [c.arg, false];
  else if (c.kind === 'booltest' && !c.negate && c.test !== 'unknown') [arg, value] = [c.arg, c.test === 'true'];
  else return [];
  const col = columnOf(arg);
  if (!col || col.type.oid !== OID.bool) return [];
  const v: Expr = { kind: 'const', type: T.bool, value };
  const cond: Expr = { kind: 'call', type: T.bool, name: '=', fn: resolveOperator('=', T.bool, T.bool), args: [col, v] };
  return [{ cond, column: col.index, op: '=', value: v, replaces: c }];
}

/** `<` as `<=`, `>` as `>=`: what the first field of `(a, b) > (5, 16)` alone must meet */
const RELAXED: Record<RowCompareOp, RowCompareOp> = { '<': '<=', '<=': '<=', '>': '>=', '>=': '>=' };

/**
 * `(a, b, …) op (v1, v2, …)`, its first field a column compared with a value known when the
 * scan starts: a bound of that column, `a >= v1` for `>` and `>=` (`a <= v1` for `<`, `<=`),
 * with the leading fields of the same kind (row) that narrow the start of a multi-column key.
 */
function rowRange(c: Expr): RangeComparison[] {
  if (c.kind !== 'rowcompare') return [];
  const n = c.ops.length;
  // `(5, 16) < (created, id)` as `(created, id) > (5, 16)`, as PostgreSQL commutes an index qual
  const e = columnOf(c.args[0]!) ? c : columnOf(c.args[n]!) ? commuted(c) : undefined;
  if (!e) return [];
  const columns: number[] = [], values: Expr[] = [];
  for (let i = 0; i < n; i++) {
    const col = columnOf(e.args[i]!), value = e.args[n + i]!;
    if (!col || !isValue(value) || !sameOrder(col.type.oid, value.type.oid, BTREE_RANGE_TYPES)) break;
    columns.push(col.index);
    values.push(value);
  }
  if (!columns.length) return [];
  const op = RELAXED[e.op];
  const cond: Expr = { kind: 'call', type: T.bool, name: op, fn: resolveOperator(op, e.args[0]!.type, values[0]!.type), args: [e.args[0]!, values[0]!] };
  return [{ cond, column: columns[0]!, op, value: values[0]!, row: { op: e.op, columns, values, whole: e, ...(e !== c ? { written: c } : {}) } }];
}

const COMMUTED: Record<RowCompareOp, RowCompareOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** the row comparison with its sides swapped; undefined when a pair's types have no commuted operator */
function commuted(c: Extract<Expr, { kind: 'rowcompare' }>): Extract<Expr, { kind: 'rowcompare' }> | undefined {
  const n = c.ops.length;
  const args = [...c.args.slice(n), ...c.args.slice(0, n)];
  const op = COMMUTED[c.op];
  try {
    return { ...c, op, args, ops: c.ops.map((_, i) => resolveOperator(op, args[i]!.type, args[n + i]!.type)), eqs: c.eqs.map((_, i) => resolveOperator('=', args[i]!.type, args[n + i]!.type)) };
  } catch {
    return undefined;
  }
}

/**
 * A row comparison as an Index Cond on a key whose columns from the row's first field's on
 * are `keyFrom`: whole when all its fields are those columns in order, else (PostgreSQL's
 * expand_indexqual_rowcompare) cut to the fields that are, `>` relaxed to `>=` (`<` to
 * `<=`), a plain comparison when one is left; the cut one leaves the row in the Filter.
 */
function rowIndexCond(q: RangeComparison, keyFrom: readonly number[]): RangeComparison {
  const row = q.row!;
  let m = 0;
  while (m < row.columns.length && keyFrom[m] === row.columns[m]) m++;
  const n = row.whole.ops.length;
  if (m === n) return { ...q, cond: row.whole, ...(row.written ? { replaces: row.written } : {}) };
  if (m === 1) return q;
  const op = RELAXED[row.op];
  const args = [...row.whole.args.slice(0, m), ...row.whole.args.slice(n, n + m)];
  const ops = row.whole.ops.slice(0, m).map((fn, i) => (op === row.op ? fn : resolveOperator(op, args[i]!.type, args[m + i]!.type)));
  return { ...q, cond: { ...row.whole, op, args, ops, eqs: row.whole.eqs.slice(0, m) }, row: { ...row, op, columns: row.columns.slice(0, m), values: row.values.slice(0, m) } };
}

/** a row comparison's Index Cond cut to its fields on the key: lossy, the row stays in the Filter and is rechecked as that */
export function cutRow(q: RangeComparison): boolean {
  return q.row !== undefined && q.cond !== q.row.whole;
}

/**
 * The Index Cond of a B-tree scan whose key is `columns`: the comparisons on any key column
 * (a btree tests a later column's too, on its index tuples), in key column order as
 * PostgreSQL lists index quals.
 */
export function indexQuals(filter: Expr | null | undefined, columns: readonly number[]): RangeComparison[] {
  const all = indexComparisons(filter);
  return columns.flatMap((col, k) => all.filter((c) => c.column === col).map((c) => (c.row ? rowIndexCond(c, columns.slice(k)) : c)));
}

/**
 * The quals that bound the scanned key range (btree's boundary keys): those on the key's
 * first columns while each is fixed by `=`, then those on the next column. The rest of the
 * Index Cond narrows nothing: it is tested on the rows of the range.
 */
export function boundingQuals(quals: readonly RangeComparison[], columns: readonly number[]): RangeComparison[] {
  const out: RangeComparison[] = [];
  for (const col of columns) {
    const on = quals.filter((c) => c.column === col);
    out.push(...on);
    // IS NULL is an equality to a btree (its NULLs are one key value)
    if (!on.some((c) => c.op === '=' || c.op === 'isnull')) break;
  }
  return out;
}

/**
 * `text_col LIKE 'abc%'` (a constant pattern) as `>= 'abc'` and `< 'abd'` (PostgreSQL's
 * like_fixed_prefix and make_greater_string), `= 'abc'` without a wildcard; nothing when
 * the pattern starts with one.
 */
function likeRange(c: Expr): RangeComparison[] {
  if (c.kind !== 'call' || c.name !== '~~' || c.args.length !== 2) return [];
  const col = columnOf(c.args[0]);
  const pattern = c.args[1];
  if (!col || !TEXTS.has(col.type.oid) || pattern.kind !== 'const' || typeof pattern.value !== 'string') return [];
  const { prefix, exact } = likePrefix(pattern.value);
  if (prefix === '') return [];
  const column: Expr = c.args[0];
  const compare = (op: RangeOp, value: string): RangeComparison => {
    const v: Expr = { kind: 'const', type: T.text, value };
    const cond: Expr = { kind: 'call', type: T.bool, name: op, fn: resolveOperator(op, T.text, T.text), args: [column, v] };
    return { cond, column: col.index, op, value: v, fromLike: true };
  };
  if (exact) return [compare('=', prefix)];
  const above = greaterString(prefix);
  return above === undefined ? [compare('>=', prefix)] : [compare('>=', prefix), compare('<', above)];
}

/**
 * network_subset_support: `col << value` (`<<=`, or `value >> col`, `>>=`) on an inet or cidr
 * column bounds the B-tree with `col > network(value)` (`>=`) and `col <= ` the value's
 * broadcast address at full mask length (network_scan_first / network_scan_last); the
 * subset test itself stays in the Filter.
 */
function networkSubsetRange(c: Expr): RangeComparison[] {
  if (c.kind !== 'call' || c.args.length !== 2 || !SUBSET_OPERATORS[c.name]) return [];
  const [keyOnLeft, orEqual] = SUBSET_OPERATORS[c.name]!;
  const column = keyOnLeft ? c.args[0] : c.args[1];
  const value = keyOnLeft ? c.args[1] : c.args[0];
  const col = columnOf(column);
  if (!col || !NETWORKS.has(col.type.oid) || value.kind !== 'const' || typeof value.value !== 'string' || !NETWORKS.has(value.type.oid)) return [];
  const compare = (op: RangeOp, bound: string): RangeComparison => {
    const v: Expr = { kind: 'const', type: T.inet, value: bound };
    const cond: Expr = { kind: 'call', type: T.bool, name: op, fn: resolveOperator(op, T.inet, T.inet), args: [column, v] };
    return { cond, column: col.index, op, value: v, fromLike: true };
  };
  return [compare(orEqual ? '>=' : '>', network(value.value)), compare('<=', setMasklenInet(broadcast(value.value), -1))];
}

/** the subset operators a B-tree bounds: whether the key is their left operand, whether they include equality */
const SUBSET_OPERATORS: Record<string, readonly [keyOnLeft: boolean, orEqual: boolean] | undefined> = {
  '<<': [true, false], '<<=': [true, true], '>>': [false, false], '>>=': [false, true],
};

/** the pattern's text before its first unescaped % or _ (a backslash escapes), and whether it has none */
export function likePrefix(pattern: string): { prefix: string; exact: boolean } {
  let prefix = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '%' || ch === '_') return { prefix, exact: false };
    if (ch === '\\') {
      i++;
      if (i >= pattern.length) break;
    }
    prefix += pattern[i];
  }
  return { prefix, exact: true };
}

/**
 * The least string above every string that starts with `prefix`, in code point order: the
 * last code point incremented (past the surrogates), dropped when it is the highest.
 */
export function greaterString(prefix: string): string | undefined {
  const cps = [...prefix].map((ch) => ch.codePointAt(0)!);
  while (cps.length) {
    const last = cps.pop()!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...cps, next);
    }
  }
  return undefined;
}
