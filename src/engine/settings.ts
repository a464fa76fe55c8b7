/**
 * Session settings (GUCs): the defaults clients expect, which of them are reported with
 * ParameterStatus, SHOW's naming, and validation/normalisation of new values the way
 * PostgreSQL's guc.c does it (parse_bool, parse_int with units, enum options, check hooks
 * for DateStyle and TimeZone), with PostgreSQL's messages, hints and SQLSTATEs.
 */
import { SqlError, SqlState } from '../errors.js';
import { SERVER_VERSION } from './system-functions.js';
import { parseInterval } from '../types/datetime.js';
import { isValidTimeZone } from '../types/datetime.js';
import { systemZoneNames } from '../types/tzif.js';
import { PG_SETTINGS, type PgSetting } from './pg-settings-catalog.js';

/** the base unit of an integer or real setting, as pg_settings.unit names it */
type Unit = 'ms' | 's' | 'min' | 'B' | 'kB' | '8kB' | 'MB';

/** an enum option; hidden options are accepted but not listed in the HINT (value = shown name) */
interface EnumOption { readonly name: string; readonly value?: string; readonly hidden?: boolean }

export type SettingKind =
  | { readonly type: 'bool' }
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly unit?: Unit }
  | { readonly type: 'real'; readonly min: number; readonly max: number; readonly unit?: Unit }
  | { readonly type: 'enum'; readonly options: readonly EnumOption[] }
  | { readonly type: 'string' };

export interface SettingDef {
  /** canonical spelling, as SHOW's column name and ParameterStatus use it */
  readonly name: string;
  readonly value: string;
  /** sent to the client as ParameterStatus at startup and whenever it changes */
  readonly report?: boolean;
  /** SET refuses it (55P02): always, until a restart, until a reload (sighup), or after connection start */
  readonly readOnly?: boolean | 'restart' | 'reload' | 'connection';
  /** only a superuser may SET it (42501), PostgreSQL's "superuser" context */
  readonly superuserOnly?: boolean;
  /** how new values are parsed and shown; absent = free-form string */
  readonly kind?: SettingKind;
}

const INT_MAX = 2147483647;
const BOOL: SettingKind = { type: 'bool' };
const int = (min: number, max: number, unit?: Unit): SettingKind => ({ type: 'int', min, max, unit });
const enums = (...names: (string | EnumOption)[]): SettingKind => ({ type: 'enum', options: names.map((n) => (typeof n === 'string' ? { name: n } : n)) });
const hiddenBools = (on: string, off: string): EnumOption[] => [
  { name: 'true', value: on, hidden: true }, { name: 'false', value: off, hidden: true },
  { name: 'yes', value: on, hidden: true }, { name: 'no', value: off, hidden: true },
  { name: '1', value: on, hidden: true }, { name: '0', value: off, hidden: true },
];
const ISOLATION = enums('serializable', 'repeatable read', 'read committed', 'read uncommitted');

