/**
 * Functions that need the session or the catalog (version(), current_schema(),
 * current_setting(), pg_get_serial_sequence() …). Built-ins that need neither live in
 * src/functions.
 */
import { functionPath } from '../catalog/schemas.js';
import { parseQualifiedName } from '../sql/names.js';
import { SqlError, SqlState } from '../errors.js';
import { storesRows, type Catalog } from '../catalog/catalog.js';
import type { EvalContext, ScalarFunction } from '../functions/api.js';
import { OID, T, sqlType, type SqlType, type Value } from '../types/types.js';
import { catalogFunction } from '../catalog/functions/catalog-functions.js';
import { quoteIdent } from '../types/identifiers.js';
import type { Roles } from '../catalog/roles.js';
import { privilegeFunction } from './privilege-functions.js';
import { socketAddressInet } from '../types/network.js';
import { functionIsVisible, tableIsVisible, typeIsVisible } from '../catalog/functions/visibility.js';
import { lsnOfCommit, refuseDuringRecovery } from './wal-position.js';

export const QUIVER_VERSION = '0.1.0';
export const SERVER_VERSION = `15.18 (Quiver ${QUIVER_VERSION})`;
export const VERSION_STRING = `PostgreSQL 15.18 (Quiver ${QUIVER_VERSION}) on x86_64-pc-linux-gnu, compiled by TypeScript, 64-bit`;

export interface SessionInfo {
  readonly pid: number;
  readonly catalog: Catalog;
  setting(name: string): string | undefined;
  setSetting(name: string, value: string, isLocal: boolean): void;
  searchPath(): string[];
  /** pg_export_snapshot(): a name for the transaction's snapshot */
  exportSnapshot(): string;
  /** pg_cancel_backend / pg_terminate_backend (a WARNING and false for an unknown pid) */
  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean;
  /** pg_promote(wait, wait_seconds) (promote-function.ts) */
  promote(wait: boolean, waitSeconds: number, ctx: EvalContext): boolean;
  /** the pg_advisory_lock family (advisory-lock-calls.ts): args one bigint or two int4 */
  advisoryLock(fn: string, args: readonly Value[], mode: 'exclusive' | 'shared', level: 'session' | 'xact', wait: boolean, ctx: EvalContext): boolean;
  advisoryUnlock(args: readonly Value[], mode: 'exclusive' | 'shared'): boolean;
  advisoryUnlockAll(): void;
  /** a table's bytes and its vector indexes' (storage's relationBytes) */
  relationBytes(tableOid: number): { table: number; indexes: ReadonlyMap<string, number> };
  /** pg_database_size: every table and index of the database (NULL: no such database) */
  databaseBytes(database: string | number): bigint | null;
  /** pg_notify(channel, payload): queued by the transaction, sent at commit */
  notify(channel: string | null, payload: string | null): void;
  /** the cluster's roles and current_user's (has_table_privilege, pg_has_role …) */
  readonly roles: Roles;
  currentRoleOid(): number;
  /** the cluster's databases (has_database_privilege) */
  databaseNames(): string[];
  /** the connection's two ends ('' / undefined: no TCP connection, e.g. a Unix socket) */
  readonly endpoints: { readonly client: string; readonly clientPort: number | undefined; readonly server: string; readonly serverPort: number | undefined };
  /** storage's commit clock: the timestamp of the newest durable (on a standby: applied) commit (wal-position.ts) */
  commitPosition(): number;
  /** the session's temporary schema (pg_my_temp_schema, pg_is_other_temp_schema) */
  readonly temp: { readonly name: string | undefined; isOther(schema: string | undefined): boolean };
}

/** the search path as written (pg_temp standing for the temporary schema), without the implicit temporary schema */
function explicitPath(session: SessionInfo): string[] {
  const path = session.searchPath();
  const temp = session.temp.name;
  if (temp === undefined || path[0] !== temp) return path;
  const raw = (session.setting('search_path') ?? '').toLowerCase();
  return raw.includes('pg_temp') ? path : path.slice(1);
}

