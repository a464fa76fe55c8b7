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

type TokKind = 'end' | 'invalid' | 'string' | 'number' | 'true' | 'false' | 'null' | '{' | '}' | '[' | ']' | ',' | ':';
interface Token { kind: TokKind; start: number; end: number; value?: string }

/** where the parser stands when a token does not fit (PostgreSQL's JsonParseContext) */
type ParseContext = 'value' | 'objectStart' | 'objectLabel' | 'objectNext' | 'objectComma' | 'arrayNext' | 'end';

const EXPECTED: Record<ParseContext, string> = {
  value: 'JSON value',
  objectStart: 'string or "}"',
  objectLabel: '":"',
  objectNext: '"," or "}"',
  objectComma: 'string',
  arrayNext: '"," or "]"',
  end: 'end of input',
};

/** JSON_ALPHANUMERIC_CHAR: what the lexer swallows into one (possibly invalid) word */
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/**
 * PostgreSQL's JSON lexer and recursive-descent parser (src/common/jsonapi.c), with its
 * error details and the "JSON data, line N: …" context.
 */
class Parser {
  pos = 0;
  line = 1;
  lineStart = 0;
  tok: Token;
  constructor(readonly text: string, readonly jsonb: boolean) {
    this.tok = this.lex();
  }

  error(detail: string, tokenEnd: number, code: string = SqlState.invalidTextRepresentation, message = 'invalid input syntax for type json', atEnd = false): never {
    let ctxStart = this.lineStart;
    while (tokenEnd - ctxStart >= 50) ctxStart++;
    if (ctxStart - this.lineStart <= 3) ctxStart = this.lineStart;
    const prefix = ctxStart > this.lineStart ? '...' : '';
    const next = this.text[tokenEnd];
    const suffix = !atEnd && tokenEnd < this.text.length && next !== '\n' && next !== '\r' ? '...' : '';
    throw new SqlError(code, message, { detail, where: `JSON data, line ${this.line}: ${prefix}${this.text.slice(ctxStart, tokenEnd)}${suffix}` });
  }

  private lex(): Token {
    const t = this.text;
    while (this.pos < t.length && ' \t\n\r'.includes(t[this.pos]!)) {
      if (t[this.pos] === '\n') { this.line++; this.lineStart = this.pos + 1; }
      this.pos++;
    }
    const start = this.pos;
    if (start >= t.length) return { kind: 'end', start, end: start };
    const c = t[start]!;
    if ('{}[],:'.includes(c)) { this.pos++; return { kind: c as TokKind, start, end: this.pos }; }
    if (c === '"') return this.lexString(start);
    if (c === '-' || (c >= '0' && c <= '9')) return this.lexNumber(start);
    let end = start;
    while (isWordChar(t[end])) end++;
    if (end === start) {
      this.pos = start + 1;
      this.error(`Token "${c}" is invalid.`, this.pos);
    }
    this.pos = end;
    const word = t.slice(start, end);
    if (word === 'true' || word === 'false' || word === 'null') return { kind: word, start, end };
    return this.error(`Token "${word}" is invalid.`, end);
  }

  /** json_lex_number: a bad number, and any letters or digits glued to it, is one invalid token */
  private lexNumber(start: number): Token {
    const t = this.text;
    const digit = (i: number): boolean => t[i] !== undefined && t[i]! >= '0' && t[i]! <= '9';
    let p = start;
    let error = false;
    if (t[p] === '-') p++;
    if (t[p] === '0') p++;
    else if (digit(p) && t[p] !== '0') { while (digit(p)) p++; }
    else error = true;
    if (t[p] === '.') {
      p++;
      if (!digit(p)) error = true;
      else while (digit(p)) p++;
    }
    if (t[p] === 'e' || t[p] === 'E') {
      p++;
      if (t[p] === '+' || t[p] === '-') p++;
      if (!digit(p)) error = true;
      else while (digit(p)) p++;
    }
    const numEnd = p;
    while (isWordChar(t[p])) { p++; error = true; }
    this.pos = p;
    if (error) this.error(`Token "${t.slice(start, p)}" is invalid.`, p);
    return { kind: 'number', start, end: p, value: t.slice(start, numEnd) };
  }