const DEFS: SettingDef[] = [
  { name: 'application_name', value: '', report: true },
  { name: 'client_encoding', value: 'UTF8', report: true },
  { name: 'DateStyle', value: 'ISO, MDY', report: true },
  { name: 'default_transaction_read_only', value: 'off', report: true, kind: BOOL },
  { name: 'in_hot_standby', value: 'off', report: true, readOnly: true, kind: BOOL },
  { name: 'integer_datetimes', value: 'on', report: true, readOnly: true, kind: BOOL },
  { name: 'IntervalStyle', value: 'postgres', report: true, kind: enums('postgres', 'postgres_verbose', 'sql_standard', 'iso_8601') },
  { name: 'is_superuser', value: 'on', report: true, readOnly: true, kind: BOOL },
  { name: 'server_encoding', value: 'UTF8', report: true, readOnly: true },
  { name: 'server_version', value: SERVER_VERSION, report: true, readOnly: true },
  { name: 'server_version_num', value: '150018', readOnly: true },
  { name: 'session_authorization', value: 'postgres', report: true },
  // SET ROLE (engine/session-roles.ts checks it); 'none': current_user is the session user
  { name: 'role', value: 'none' },
  { name: 'standard_conforming_strings', value: 'on', report: true, kind: BOOL },
  { name: 'TimeZone', value: 'UTC', report: true },
  { name: 'extra_float_digits', value: '1', kind: int(-15, 3) },
  { name: 'search_path', value: '"$user", public' },
  {
    name: 'client_min_messages', value: 'notice', kind: enums('debug5', 'debug4', 'debug3', 'debug2', 'debug1',
      { name: 'debug', value: 'debug2', hidden: true }, 'log', { name: 'info', hidden: true }, 'notice', 'warning', 'error'),
  },
  { name: 'statement_timeout', value: '0', kind: int(0, INT_MAX, 'ms') },
  { name: 'lock_timeout', value: '0', kind: int(0, INT_MAX, 'ms') },
  { name: 'idle_in_transaction_session_timeout', value: '0', kind: int(0, INT_MAX, 'ms') },
  { name: 'idle_session_timeout', value: '0', kind: int(0, INT_MAX, 'ms') },
  { name: 'transaction_isolation', value: 'read committed', kind: ISOLATION },
  { name: 'default_transaction_isolation', value: 'read committed', kind: ISOLATION },
  { name: 'transaction_read_only', value: 'off', kind: BOOL },
  { name: 'max_identifier_length', value: '63', readOnly: true },
  { name: 'max_connections', value: '100', readOnly: 'restart' },
  { name: 'superuser_reserved_connections', value: '3', readOnly: 'restart' },
  { name: 'max_prepared_transactions', value: '0', readOnly: 'restart' },
  { name: 'bytea_output', value: 'hex', kind: enums('escape', 'hex') },
  { name: 'lc_messages', value: 'C' },
  { name: 'lc_monetary', value: 'C' },
  { name: 'lc_numeric', value: 'C' },
  { name: 'lc_time', value: 'C' },
  { name: 'lc_collate', value: 'C', readOnly: true },
  { name: 'lc_ctype', value: 'C', readOnly: true },
  // Quiver's default is larger than PostgreSQL's 4MB: past it a sort or hash fails (53200)
  // instead of spilling to disk (executor/work-mem.ts)
  { name: 'work_mem', value: '64MB', kind: int(64, INT_MAX, 'kB') },
  { name: 'maintenance_work_mem', value: '64MB', kind: int(1024, INT_MAX, 'kB') },
  { name: 'synchronous_commit', value: 'on', kind: enums('local', 'remote_write', 'remote_apply', 'on', 'off', ...hiddenBools('on', 'off')) },
  { name: 'row_security', value: 'on', kind: BOOL },
  { name: 'check_function_bodies', value: 'on', kind: BOOL },
  { name: 'default_tablespace', value: '' },
  // pg_dump turns these off / sets them; Quiver has one access method and no synchronized scans to change
  { name: 'default_table_access_method', value: 'heap' },
  { name: 'default_text_search_config', value: 'pg_catalog.english' },
  { name: 'synchronize_seqscans', value: 'on', kind: BOOL },
  { name: 'quote_all_identifiers', value: 'off', kind: BOOL },
  { name: 'xmloption', value: 'content', kind: enums('content', 'document') },
  { name: 'jit', value: 'off', kind: BOOL },
  { name: 'enable_seqscan', value: 'on', kind: BOOL },
  { name: 'enable_indexscan', value: 'on', kind: BOOL },
  { name: 'enable_bitmapscan', value: 'on', kind: BOOL },
  { name: 'enable_hashjoin', value: 'on', kind: BOOL },
  { name: 'enable_nestloop', value: 'on', kind: BOOL },
  { name: 'enable_mergejoin', value: 'on', kind: BOOL },
  { name: 'enable_sort', value: 'on', kind: BOOL },
  { name: 'enable_hashagg', value: 'on', kind: BOOL },
  // the largest JOIN / FROM list whose order the planner searches (planner/join-order.ts)
  { name: 'join_collapse_limit', value: '8', kind: int(1, INT_MAX) },
  { name: 'from_collapse_limit', value: '8', kind: int(1, INT_MAX) },
  { name: 'max_parallel_workers_per_gather', value: '2', kind: int(0, 1024) },
  { name: 'block_size', value: '8192', readOnly: true },
  { name: 'hnsw.ef_search', value: '40', kind: int(1, 1000) },
  { name: 'hnsw.iterative_scan', value: 'off', kind: enums('off', 'relaxed_order', 'strict_order') },
  { name: 'hnsw.max_scan_tuples', value: '20000', kind: int(1, INT_MAX) },
  { name: 'hnsw.scan_mem_multiplier', value: '1', kind: { type: 'real', min: 1, max: 1000 } },
  { name: 'ivfflat.probes', value: '1', kind: int(1, 32768) },
  { name: 'ivfflat.iterative_scan', value: 'off', kind: enums('off', 'relaxed_order') },
  { name: 'ivfflat.max_probes', value: '32768', kind: int(1, 32768) },
  // 0 = off: hnsw.ef_search applies; else each HNSW segment's ef for this recall@10
  // (planner/recall-target.ts)
  { name: 'quiver.target_recall', value: '0', kind: { type: 'real', min: 0, max: 1 } },
  // on: a join starts the vector Top-Ks below it in the query workers before it runs its
  // sides (executor/early-vector-search.ts); off for comparisons
  { name: 'quiver.early_vector_search', value: 'on', kind: BOOL },
  // cluster mode's hot standby: how fresh a read must be (engine/read-consistency.ts)
  { name: 'quiver.consistency', value: 'strong', kind: enums('strong', 'bounded', 'eventually') },
  { name: 'quiver.max_staleness', value: '5s', kind: int(0, INT_MAX, 'ms') },
  // set by the shard router of a sharded cluster (engine/commit-clock.ts): the timestamp the
  // next statement reads at, and the commit timestamp of the next COMMIT PREPARED; each is used once
  { name: 'quiver.read_timestamp', value: '' },
  { name: 'quiver.commit_timestamp', value: '' },
  // EXPLAIN through the shard router: every task, not one of several alike (cluster/router/fanout-explain.ts)
  { name: 'quiver.explain_all_tasks', value: 'off', kind: BOOL },
];