function fn(argTypes: SqlType[], returnType: SqlType, impl: (args: readonly Value[], ctx: EvalContext) => Value, strict = true, volatile = false): ScalarFunction {
  return { kind: 'scalar', argTypes, returnType, strict, volatile, impl };
}


/**
 * pg_advisory_lock, pg_advisory_lock_shared, pg_advisory_xact_lock[_shared] (wait; void),
 * pg_try_advisory_[xact_]lock[_shared] (bool), pg_advisory_unlock[_shared] (bool),
 * pg_advisory_unlock_all(): each key form is one bigint or two int4.
 */
function advisoryFunction(session: SessionInfo, name: string, n: number): ScalarFunction | undefined {
  if (name === 'pg_advisory_unlock_all') return n === 0 ? fn([], T.void, () => { session.advisoryUnlockAll(); return ''; }, true, true) : undefined;
  if (n !== 1 && n !== 2) return undefined;
  const args = n === 1 ? [T.int8] : [T.int4, T.int4];
  const lock = /^pg_(try_)?advisory_(xact_)?lock(_shared)?$/.exec(name);
  if (lock) {
    const mode = lock[3] ? 'shared' : 'exclusive', level = lock[2] ? 'xact' : 'session', wait = !lock[1];
    return fn(args, wait ? T.void : T.bool, (a, ctx) => {
      const held = session.advisoryLock(name, a, mode, level, wait, ctx);
      return wait ? '' : held;
    }, true, true);
  }
  const unlock = /^pg_advisory_unlock(_shared)?$/.exec(name);
  if (unlock) return fn(args, T.bool, (a) => session.advisoryUnlock(a, unlock[1] ? 'shared' : 'exclusive'), true, true);
  return undefined;
}

/**
 * Look up a session/catalog-aware function; undefined → try the built-ins. Long because it is
 * a table: one `case` per function name, each a line or two.
 */
