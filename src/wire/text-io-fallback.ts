/**
 * TEMPORARY stand-in for src/types/text-io.ts (being written by a colleague) with the same
 * signatures, so the wire layer can be built and tested now. It covers only the common
 * cases; codecs.ts switches to the real module once it exists. Delete this file then.
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, type Interval, type SqlType, type Value } from '../types/types.js';

export interface TextSettings {
  timezone?: string;
  extraFloatDigits?: number;
  dateStyle?: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function formatTimestamp(micros: number, withZone: boolean): string {
  if (micros === Infinity) return 'infinity';
  if (micros === -Infinity) return '-infinity';
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  const frac = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (frac) s += '.' + pad(frac, 6).replace(/0+$/, '');
  return withZone ? s + '+00' : s;
}

export function formatText(type: SqlType, value: Value, settings: TextSettings = {}): string {
  if (value === null) return '';
  const info = TYPES.get(type.oid);
  if (info?.category === 'A' && info.elem !== undefined && Array.isArray(value)) {
    const elem: SqlType = { oid: info.elem, typmod: type.typmod };
    const one = (v: Value): string => {
      if (Array.isArray(v)) return '{' + v.map(one).join(',') + '}';
      if (v === null) return 'NULL';
      const s = formatText(elem, v, settings);
      return s === '' || /[{},"\\\s]/.test(s) || s.toUpperCase() === 'NULL' ? '"' + s.replace(/(["\\])/g, '\\$1') + '"' : s;
    };
    return one(value);
  }
  switch (type.oid) {
    case OID.bool: return value ? 't' : 'f';
    case OID.float4:
    case OID.float8: {
      const n = value as number;
      if (Number.isNaN(n)) return 'NaN';
      if (n === Infinity) return 'Infinity';
      if (n === -Infinity) return '-Infinity';
      return String(n);
    }
    case OID.bytea: return '\\x' + Buffer.from(value as Uint8Array).toString('hex');
    case OID.date: {
      const days = value as number;
      if (days === Infinity) return 'infinity';
      if (days === -Infinity) return '-infinity';
      return formatTimestamp(days * 86_400_000_000, false).slice(0, 10);
    }
    case OID.time: {
      const m = value as number;
      const secs = Math.floor(m / 1e6);
      const frac = m % 1e6;
      const s = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
      return frac ? s + '.' + pad(frac, 6).replace(/0+$/, '') : s;
    }
    case OID.timestamp: return formatTimestamp(value as number, false);
    case OID.timestamptz: return formatTimestamp(value as number, true);
    case OID.interval: {
      const iv = value as Interval;
      const parts: string[] = [];
      if (iv.months) parts.push(`${iv.months} mons`);
      if (iv.days) parts.push(`${iv.days} days`);
      if (iv.micros || parts.length === 0) {
        const sign = iv.micros < 0 ? '-' : '';
        const a = Math.abs(iv.micros);
        const secs = Math.floor(a / 1e6);
        parts.push(`${sign}${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`);
      }
      return parts.join(' ');
    }
    case OID.vector: return '[' + Array.from(value as Float32Array, (x) => String(x)).join(',') + ']';
  }
  return String(value);
}

function invalid(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

export function parseText(type: SqlType, text: string): Value {
  switch (type.oid) {
    case OID.bool: {
      const t = text.trim().toLowerCase();
      if (['t', 'true', 'yes', 'on', '1', 'y'].includes(t)) return true;
      if (['f', 'false', 'no', 'off', '0', 'n'].includes(t)) return false;
      throw invalid('boolean', text);
    }
    case OID.int2:
    case OID.int4:
    case OID.oid: {
      if (!/^\s*[+-]?\d+\s*$/.test(text)) throw invalid(type.oid === OID.int2 ? 'smallint' : type.oid === OID.int4 ? 'integer' : 'oid', text);
      return Number(text);
    }
    case OID.int8: {
      if (!/^\s*[+-]?\d+\s*$/.test(text)) throw invalid('bigint', text);
      return BigInt(text.trim());
    }
    case OID.float4:
    case OID.float8: {
      const n = Number(text.trim().replace(/^(-?)infinity$/i, '$1Infinity'));
      if (Number.isNaN(n) && text.trim().toLowerCase() !== 'nan') throw invalid(type.oid === OID.float4 ? 'real' : 'double precision', text);
      return type.oid === OID.float4 ? Math.fround(n) : n;
    }
    case OID.bytea: return text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text);
    case OID.date: {
      const ms = Date.parse(text.trim() + 'T00:00:00Z');
      if (Number.isNaN(ms)) throw invalid('date', text);
      return ms / 86_400_000;
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const ms = Date.parse(text.trim().replace(' ', 'T') + (type.oid === OID.timestamp || !/[zZ+-]\d*$/.test(text.trim().slice(10)) ? 'Z' : ''));
      if (Number.isNaN(ms)) throw invalid('timestamp', text);
      return ms * 1000;
    }
    case OID.vector: {
      const t = text.trim();
      if (!t.startsWith('[') || !t.endsWith(']')) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type vector: "${text}"`);
      return Float32Array.from(t.slice(1, -1).split(',').map(Number));
    }
    case OID.uuid: return text.trim().toLowerCase();
  }
  return text;
}