/**
 * PostgreSQL's other run-time settings (pg-settings-catalog.ts): listed by SHOW ALL and
 * pg_settings with their built-in defaults, and settable where PostgreSQL lets a session set
 * them, with PostgreSQL's validation. Quiver has no use for most of them (shared_buffers,
 * autovacuum_*, the planner's cost constants…): a SET is accepted and has no effect.
 */
const CATALOG_DEFS: SettingDef[] = PG_SETTINGS.filter((p) => !DEFS.some((d) => d.name.toLowerCase() === p[0].toLowerCase())).map(catalogDef);

function catalogDef(p: PgSetting): SettingDef {
  const [name, vartype, context, unit, , , , min, max, enumvals, , shown] = p;
  const readOnly = context === 'internal' ? true : context === 'postmaster' ? 'restart' : context === 'sighup' ? 'reload'
    : context === 'backend' || context === 'superuser-backend' ? 'connection' : undefined;
  const u = unit === '' ? undefined : (unit as Unit);
  const kind: SettingKind = vartype === 'bool' ? BOOL
    : vartype === 'integer' ? int(Number(min), Number(max), u)
      : vartype === 'real' ? { type: 'real', min: Number(min), max: Number(max), unit: u }
        : vartype === 'enum' ? enums(...enumvals) : { type: 'string' };
  return { name, value: shown, kind, ...(readOnly ? { readOnly } : {}), ...(context === 'superuser' ? { superuserOnly: true } : {}) };
}

/** pg_settings' description of each setting PostgreSQL (or pgvector) has, by lower-case name */
const CATALOG = new Map(PG_SETTINGS.map((p) => [p[0].toLowerCase(), p]));

export function settingCatalogEntry(name: string): PgSetting | undefined {
  return CATALOG.get(name.toLowerCase());
}

