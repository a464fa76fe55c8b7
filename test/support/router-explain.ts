/**
 * What the router EXPLAIN tests share: the router's node title, the fan-out planner's plan of
 * a statement over the tests' sharded tables, and checks that each task the router shows is
 * the shard's own EXPLAIN of the statement it is sent.
 */
import assert from 'node:assert/strict';
import * as pgQuery from 'libpg-query';
import { planFanout } from '../../src/cluster/router/fanout-plan.js';
import type { FanoutPlan, ShardedTable } from '../../src/cluster/router/fanout-api.js';
import type { ShardedRouter } from './shard-router-harness.js';

/** the router's top node in a text EXPLAIN */
export const ROUTER_NODE = 'Custom Scan (Quiver Router)';

/** a task as the router prints it: its `Node:` line and the shard's plan under it */
export interface TaskText { node: string; plan: string[] }

/** the fan-out planner's plan of `sql` (tables items and copies, keyed by id), as the router makes it */
export function fanout(sql: string): FanoutPlan {
  const tables = new Map<string, ShardedTable>(['items', 'copies'].map((name, i) => [name, { schema: 'public', name, oid: i + 1, keyColumns: ['id'] }]));
  const plan = planFanout(sql, pgQuery.parseSync(sql), (_schema, name) => tables.get(name));
  if (!('shardSql' in plan)) throw plan;
  return plan;
}

/**
 * EXPLAIN helpers over a router started with `direct` clients of its shards, read when called
 * (the tests start it in `before`)
 */
/** node-pg's type parsers replaced by the text as sent */
export const RAW_TEXT = { getTypeParser: () => (text: string) => text };

export function explainChecks(cluster: () => ShardedRouter) {
  // the plan's text as the server sent it (FORMAT JSON's column is json, which node-pg would parse)
  const explain = async (sql: string, values?: unknown[]): Promise<string[]> => (await cluster().client.query({ text: sql, values, types: RAW_TEXT })).rows.map((r) => r['QUERY PLAN']);
  /** `sql` explained by shard `k` itself */
  const onShard = async (k: number, sql: string, values?: unknown[]): Promise<string[]> => (await cluster().direct[k]!.query({ text: sql, values, types: RAW_TEXT })).rows.map((r) => r['QUERY PLAN']);
  const count = async (sql: string): Promise<number> => Number((await cluster().client.query(sql)).rows[0].n);
  /** every task is the shard's own EXPLAIN (`options`) of `shardSql(k)` with `values(k)`, one task per shard of `shardList` */
  async function assertTasks(tasks: readonly TaskText[], options: string, shardSql: (k: number) => string, shardList = [0, 1], values?: (k: number) => unknown[] | undefined): Promise<void> {
    assert.equal(tasks.length, shardList.length);
    for (const [i, k] of shardList.entries()) {
      assert.equal(tasks[i]!.node, `shard=${k} host=127.0.0.1 port=${cluster().shards[k]!.port}`);
      assert.deepEqual(tasks[i]!.plan, await onShard(k, `EXPLAIN (${options}) ${shardSql(k)}`, values?.(k)));
    }
  }
  return { explain, onShard, count, assertTasks };
}
