/** CREATE EXTENSION: the extensions Quiver has built in (vector, plpgsql) are recorded; others are not available. */
import { SqlError, SqlState } from '../../errors.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { notice, type DdlContext } from './context.js';

const KNOWN_EXTENSIONS: Record<string, string> = { vector: '0.8.6', plpgsql: '1.0' };

export function createExtension(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'createExtension' }>): void {
  const { name } = stmt;
  if (ctx.catalog.extensions.has(name)) {
    if (stmt.ifNotExists) {
      notice(ctx, `extension "${name}" already exists, skipping`, SqlState.duplicateObject);
      return;
    }
    throw new SqlError(SqlState.duplicateObject, `extension "${name}" already exists`);
  }
  // the built-in extensions' objects live in public: SCHEMA s is checked, their place stays (pg_dump's output restores anywhere)
  if (stmt.schema !== undefined && !ctx.catalog.schemaExists(stmt.schema)) throw new SqlError('3F000', `schema "${stmt.schema}" does not exist`);
  const version = KNOWN_EXTENSIONS[name];
  if (!version) {
    throw new SqlError(SqlState.featureNotSupported, `extension "${name}" is not available`, {
      detail: `Could not open extension control file "/usr/share/postgresql/15/extension/${name}.control": No such file or directory.`,
      hint: 'The extension must first be installed on the system where PostgreSQL is running.',
    });
  }
  ctx.catalog.extensions.set(name, { oid: ctx.catalog.allocateOid(), name, version });
  ctx.catalog.version++;
}