/** Quiver's own settings' descriptions (pg_settings.short_desc, SHOW ALL) */
const QUIVER_DESCRIPTIONS: Record<string, string> = {
  'quiver.target_recall': 'Sets the recall@10 each HNSW or IVFFlat segment search aims for; 0 turns it off.',
  'quiver.early_vector_search': 'Starts the vector searches below a join in the query workers before the join runs its sides.',
  'quiver.consistency': 'Sets how fresh the data a statement reads on a hot standby must be: strong, bounded or eventually.',
  'quiver.explain_all_tasks': 'Shows every task of a statement EXPLAIN runs on several shards through the shard router, not one of several alike.',
  'quiver.read_timestamp': 'Sets the cluster timestamp the next statement on a shard reads at (set by the shard router).',
  'quiver.commit_timestamp': 'Sets the cluster timestamp of the next COMMIT PREPARED on a shard (set by the shard router).',
  'quiver.max_staleness': 'Sets how far behind the leader a bounded read on a hot standby may be.',
};

export function settingDescription(name: string): string {
  return CATALOG.get(name.toLowerCase())?.[5] ?? QUIVER_DESCRIPTIONS[name.toLowerCase()] ?? '';
}

const ALL_DEFS: SettingDef[] = [...DEFS, ...CATALOG_DEFS];
const BY_KEY = new Map(ALL_DEFS.map((d) => [d.name.toLowerCase(), d]));

export function settingDef(name: string): SettingDef | undefined {
  return BY_KEY.get(name.toLowerCase());
}

export function allSettingDefs(): readonly SettingDef[] {
  return ALL_DEFS;
}

/**
 * Whether SHOW ALL and pg_settings list the setting: PostgreSQL's own list (its
 * GUC_NO_SHOW_ALL ones such as role and is_superuser are not in it) and Quiver's custom ones.
 */
export function isListedSetting(name: string): boolean {
  const key = name.toLowerCase();
  return CATALOG.has(key) || key.startsWith('quiver.');
}

/** Validate a SET; custom (dotted) names are allowed, as in PostgreSQL. Returns the canonical key. */
export function checkSettable(name: string): string {
  const key = name.toLowerCase();
  const def = BY_KEY.get(key);
  if (!def) {
    if (key.includes('.')) return key;
    throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
  }
  if (def.readOnly) {
    const why = def.readOnly === 'restart' ? ' without restarting the server' : def.readOnly === 'reload' ? ' now' : '';
    if (def.readOnly === 'connection') throw new SqlError('55P02', `parameter "${def.name}" cannot be set after connection start`);
    throw new SqlError('55P02', `parameter "${def.name}" cannot be changed${why}`);
  }
  return key;
}

function invalidValue(name: string, value: string, fields: { hint?: string; detail?: string } = {}): SqlError {
  return new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, fields);
}

/**
 * Validate `value` for the setting `key` (lower-case) and return it the way SHOW prints it.
 * `current` is the setting's present value: DateStyle keeps the part a new value leaves out
 * (`SET DateStyle = ISO` after 'SQL, DMY' gives 'ISO, DMY'). Throws SqlError 22023 (or
 * PostgreSQL's code for the case) for values PostgreSQL rejects.
 */