  private lexString(start: number): Token {
    const t = this.text;
    let p = start + 1;
    let out = '';
    let highSurrogate = -1;
    const surrogateError = (at: number, msg: string): never => this.error(msg, at);
    for (;;) {
      if (p >= t.length) { this.pos = p; this.error(`Token "${t.slice(start, p)}" is invalid.`, p); }
      const c = t[p]!;
      if (c === '"') break;
      if (c.charCodeAt(0) < 0x20) {
        this.pos = p;
        this.error(`Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`, p);
      }
      if (c !== '\\') {
        if (highSurrogate >= 0) surrogateError(p + 1, 'Unicode low surrogate must follow a high surrogate.');
        out += c;
        p++;
        continue;
      }
      p++;
      if (p >= t.length) { this.pos = p; this.error(`Token "${t.slice(start, p)}" is invalid.`, p); }
      const e = t[p]!;
      if (e === 'u') {
        let code = 0;
        for (let i = 1; i <= 4; i++) {
          p++;
          if (p >= t.length) { this.pos = p; this.error(`Token "${t.slice(start, p)}" is invalid.`, p); }
          const h = t[p]!;
          if (!/[0-9a-fA-F]/.test(h)) this.error('"\\u" must be followed by four hexadecimal digits.', p + 1);
          code = code * 16 + parseInt(h, 16);
        }
        p++;
        if (code >= 0xd800 && code <= 0xdbff) {
          if (highSurrogate >= 0) surrogateError(p, 'Unicode high surrogate must not follow a high surrogate.');
          highSurrogate = code;
          continue;
        }
        if (code >= 0xdc00 && code <= 0xdfff) {
          if (highSurrogate < 0) surrogateError(p, 'Unicode low surrogate must follow a high surrogate.');
          out += String.fromCharCode(highSurrogate, code);
          highSurrogate = -1;
          continue;
        }
        if (highSurrogate >= 0) surrogateError(p, 'Unicode low surrogate must follow a high surrogate.');
        if (code === 0 && this.jsonb) {
          this.error('\\u0000 cannot be converted to text.', p, '22P05', 'unsupported Unicode escape sequence');
        }
        out += String.fromCharCode(code);
        continue;
      }
      if (highSurrogate >= 0) surrogateError(p + 1, 'Unicode low surrogate must follow a high surrogate.');
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      const r = simple[e];
      if (r === undefined) this.error(`Escape sequence "\\${e}" is invalid.`, p + 1);
      out += r;
      p++;
    }
    if (highSurrogate >= 0) this.error('Unicode low surrogate must follow a high surrogate.', p + 1);
    this.pos = p + 1;
    return { kind: 'string', start, end: this.pos, value: out };
  }

  /** the lookahead's kind (a method, so TypeScript does not narrow it across next()) */
  private peek(): TokKind {
    return this.tok.kind;
  }

  private next(): Token {
    const cur = this.tok;
    this.tok = this.lex();
    return cur;
  }

  /** the current token does not fit `ctx` */
  fail(ctx: ParseContext): never {
    const tk = this.tok;
    if (tk.kind === 'end') this.error('The input string ended unexpectedly.', tk.end, undefined, undefined, true);
    this.error(`Expected ${EXPECTED[ctx]}, but found "${this.text.slice(tk.start, tk.end)}".`, tk.end);
  }

  value(): JsonValue {
    const tk = this.tok;
    switch (tk.kind) {
      case '{': return this.object();
      case '[': return this.array();
      case 'string': this.next(); return tk.value!;
      case 'number': this.next(); return { num: tk.value! };
      case 'true': this.next(); return true;
      case 'false': this.next(); return false;
      case 'null': this.next(); return null;
      default: return this.fail('value');
    }
  }

  object(): JsonObject {
    this.next();
    const obj: [string, JsonValue][] = [];
    if (this.peek() === '}') { this.next(); return { obj }; }
    if (this.peek() !== 'string') this.fail('objectStart');
    for (;;) {
      const k = this.next().value!;
      if (this.peek() !== ':') this.fail('objectLabel');
      this.next();
      obj.push([k, this.value()]);
      if (this.peek() === '}') { this.next(); return { obj }; }
      if (this.peek() !== ',') this.fail('objectNext');
      this.next();
      if (this.peek() !== 'string') this.fail('objectComma');
    }
  }

  array(): JsonValue[] {
    this.next();
    const arr: JsonValue[] = [];
    if (this.peek() === ']') { this.next(); return arr; }
    for (;;) {
      arr.push(this.value());
      if (this.peek() === ']') { this.next(); return arr; }
      if (this.peek() !== ',') this.fail('arrayNext');
      this.next();
    }
  }

  finish(): void {
    if (this.tok.kind !== 'end') this.fail('end');
  }
}

export function parseJsonTree(text: string, jsonb = true): JsonValue {
  const p = new Parser(text, jsonb);
  const v = p.value();
  p.finish();
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
