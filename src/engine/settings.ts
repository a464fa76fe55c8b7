/**
 * Session settings (GUCs): the defaults clients expect, which of them are reported with
 * ParameterStatus, and SHOW's naming.
 */
import { SqlError, SqlState } from '../errors.js';
import { SERVER_VERSION } from './system-functions.js';

export interface SettingDef {
  /** canonical spelling, as SHOW's column name and ParameterStatus use it */
  readonly name: string;
  readonly value: string;
  /** sent to the client as ParameterStatus at startup and whenever it changes */
  readonly report?: boolean;
  readonly readOnly?: boolean;
}

const DEFS: SettingDef[] = [
  { name: 'application_name', value: '', report: true },
  { name: 'client_encoding', value: 'UTF8', report: true },
  { name: 'DateStyle', value: 'ISO, MDY', report: true },
  { name: 'default_transaction_read_only', value: 'off', report: true },
  { name: 'in_hot_standby', value: 'off', report: true, readOnly: true },
  { name: 'integer_datetimes', value: 'on', report: true, readOnly: true },
  { name: 'IntervalStyle', value: 'postgres', report: true },
  { name: 'is_superuser', value: 'on', report: true, readOnly: true },
  { name: 'server_encoding', value: 'UTF8', report: true, readOnly: true },
  { name: 'server_version', value: SERVER_VERSION, report: true, readOnly: true },
  { name: 'server_version_num', value: '150018', readOnly: true },
  { name: 'session_authorization', value: 'postgres', report: true },
  { name: 'standard_conforming_strings', value: 'on', report: true },
  { name: 'TimeZone', value: 'UTC', report: true },
  { name: 'extra_float_digits', value: '1' },
  { name: 'search_path', value: '"$user", public' },
  { name: 'client_min_messages', value: 'notice' },
  { name: 'statement_timeout', value: '0' },
  { name: 'lock_timeout', value: '0' },
  { name: 'idle_in_transaction_session_timeout', value: '0' },
  { name: 'transaction_isolation', value: 'read committed' },
  { name: 'default_transaction_isolation', value: 'read committed' },
  { name: 'transaction_read_only', value: 'off' },
  { name: 'max_identifier_length', value: '63', readOnly: true },
  { name: 'max_connections', value: '100', readOnly: true },
  { name: 'bytea_output', value: 'hex' },
  { name: 'lc_messages', value: 'C' },
  { name: 'lc_monetary', value: 'C' },
  { name: 'lc_numeric', value: 'C' },
  { name: 'lc_time', value: 'C' },
  { name: 'lc_collate', value: 'C', readOnly: true },
  { name: 'lc_ctype', value: 'C', readOnly: true },
  { name: 'work_mem', value: '4MB' },
  { name: 'maintenance_work_mem', value: '64MB' },
  { name: 'synchronous_commit', value: 'on' },
  { name: 'row_security', value: 'on' },
  { name: 'check_function_bodies', value: 'on' },
  { name: 'default_tablespace', value: '' },
  { name: 'xmloption', value: 'content' },
  { name: 'jit', value: 'off' },
  { name: 'enable_seqscan', value: 'on' },
  { name: 'enable_indexscan', value: 'on' },
  { name: 'max_parallel_workers_per_gather', value: '2' },
  { name: 'block_size', value: '8192', readOnly: true },
  { name: 'hnsw.ef_search', value: '40' },
  { name: 'hnsw.iterative_scan', value: 'off' },
  { name: 'hnsw.max_scan_tuples', value: '20000' },
  { name: 'ivfflat.probes', value: '1' },
  { name: 'ivfflat.iterative_scan', value: 'off' },
];

const BY_KEY = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

export function settingDef(name: string): SettingDef | undefined {
  return BY_KEY.get(name.toLowerCase());
}

export function allSettingDefs(): readonly SettingDef[] {
  return DEFS;
}

/** Validate a SET; custom (dotted) names are allowed, as in PostgreSQL. Returns the canonical key. */
export function checkSettable(name: string): string {
  const key = name.toLowerCase();
  const def = BY_KEY.get(key);
  if (!def) {
    if (key.includes('.')) return key;
    throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
  }
  if (def.readOnly) throw new SqlError('55P02', `parameter "${def.name}" cannot be changed`);
  return key;
}

/** Normalise values the way PostgreSQL shows them back. */
export function normalizeSetting(key: string, value: string): string {
  switch (key) {
    case 'timezone':
      if (/^(utc|gmt|z|zulu|etc\/utc)$/i.test(value)) return value.toUpperCase() === 'ETC/UTC' ? 'Etc/UTC' : value.toUpperCase() === 'Z' || value.toLowerCase() === 'zulu' ? value : value.toUpperCase();
      return value;
    case 'datestyle': {
      const parts = value.split(',').map((p) => p.trim().toUpperCase());
      let style = 'ISO';
      let order = 'MDY';
      for (const p of parts) {
        if (['ISO', 'SQL', 'POSTGRES', 'GERMAN'].includes(p)) style = p === 'POSTGRES' ? 'Postgres' : p === 'GERMAN' ? 'German' : p;
        else if (['MDY', 'DMY', 'YMD', 'US', 'EUROPEAN', 'NONEURO', 'NONEUROPEAN'].includes(p)) order = p === 'US' || p === 'NONEURO' || p === 'NONEUROPEAN' ? 'MDY' : p === 'EUROPEAN' ? 'DMY' : p;
      }
      return `${style}, ${order}`;
    }
    case 'client_encoding': {
      const v = value.toUpperCase().replace(/[-_]/g, '');
      if (v === 'UTF8' || v === 'UNICODE') return 'UTF8';
      if (v === 'SQLASCII') return 'SQL_ASCII';
      throw new SqlError(SqlState.featureNotSupported, `conversion between ${value} and UTF8 is not supported`);
    }
    case 'transaction_isolation':
    case 'default_transaction_isolation':
      return value.toLowerCase();
  }
  return value;
}
