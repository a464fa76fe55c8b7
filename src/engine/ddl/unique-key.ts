/**
 * Adding a unique key to a table that already has rows: a duplicate among them is the
 * user's error, reported like PostgreSQL's index build (23505 "could not create unique
 * index"), not the storage layer's bare UniqueViolation.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef } from '../../catalog/catalog.js';
import { UniqueViolation, type UniqueKeySpec } from '../../storage/api.js';
import { formatText } from '../../types/text-io.js';
import type { DdlContext } from './context.js';

export async function addUniqueKeyChecked(ctx: DdlContext, tableOid: number, columns: readonly ColumnDef[], spec: UniqueKeySpec): Promise<void> {
  try {
    await ctx.storage.addUniqueKey(tableOid, spec, ctx.interrupted);
  } catch (e) {
    if (ctx.interrupted?.aborted) ctx.checkCancelled?.();
    throw indexBuildError(e, columns);
  }
}

/** A UniqueViolation met while (re)building a table's unique keys, as PostgreSQL reports it; other errors unchanged. */
export function indexBuildError(e: unknown, columns: readonly ColumnDef[]): unknown {
  if (!(e instanceof UniqueViolation)) return e;
  const names = e.columns.map((c) => columns[c].name).join(', ');
  const values = e.columns.map((c) => (e.values[c] === null ? 'null' : formatText(columns[c].type, e.values[c]))).join(', ');
  return new SqlError(SqlState.uniqueViolation, `could not create unique index "${e.keyName}"`, {
    detail: `Key (${names})=(${values}) is duplicated.`,
  });
}