export function normalizeSetting(key: string, value: string, current?: string): string {
  switch (key) {
    case 'timezone':
      return normalizeTimeZone(value);
    case 'datestyle':
      return normalizeDateStyle(value, current ?? 'ISO, MDY');
    case 'client_encoding': {
      const v = value.toUpperCase().replace(/[-_]/g, '');
      if (v === 'UTF8' || v === 'UNICODE') return 'UTF8';
      if (v === 'SQLASCII') return 'SQL_ASCII';
      throw new SqlError(SqlState.featureNotSupported, `conversion between ${value} and UTF8 is not supported`);
    }
    case 'application_name':
      // PostgreSQL keeps only printable ASCII in application_name
      return value.replace(/[^\x20-\x7e]/g, '?');
  }
  const kind = BY_KEY.get(key)?.kind;
  if (!kind) return value;
  switch (kind.type) {
    case 'bool': {
      const b = parseBoolSetting(value);
      if (b === undefined) throw new SqlError(SqlState.invalidParameterValue, `parameter "${key}" requires a Boolean value`);
      return b ? 'on' : 'off';
    }
    case 'int':
      return showInt(parseIntSetting(key, value, kind.min, kind.max, kind.unit), kind.unit);
    case 'real': {
      const n = kind.unit ? parseWithUnit(key, value, kind.unit) : Number(value.trim() === '' ? NaN : value.trim());
      if (!Number.isFinite(n)) throw invalidValue(key, value);
      if (n < kind.min || n > kind.max) {
        throw new SqlError(SqlState.invalidParameterValue, `${n}${kind.unit ? ' ' + kind.unit : ''} is outside the valid range for parameter "${key}" (${kind.min} .. ${kind.max})`);
      }
      return kind.unit ? showWithUnit(n, kind.unit) : String(n);
    }
    case 'enum': {
      const low = value.trim().toLowerCase();
      const opt = kind.options.find((o) => o.name === low);
      if (!opt) {
        const names = kind.options.filter((o) => !o.hidden).map((o) => o.name);
        throw invalidValue(key, value, { hint: `Available values: ${names.join(', ')}.` });
      }
      return opt.value ?? opt.name;
    }
    case 'string':
      return value;
  }
}

// ---------------------------------------------------------------- bool and int (guc.c)

/** parse_bool: on/off/true/false/yes/no/1/0 and unique prefixes, case-insensitive */
function parseBoolSetting(value: string): boolean | undefined {
  const s = value.trim().toLowerCase();
  if (s === '') return undefined;
  for (const [w, b] of [['true', true], ['false', false], ['yes', true], ['no', false]] as const) {
    if (w.startsWith(s)) return b;
  }
  if (s === 'on') return true;
  if (s.length >= 2 && 'off'.startsWith(s)) return false;
  if (s === '1') return true;
  if (s === '0') return false;
  return undefined;
}

/** rint(): round half to even, as C's default rounding mode does */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type UnitFamily = 'time' | 'memory';
/** each base unit's family and its size in the family's table unit (ms, kB) */
const BASE_UNITS: Record<Unit, [UnitFamily, number]> = { ms: ['time', 1], s: ['time', 1000], min: ['time', 60_000], B: ['memory', 1 / 1024], kB: ['memory', 1], '8kB': ['memory', 8], MB: ['memory', 1024] };

