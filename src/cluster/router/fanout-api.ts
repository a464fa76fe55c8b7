/**
 * The seam between the shard router (which runs statements on shard leaders) and the
 * fan-out planner (which says how a SELECT over sharded tables is run on every shard
 * and how the shards' answers merge into the client's). Rows are Quiver values
 * (src/types/types.ts), decoded from the shards' results by the router.
 */
import type { FieldInfo } from '../../wire/backend.js';
import type { Row, SqlType } from '../../types/types.js';
import type { SqlError } from '../../errors.js';

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

/** How to run a SELECT on every shard and merge the answers. */
export interface FanoutPlan {
  /** the statement every shard runs, with the client's $n parameters unchanged */
  readonly shardSql: string;
  /** the client's result: its fields and rows (hidden merge columns dropped) */
  merge(results: readonly ShardResult[]): ShardResult;
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
