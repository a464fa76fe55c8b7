/** EXPLAIN [ANALYZE] [(options)]: the plan's text or JSON, and with ANALYZE its run's rows and times. */
import { runDml } from '../executor/dml.js';
import { runPlan, type RunContext } from '../executor/operators.js';
import { drainAll } from '../executor/suspend.js';
import { CostModel } from '../planner/cost.js';
import { explainPlan } from '../planner/explain.js';
import type { BoundStatement } from '../sql/statement.js';
import { T, type Value } from '../types/types.js';
import type { ExecResult } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { costEnvOf, explainField } from './prepare.js';

export async function runExplain(ctx: SessionContext, stmt: Extract<BoundStatement, { kind: 'explain' }>, params: readonly Value[]): Promise<ExecResult> {
  const plan = stmt.plan;
  const flags = stmt.flags;
  let metrics: RunContext['metrics'];
  const vectorStats: RunContext['vectorStats'] = new Map();
  const scanStats: RunContext['scanStats'] = new Map();
  const textStats: RunContext['textStats'] = new Map();
  const spillStats: RunContext['spillStats'] = new Map();
  const heapFetches: RunContext['heapFetches'] = new Map();
  const removedRows: RunContext['removedRows'] = new Map();
  const conflicts = { conflicting: 0, filtered: 0 };
  const merged = { inserted: 0, updated: 0, deleted: 0, skipped: 0 };
  const memoryStats: RunContext['memoryStats'] = new Map();
  const partitionRuns: RunContext['partitionRuns'] = new Map();
  let workMemBytes: number | undefined;
  let totalMs = 0;
  if (flags.analyze) {
    metrics = new Map();
    // (assigned, not spread: the run context's lazy parts are getters of its class)
    const rc = Object.assign(ctx.runContext(ctx.tx.txn, metrics), { vectorStats, scanStats, textStats, spillStats, heapFetches, removedRows, memoryStats, partitionRuns, conflicts, merged });
    workMemBytes = rc.workMemBytes;
    const t0 = performance.now();
    if (stmt.dml) {
      const txn = ctx.tx.idle ? ctx.engine.storage.begin() : ctx.tx.txn!;
      await runDml(stmt.dml, rc, ctx.execEnv(params, rc), txn);
      if (ctx.tx.idle) await txn.commit();
    } else {
      const env = ctx.execEnv(params, rc);
      await drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
    }
    totalMs = performance.now() - t0;
  }
  const model = new CostModel(ctx.catalog, costEnvOf(ctx));
  const lines = explainPlan(plan, {
    metrics, vectorStats, scanStats, textStats, spillStats, heapFetches, removedRows, memoryStats, partitionRuns, conflicts, merged,
    // hash_mem_multiplier is 2 (PostgreSQL 15's default)
    workMemBytes, hashMemBytes: workMemBytes && workMemBytes * 2, verbose: flags.verbose, costs: flags.costs, timing: flags.timing, format: flags.format, dml: stmt.dml?.kind === 'select' ? null : stmt.dml, withQueries: stmt.dml?.with ?? [], model,
  }, flags.summary ? { planningMs: stmt.planningMs, executionMs: flags.analyze ? totalMs : undefined } : {});
  return { kind: 'rows', fields: [explainField(flags.format)], rows: lines.map((l) => [l]), tag: `EXPLAIN` };
}