export function systemFunction(session: SessionInfo, name: string, argTypes: readonly SqlType[]): ScalarFunction | undefined {
  const n = argTypes.length;
  const catalog = session.catalog;
  const privilege = privilegeFunction(session, name, argTypes);
  if (privilege) return privilege;
  const fromCatalog = catalogFunction(catalog, name, argTypes, (schema) => functionPath(session.searchPath()).includes(schema));
  if (fromCatalog) return fromCatalog;
  const advisory = advisoryFunction(session, name, n);
  if (advisory) return advisory;
  switch (name) {
    case 'version':
      if (n === 0) return fn([], T.text, () => VERSION_STRING);
      break;
    case 'current_database':
    case 'current_catalog':
      if (n === 0) return fn([], T.name, (_a, ctx) => ctx.database);
      break;
    case 'current_schema':
      // the creation schema: the session's temporary schema only when the path names pg_temp first
      if (n === 0) return fn([], T.name, () => explicitPath(session)[0] ?? null);
      break;
    case 'current_schemas':
      // implicit: the temporary schema, then pg_catalog, are searched first unless the path names them
      if (n === 1) return fn([T.bool], sqlType(OID._name), (a) => {
        if (!a[0]) return explicitPath(session);
        const path = session.searchPath();
        if (path.includes('pg_catalog')) return path;
        const temp = path[0] !== undefined && path[0] === session.temp.name && !explicitPath(session).includes(path[0]) ? 1 : 0;
        return [...path.slice(0, temp), 'pg_catalog', ...path.slice(temp)];
      });
      break;
    case 'pg_my_temp_schema':
      if (n === 0) return fn([], T.oid, () => (session.temp.name === undefined ? 0 : catalog.namespaceOid(session.temp.name) ?? 0));
      break;
    case 'pg_is_other_temp_schema':
      if (n === 1) return fn([T.oid], T.bool, (a) => {
        const name = catalog.namespaceName(Number(a[0]));
        const own = session.temp.name;
        // pg_toast_temp_N goes with pg_temp_N
        return name !== undefined && session.temp.isOther(name.replace(/^pg_toast_temp_/, 'pg_temp_')) && own?.replace(/^pg_temp_/, 'pg_toast_temp_') !== name;
      });
      break;
    case 'current_user':
    case 'user':
    case 'current_role':
      if (n === 0) return fn([], T.name, (_a, ctx) => ctx.user);
      break;
    case 'session_user':
      if (n === 0) return fn([], T.name, (_a, ctx) => ctx.setting('session_authorization') ?? ctx.user);
      break;
    // NULL on a connection that is not TCP, as PostgreSQL answers for a Unix socket
    case 'inet_client_addr':
      if (n === 0) return fn([], sqlType(OID.inet), () => socketAddressInet(session.endpoints.client), false);
      break;
    case 'inet_server_addr':
      if (n === 0) return fn([], sqlType(OID.inet), () => socketAddressInet(session.endpoints.server), false);
      break;
    case 'inet_client_port':
      if (n === 0) return fn([], T.int4, () => (session.endpoints.client ? session.endpoints.clientPort ?? null : null), false);
      break;
    case 'inet_server_port':
      if (n === 0) return fn([], T.int4, () => (session.endpoints.server ? session.endpoints.serverPort ?? null : null), false);
      break;
    case 'pg_backend_pid':
      if (n === 0) return fn([], T.int4, () => session.pid);
      break;
    case 'pg_notify':
      // not strict: a NULL channel is 'channel name cannot be empty', a NULL payload is ''
      if (n === 2) return fn([T.text, T.text], T.void, (a) => { session.notify(a[0] as string | null, a[1] as string | null); return ''; }, false, true);
      break;
    case 'pg_cancel_backend':
      if (n === 1) return fn([T.int4], T.bool, (a) => session.signalBackend(a[0] as number, 'cancel'), true, true);
      break;
    case 'pg_promote':
      // pg_promote(wait boolean DEFAULT true, wait_seconds integer DEFAULT 60)
      if (n <= 2) return fn([T.bool, T.int4].slice(0, n), T.bool, (a, ctx) => session.promote((a[0] ?? true) as boolean, (a[1] ?? 60) as number, ctx), true, true);
      break;
    case 'pg_terminate_backend':
      // pg_terminate_backend(pid, timeout bigint DEFAULT 0): Quiver does not wait for the exit
      if (n === 1 || n === 2) return fn(n === 1 ? [T.int4] : [T.int4, T.int8], T.bool, (a) => session.signalBackend(a[0] as number, 'terminate'), true, true);
      break;
    case 'current_setting':
      if (n === 1 || n === 2) {
        return fn(n === 1 ? [T.text] : [T.text, T.bool], T.text, (a) => {
          const v = session.setting(String(a[0]).toLowerCase());
          if (v === undefined) {
            if (a[1] === true) return null;
            throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${a[0]}"`);
          }
          return v;
        });
      }
      break;
    case 'set_config':
      if (n === 3) {
        return fn([T.text, T.text, T.bool], T.text, (a) => {
          session.setSetting(String(a[0]).toLowerCase(), String(a[1]), a[2] === true);
          return String(a[1]);
        }, false, true);
      }
      break;
    case 'pg_get_serial_sequence':
      if (n === 2) {
        return fn([T.text, T.text], T.text, (a) => {
          const parts = parseQualifiedName(String(a[0]));
          const rel = parts[parts.length - 1]!;
          const table = parts.length > 1 ? catalog.findTable(parts[0], rel) : session.searchPath().map((sp) => catalog.findTable(sp, rel)).find((t) => t);
          if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${a[0]}" does not exist`);
          const col = table.columns.find((c) => c.name === a[1]);
          if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${a[1]}" of relation "${table.name}" does not exist`);
          return col.sequence ? `${quoteIdent(table.schema)}.${quoteIdent(col.sequence)}` : null;
        });
      }
      break;
    case 'pg_table_is_visible':
      if (n === 1) return fn([T.oid], T.bool, (a) => tableIsVisible(catalog, session.searchPath(), Number(a[0])));
      break;
    case 'pg_type_is_visible':
      if (n === 1) return fn([T.oid], T.bool, (a) => typeIsVisible(catalog, session.searchPath(), Number(a[0])));
      break;
    case 'pg_function_is_visible':
      if (n === 1) return fn([T.oid], T.bool, (a) => functionIsVisible(catalog, session.searchPath(), Number(a[0])));
      break;
    case 'has_database_privilege':
      return fn(argTypes.map((t) => (t.oid === OID.unknown ? T.text : t)), T.bool, () => true);
    case 'pg_relation_size':
    case 'pg_total_relation_size':
    case 'pg_table_size':
    case 'pg_indexes_size':
      if (n === 1) return fn([T.regclass], T.int8, (a) => relationSize(session, name, a[0] as number));
      // pg_relation_size(rel, fork): Quiver has one fork, 'main'
      if (n === 2 && name === 'pg_relation_size') return fn([T.regclass, T.text], T.int8, (a) => (a[1] === 'main' ? relationSize(session, name, a[0] as number) : 0n));
      break;
    case 'pg_database_size':
      if (n === 1) {
        const byName = ([OID.text, OID.name, OID.unknown, OID.varchar] as number[]).includes(argTypes[0]?.oid ?? OID.unknown);
        return fn([byName ? T.name : T.oid], T.int8, (a) => session.databaseBytes(byName ? (a[0] as string) : Number(a[0])));
      }
      break;
    case 'pg_postmaster_start_time':
      if (n === 0) return fn([], T.timestamptz, (_a, ctx) => ctx.transactionTimestamp);
      break;
    case 'txid_current':
      if (n === 0) return fn([], T.int8, () => 1n);
      break;
    case 'pg_export_snapshot':
      if (n === 0) return fn([], T.text, () => session.exportSnapshot(), true, true);
      break;
    case 'pg_is_in_recovery':
      // a hot standby's sessions report in_hot_standby = on (Session.startup), as PostgreSQL's do
      if (n === 0) return fn([], T.bool, () => inRecovery(session));
      break;
    case 'pg_current_wal_lsn':
    case 'pg_current_wal_insert_lsn':
    case 'pg_current_wal_flush_lsn':
      if (n === 0) return fn([], T.pg_lsn, () => (inRecovery(session) ? refuseDuringRecovery() : lsnOfCommit(session.commitPosition())), true, true);
      break;
    case 'pg_last_wal_receive_lsn':
    case 'pg_last_wal_replay_lsn':
      // NULL on a primary, as PostgreSQL's
      if (n === 0) return fn([], T.pg_lsn, () => (inRecovery(session) ? lsnOfCommit(session.commitPosition()) : null), true, true);
      break;
    case 'regclass_name':
      return fn([T.oid], T.text, (a) => catalog.relationNameOf(a[0] as number) ?? null);
  }
  return undefined;
}

