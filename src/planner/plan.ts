/**
 * Bound expressions and plan nodes. The binder (src/sql/) produces them, the planner
 * rewrites them (src/planner/rules/), the executor runs them. Every node carries its
 * output schema; every expression its type.
 */
import type { AggregateFunction, CastFunction, ScalarFunction } from '../functions/api.js';
import type { IndexDef, SystemRelation, TableDef } from '../catalog/catalog.js';
import type { SqlType, Value } from '../types/types.js';
import { isSimpleUnionAll } from './union-members.js';

export interface OutputColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly tableOid: number;
  readonly attnum: number;
}

export type RowCompareOp = '<' | '<=' | '>' | '>=';

/** pair i of a row comparison as its own comparison `a_i op b_i` (rowcomparesel estimates the first) */
export function rowComparePair(e: Extract<Expr, { kind: 'rowcompare' }>, i: number, op: string = e.op, fn: ScalarFunction = e.ops[i]!): Expr {
  const n = e.args.length / 2;
  return { kind: 'call', type: e.type, name: op, fn, args: [e.args[i]!, e.args[n + i]!] };
}

export type Expr =
  /** position: 1-based location of the literal in the query, for input errors */
  /**
   * typed: a literal that was of this type from the start (`'5'` or `'5'::bigint` resolved to
   * int8, a custom plan's parameter value), not an int4 the binder widened: EXPLAIN shows it typed
   */
  /** `similarToEscape`: SIMILAR TO's pattern folded to its regular expression; the arguments of the similar_to_escape() it came from (a view's text prints the call) */
  | { readonly kind: 'const'; readonly type: SqlType; readonly value: Value; readonly position?: number; readonly typed?: boolean; readonly similarToEscape?: readonly Expr[] }
  | { readonly kind: 'param'; type: SqlType; readonly index: number }
  /** level 0: the current input row; level n: the row of the n-th enclosing query */
  /** `joinAlias`: read through an aliased join `(a JOIN b) AS j`, as j's column `name` (a view's text prints j.name, as ruleutils prints the join RTE's Var) */
  | { readonly kind: 'column'; readonly type: SqlType; readonly level: number; readonly index: number; readonly name: string; readonly table?: string; readonly position?: number; readonly joinAlias?: { readonly alias: string; readonly name: string } }
  /** sqlSyntax: written in the SQL standard's syntax (EXTRACT(… FROM …), TRIM(…), x AT TIME ZONE z), PostgreSQL's COERCE_SQL_SYNTAX, which EXPLAIN prints back that way */
  | { readonly kind: 'call'; readonly type: SqlType; readonly name: string; readonly fn: ScalarFunction; readonly args: readonly Expr[]; readonly sqlSyntax?: true }
  /** explicit: written as a cast (`5::bigint`, `CAST(…)`), PostgreSQL's COERCE_EXPLICIT_CAST, which EXPLAIN shows differently (not part of equality) */
  /** `lookupLiteral`: a literal of a reg* type ('t'::regclass), looked up when run: PostgreSQL's tree has the constant of that type */
  | { readonly kind: 'cast'; readonly type: SqlType; readonly arg: Expr; readonly fn: CastFunction; readonly explicit?: boolean; readonly calledAs?: string; readonly lookupLiteral?: true }
  /**
   * stopOnNull (a scan's filter, where NULL rejects the row as false does): a NULL argument
   * ends the evaluation too, so the query's own conditions never see a row the security
   * quals before them (row-level security) did not pass
   */
  /** `rowNullTest`: ROW(a, b) IS [NOT] NULL, bound as each field's test (a view's text prints it as written) */
  | { readonly kind: 'and' | 'or'; readonly type: SqlType; readonly args: readonly Expr[]; readonly stopOnNull?: boolean; readonly rowNullTest?: true }
  | { readonly kind: 'not'; readonly type: SqlType; readonly arg: Expr }
  | { readonly kind: 'isnull'; readonly type: SqlType; readonly arg: Expr; readonly negate: boolean }
  | { readonly kind: 'booltest'; readonly type: SqlType; readonly arg: Expr; readonly test: 'true' | 'false' | 'unknown'; readonly negate: boolean }
  /** `simple`: written `CASE x WHEN v …`, each cond `x = v` (ruleutils prints it back in that form) */
  | { readonly kind: 'case'; readonly type: SqlType; readonly whens: readonly { cond: Expr; result: Expr }[]; readonly otherwise: Expr; readonly simple?: true }
  | { readonly kind: 'coalesce'; readonly type: SqlType; readonly args: readonly Expr[] }
  | { readonly kind: 'minmax'; readonly type: SqlType; readonly op: 'greatest' | 'least'; readonly args: readonly Expr[]; readonly cmp: ScalarFunction }
  /**
   * ROW(a1, …, an) op ROW(b1, …, bn), op < <= > >= (PostgreSQL's RowCompareExpr): `args` the n
   * left fields then the n right fields, each pair coerced to its operator's types; ops[i]
   * is pair i's `op`, eqs[i] its `=`. The first pair not equal decides; a NULL before it: NULL.
   */
  | { readonly kind: 'rowcompare'; readonly type: SqlType; readonly op: RowCompareOp; readonly args: readonly Expr[]; readonly ops: readonly ScalarFunction[]; readonly eqs: readonly ScalarFunction[] }
  /** ARRAY[…] (nested: the elements are sub-arrays, checked for matching dimensions), or ROW(…) when type is record */
  | { readonly kind: 'array'; readonly type: SqlType; readonly elems: readonly Expr[]; readonly nested?: boolean }
  /** a IS [NOT] DISTINCT FROM b, with the '=' operator of the common type */
  | { readonly kind: 'distinct'; readonly type: SqlType; readonly left: Expr; readonly right: Expr; readonly eq: ScalarFunction; readonly negate: boolean }
  /**
   * array[i][j]… : NULL when out of range or when the number of subscripts differs from the
   * array's dimensions. With `slice`, array[a:b][c:d]… (lower null = the lower bound, upper
   * null = the upper bound; a plain [i] inside a slice means [1:i]). `base` is the lower
   * bound: 1, or 0 for int2vector / oidvector.
   */
  /** a call of a SQL-language function returning one value: its body runs with the arguments as its outer row */
  | { readonly kind: 'sqlCall'; readonly type: SqlType; readonly name: string; readonly args: readonly Expr[]; readonly plan: Plan; /** how many arguments the call wrote (args adds the defaults and the named ones again) */ readonly written?: number }
  /** jsonb: jsonb subscripting (each sub's upper an int4 or text key; functions/jsonb-subscript.ts), else array subscripts */
  | { readonly kind: 'subscript'; readonly type: SqlType; readonly arg: Expr; readonly subs: readonly { readonly lower: Expr | null; readonly upper: Expr | null }[]; readonly slice: boolean; readonly base: number; readonly jsonb?: true }
  /**
   * coercion to a domain (PostgreSQL's CoerceToDomain): the value of `arg`, already of the
   * base type, once the domain's NOT NULL and CHECK constraints pass (23502 / 23514)
   */
  | { readonly kind: 'domain'; readonly type: SqlType; readonly arg: Expr; readonly constraints: DomainConstraints; readonly explicit?: boolean; /** an array literal's position: array_in checks its elements as it reads them, so errors point at it */ readonly position?: number }
  /** (record).field: the field at `index` (0-based) of a record value */
  | { readonly kind: 'field'; readonly type: SqlType; readonly arg: Expr; readonly index: number }
  /** x op ANY/ALL (array) */
  | { readonly kind: 'anyall'; readonly type: SqlType; readonly all: boolean; readonly left: Expr; readonly right: Expr; readonly fn: ScalarFunction; /** the operator's name, for selectivity and EXPLAIN */ readonly op?: string; /** written as an IN list (ruleutils prints its constant array as ARRAY[…]) */ readonly inList?: true }
  /** planagg: a min() / max() read through an index (min-max-index.ts), an InitPlan PostgreSQL makes after the query's other subqueries */
  | { readonly kind: 'subquery'; readonly type: SqlType; readonly mode: 'scalar' | 'exists' | 'array'; readonly plan: Plan; readonly planagg?: true }
  /** x op ANY (subquery) / x op ALL (subquery) / x IN (subquery) */
  | { readonly kind: 'insubquery'; readonly type: SqlType; readonly all: boolean; readonly left: Expr; readonly plan: Plan; readonly fn: ScalarFunction; /** the operator's name (IN is '='), for turning it into a semi join */ readonly op?: string }
  /** an aggregate call, only before the aggregate rewrite; afterwards a column ref */
  | { readonly kind: 'agg'; readonly type: SqlType; readonly name: string; readonly fn: AggregateFunction; readonly args: readonly Expr[]; readonly distinct: boolean; readonly filter: Expr | null; readonly orderBy: readonly SortKey[]; readonly direct?: readonly Expr[] }
  /** a window function: evaluated by the window operator (row_number, rank, aggregates OVER) */
  /** winref: the number of its window clause (PostgreSQL's: WINDOW clause definitions first, then each distinct OVER (…)) */
  | { readonly kind: 'window'; readonly type: SqlType; readonly name: string; readonly fn: AggregateFunction | null; readonly args: readonly Expr[]; readonly partitionBy: readonly Expr[]; readonly orderBy: readonly SortKey[]; readonly frame: WindowFrame; readonly winref?: number };

