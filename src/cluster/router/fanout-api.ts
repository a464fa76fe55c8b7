/**
 * The seam between the shard router (which runs statements on shard leaders) and the
 * fan-out planner (which says how a SELECT over sharded tables is run on every shard
 * and how the shards' answers merge into the client's). Rows are Quiver values
 * (src/types/types.ts), decoded from the shards' results by the router.
 */
import type { FieldInfo } from '../../wire/backend.js';
import type { Row, SqlType, Value } from '../../types/types.js';
import type { SqlError } from '../../errors.js';
import type { MergeSpec } from './fanout-merge.js';

/** One shard's answer to the fan-out statement. */
export interface ShardResult {
  readonly fields: readonly FieldInfo[];
  readonly rows: readonly Row[];
}

/** What the router knows of a table when it plans (from shard 0's catalog). */
export interface ShardedTable {
  /** schema-qualified as the catalog has it */
  readonly schema: string;
  readonly name: string;
  readonly oid: number;
  /** the distribution key: the primary key's columns (empty: rows placed round robin) */
  readonly keyColumns: readonly string[];
  /**
   * the key columns' types: a key hashes by its type's binary form, so tables are co-located
   * (equal keys on one shard) only when these agree (absent: not checked)
   */
  readonly keyTypes?: readonly SqlType[];
}

/**
 * Shard 0 as a plan's last step sees it: it holds the whole catalog and every function, so a
 * statement run there over the combined groups evaluates the client's expressions exactly as
 * one server does (casts, rounding, NULLs, errors, result types).
 */
export interface FinalStatementRunner {
  /** how many $n the client's statement has: the final statement's own values are $n after them */
  readonly clientParams: number;
  /** the client's result columns as shard 0 describes the client's statement (null: unknown) */
  readonly fields: readonly FieldInfo[] | null;
  /** run `sql` on shard 0 (in the client's transaction) with the client's parameters, then `values` typed `types` */
  run(sql: string, types: readonly SqlType[], values: readonly Value[]): Promise<ShardResult>;
}

/** How to run a SELECT on every shard and merge the answers. */
export interface FanoutPlan {
  /** the statement every shard runs, with the client's $n parameters unchanged */
  readonly shardSql: string;
  /** the client's result: its fields and rows (hidden merge columns dropped) */
  merge(results: readonly ShardResult[]): ShardResult;
  /**
   * present when the merge alone cannot give the answer (expressions over aggregates): the
   * client's result from the shards' answers and one more statement on shard 0; when
   * present the router calls it instead of merge()
   */
  finish?(results: readonly ShardResult[], shard0: FinalStatementRunner): Promise<ShardResult>;
  /**
   * present when the merge only concatenates or sorts the shards' rows (no grouping, no
   * DISTINCT): the router may then stream them (stream.ts) instead of calling merge()
   */
  readonly stream?: Pick<MergeSpec, 'hiddenCount' | 'sort' | 'limit' | 'offset'>;
  /** what the merge does, as EXPLAIN through the router shows it (fanout-explain.ts) */
  readonly steps?: MergeSteps;
}

/** The router's merge of a fan-out, in the client's words (expressions as written). */
export interface MergeSteps {
  /** the client's select-list expressions (VERBOSE's Output; empty for `*`, which the shards expand) */
  readonly output: readonly string[];
  /** concatenate the shards' rows, or combine their partial aggregates per group */
  readonly merge: 'concatenate' | 'combine';
  readonly groupKeys: readonly string[];
  /** the HAVING the router applies to the combined groups */
  readonly having?: string | undefined;
  readonly distinct: boolean;
  readonly distinctOn: readonly string[];
  /** sort keys as PostgreSQL's `Sort Key` writes them (`d DESC`, `x NULLS FIRST`) */
  readonly sortKeys: readonly string[];
  readonly limit?: string | undefined;
  readonly offset?: string | undefined;
  /** the client's clauses run on shard 0 over the combined groups (fanout-final.ts) */
  readonly finalOnShard0: boolean;
}

/**
 * Plan a SELECT (its SQL text and libpg-query's parse of it) that reads sharded tables:
 * a FanoutPlan, or a SqlError (0A000) saying which shape a sharded cluster cannot run yet.
 * `tableOf` resolves a relation name as the statement names it (undefined: not a table,
 * or not sharded, e.g. a pg_catalog view).
 */
export type PlanFanout = (
  sql: string,
  parsed: unknown,
  tableOf: (schema: string | undefined, name: string) => ShardedTable | undefined,
) => FanoutPlan | SqlError;
