/**
 * Names of temporary schemas in a statement, before it is bound: `pg_temp.t` means this
 * session's pg_temp_N, and another session's temporary tables may be named (pg_class lists
 * them) but not read, written, altered, truncated or indexed (PostgreSQL answers 0A000:
 * their rows live in that backend's local buffers).
 */
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import type { RawStatement } from './parser.js';

/** What the walk needs to know of the session: its temporary schema, and whose the others are. */
export interface TempNames {
  /** the session's pg_temp_N (undefined: it has none yet, and pg_temp names nothing) */
  readonly own: string | undefined;
  /** another session's pg_temp_N */
  isOther(schema: string): boolean;
  /** does that schema have a table or view of that name */
  tableExists(schema: string, name: string): boolean;
}

/** what each statement kind may not do to another session's temporary table, as PostgreSQL words it */
const OTHER_SESSION_ERRORS: Readonly<Record<string, string>> = {
  SelectStmt: 'cannot access temporary tables of other sessions',
  InsertStmt: 'cannot access temporary tables of other sessions',
  UpdateStmt: 'cannot access temporary tables of other sessions',
  DeleteStmt: 'cannot access temporary tables of other sessions',
  MergeStmt: 'cannot access temporary tables of other sessions',
  CopyStmt: 'cannot access temporary tables of other sessions',
  DeclareCursorStmt: 'cannot access temporary tables of other sessions',
  CreateTableAsStmt: 'cannot access temporary tables of other sessions',
  AlterTableStmt: 'cannot alter temporary tables of other sessions',
  TruncateStmt: 'cannot truncate temporary tables of other sessions',
  IndexStmt: 'cannot create indexes on temporary tables of other sessions',
};

/** The statement with `pg_temp` qualifiers naming this session's temporary schema; throws 0A000 for another session's table. */
export function resolveTempNames(raw: RawStatement, temp: TempNames): RawStatement {
  // the walk costs a pass over the tree: only a statement that writes such a name needs it
  if (!/pg_temp/i.test(raw.text)) return raw;
  const kind = Object.keys(raw.node)[0] ?? '';
  const forbidden = OTHER_SESSION_ERRORS[kind];
  const own = temp.own;
  let changed = false;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((v, i) => {
        const w = visit(v);
        if (w !== v) (copy ??= [...value])[i] = w;
      });
      return copy ?? value;
    }
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(o)) {
      const w = visit(v);
      if (w !== v) (out ??= { ...o })[k] = w;
    }
    const node = out ?? o;
    // a RangeVar (wrapped or not): schemaname, relname
    if (typeof node.relname === 'string' && typeof node.schemaname === 'string') {
      if (node.schemaname === 'pg_temp' && own !== undefined) {
        changed = true;
        return { ...node, schemaname: own };
      }
      if (forbidden && temp.isOther(node.schemaname) && temp.tableExists(node.schemaname, node.relname)) {
        throw new SqlError(SqlState.featureNotSupported, forbidden);
      }
    }
    // a function's name (a call, CREATE / DROP FUNCTION): pg_temp.f
    for (const key of ['funcname', 'objname'] as const) {
      const name = node[key] as Node[] | undefined;
      if (own !== undefined && Array.isArray(name) && name.length === 2 && stringOf(name[0]) === 'pg_temp') {
        changed = true;
        return { ...node, [key]: [{ String: { sval: own } }, name[1]] };
      }
    }
    // a dotted name list (DROP, COMMENT ON): pg_temp.name
    const items = (node.List as { items?: Node[] } | undefined)?.items;
    if (own !== undefined && items && items.length >= 2 && stringOf(items[0]) === 'pg_temp' && items.every((x) => stringOf(x) !== undefined)) {
      changed = true;
      return { ...node, List: { items: [{ String: { sval: own } }, ...items.slice(1)] } };
    }
    return node;
  };
  const node = visit(raw.node) as Node;
  return changed ? { ...raw, node } : raw;
}

function stringOf(n: Node | undefined): string | undefined {
  return n && 'String' in n ? n.String.sval : undefined;
}
