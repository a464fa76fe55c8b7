/**
 * The contract between the binder/executor and the built-in functions, operators, casts
 * and aggregates. The binder calls resolve*() with argument types (OID.unknown for
 * untyped literals and not-yet-typed parameters) and gets back the chosen implementation
 * plus the type each argument must be cast to; the executor calls impl() with values.
 */
import type { SqlType, Value } from '../types/types.js';
import type { RegNameLookups } from '../types/text-io.js';

/** Session state that some functions read (current_user, TimeZone, nextval …). */
export interface EvalContext {
  /** session settings by lower-case name (timezone, datestyle, extra_float_digits, search_path …) */
  setting(name: string): string | undefined;
  /** statement start, microseconds since the Unix epoch (now(), current_timestamp) */
  readonly statementTimestamp: number;
  /** transaction start, microseconds since the Unix epoch */
  readonly transactionTimestamp: number;
  readonly user: string;
  readonly database: string;
  /** send a NOTICE to the client (absent where nobody listens, e.g. in query workers) */
  notice?(message: string): void;
  /** services the engine provides to functions (sequences, catalog lookups) */
  readonly services: FunctionServices;
  /**
   * pg_sleep: the statement waits `ms` at its next step without holding the thread (the
   * plan's driver does the waiting); absent where nothing drives a plan (query workers)
   */
  sleep?(ms: number): void;
  /**
   * BM25's corpus: one tsvector key (a column, or to_tsvector(config, a text column)) over
   * a table's live rows at the statement's snapshot; absent where no table is at hand
   */
  textCorpus?(table: number, column: number, config: number | undefined): TextCorpus;
}

/** Corpus statistics for BM25 (over the rows whose key is not NULL). */
export interface TextCorpus {
  /** N: rows */
  readonly docs: number;
  /** avgdl: mean document length (sum of lexeme frequencies) */
  readonly avgLength: number;
  /** n(t): rows holding the lexeme (with `prefix`, any lexeme starting with it) */
  documents(word: string, prefix: boolean): number;
}

/** regproc / regnamespace / regrole input by name and the latter two's output come with RegNameLookups (engine/reg-names.ts) */
export interface FunctionServices extends Omit<RegNameLookups, 'relationOid'> {
  nextval(sequence: string): bigint;
  currval(sequence: string): bigint;
  /** the value nextval last returned in this session, whichever sequence */
  lastval(): bigint;
  /** random(): the session's generator (PostgreSQL's), which setseed seeds; absent in query workers */
  random?(): number;
  setseed?(seed: number): void;
  setval(sequence: string, value: bigint, isCalled: boolean): bigint;
  /** relation name → oid for ::regclass, or undefined */
  relationOid(name: string): number | undefined;
  relationName(oid: number): string | undefined;
  /** regproc output: a function's name for an OID (regprocedure's `name(argtypes)` with `signature`), or undefined */
  procName?(oid: number, signature?: boolean): string | undefined;
  /** a table's place in a partition tree (undefined: no such table) */
  partitionInfo(oid: number): PartitionInfo | undefined;
}

export interface PartitionInfo {
  /** the partitioned table this one is a partition of */
  readonly parent: number | undefined;
  /** its partitions, by OID (a partitioned table) */
  readonly children: readonly number[];
  readonly partitioned: boolean;
}

export interface ScalarFunction {
  readonly kind: 'scalar';
  /** the types the arguments are cast to before impl() is called */
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  /** strict: any NULL argument → NULL result, impl() is not called */
  readonly strict: boolean;
  /** volatile functions (random(), nextval()) are never constant-folded */
  readonly volatile: boolean;
  impl(args: readonly Value[], ctx: EvalContext): Value;
}

export interface AggregateFunction<S = unknown> {
  readonly kind: 'aggregate';
  readonly argTypes: readonly SqlType[];
  readonly returnType: SqlType;
  /** strict aggregates skip rows where any argument is NULL (count(x), sum(x) …) */
  readonly strict: boolean;
  init(): S;
  step(state: S, args: readonly Value[], ctx: EvalContext): S;
  /** `direct`: an ordered-set aggregate's direct arguments (percentile_disc(0.5) → [0.5]), evaluated per group */
  final(state: S, ctx: EvalContext, direct?: readonly Value[]): Value;
  /**
   * Moving-aggregate inverse (PostgreSQL's msfunc/minvfunc): remove one row's arguments from
   * the state, so a sliding window frame costs O(1) per row. Returns undefined when it cannot
   * (e.g. a NaN left the numeric sum): the caller then restarts from init().
   */
  readonly inverse?: (state: S, args: readonly Value[], ctx: EvalContext) => S | undefined;
}

export interface CastFunction {
  /** convert a non-null value of `from` to `to` (typmod applied: varchar(n), vector(n), numeric(p,s)) */
  (value: Value, ctx: EvalContext): Value;
}

export type CastContext = 'implicit' | 'assignment' | 'explicit';
