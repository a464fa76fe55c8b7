/**
 * Adding a unique key to a table that already has rows: a duplicate among them is the
 * user's error, reported like PostgreSQL's index build (23505 "could not create unique
 * index"), not the storage layer's bare UniqueViolation.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ColumnDef, IndexExpression } from '../../catalog/catalog.js';
import { violatedKey } from '../../executor/dml.js';
import { UniqueViolation, type UniqueKeySpec } from '../../storage/api.js';
import type { DdlContext } from './context.js';

export async function addUniqueKeyChecked(ctx: DdlContext, tableOid: number, columns: readonly ColumnDef[], spec: UniqueKeySpec, expression?: IndexExpression): Promise<void> {
  try {
    await ctx.storage.addUniqueKey(tableOid, spec, ctx.interrupted);
  } catch (e) {
    if (ctx.interrupted?.aborted) ctx.checkCancelled?.();
    throw indexBuildError(e, columns, expression);
  }
}

/** A UniqueViolation met while (re)building a table's unique keys, as PostgreSQL reports it; other errors unchanged. */
export function indexBuildError(e: unknown, columns: readonly ColumnDef[], expression?: IndexExpression): unknown {
  if (!(e instanceof UniqueViolation)) return e;
  const { names, values } = violatedKey(columns, e, expression);
  return new SqlError(SqlState.uniqueViolation, `could not create unique index "${e.keyName}"`, {
    detail: `Key (${names})=(${values}) is duplicated.`,
  });
}
