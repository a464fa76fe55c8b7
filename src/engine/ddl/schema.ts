/** CREATE SCHEMA: only the schemas that exist already (IF NOT EXISTS); new schemas are not supported yet. */
import { SqlError, SqlState } from '../../errors.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { notice, type DdlContext } from './context.js';

export function createSchema(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createSchema' }>): void {
  const { name } = stmt;
  if (name === 'public' || name === 'pg_catalog' || name === 'information_schema') {
    if (stmt.ifNotExists) {
      notice(ctx, `schema "${name}" already exists, skipping`, '42P06');
      return;
    }
    throw new SqlError('42P06', `schema "${name}" already exists`);
  }
  throw new SqlError(SqlState.featureNotSupported, 'CREATE SCHEMA is not supported yet');
}
