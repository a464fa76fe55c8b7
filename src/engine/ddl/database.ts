/** CREATE / DROP DATABASE: never inside a transaction block, as in PostgreSQL. */
import { SqlError, SqlState } from '../../errors.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { notice, type DdlContext } from './context.js';

function databases(ctx: DdlContext, command: string): NonNullable<DdlContext['databases']> {
  if (ctx.inTransactionBlock) throw new SqlError(SqlState.activeSqlTransaction, `${command} cannot run inside a transaction block`);
  if (!ctx.databases) throw new SqlError(SqlState.internalError, `bug: ${command} without the server's databases`);
  return ctx.databases;
}

export async function createDatabase(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createDatabase' }>): Promise<void> {
  await databases(ctx, 'CREATE DATABASE').create(stmt.name);
}

export async function dropDatabase(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'dropDatabase' }>): Promise<void> {
  if (!(await databases(ctx, 'DROP DATABASE').drop(stmt.name, stmt.missingOk))) notice(ctx, `database "${stmt.name}" does not exist, skipping`);
}
