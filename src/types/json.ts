/**
 * json / jsonb. json keeps the input text (validated); jsonb is stored as PostgreSQL's
 * canonical text: `{"a": 1, "b": [1, 2]}`, object keys ordered by length then bytes,
 * duplicate keys last-wins, numbers as numeric text (1e2 → 100, 2.50 stays 2.50).
 */
import { SqlError, SqlState } from '../errors.js';
import { parseNumeric } from './numeric.js';

/** Parsed JSON with numbers kept as numeric text. Objects are arrays of [key, value] pairs. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonNumber { readonly num: string }
export interface JsonObject { readonly obj: [string, JsonValue][] }

export function isJsonNumber(v: JsonValue): v is JsonNumber { return typeof v === 'object' && v !== null && !Array.isArray(v) && 'num' in v; }
export function isJsonObject(v: JsonValue): v is JsonObject { return typeof v === 'object' && v !== null && !Array.isArray(v) && 'obj' in v; }

function syntaxError(text: string, detail: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type json', { detail, where: `JSON data, line 1: ${text}` });
}

class Parser {
  pos = 0;
  constructor(readonly text: string, readonly jsonb: boolean) {}
  ws(): void { while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++; }
  fail(): never {
    if (this.pos >= this.text.length) throw syntaxError(this.text, 'The input string ended unexpectedly.');
    const tok = /^[A-Za-z0-9_.+-]+/.exec(this.text.slice(this.pos))?.[0] ?? this.text[this.pos]!;
    throw syntaxError(this.text, `Token "${tok}" is invalid.`);
  }
  value(): JsonValue {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (m && !/^[A-Za-z0-9_]/.test(this.text.slice(this.pos + m[0].length))) {
      this.pos += m[0].length;
      return { num: m[0] };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos) && !/^[A-Za-z0-9_]/.test(this.text.slice(this.pos + word.length))) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail();
  }
  object(): JsonObject {
    this.pos++;
    const obj: [string, JsonValue][] = [];
    this.ws();
    if (this.text[this.pos] === '}') { this.pos++; return { obj }; }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail();
      const k = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
      obj.push([k, this.value()]);
      this.ws();
      if (this.text[this.pos] === ',') { this.pos++; continue; }
      if (this.text[this.pos] === '}') { this.pos++; return { obj }; }
      this.fail();
    }
  }
  array(): JsonValue[] {
    this.pos++;
    const arr: JsonValue[] = [];
    this.ws();
    if (this.text[this.pos] === ']') { this.pos++; return arr; }
    for (;;) {
      arr.push(this.value());
      this.ws();
      if (this.text[this.pos] === ',') { this.pos++; continue; }
      if (this.text[this.pos] === ']') { this.pos++; return arr; }
      this.fail();
    }
  }
  string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail();
      const c = this.text[this.pos]!;
      if (c === '"') { this.pos++; return out; }
      if (c.charCodeAt(0) < 0x20) {
        throw syntaxError(this.text, `Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = this.text.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError(this.text, '"\\u" must be followed by four hexadecimal digits.');
            const code = parseInt(hex, 16);
            if (code === 0 && this.jsonb) {
              throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
            }
            out += String.fromCharCode(code);
            this.pos += 4;
            break;
          }
          default:
            throw syntaxError(this.text, `Escape sequence "\\${e ?? ''}" is invalid.`);
        }
        continue;
      }
      out += c;
      this.pos++;
    }
  }
}

export function parseJsonTree(text: string, jsonb = true): JsonValue {
  const p = new Parser(text, jsonb);
  const v = p.value();
  p.ws();
  if (p.pos < text.length) p.fail();
  return v;
}

/** json_in: validate, keep the text */
export function parseJson(text: string): string {
  parseJsonTree(text, false);
  return text;
}

/** jsonb_in: canonical text */
export function parseJsonb(text: string): string {
  return formatJsonb(normalizeJsonb(parseJsonTree(text, true)));
}

function compareKeys(a: string, b: string): number {
  const ba = Buffer.from(a), bb = Buffer.from(b);
  if (ba.length !== bb.length) return ba.length - bb.length;
  return Buffer.compare(ba, bb);
}