const UNIT_TABLE: Record<UnitFamily, { hint: string; units: [string, number][] }> = {
  // multipliers to ms / kB, largest first (convert_int_from_base_unit picks the first exact one)
  time: { hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".', units: [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1], ['us', 0.001]] },
  memory: { hint: 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".', units: [['TB', 1024 ** 3], ['GB', 1024 ** 2], ['MB', 1024], ['kB', 1], ['B', 1 / 1024]] },
};

/** A number with an optional unit, in the setting's base unit (not rounded) */
function parseWithUnit(name: string, value: string, unit: Unit | undefined): number {
  const m = /^\s*([+-]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))\s*(.*?)\s*$/.exec(value);
  if (!m) throw invalidValue(name, value);
  const num = /^[+-]?0[xX]/.test(m[1]) ? (m[1].startsWith('-') ? -1 : 1) * parseInt(m[1].replace(/^[+-]?0[xX]/, ''), 16) : Number(m[1]);
  if (m[2] === '') return num;
  if (!unit) throw invalidValue(name, value);
  const [family, base] = BASE_UNITS[unit];
  const u = UNIT_TABLE[family].units.find(([n]) => n === m[2]);
  if (!u) throw invalidValue(name, value, { hint: UNIT_TABLE[family].hint });
  return (num * u[1]) / base;
}

/** parse_int with units, then the range check: the value in the base unit */
export function parseIntSetting(name: string, value: string, min: number, max: number, unit?: Unit): number {
  const v = rint(parseWithUnit(name, value, unit));
  if (!Number.isFinite(v) || v > INT_MAX || v < -INT_MAX - 1) throw invalidValue(name, value, { hint: 'Value exceeds integer range.' });
  if (v < min || v > max) {
    throw new SqlError(SqlState.invalidParameterValue, `${v}${unit ? ' ' + unit : ''} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
  }
  return v;
}

function showInt(v: number, unit?: Unit): string {
  return unit ? showWithUnit(v, unit) : String(v);
}

/** convert_int_from_base_unit: the largest unit that divides the value exactly, never finer than needed */
function showWithUnit(v: number, unit: Unit): string {
  if (v <= 0) return String(v);
  const [family, base] = BASE_UNITS[unit];
  const total = v * base;
  for (const [n, mult] of UNIT_TABLE[family].units) {
    if (mult <= base || Number.isInteger(total / mult)) return `${total / mult}${n}`;
  }
  return String(v);
}

/** pg_settings.setting: an integer or real setting in its base unit ('64MB' → '65536' for kB), others as shown */
export function settingInBaseUnit(key: string, shown: string): string {
  const kind = BY_KEY.get(key.toLowerCase())?.kind;
  if (!kind || (kind.type !== 'int' && kind.type !== 'real') || !kind.unit) return shown;
  try {
    const n = parseWithUnit(key, shown, kind.unit);
    return String(kind.type === 'int' ? rint(n) : n);
  } catch {
    return shown;
  }
}

/** a time setting's value in milliseconds (statement_timeout '5s' → 5000); 0 when unset */
export function settingMillis(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  // read at every statement's start and end (statement_timeout, idle_in_transaction_session_timeout): parsed once per text
  let ms = parsedMillis.get(value);
  if (ms === undefined) {
    try {
      ms = parseIntSetting('value', value, -INT_MAX - 1, INT_MAX, 'ms');
    } catch {
      ms = 0;
    }
    rememberParsed(parsedMillis, value, ms);
  }
  return ms;
}

const parsedMillis = new Map<string, number>();
const parsedBytes = new Map<string, number>();

/** a setting's text → its value; bounded (a client may SET many distinct values) */
function rememberParsed(cache: Map<string, number>, value: string, n: number): void {
  if (cache.size >= 64) cache.clear();
  cache.set(value, n);
}

/** a memory setting's value in bytes (work_mem '64MB' → 67108864); 0 when unset */
export function settingBytes(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  // work_mem is read at every statement's start: parsed once per text
  let bytes = parsedBytes.get(value);
  if (bytes === undefined) {
    try {
      bytes = parseIntSetting('value', value, 0, INT_MAX, 'kB') * 1024;
    } catch {
      bytes = 0;
    }
    rememberParsed(parsedBytes, value, bytes);
  }
  return bytes;
}

// ---------------------------------------------------------------- DateStyle (check_datestyle)

function normalizeDateStyle(value: string, current: string): string {
  const [curStyle = 'ISO', curOrder = 'MDY'] = current.split(',').map((p) => p.trim());
  let style = curStyle;
  let order = curOrder;
  let haveStyle = false;
  let haveOrder = false;
  const conflict = (): SqlError => invalidValue('DateStyle', value, { detail: 'Conflicting "datestyle" specifications.' });
  const setStyle = (s: string): void => {
    if (haveStyle && style !== s) throw conflict();
    style = s;
    haveStyle = true;
  };
  const setOrder = (o: string): void => {
    if (haveOrder && order !== o) throw conflict();
    order = o;
    haveOrder = true;
  };
  const tokens = value.split(',').map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
  for (const raw of tokens) {
    const t = raw.toLowerCase();
    switch (t) {
      case 'iso': setStyle('ISO'); break;
      case 'sql': setStyle('SQL'); break;
      case 'postgres': setStyle('Postgres'); break;
      case 'german':
        setStyle('German');
        // GERMAN also sets DMY, unless explicitly overridden
        if (!haveOrder) order = 'DMY';
        break;
      case 'ymd': setOrder('YMD'); break;
      case 'dmy': case 'euro': case 'european': setOrder('DMY'); break;
      case 'mdy': case 'us': case 'noneuro': case 'noneuropean': setOrder('MDY'); break;
      case 'default':
        style = 'ISO';
        order = 'MDY';
        haveStyle = haveOrder = true;
        break;
      default:
        throw invalidValue('DateStyle', value, { detail: `Unrecognized key word: "${raw}".` });
    }
  }
  return `${style}, ${order}`;
}

// ---------------------------------------------------------------- TimeZone (check_timezone)

/** seconds EAST of UTC → PostgreSQL's name for a fixed offset zone ('<+05:30>-05:30') */
function offsetZoneName(eastSecs: number): string {
  const abs = Math.abs(eastSecs);
  const h = Math.floor(abs / 3600), m = Math.floor(abs / 60) % 60, s = abs % 60;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const off = s !== 0 ? `${p2(h)}:${p2(m)}:${p2(s)}` : m !== 0 ? `${p2(h)}:${p2(m)}` : p2(h);
  return eastSecs >= 0 ? `<+${off}>-${off}` : `<-${off}>+${off}`;
}

let zoneNames: Map<string, string> | undefined;

/** lower-case → properly cased zone names: the system database's, else the runtime's */
function knownZoneNames(): Map<string, string> {
  if (zoneNames) return zoneNames;
  zoneNames = systemZoneNames();
  if (zoneNames.size === 0) {
    zoneNames = new Map();
    for (const z of Intl.supportedValuesOf('timeZone')) zoneNames.set(z.toLowerCase(), z);
    for (const z of ['UTC', 'GMT', 'Etc/UTC', 'Zulu', 'Universal', 'UCT']) zoneNames.set(z.toLowerCase(), z);
  }
  return zoneNames;
}

/** A POSIX TZ spec ('UTC+3', 'EST5', '<+05>-05', 'FOO-2', '+00:00'): std name then an offset. */
const POSIX_TZ = /^(?:<[A-Za-z0-9+-]+>|[A-Za-z]*)[+-]?\d{1,2}(?::\d{1,2}){0,2}(?:(?:<[A-Za-z0-9+-]+>|[A-Za-z]{3,})(?:[+-]?\d{1,2}(?::\d{1,2}){0,2})?(?:,.*)?)?$/;

function normalizeTimeZone(value: string): string {
  const v = value.trim();
  // SET TIME ZONE INTERVAL '…' arrives as "INTERVAL '…'" (flatten_set_variable_args)
  const iv = /^interval\s*'(.*)'$/is.exec(v);
  if (iv) {
    let parsed;
    try {
      parsed = parseInterval(iv[1].replace(/''/g, "'"));
    } catch {
      throw invalidValue('TimeZone', value);
    }
    if (parsed.months !== 0) throw invalidValue('TimeZone', value, { detail: 'Cannot specify months in time zone interval.' });
    if (parsed.days !== 0) throw invalidValue('TimeZone', value, { detail: 'Cannot specify days in time zone interval.' });
    return offsetZoneName(Math.trunc(parsed.micros / 1_000_000));
  }
  // a number of hours (SET TIME ZONE 5, or -3.5); older sessions send it as '<5>'
  const num = /^<?([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)>?$/.exec(v);
  if (num && (v.startsWith('<') === v.endsWith('>'))) {
    const hours = Number(num[1]);
    if (Math.abs(hours) > 168) throw invalidValue('TimeZone', value, { detail: 'UTC timezone offset is out of range.' });
    return offsetZoneName(Math.round(hours * 3600));
  }
  if (/^right\//i.test(v)) {
    throw new SqlError(SqlState.invalidParameterValue, `time zone "${v}" appears to use leap seconds`, { detail: 'PostgreSQL does not support leap seconds.' });
  }
  const known = knownZoneNames().get(v.toLowerCase());
  if (known) return known;
  if (v !== '' && POSIX_TZ.test(v) && isValidTimeZone(v)) return v;
  throw invalidValue('TimeZone', value);
}