/**
 * What a value of a domain must satisfy, its base domains' constraints first (as
 * PostgreSQL's typcache lists them). Each check is bound over a one-column row, VALUE at
 * index 0, so no rule that renumbers a query's columns reaches into it.
 */
export interface DomainConstraints {
  /** the domain's name as format_type prints it, for the error messages */
  readonly name: string;
  readonly notNull: boolean;
  readonly checks: readonly { readonly name: string; readonly expr: Expr }[];
  /** the domain's array type: each element (NULL ones too) is a value of the domain */
  readonly elements: boolean;
}

/** One end of a window frame; offsets are constants or parameters (no column references). */
export type FrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr };

/**
 * ROWS / RANGE / GROUPS frame of a window function, with its EXCLUDE option. For RANGE with
 * an offset, the offset's type is the in_range support type of the (single) ORDER BY key.
 */
export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'noOthers' | 'currentRow' | 'group' | 'ties';
}

export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
  /** comparison on the expression's type (compareValues) */
}

export interface AggregateCall {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly orderBy: readonly SortKey[];
  readonly type: SqlType;
  /** direct arguments of an ordered-set aggregate, over the group key (GROUP BY values) */
  readonly direct?: readonly Expr[];
  /** GROUPING(…): its arguments as GROUP BY expression numbers; the value comes from the group's grouping set, not from rows */
  readonly grouping?: readonly number[];
}