/** jsonb semantics: sort keys, drop duplicates (last wins), canonicalize numbers */
export function normalizeJsonb(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(normalizeJsonb);
  if (isJsonNumber(v)) return { num: parseNumeric(v.num) };
  if (isJsonObject(v)) {
    const m = new Map<string, JsonValue>();
    for (const [k, val] of v.obj) { m.delete(k); m.set(k, normalizeJsonb(val)); }
    return { obj: [...m.entries()].sort((x, y) => compareKeys(x[0], y[0])) };
  }
  return v;
}

export function escapeJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default:
        out += ch.charCodeAt(0) < 0x20 ? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0') : ch;
    }
  }
  return out + '"';
}

/** jsonb_out style: `{"a": 1, "b": [1, 2]}` */
export function formatJsonb(v: JsonValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return escapeJsonString(v);
  if (Array.isArray(v)) return '[' + v.map(formatJsonb).join(', ') + ']';
  if (isJsonNumber(v)) return v.num;
  return '{' + v.obj.map(([k, x]) => escapeJsonString(k) + ': ' + formatJsonb(x)).join(', ') + '}';
}

/** json_build_object style: `{"a" : 1, "b" : "x"}` */
export function formatJsonBuild(v: JsonValue): string {
  if (isJsonObject(v)) return '{' + v.obj.map(([k, x]) => escapeJsonString(k) + ' : ' + formatJsonBuild(x)).join(', ') + '}';
  if (Array.isArray(v)) return '[' + v.map(formatJsonBuild).join(', ') + ']';
  return formatJsonb(v);
}

export function jsonbTypeof(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (isJsonNumber(v)) return 'number';
  return 'object';
}

export function compareJsonb(a: JsonValue, b: JsonValue): number {
  // jsonb btree order: object > array > boolean > number > string > null
  const rank = (v: JsonValue): number => v === null ? 0 : typeof v === 'string' ? 1 : isJsonNumber(v) ? 2 : typeof v === 'boolean' ? 3 : Array.isArray(v) ? 4 : 5;
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'string') return compareKeys(a, b as string);
  if (isJsonNumber(a)) { const x = Number(a.num), y = Number((b as JsonNumber).num); return x < y ? -1 : x > y ? 1 : 0; }
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a)) {
    const bb = b as JsonValue[];
    if (a.length !== bb.length) return a.length - bb.length;
    for (let i = 0; i < a.length; i++) { const c = compareJsonb(a[i]!, bb[i]!); if (c) return c; }
    return 0;
  }
  if (isJsonObject(a)) {
    const bo = (b as JsonObject).obj;
    if (a.obj.length !== bo.length) return a.obj.length - bo.length;
    for (let i = 0; i < a.obj.length; i++) {
      const c = compareKeys(a.obj[i]![0], bo[i]![0]) || compareJsonb(a.obj[i]![1], bo[i]![1]);
      if (c) return c;
    }
  }
  return 0;
}

/** jsonb @> jsonb */
export function jsonbContains(a: JsonValue, b: JsonValue): boolean {
  if (isJsonObject(b)) {
    if (!isJsonObject(a)) return false;
    return b.obj.every(([k, bv]) => { const av = a.obj.find(([ak]) => ak === k); return av !== undefined && jsonbContains(av[1], bv); });
  }
  if (Array.isArray(b)) {
    if (!Array.isArray(a)) return false;
    return b.every((bv) => a.some((av) => jsonbContains(av, bv)));
  }
  if (Array.isArray(a)) return a.some((av) => !Array.isArray(av) && !isJsonObject(av) && compareJsonb(av, b) === 0);
  return compareJsonb(a, b) === 0;
}

export function jsonGetField(v: JsonValue, key: string): JsonValue | undefined {
  if (!isJsonObject(v)) return undefined;
  for (let i = v.obj.length - 1; i >= 0; i--) if (v.obj[i]![0] === key) return v.obj[i]![1];
  return undefined;
}

export function jsonGetIndex(v: JsonValue, idx: number): JsonValue | undefined {
  if (!Array.isArray(v)) return undefined;
  const i = idx < 0 ? v.length + idx : idx;
  return i >= 0 && i < v.length ? v[i] : undefined;
}

/** value of ->> : strings unquoted, null → SQL NULL, others as jsonb text */
export function jsonAsText(v: JsonValue | undefined, jsonb = true): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  return jsonb ? formatJsonb(v) : formatJsonb(v);
}
