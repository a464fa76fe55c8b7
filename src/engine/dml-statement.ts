/** INSERT / UPDATE / DELETE: one statement, its own transaction outside a block, retried on a row conflict. */
import { SqlError } from '../errors.js';
import { runDml } from '../executor/dml.js';
import { settingMillis } from './settings.js';
import type { DmlStatement } from '../sql/bind-dml.js';
import { RowConflict } from '../storage/api.js';
import type { Value } from '../types/types.js';
import type { ExecResult, FieldInfo } from '../wire/backend.js';
import type { SessionContext } from './context.js';

export async function runDmlStatement(ctx: SessionContext, dml: DmlStatement, fields: readonly FieldInfo[] | null, params: readonly Value[]): Promise<ExecResult> {
  const verb = dml.kind.toUpperCase();
  ctx.tx.checkWritable(verb);
  const implicit = ctx.tx.idle;
  let result;
  // READ COMMITTED: a row another transaction is changing is waited for, and the
  // statement then runs again on a fresh snapshot (PostgreSQL re-checks the row instead;
  // the outcome is the same for single-row updates like pgbench's).
  for (let attempt = 0; ; attempt++) {
    const txn = implicit ? ctx.engine.storage.begin() : ctx.tx.txn!;
    const mark = txn.mark();
    const rc = ctx.runContext(txn);
    try {
      result = await runDml(dml, rc, ctx.execEnv(params, rc), txn);
      if (implicit) {
        await ctx.awaitSequenceLogs();
        await txn.commit();
      }
      break;
    } catch (e) {
      if (implicit) txn.rollback();
      else txn.rollbackTo(mark);
      if (!(e instanceof RowConflict) || attempt >= 1000) throw e;
      // the run again reads the newest data, not the router's read timestamp (commit-clock.ts)
      ctx.tx.timestampSnapshot = undefined;
      if (e.waitFor) {
        ctx.activity.waitingForLock(true);
        try {
          await ctx.control.waitForLock(e.waitFor, settingMillis(ctx.settings.get('lock_timeout')));
        } finally {
          ctx.activity.waitingForLock(false);
        }
      } else ctx.checkCancelled();
      // REPEATABLE READ keeps its snapshot: a row changed since then cannot be updated
      if (ctx.tx.snapshot && !e.waitFor) {
        throw new SqlError('40001', 'could not serialize access due to concurrent update');
      }
    }
  }
  const tag = dml.kind === 'insert' ? `INSERT 0 ${result.count}` : `${verb} ${result.count}`;
  if (result.returned) return { kind: 'rows', fields: fields!, rows: result.returned, tag };
  return { kind: 'command', tag };
}