/** TABLESAMPLE's method, its percentage argument (real) and REPEATABLE's seed (float8; null: none) */
export interface TableSample {
  readonly method: 'system' | 'bernoulli';
  readonly percent: Expr;
  readonly repeatable: Expr | null;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

export type Plan =
  /** all visible rows of a table; withRowId appends the RowId as a last int8-ish column */
  | {
    readonly kind: 'scan'; readonly schema: readonly OutputColumn[]; readonly table: TableDef; readonly withRowId: boolean; filter: Expr | null;
    /** the name the query reads the table under, when not its own (EXPLAIN: Seq Scan on t x) */
    readonly alias?: string;
    /**
     * the only table columns anything reads (rules/read-scan-columns.ts): sealed segments
     * decode just these, the others come out NULL; absent: every column
     */
    readonly columns?: readonly number[];
    /** of those, the ones it hands on (not read by its own conditions only): its width's columns, as PostgreSQL's target list */
    readonly handsOn?: readonly number[];
    /**
     * PostgreSQL's Index Only Scan: the B-tree scan (keyLookup / indexRange) reads only key
     * columns of its index (planner/index-only.ts; set once the columns are known)
     */
    readonly indexOnly?: true;
    /** a partitioned table: the leaf partitions to read (after plan-time pruning); with
     *  withRowId each row also carries its partition's OID after the RowId */
    readonly partitions?: readonly TableDef[];
    /**
     * rows read through a B-tree index whose key (`columns`, the key columns a range scan can
     * use, in order) starts with an integer, date/time, float, numeric or text column: only
     * those its Index Cond's boundary conditions allow in each sealed segment, and with
     * `order` all of them in the order of the first `orderColumns` (1 when absent) key
     * columns, so the Limit above stops early (storage/index-scan.ts)
     */
    readonly indexRange?: {
      readonly keyName: string; readonly columns: readonly number[]; readonly order?: 'asc' | 'desc'; readonly orderColumns?: number;
      /** the inner side of a parameterized nested loop: the outer rows it runs for (cost_index's loop_count, cost.ts) */
      readonly loops?: number;
      /** read whole in key order as a merge join's input (planner/merge-join-path.ts): priced as PostgreSQL's cost_index */
      readonly merged?: true;
    };
    /**
     * rows read through B-tree indexes as a bitmap (PostgreSQL's Bitmap Heap Scan over
     * Bitmap Index Scans, BitmapOr, BitmapAnd; rules/use-bitmap-scan.ts): the positions
     * `path` gives, in position order (storage/bitmap-scan.ts); every row is still tested
     * with the whole filter. `recheck`: the filter's conjuncts the path stands for (EXPLAIN's
     * Recheck Cond; the others are its Filter)
     */
    readonly btreeBitmap?: { readonly path: BitmapPath; readonly recheck: readonly Expr[] };
    /** rows found through a unique key (PRIMARY KEY / UNIQUE) instead of reading every row */
    /**
     * rows by key instead of a scan: `values` one per key column; or, with `anyOf` (a
     * one-column key, `values` empty), the rows whose key equals an element of that array
     * (`id = ANY ('{1,2,3}')`, `id IN (1, 2, 3)`), each element looked up
     */
    readonly keyLookup?: {
      readonly keyName: string; readonly values: readonly Expr[]; readonly anyOf?: Expr;
      /** the inner side of a parameterized nested loop: the outer rows it runs for (cost_index's loop_count, cost.ts) */
      readonly loops?: number;
    };
    /**
     * rows found through a GIN index's inverted lists (Bitmap Index Scan): the candidates of
     * `query`, rechecked with the whole filter; `cond` is the indexed `key @@ query` conjunct,
     * `rest` the others (all a candidate needs when the posting lists are exact)
     */
    readonly textLookup?: {
      readonly index: IndexDef; readonly query: Expr; readonly cond: Expr; readonly rest: Expr | null;
    };
    /**
     * under ORDER BY bm25_rank(key, query) DESC LIMIT: each sealed segment hands on only
     * the rows that can be in the top `limit + offset` (scored from its inverted lists);
     * the Top-K above still orders them exactly
     */
    readonly bm25TopK?: { readonly column: number; readonly config: number | undefined; readonly query: Expr; readonly limit: Expr; readonly offset: Expr | null };
    /**
     * What every row of the vector index this scan reads through satisfies (pgvector's
     * index holds no NULL vector, and under a cosine operator class no zero one): set by
     * rules/choose-vector-index.ts when the index is forced. Every path that runs the scan
     * tests it as part of the scan's condition (scan-condition.ts); EXPLAIN does not print
     * it, as PostgreSQL prints no index's implied conditions.
     */
    readonly indexQual?: Expr;
  }
  | { readonly kind: 'systemScan'; readonly schema: readonly OutputColumn[]; readonly relation: SystemRelation }
  /**
   * FROM t TABLESAMPLE SYSTEM | BERNOULLI (percent) [REPEATABLE (seed)]: PostgreSQL's Sample
   * Scan, its own kind so no index or vector rule turns it into another read of the table
   */
  | {
    readonly kind: 'sampleScan'; readonly schema: readonly OutputColumn[]; readonly table: TableDef; filter: Expr | null;
    readonly alias?: string; readonly sample: TableSample;
    /** the columns anything above reads (rules/read-scan-columns.ts): its estimated width's */
    readonly handsOn?: readonly number[];
  }
  | { readonly kind: 'values'; readonly schema: readonly OutputColumn[]; readonly rows: readonly (readonly Expr[])[] }
  /**
   * A function in FROM: a set-returning function (generate_series, unnest, json_each …;
   * its arguments are cast to the resolved types, one output column per function column),
   * or with `scalar` an ordinary function as a one-row relation (args[0] is the call).
   */
  | { readonly kind: 'functionScan'; readonly schema: readonly OutputColumn[]; readonly name: string; readonly args: readonly Expr[]; readonly withOrdinality: boolean; readonly scalar?: boolean; /** the FROM item's alias, when it has one */ readonly alias?: string;
    /** ROWS FROM with several functions: each one (the first is name / args too), its rows zipped with the others' */
    readonly rowsFrom?: readonly { readonly name: string; readonly args: readonly Expr[]; readonly width: number; readonly scalar?: true }[] }
  | {
    readonly kind: 'filter'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly predicate: Expr;
    /**
     * the top WindowAgg's qual that re-tests a lower WindowAgg's Run Condition (its rows are
     * handed on, window-run-condition.ts): PostgreSQL 15 costs it as nothing and keeps the rows
     */
    readonly windowTopQual?: true;
  }
  | {
    readonly kind: 'project'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly exprs: readonly Expr[];
    /** the output columns anything above reads (rules/read-scan-columns.ts): the estimated width counts only these */
    readonly outputRead?: readonly number[];
    /** the select list of a subquery in FROM over window functions, read through a SubqueryScan (see readAsSubquery) */
    readonly subqueryScan?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
    /** the coercion of a set operation's operand to its column types (union-members.ts: a kept "*SELECT* n" Subquery Scan) */
    readonly setopCoercion?: true;
    /**
     * a subquery's input columns every one of its window functions partitioned by, when
     * unread functions were dropped (unread-window-functions.ts): PostgreSQL decides what a
     * condition may pass with all of them (check_output_expressions runs first)
     */
    readonly windowSafeColumns?: readonly number[];
  }
  /**
   * PostgreSQL's gating Result: `oneTime` (no column of this query level, nothing volatile)
   * is evaluated once per execution and `gated` runs only when it is true. gated null: a
   * relation proven empty at plan time (WHERE false), `One-Time Filter: false` with no child
   * (planner/constant-quals.ts).
   */
  | {
    readonly kind: 'result'; readonly schema: readonly OutputColumn[]; readonly gated: Plan | null; readonly oneTime: Expr;
    /** proven empty, a join: PostgreSQL estimates its width from its inputs' columns (a table's: 0) */
    readonly joined?: true;
  }
  /**
   * Set-returning functions in the select list (SELECT unnest(…)): output = input columns
   * plus one column per function; each input row yields as many rows as its longest
   * function result, shorter ones padded with NULL (PostgreSQL 10+ semantics). A function
   * with several output columns (json_each) yields a record value (Value[]) of type `type`.
   */
  | { readonly kind: 'projectSet'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly exprs: readonly Expr[]; readonly srfs: readonly { name: string; args: readonly Expr[]; type: SqlType; record?: boolean; /** a SQL function's body, run with args as its outer row */ plan?: Plan }[] }
  /**
   * algorithm: chosen by cost at plan time (rules/choose-join-algorithm.ts): 'hash' builds a
   * hash table on the right input's equi-join keys (planner/join-keys.ts) and probes it with
   * each left row; 'nestloop' holds the right rows and tests every pair. Unset (a plan that
   * was not optimized): hash when there are equi-join keys.
   * 'semi' / 'anti' (made from EXISTS, NOT EXISTS and IN subqueries by
   * planner/pull-up-sublinks.ts): each left row once if some right row passes the ON (semi)
   * or none does (anti); the output is the left row alone (schema = left's schema).
   */
  | {
    readonly kind: 'join'; readonly schema: readonly OutputColumn[]; readonly joinType: JoinType; readonly left: Plan; readonly right: Plan; readonly on: Expr | null; readonly lateral: boolean; readonly algorithm?: 'hash' | 'nestloop' | 'merge';
    /** a merge join (executor/merge-join.ts) whose right input is the outer one, read first (planner/merge-join-path.ts) */
    readonly mergeOuter?: 'right';
    /**
     * a merge join's merge clauses, in merge order: positions in the ON's equality keys
     * (join-keys.ts hashJoinKeys), the others tested as its Join Filter; unset: every key in
     * the ON's order (an index on (a) or (b, a) orders the inputs for a merge on a or on b, a)
     */
    readonly mergeKeys?: readonly number[];
    /** a merge join walking both inputs in descending key order, NULLs first (a backward Index Scan, a Sort DESC) */
    readonly mergeDesc?: true;
    /** a hash join (not semi / anti) that hashes its left input (the cheaper to hold), probing with the right */ readonly hashBuild?: 'left';
    /** the output columns anything above reads (rules/read-scan-columns.ts): the estimated width counts only these */
    readonly outputRead?: readonly number[];
    /** the comma of a FROM list (`FROM a, b`), not an explicit JOIN: which collapse limit bounds its reordering (planner/join-order.ts) */
    readonly fromList?: true;
    /**
     * a nested loop whose right input was made a parameterized index scan of the left row
     * (planner/param-index-join.ts, lateral): the ON and right input as written, which the
     * join's rows and match fractions are estimated from (cost.ts)
     */
    readonly parameterized?: { readonly on: Expr | null; readonly right: Plan };
    /** a parameterized nested loop's inner rows cached per value of the outer columns it reads (PostgreSQL's Memoize) */
    readonly memoize?: true;
    /**
     * an inner join standing for a semi join whose right input was made unique on its join
     * keys (planner/unique-semi-join.ts, PostgreSQL's JOIN_UNIQUE_INNER): its rows and match
     * fractions are the semi join's
     */
    readonly semiUnique?: true;
  }
  /** output: group-by values, then aggregate results */
  | { readonly kind: 'aggregate'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly groupBy: readonly Expr[]; readonly aggs: readonly AggregateCall[];
    /** GROUPING SETS / ROLLUP / CUBE: each set's GROUP BY expression numbers (the others are NULL in its groups); absent: one set of all */
    readonly groupingSets?: readonly (readonly number[])[];
    /** the grouping sets are one rollup over input sorted by its keys (rules/sort-grouping-rollup.ts): PostgreSQL's GroupAggregate */
    readonly rollupSorted?: true;
    /** a semi join's inner side made unique (PostgreSQL's UniquePath, unique-semi-join.ts): its keys' computation is not costed here */ readonly semiUnique?: true }
  /** output: input columns, then one column per window function */
  /**
   * the functions of one window clause (planner/window-plan.ts; the binder's node holds all
   * of them until planned), its input in the clause's order. `clause`: the clause's number
   * (PostgreSQL's winref: the order the query first names each window), for EXPLAIN
   */
  | {
    readonly kind: 'window'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly fns: readonly Extract<Expr, { kind: 'window' }>[]; readonly clause?: number;
    /** the query's ORDER BY, GROUP BY and DISTINCT expressions, numbered by PostgreSQL's parser before the windows' keys (window-plan.ts orders clauses by those numbers) */
    readonly sortGroupExprs?: readonly Expr[];
    /**
     * PostgreSQL 15's Run Condition (window-run-condition.ts), over this node's output: the
     * first row failing it ends its partition's output (and, without PARTITION BY, the scan)
     */
    readonly runCondition?: Expr;
    /**
     * a WindowAgg below the top of its stack: rows failing the Run Condition are still handed
     * on, with NULL for its functions (PostgreSQL's WINDOWAGG_PASSTHROUGH; the Filter above drops them)
     */
    readonly passThrough?: true;
  }
  /**
   * `presorted`: PostgreSQL's Incremental Sort (window-plan.ts, below a WindowAgg whose input
   * is already in the order of the first keys): each group of rows with equal presorted keys
   * is sorted and handed on (executor/incremental-sort.ts)
   */
  | {
    readonly kind: 'sort'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly keys: readonly SortKey[]; readonly presorted?: number;
    /**
     * the top of a subquery in FROM or an inlined WITH query: PostgreSQL reads it through a
     * SubqueryScan (cpu_tuple_cost a row), which holds nothing, so a nested loop may put a
     * Materialize over it (cost.ts nestLoopInner)
     */
    readonly subqueryScan?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
  }
  /**
   * ORDER BY … LIMIT k as a bounded heap: keeps offset + limit rows, never sorts all. With
   * no limit (null; only over a vector index, rules/order-by-vector-index.ts): an ordered
   * index scan, answering as pgvector's does (executor/vector-index-order.ts).
   */
  | {
    readonly kind: 'topk'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly keys: readonly SortKey[]; readonly limit: Expr | null; readonly offset: Expr | null; readonly vectorSearch?: VectorSearchInfo;
    /**
     * PostgreSQL's Incremental Sort (rules/incremental-sort-by-index.ts): the input arrives
     * ordered on the first `presorted` keys (an index scan), so only each group of rows with
     * equal presorted keys is sorted, and reading stops once the LIMIT's rows are out
     * (executor/incremental-sort.ts)
     */
    readonly presorted?: number;
    /** the top of a subquery in FROM, read through a SubqueryScan (see the Sort's) */
    readonly subqueryScan?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
  }
  | {
    readonly kind: 'limit'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly limit: Expr | null; readonly offset: Expr | null;
    /**
     * FETCH FIRST n ROWS WITH TIES: the ORDER BY keys (over the input's rows); after the n-th
     * row the rows equal to it on these keys pass too (nodeLimit.c's LIMIT_WINDOWEND_TIES)
     */
    readonly withTies?: readonly SortKey[];
    /** the top of a subquery in FROM, read through a SubqueryScan (see the Sort's) */
    readonly subqueryScan?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
  }
  /** DISTINCT (on = null) or DISTINCT ON (first n columns) */
  | {
    readonly kind: 'distinct'; readonly schema: readonly OutputColumn[]; readonly input: Plan; readonly on: readonly Expr[] | null;
    /** a FROM subquery's DISTINCT ON, read through a SubqueryScan (see readAsSubquery) */
    readonly subqueryScan?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
  }
  | {
    readonly kind: 'setop'; readonly schema: readonly OutputColumn[]; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: Plan; readonly right: Plan;
    /** a FROM subquery's UNION / INTERSECT / EXCEPT, read through a SubqueryScan (see readAsSubquery) */
    readonly subqueryScan?: true;
    /** an INTERSECT whose operands were swapped to hash the one with fewer groups first (rules/intersect-smaller-first.ts) */
    readonly swapped?: true;
    /** the FROM item's name, for that SubqueryScan (EXPLAIN: Subquery Scan on s) */
    readonly subqueryAlias?: string;
  }
  /**
   * WITH RECURSIVE: the non-recursive term, then the recursive term run again and again
   * over the previous round's rows (the work table) until it adds none; UNION drops
   * duplicates, UNION ALL keeps them.
   */
  | { readonly kind: 'recursiveUnion'; readonly schema: readonly OutputColumn[]; readonly nonRecursive: Plan; readonly recursive: Plan; readonly all: boolean; readonly workTable: number }
  /** inside the recursive term: the rows the previous round produced */
  | { readonly kind: 'workTableScan'; readonly schema: readonly OutputColumn[]; readonly workTable: number }
  /** a SQL-language function in FROM (RETURNS TABLE / SETOF): its body, run with the arguments as outer row */
  | { readonly kind: 'sqlFunctionScan'; readonly schema: readonly OutputColumn[]; readonly name: string; readonly args: readonly Expr[]; readonly body: Plan }
  /**
   * a CTE: computed once per execution, every reference reads its rows. One referenced once
   * (and not MATERIALIZED) is inlined by the planner (planner/inline-ctes.ts).
   * `alias`: the name the query reads it under, when not the CTE's own.
   */
  | { readonly kind: 'cteScan'; readonly schema: readonly OutputColumn[]; readonly cte: CteRef; readonly alias?: string };

/**
 * A bitmap of rows from B-tree indexes: a Bitmap Index Scan (`cond`: its Index Cond, the
 * comparisons on the key `columns` of index `keyName`; with `expression`, comparisons of an
 * expression index's key, computed from `columns[0]`), or the union / intersection of others.
 */
export type BitmapPath =
  | { readonly kind: 'index'; readonly keyName: string; readonly columns: readonly number[]; readonly cond: readonly Expr[]; readonly expression?: true }
  | { readonly kind: 'or' | 'and'; readonly args: readonly BitmapPath[] };

/** One WITH query, shared by its references. */
export interface CteRef {
  plan: Plan;
  readonly id: number;
  /** its name in WITH (EXPLAIN: CTE Scan on name) */
  readonly name?: string;
  /** AS MATERIALIZED ('always') / AS NOT MATERIALIZED ('never'); absent: PostgreSQL's default */
  readonly materialized?: 'always' | 'never';
  /** WITH RECURSIVE: never inlined */
  readonly recursive?: boolean;
  /** a data-modifying WITH query (INSERT / UPDATE / DELETE … RETURNING): never inlined; `plan` stands for its rows, run beforehand */
  readonly modifying?: boolean;
  /** a data-modifying one's source: how many rows it returns is estimated from it (it is not run from here) */
  readonly rowsFrom?: Plan;
}

/** What EXPLAIN shows for an ORDER BY distance LIMIT k plan. */
export interface VectorSearchInfo {
  readonly operator: string;
  readonly column: string;
  readonly index?: IndexDef;
  /** exact: every row's distance; hnsw / ivfflat: per segment through the index (see executor/vector-search.ts) */
  readonly strategy: 'exact' | 'hnsw' | 'ivfflat';
}

/**
 * A statement's plan → how many range table entries PostgreSQL's would have (each FROM item,
 * view, subquery in FROM, FROM-less SELECT's RTE_RESULT, in every subquery): EXPLAIN
 * qualifies column names in Output when there is more than one. Counted by the binder,
 * as FROM subqueries and views leave no node of their own in the optimized plan.
 */
export const rangeTableSizes = new WeakMap<Plan, number>();

/**
 * A subquery's plan as a FROM item reads it: a Sort, Limit, ORDER BY … LIMIT or DISTINCT ON at its top,
 * a UNION / INTERSECT / EXCEPT, or a select list over window functions (a subquery PostgreSQL does not pull up,
 * prepjointree.c's is_simple_subquery), marked as read through a SubqueryScan named
 * `alias`. The node above it costs cpu_tuple_cost a row (cost_subqueryscan); EXPLAIN shows
 * it where PostgreSQL keeps it (a condition stays on it: setrefs.c's trivial_subqueryscan).
 */
export function readAsSubquery(plan: Plan, alias?: string): Plan {
  const named = alias !== undefined ? { subqueryAlias: alias } : {};
  switch (plan.kind) {
    case 'sort': case 'limit': case 'topk':
      return plan.subqueryScan ? plan : { ...plan, subqueryScan: true, ...named };
    // DISTINCT ON: a condition on its keys goes below it, any other stays in the scan
    case 'distinct':
      return plan.subqueryScan || plan.on === null ? plan : { ...plan, subqueryScan: true, ...named };
    case 'project':
      return plan.subqueryScan || !notPulledUp(plan.input) ? plan : { ...plan, subqueryScan: true, ...named };
    // a UNION ALL that coerces no operand is pulled up (an append relation); the others are not
    case 'setop':
      return plan.subqueryScan || isSimpleUnionAll(plan) ? plan : { ...plan, subqueryScan: true, ...named };
    default:
      return plan;
  }
}

/**
 * Below a subquery's select list: window functions, or (under the projection hiding the
 * ORDER BY keys the select list lacks) a Sort, a Limit, an ORDER BY … LIMIT.
 */
function notPulledUp(plan: Plan): boolean {
  switch (plan.kind) {
    case 'window': case 'sort': case 'limit': case 'topk': return true;
    case 'distinct': return plan.on !== null;
    case 'project': return notPulledUp(plan.input);
    default: return false;
  }
}

export function col(name: string, type: SqlType, tableOid = 0, attnum = 0): OutputColumn {
  return { name, type, tableOid, attnum };
}