/** a hot standby's session (pg_is_in_recovery()) */
function inRecovery(session: SessionInfo): boolean {
  return session.setting('in_hot_standby') === 'on';
}

/**
 * pg_relation_size / pg_table_size / pg_indexes_size / pg_total_relation_size of a table or
 * an index: the bytes of its files (a partitioned table or a view has none, a B-tree index
 * is held in memory); NULL for an OID that is no relation, as in PostgreSQL.
 */
function relationSize(session: SessionInfo, fn: string, oid: number): bigint | null {
  const catalog = session.catalog;
  const table = catalog.tables.get(oid);
  if (table) {
    if (!storesRows(table)) return 0n;
    const sizes = session.relationBytes(oid);
    const indexes = table.indexes.reduce((n, i) => n + (sizes.indexes.get(i.name) ?? 0), 0);
    const bytes = fn === 'pg_indexes_size' ? indexes : fn === 'pg_total_relation_size' ? sizes.table + indexes : sizes.table;
    return BigInt(bytes);
  }
  const index = catalog.indexByOid(oid);
  if (index) return fn === 'pg_indexes_size' ? 0n : BigInt(session.relationBytes(index.tableOid).indexes.get(index.name) ?? 0);
  return catalog.sequences.has(oid) ? 8192n : null;
}
