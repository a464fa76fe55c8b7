/**
 * The one entry from the parser's tree to DDL nodes: bindDdl turns a DDL statement into a
 * BoundDdl (types.ts) and says undefined for any other statement. The engine runs the
 * result (src/engine/ddl/index.ts runDdl) without ever seeing the library's tree.
 */
import type { CreateTableAsStmt, Node, ReindexStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import type { SqlType } from '../../types/types.js';
import type { RawNode } from '../parser.js';
import { bindAlterTable } from './bind-alter-table.js';
import { bindCreateFunction } from './bind-function.js';
import { bindAlterDomain, bindAlterDomainObject, bindAlterEnum, bindAlterTypeObject, bindCreateDomain, bindCreateEnum, bindCreateComposite } from './bind-type.js';
import { bindAlterSequence, bindComment, bindCreateIndex, bindCreateSequence, bindCreateView, bindDrop, bindRename, bindTruncate, viewNameRefs, viewQueryText } from './bind-objects.js';
import { parsedExpr } from './parsed-expr.js';
import { bindCreateTable, onCommitOf } from './bind-table.js';
import { bindAlterSchemaOwner, bindCreateSchema, bindRenameSchema, bindSetSchema } from './bind-schema.js';
import { bindAlterPolicy, bindCreatePolicy, bindDropPolicy, bindRenamePolicy } from './bind-policy.js';
import { names, pos, qualified } from './tree.js';
import type { BoundDdl, CreateTableAs } from './types.js';

/**
 * `node` is a statement as parseSql returned it; `statement` is its own text (CREATE VIEW
 * keeps its query as written).
 */
export function bindDdl(statementNode: RawNode | Node, statement: string): BoundDdl | undefined {
  const node = statementNode as Node;
  if ('CreateStmt' in node) return bindCreateTable(node.CreateStmt);
  if ('CreateEnumStmt' in node) return bindCreateEnum(node.CreateEnumStmt);
  if ('CompositeTypeStmt' in node) return bindCreateComposite(node.CompositeTypeStmt);
  if ('AlterEnumStmt' in node) return bindAlterEnum(node.AlterEnumStmt);
  const alterType = bindAlterTypeObject(node);
  if (alterType) return alterType;
  if ('CreateDomainStmt' in node) return bindCreateDomain(node.CreateDomainStmt);
  if ('AlterDomainStmt' in node) return bindAlterDomain(node.AlterDomainStmt);
  const alterDomain = bindAlterDomainObject(node);
  if (alterDomain) return alterDomain;
  if ('CreatePolicyStmt' in node) return bindCreatePolicy(node.CreatePolicyStmt, statement);
  if ('AlterPolicyStmt' in node) return bindAlterPolicy(node.AlterPolicyStmt, statement);
  if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_POLICY') return bindDropPolicy(node.DropStmt);
  if ('RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_POLICY') return bindRenamePolicy(node.RenameStmt);
  if ('AlterTableStmt' in node) return bindAlterTable(node.AlterTableStmt);
  if ('DropStmt' in node) return bindDrop(node.DropStmt);
  if ('IndexStmt' in node) return bindCreateIndex(node.IndexStmt);
  if ('ViewStmt' in node) return bindCreateView(node.ViewStmt, statement);
  if ('CreateSeqStmt' in node) return bindCreateSequence(node.CreateSeqStmt);
  if ('AlterSeqStmt' in node) return bindAlterSequence(node.AlterSeqStmt);
  if ('CreateFunctionStmt' in node) return bindCreateFunction(node.CreateFunctionStmt);
  if ('CommentStmt' in node) return bindComment(node.CommentStmt);
  if ('RenameStmt' in node) return bindRenameSchema(node.RenameStmt) ?? bindRename(node.RenameStmt);
  if ('TruncateStmt' in node) return bindTruncate(node.TruncateStmt);
  if ('ReindexStmt' in node) return bindReindex(node.ReindexStmt);
  if ('RefreshMatViewStmt' in node) {
    const n = node.RefreshMatViewStmt;
    return { kind: 'refreshMaterializedView', relation: qualified(n.relation), concurrently: !!n.concurrent, populate: !n.skipData };
  }
  if ('CreateExtensionStmt' in node) {
    const n = node.CreateExtensionStmt;
    const schemaOption = (n.options ?? []).map((o) => (o as { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }).DefElem)
      .find((d) => d?.defname === 'schema')?.arg?.String?.sval;
    return { kind: 'createExtension', name: n.extname ?? '', ifNotExists: !!n.if_not_exists, ...(schemaOption ? { schema: schemaOption } : {}) };
  }
  if ('CreateSchemaStmt' in node) return bindCreateSchema(node.CreateSchemaStmt, statement, (e, text) => bindDdl(e, text));
  if ('AlterOwnerStmt' in node) return bindAlterSchemaOwner(node.AlterOwnerStmt);
  if ('AlterObjectSchemaStmt' in node) return bindSetSchema(node.AlterObjectSchemaStmt);
  if ('CreatedbStmt' in node) return { kind: 'createDatabase', name: node.CreatedbStmt.dbname ?? '' };
  if ('DropdbStmt' in node) return { kind: 'dropDatabase', name: node.DropdbStmt.dbname ?? '', missingOk: !!node.DropdbStmt.missing_ok };
  return undefined;
}

/**
 * CREATE TABLE … AS's table: the query's output columns (bound by the caller) under the
 * names the statement gives them.
 */
export function bindCreateTableAs(stmt: RawNode | CreateTableAsStmt, output: readonly { name: string; type: SqlType }[]): CreateTableAs {
  const n = stmt as CreateTableAsStmt;
  const given = names(n.into?.colNames);
  if (given.length > output.length) throw new SqlError(SqlState.syntaxError, 'too many column names were specified');
  return {
    kind: 'createTableAs',
    relation: qualified(n.into?.rel),
    columns: output.map((c, i) => ({ name: given[i] ?? c.name, type: c.type })),
    ifNotExists: !!n.if_not_exists,
    ...(n.into?.rel?.relpersistence === 't' ? { temporary: true } : {}),
    ...(onCommitOf(n.into?.onCommit) ? { onCommit: onCommitOf(n.into?.onCommit) } : {}),
    ...(pos(n.into?.rel) !== undefined ? { position: pos(n.into?.rel) } : {}),
  };
}


/**
 * CREATE MATERIALIZED VIEW: CREATE TABLE AS's table (`output`: the query's columns) that also
 * keeps its query as a view does, for REFRESH and pg_get_viewdef.
 */
export function bindCreateMaterializedView(n: CreateTableAsStmt, statement: string, output: readonly { name: string; type: SqlType }[]): CreateTableAs {
  const text = viewQueryText(statement, false, true);
  const query = n.query!;
  if (n.into?.rel?.relpersistence === 'u') throw new SqlError(SqlState.featureNotSupported, 'materialized views cannot be unlogged');
  // REFRESH runs the query again, without the statement's parameters
  if (JSON.stringify(query).includes('"ParamRef"')) throw new SqlError(SqlState.featureNotSupported, 'materialized views may not be defined using bound parameters');
  return {
    ...bindCreateTableAs(n, output),
    materialized: { query: parsedExpr(query), sql: text.text, names: viewNameRefs(query, text.start), populated: !n.into?.skipData },
  };
}

const REINDEX_TARGETS: Record<string, 'index' | 'table' | 'schema' | 'database' | 'system'> = {
  REINDEX_OBJECT_INDEX: 'index', REINDEX_OBJECT_TABLE: 'table', REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database', REINDEX_OBJECT_SYSTEM: 'system',
};

/** REINDEX [(VERBOSE | CONCURRENTLY | TABLESPACE …)] INDEX | TABLE | SCHEMA | DATABASE | SYSTEM name */
function bindReindex(n: ReindexStmt): BoundDdl {
  let concurrently = false;
  for (const p of n.params ?? []) {
    const d = (p as { DefElem?: { defname?: string; location?: number } }).DefElem;
    const name = d?.defname ?? '';
    if (name === 'concurrently') concurrently = true;
    else if (name !== 'verbose' && name !== 'tablespace') {
      throw new SqlError(SqlState.syntaxError, `unrecognized REINDEX option "${name}"`, d?.location !== undefined && d.location >= 0 ? { position: d.location + 1 } : {});
    }
  }
  const target = REINDEX_TARGETS[n.kind ?? ''] ?? 'table';
  const relation = n.relation ? { ...(n.relation.schemaname ? { schema: n.relation.schemaname } : {}), name: n.relation.relname ?? '' } : undefined;
  return { kind: 'reindex', target, ...(relation ? { relation } : {}), ...(n.name !== undefined ? { name: n.name } : {}), concurrently };
}
