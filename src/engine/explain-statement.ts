/** EXPLAIN [ANALYZE] [VERBOSE]: the plan's text, and with ANALYZE its run's rows and times. */
import { runDml } from '../executor/dml.js';
import { runPlan, type RunContext } from '../executor/operators.js';
import { drainAll } from '../executor/suspend.js';
import { explainPlan } from '../planner/explain.js';
import type { BoundStatement } from '../sql/statement.js';
import { T, type Value } from '../types/types.js';
import type { ExecResult } from '../wire/backend.js';
import type { SessionContext } from './context.js';

export async function runExplain(ctx: SessionContext, stmt: Extract<BoundStatement, { kind: 'explain' }>, params: readonly Value[]): Promise<ExecResult> {
  const plan = stmt.plan;
  let metrics: RunContext['metrics'];
  const vectorStats: RunContext['vectorStats'] = new Map();
  const scanStats: RunContext['scanStats'] = new Map();
  let totalMs = 0;
  if (stmt.analyze) {
    metrics = new Map();
    const rc = { ...ctx.runContext(ctx.tx.txn, metrics), vectorStats, scanStats };
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
  const lines = explainPlan(plan, { metrics, vectorStats, scanStats, verbose: stmt.verbose, dml: stmt.dml, rowCount: (oid) => ctx.engine.storage.rowCount(oid) });
  if (stmt.analyze) lines.push(`Execution Time: ${totalMs.toFixed(3)} ms`);
  return { kind: 'rows', fields: [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, columnAttr: 0 }], rows: lines.map((l) => [l]), tag: `EXPLAIN` };
}
