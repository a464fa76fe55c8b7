/**
 * ON COMMIT DELETE ROWS | DROP (PreCommit_on_commit_actions): after each transaction that
 * commits — a statement outside a block, or COMMIT — the session's temporary tables with
 * DELETE ROWS are emptied and those with DROP are dropped. (PostgreSQL runs them just
 * before the commit; nothing else can see a session's temporary tables, so just after
 * is the same to everyone.)
 */
import { leafPartitions } from '../catalog/partitions.js';
import type { SessionContext } from './context.js';
import { dropTempStorage, onCommitTables, removeTempTables } from './temp-schema.js';
import { truncateRows } from './utility.js';

export async function runOnCommitActions(ctx: SessionContext): Promise<void> {
  if (ctx.temp.name === undefined || !ctx.tx.idle) return;
  const { deleteRows, drop } = onCommitTables(ctx.catalog, ctx.temp.name);
  if (drop.length) await dropTempStorage(ctx.engine.storage, removeTempTables(ctx.catalog, drop));
  const leaves = deleteRows.filter((t) => ctx.catalog.tables.has(t.oid)).flatMap((t) => leafPartitions(ctx.catalog, t).filter((x) => x.kind === 'r'));
  if (leaves.length) await truncateRows(ctx, leaves);
}
