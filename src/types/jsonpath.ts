/**
 * PostgreSQL's SQL/JSON path language (jsonpath): the lexer and grammar of
 * jsonpath_scan.l / jsonpath_gram.y (PostgreSQL 15), the canonical text output of
 * jsonpath.c (printJsonPathItem: `$.a[*] ? (@ > 1)` prints `$."a"[*]?(@ > 1)`), and the
 * executor of jsonpath_exec.c (lax/strict modes, auto-wrapping and unwrapping, filters,
 * three-valued predicates, arithmetic, item methods) with its messages and SQLSTATEs.
 *
 * A jsonpath value is its canonical text (a string); parseJsonPath() turns text into the
 * tree (cached), formatJsonPath() prints a tree. .datetime() parses but is not executable.
 */
import { SqlError, SqlState } from '../errors.js';
import { escapeJsonString, isJsonNumber, isJsonObject, normalizeJsonb, type JsonObject, type JsonValue } from './json.js';
import {
  compareNumeric, numericAbs, numericAdd, numericCeil, numericDiv, numericFloor, numericMod, numericMul, numericNeg,
  numericSub, numericTrunc, parseNumeric, floatToNumeric,
} from './numeric.js';
import { parseFloat8 } from './float.js';

// ---------------------------------------------------------------- tree

export type JpType =
  | 'null' | 'bool' | 'num' | 'str' | 'var' | 'key' | 'root' | 'current' | 'last' | 'anyArray' | 'anyKey' | 'index' | 'any'
  | 'filter' | 'not' | 'isUnknown' | 'exists' | 'like' | 'and' | 'or' | '==' | '!=' | '<' | '>' | '<=' | '>='
  | '+' | '-' | '*' | '/' | '%' | 'startsWith' | 'plus' | 'minus'
  | 'type' | 'size' | 'abs' | 'floor' | 'ceiling' | 'double' | 'keyvalue' | 'datetime';

export interface JpNode {
  type: JpType;
  next?: JpNode;
  /** binary operators: left / right; unary, filter, not, exists, isUnknown, like, datetime: arg */
  l?: JpNode;
  r?: JpNode;
  arg?: JpNode;
  /** str / var / key name, like_regex pattern */
  s?: string;
  /** num: canonical numeric text */
  num?: string;
  b?: boolean;
  subs?: [JpNode, JpNode | undefined][];
  /** any (**): levels, -1 = last */
  first?: number;
  last?: number;
  /** like_regex flags in canonical order (i s m x q) */
  flags?: string;
}

export interface JsonPath {
  readonly lax: boolean;
  readonly root: JpNode;
}

// ---------------------------------------------------------------- lexer

type TokKind = 'eof' | 'op' | 'char' | 'var' | 'int' | 'numeric' | 'str' | 'ident';
interface Tok {
  kind: TokKind;
  /** operator / special character text, string / variable / identifier value, number text */
  v: string;
  /** keyword (lower case) when kind === 'ident' and the word is one */
  kw?: string;
  /** flex's yytext when this token is the lookahead (for "at or near"); '' means "at end" */
  yytext: string;
}

const SPECIAL = new Set('?%$.[]{}()|&!=<>@#,*:-+/'.split(''));
const BLANK = new Set([' ', '\t', '\n', '\r', '\f']);
const isAny = (c: string | undefined): boolean => c !== undefined && !SPECIAL.has(c) && !BLANK.has(c) && c !== '\\' && c !== '"';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

const KEYWORDS: Record<string, boolean> = {
  // keyword → must be lower case
  is: false, to: false, abs: false, lax: false, flag: false, last: false, null: true, size: false, true: true, type: false,
  with: false, false: true, floor: false, double: false, exists: false, starts: false, strict: false, ceiling: false,
  unknown: false, datetime: false, keyvalue: false, like_regex: false,
};

function keywordOf(word: string): string | undefined {
  const lower = word.toLowerCase();
  const mustLower = KEYWORDS[lower];
  if (mustLower === undefined) return undefined;
  if (mustLower && word !== lower) return undefined;
  return lower;
}

function syntaxError(message: string, yytext: string): SqlError {
  return new SqlError(SqlState.syntaxError, yytext === '' ? `${message} at end of jsonpath input` : `${message} at or near "${yytext}" of jsonpath input`);
}

function invalidJsonpath(detail: string, code: string = SqlState.invalidTextRepresentation): SqlError {
  return new SqlError(code, 'invalid input syntax for type jsonpath', { detail });
}

class Lexer {
  pos = 0;
  constructor(readonly text: string) {}

  /** escapes shared by quoted strings, quoted variables and unquoted words */
  private escape(out: { s: string }): void {
    const t = this.text;
    const start = this.pos; // at the backslash
    const c = t[start + 1];
    if (c === undefined) throw syntaxError('unexpected end after backslash', '\\');
    const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (c === 'x') {
      const m = /^\\x[0-9A-Fa-f]{2}/.exec(t.slice(start));
      if (!m) {
        const f = /^\\x[0-9A-Fa-f]?/.exec(t.slice(start))![0];
        throw syntaxError('invalid hex character sequence', f);
      }
      const code = parseInt(t.slice(start + 2, start + 4), 16);
      if (code === 0) throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
      out.s += String.fromCharCode(code);
      this.pos = start + 4;
      return;
    }
    if (c === 'u') {
      // {unicode}+ : a run of \uXXXX / \u{X…} escapes decoded together (surrogate pairs)
      const re = /^\\u([0-9A-Fa-f]{4}|\{[0-9A-Fa-f]{1,6}\})/;
      let p = start;
      let hi = -1;
      let any = false;
      for (;;) {
        const m = re.exec(t.slice(p));
        if (!m) break;
        any = true;
        const code = parseInt(m[1]!.replace(/[{}]/g, ''), 16);
        p += m[0].length;
        if (code >= 0xd800 && code <= 0xdbff) {
          if (hi !== -1) throw invalidJsonpath('Unicode high surrogate must not follow a high surrogate.');
          hi = code;
          continue;
        }
        if (code >= 0xdc00 && code <= 0xdfff) {
          if (hi === -1) throw invalidJsonpath('Unicode low surrogate must follow a high surrogate.');
          out.s += String.fromCharCode(hi, code);
          hi = -1;
          continue;
        }
        if (hi !== -1) throw invalidJsonpath('Unicode low surrogate must follow a high surrogate.');
        if (code === 0) throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
        out.s += String.fromCodePoint(code);
      }
      if (!any) {
        const f = /^\\u(\{[0-9A-Fa-f]{0,6}|[0-9A-Fa-f]{0,3})/.exec(t.slice(start))![0];
        throw syntaxError('invalid unicode sequence', t.slice(start, start) + f);
      }
      if (hi !== -1) throw invalidJsonpath('Unicode low surrogate must follow a high surrogate.');
      this.pos = p;
      return;
    }
    out.s += simple[c] ?? c;
    this.pos = start + 2;
  }

  /** a quoted string / variable name after the opening quote */
  private quoted(): string {
    const t = this.text;
    const out = { s: '' };
    for (;;) {
      const c = t[this.pos];
      if (c === undefined) throw syntaxError('unexpected end of quoted string', '');
      if (c === '"') { this.pos++; return out.s; }
      if (c === '\\') { this.escape(out); continue; }
      out.s += c;
      this.pos++;
    }
  }

  /** length of the longest numeric-literal rule match at p, with its kind */
  private number(p: number): { len: number; kind: 'int' | 'numeric' | 'junk' | 'fail' } | undefined {
    const t = this.text;
    let i = p;
    let kind: 'int' | 'numeric' = 'int';
    if (t[i] === '0') i++;
    else if (isDigit(t[i])) while (isDigit(t[i])) i++;
    else if (!(t[i] === '.' && isDigit(t[i + 1]))) return undefined;
    if (t[i] === '.' && (i > p || isDigit(t[i + 1]))) {
      i++;
      kind = 'numeric';
      while (isDigit(t[i])) i++;
    }
    if (t[i] === 'e' || t[i] === 'E') {
      let j = i + 1;
      if (t[j] === '+' || t[j] === '-') {
        j++;
        if (!isDigit(t[j])) return { len: j - p, kind: 'fail' };
      }
      if (isDigit(t[j])) {
        while (isDigit(t[j])) j++;
        i = j;
        kind = 'numeric';
      }
    }
    if (isAny(t[i])) return { len: i + 1 - p, kind: 'junk' };
    return { len: i - p, kind };
  }

  next(): Tok {
    const t = this.text;
    for (;;) {
      while (BLANK.has(t[this.pos] ?? '')) this.pos++;
      if (t.startsWith('/*', this.pos)) {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) throw syntaxError('unexpected end of comment', '');
        this.pos = end + 2;
        continue;
      }
      break;
    }
    const p = this.pos;
    if (p >= t.length) return { kind: 'eof', v: '', yytext: '' };
    const two = t.slice(p, p + 2);
    if (['&&', '||', '**', '<=', '==', '<>', '!=', '>='].includes(two)) {
      this.pos += 2;
      return { kind: 'op', v: two === '<>' ? '!=' : two, yytext: two };
    }
    const c = t[p]!;
    if (c === '$') {
      if (t[p + 1] === '"') {
        this.pos = p + 2;
        const name = this.quoted();
        return { kind: 'var', v: name, yytext: '"' };
      }
      let e = p + 1;
      while (isAny(t[e])) e++;
      if (e > p + 1) {
        this.pos = e;
        return { kind: 'var', v: t.slice(p + 1, e), yytext: t.slice(p, e) };
      }
    }
    const num = this.number(p);
    let anyLen = 0;
    while (isAny(t[p + anyLen])) anyLen++;
    if (num && num.len >= anyLen && num.len >= 1 && !(num.len === 1 && c === '.')) {
      const text = t.slice(p, p + num.len);
      this.pos = p + num.len;
      if (num.kind === 'junk') throw syntaxError('trailing junk after numeric literal', text);
      if (num.kind === 'fail') throw syntaxError('invalid numeric literal', text);
      return { kind: num.kind, v: text, yytext: text };
    }
    if (c === '<' || c === '>' || c === '!') {
      this.pos++;
      return { kind: 'op', v: c, yytext: c };
    }
    if (SPECIAL.has(c)) {
      this.pos++;
      return { kind: 'char', v: c, yytext: c };
    }
    if (c === '"') {
      this.pos++;
      const s = this.quoted();
      return { kind: 'str', v: s, yytext: '"' };
    }
    // an unquoted word: runs of non-special characters and escapes
    const out = { s: '' };
    for (;;) {
      const ch = t[this.pos];
      if (ch === '\\') { this.escape(out); continue; }
      if (!isAny(ch)) break;
      out.s += ch;
      this.pos++;
    }
    // yytext: the blanks that end the word, or nothing (special character, quote, end)
    let yytext = '';
    let b = this.pos;
    while (BLANK.has(t[b] ?? '')) b++;
    if (b > this.pos) yytext = t.slice(this.pos, b);
    return { kind: 'ident', v: out.s, kw: keywordOf(out.s), yytext };
  }
}

// ---------------------------------------------------------------- parser

interface Parsed { node: JpNode; pred: boolean }

const METHODS = new Set(['abs', 'size', 'type', 'floor', 'double', 'ceiling', 'keyvalue']);

function append(head: JpNode, item: JpNode): void {
  let n = head;
  while (n.next) n = n.next;
  n.next = item;
}

class Parser {
  private lex: Lexer;
  private tok: Tok;
  private ahead: Tok | undefined;
  constructor(readonly text: string) {
    this.lex = new Lexer(text);
    this.tok = this.lex.next();
  }

  private advance(): Tok {
    const cur = this.tok;
    this.tok = this.ahead ?? this.lex.next();
    this.ahead = undefined;
    return cur;
  }

  private peek2(): Tok {
    this.ahead ??= this.lex.next();
    return this.ahead;
  }

  private fail(): never {
    throw syntaxError('syntax error', this.tok.yytext);
  }

  private atEof(): boolean { return this.tok.kind === 'eof'; }
  private isChar(c: string): boolean { return this.tok.kind === 'char' && this.tok.v === c; }
  private isOp(o: string): boolean { return this.tok.kind === 'op' && this.tok.v === o; }
  private isKw(k: string): boolean { return this.tok.kind === 'ident' && this.tok.kw === k; }

  private expectChar(c: string): void {
    if (!this.isChar(c)) this.fail();
    this.advance();
  }

  parse(): JsonPath | undefined {
    if (this.tok.kind === 'eof') return undefined;
    let lax = true;
    if (this.isKw('strict') || this.isKw('lax')) {
      lax = this.tok.kw === 'lax';
      this.advance();
    }
    const r = this.or();
    if (!this.atEof()) this.fail();
    return { lax, root: r.node };
  }

  private pred(p: Parsed): JpNode {
    if (!p.pred) this.fail();
    return p.node;
  }

  private expr(p: Parsed): JpNode {
    if (p.pred) this.fail();
    return p.node;
  }

  private or(): Parsed {
    let left = this.and();
    while (this.isOp('||')) {
      const l = this.pred(left);
      this.advance();
      const r = this.pred(this.and());
      left = { node: { type: 'or', l, r }, pred: true };
    }
    return left;
  }

  private and(): Parsed {
    let left = this.not();
    while (this.isOp('&&')) {
      const l = this.pred(left);
      this.advance();
      const r = this.pred(this.not());
      left = { node: { type: 'and', l, r }, pred: true };
    }
    return left;
  }

  private not(): Parsed {
    if (!this.isOp('!')) return this.comparison();
    this.advance();
    if (this.isKw('exists')) return { node: { type: 'not', arg: this.exists() }, pred: true };
    this.expectChar('(');
    const arg = this.pred(this.or());
    this.expectChar(')');
    return { node: { type: 'not', arg }, pred: true };
  }

  private exists(): JpNode {
    this.advance();
    this.expectChar('(');
    const arg = this.expr(this.additive());
    this.expectChar(')');
    return { type: 'exists', arg };
  }

  private comparison(): Parsed {
    const left = this.additive();
    const t = this.tok;
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      const l = this.expr(left);
      this.advance();
      const r = this.expr(this.additive());
      return { node: { type: t.v as JpType, l, r }, pred: true };
    }
    if (this.isKw('starts')) {
      const l = this.expr(left);
      this.advance();
      if (!this.isKw('with')) this.fail();
      this.advance();
      const init = this.tok;
      if (init.kind === 'str') { this.advance(); return { node: { type: 'startsWith', l, r: { type: 'str', s: init.v } }, pred: true }; }
      if (init.kind === 'var') { this.advance(); return { node: { type: 'startsWith', l, r: { type: 'var', s: init.v } }, pred: true }; }
      this.fail();
    }
    if (this.isKw('like_regex')) {
      const arg = this.expr(left);
      this.advance();
      if (this.tok.kind !== 'str') this.fail();
      const pattern = this.advance().v;
      let flagText = '';
      if (this.isKw('flag')) {
        this.advance();
        if (this.tok.kind !== 'str') this.fail();
        flagText = this.advance().v;
      }
      return { node: likeRegex(arg, pattern, flagText), pred: true };
    }
    return left;
  }

  private additive(): Parsed {
    let left = this.multiplicative();
    while (this.isChar('+') || this.isChar('-')) {
      const l = this.expr(left);
      const op = this.advance().v as JpType;
      const r = this.expr(this.multiplicative());
      left = { node: { type: op, l, r }, pred: false };
    }
    return left;
  }

  private multiplicative(): Parsed {
    let left = this.unary();
    while (this.isChar('*') || this.isChar('/') || this.isChar('%')) {
      const l = this.expr(left);
      const op = this.advance().v as JpType;
      const r = this.expr(this.unary());
      left = { node: { type: op, l, r }, pred: false };
    }
    return left;
  }

  private unary(): Parsed {
    if (this.isChar('+') || this.isChar('-')) {
      const op = this.advance().v;
      const a = this.expr(this.unary());
      if (a.type === 'num' && !a.next) return { node: op === '+' ? a : { type: 'num', num: numericNeg(a.num!) }, pred: false };
      return { node: { type: op === '+' ? 'plus' : 'minus', arg: a }, pred: false };
    }
    return this.accessorExpr();
  }

  private accessorExpr(): Parsed {
    const t = this.tok;
    let node: JpNode;
    switch (t.kind) {
      case 'int': case 'numeric':
        this.advance();
        node = { type: 'num', num: parseNumeric(t.v) };
        break;
      case 'str':
        this.advance();
        node = { type: 'str', s: t.v };
        break;
      case 'var':
        this.advance();
        node = { type: 'var', s: t.v };
        break;
      case 'char':
        if (t.v === '$') { this.advance(); node = { type: 'root' }; break; }
        if (t.v === '@') { this.advance(); node = { type: 'current' }; break; }
        if (t.v === '(') {
          this.advance();
          const inner = this.or();
          this.expectChar(')');
          if (inner.pred) {
            if (this.isKw('is')) {
              this.advance();
              if (!this.isKw('unknown')) this.fail();
              this.advance();
              return { node: { type: 'isUnknown', arg: inner.node }, pred: true };
            }
            if (!this.atAccessor()) return inner;
          }
          node = inner.node;
          break;
        }
        return this.fail();
      case 'ident':
        if (t.kw === 'true' || t.kw === 'false') { this.advance(); node = { type: 'bool', b: t.kw === 'true' }; break; }
        if (t.kw === 'null') { this.advance(); node = { type: 'null' }; break; }
        if (t.kw === 'last') { this.advance(); node = { type: 'last' }; break; }
        if (t.kw === 'exists') return { node: this.exists(), pred: true };
        return this.fail();
      default:
        return this.fail();
    }
    while (this.atAccessor()) append(node, this.accessorOp());
    return { node, pred: false };
  }

  private atAccessor(): boolean {
    return this.isChar('.') || this.isChar('[') || this.isChar('?');
  }

  private accessorOp(): JpNode {
    const t = this.advance();
    if (t.v === '?') {
      this.expectChar('(');
      const arg = this.pred(this.or());
      this.expectChar(')');
      return { type: 'filter', arg };
    }
    if (t.v === '[') {
      if (this.isChar('*')) {
        this.advance();
        this.expectChar(']');
        return { type: 'anyArray' };
      }
      const subs: [JpNode, JpNode | undefined][] = [];
      for (;;) {
        const from = this.expr(this.additive());
        let to: JpNode | undefined;
        if (this.isKw('to')) {
          this.advance();
          to = this.expr(this.additive());
        }
        subs.push([from, to]);
        if (this.isChar(',')) { this.advance(); continue; }
        this.expectChar(']');
        return { type: 'index', subs };
      }
    }
    // '.'
    const k = this.tok;
    if (k.kind === 'char' && k.v === '*') { this.advance(); return { type: 'anyKey' }; }
    if (k.kind === 'op' && k.v === '**') {
      this.advance();
      if (!this.isChar('{')) return { type: 'any', first: 0, last: -1 };
      this.advance();
      const first = this.anyLevel();
      let last = first;
      if (this.isKw('to')) { this.advance(); last = this.anyLevel(); }
      this.expectChar('}');
      return { type: 'any', first, last };
    }
    if (k.kind === 'ident' && k.kw !== undefined && (METHODS.has(k.kw) || k.kw === 'datetime') && this.peek2().kind === 'char' && this.peek2().v === '(') {
      this.advance();
      this.advance();
      if (k.kw === 'datetime') {
        let arg: JpNode | undefined;
        if (this.tok.kind === 'str') arg = { type: 'str', s: this.advance().v };
        this.expectChar(')');
        return { type: 'datetime', arg };
      }
      this.expectChar(')');
      return { type: k.kw as JpType };
    }
    if (k.kind === 'ident' || k.kind === 'str') {
      this.advance();
      return { type: 'key', s: k.v };
    }
    return this.fail();
  }

  private anyLevel(): number {
    if (this.tok.kind === 'int') return Number(this.advance().v);
    if (this.isKw('last')) { this.advance(); return -1; }
    return this.fail();
  }
}

function likeRegex(arg: JpNode, pattern: string, flagText: string): JpNode {
  const set = new Set<string>();
  for (const ch of flagText) {
    if (!'ismxq'.includes(ch)) throw invalidJsonpath(`Unrecognized flag character "${ch}" in LIKE_REGEX predicate.`, SqlState.syntaxError);
    set.add(ch);
  }
  const flags = ['i', 's', 'm', 'x', 'q'].filter((f) => set.has(f)).join('');
  if (set.has('x') && !set.has('q')) throw new SqlError(SqlState.featureNotSupported, 'XQuery "x" flag (expanded regular expressions) is not implemented');
  compileRegex(pattern, flags);
  return { type: 'like', arg, s: pattern, flags };
}

const regexCache = new Map<string, RegExp>();

function compileRegex(pattern: string, flags: string): RegExp {
  const key = flags + '/' + pattern;
  let re = regexCache.get(key);
  if (re) return re;
  let src = pattern;
  if (flags.includes('q')) src = pattern.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  else {
    src = pattern.replace(/\[:alpha:\]/g, 'a-zA-Z').replace(/\[:digit:\]/g, '0-9').replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
      .replace(/\[:space:\]/g, '\\s').replace(/\[:upper:\]/g, 'A-Z').replace(/\[:lower:\]/g, 'a-z')
      .replace(/\\m/g, '\\b').replace(/\\M/g, '\\b').replace(/\\y/g, '\\b');
  }
  let jsFlags = 'u';
  if (flags.includes('i')) jsFlags += 'i';
  if (flags.includes('s') && !flags.includes('q')) jsFlags += 's';
  if (flags.includes('m') && !flags.includes('q')) jsFlags += 'm';
  try {
    re = new RegExp(src, jsFlags);
  } catch (e) {
    throw new SqlError('2201B', `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
  }
  if (regexCache.size > 500) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** flattenJsonPathParseItem's checks: @ only inside filters, LAST only inside subscripts */
function check(n: JpNode | undefined, nesting: number, inSubscript: boolean): void {
  for (let item = n; item; item = item.next) {
    switch (item.type) {
      case 'current':
        if (nesting <= 0) throw new SqlError(SqlState.syntaxError, '@ is not allowed in root expressions');
        break;
      case 'last':
        if (!inSubscript) throw new SqlError(SqlState.syntaxError, 'LAST is allowed only in array subscripts');
        break;
      case 'filter':
        check(item.arg, nesting + 1, inSubscript);
        break;
      case 'index':
        for (const [f, t] of item.subs!) { check(f, nesting, true); check(t, nesting, true); }
        break;
      default:
        check(item.l, nesting, inSubscript);
        check(item.r, nesting, inSubscript);
        check(item.arg, nesting, inSubscript);
    }
  }
}

const parseCache = new Map<string, JsonPath>();

/** jsonpath_in: the parsed path (throws PostgreSQL's syntax errors) */
export function parseJsonPath(text: string): JsonPath {
  const cached = parseCache.get(text);
  if (cached) return cached;
  const jp = new Parser(text).parse();
  if (!jp) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type jsonpath: "${text}"`);
  check(jp.root, 0, false);
  if (parseCache.size > 1000) parseCache.clear();
  parseCache.set(text, jp);
  return jp;
}

/** jsonpath text input → canonical text (the runtime value) */
export function jsonPathIn(text: string): string {
  return formatJsonPath(parseJsonPath(text));
}

// ---------------------------------------------------------------- output

const OP_NAME: Partial<Record<JpType, string>> = {
  and: '&&', or: '||', '==': '==', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '+': '+', '-': '-', '*': '*',
  '/': '/', '%': '%', startsWith: 'starts with', like: 'like_regex', plus: '+', minus: '-',
};

function priority(t: JpType): number {
  switch (t) {
    case 'or': return 0;
    case 'and': return 1;
    case '==': case '!=': case '<': case '>': case '<=': case '>=': case 'startsWith': return 2;
    case '+': case '-': return 3;
    case '*': case '/': case '%': return 4;
    case 'plus': case 'minus': return 5;
    default: return 6;
  }
}

function printItem(v: JpNode, inKey: boolean, brackets: boolean): string {
  let out = '';
  switch (v.type) {
    case 'null': out = 'null'; break;
    case 'key': out = (inKey ? '.' : '') + escapeJsonString(v.s!); break;
    case 'str': out = escapeJsonString(v.s!); break;
    case 'var': out = '$' + escapeJsonString(v.s!); break;
    case 'num': out = v.next ? `(${v.num})` : v.num!; break;
    case 'bool': out = v.b ? 'true' : 'false'; break;
    case 'and': case 'or': case '==': case '!=': case '<': case '>': case '<=': case '>=':
    case '+': case '-': case '*': case '/': case '%': case 'startsWith':
      out = printItem(v.l!, false, priority(v.l!.type) <= priority(v.type)) + ' ' + OP_NAME[v.type] + ' '
        + printItem(v.r!, false, priority(v.r!.type) <= priority(v.type));
      if (brackets) out = `(${out})`;
      break;
    case 'like':
      out = printItem(v.arg!, false, priority(v.arg!.type) <= priority(v.type)) + ' like_regex ' + escapeJsonString(v.s!)
        + (v.flags ? ` flag "${v.flags}"` : '');
      if (brackets) out = `(${out})`;
      break;
    case 'plus': case 'minus':
      out = (v.type === 'plus' ? '+' : '-') + printItem(v.arg!, false, priority(v.arg!.type) <= priority(v.type));
      if (brackets) out = `(${out})`;
      break;
    case 'filter': out = '?(' + printItem(v.arg!, false, false) + ')'; break;
    case 'not': out = '!(' + printItem(v.arg!, false, false) + ')'; break;
    case 'isUnknown': out = '(' + printItem(v.arg!, false, false) + ') is unknown'; break;
    case 'exists': out = 'exists (' + printItem(v.arg!, false, false) + ')'; break;
    case 'current': out = '@'; break;
    case 'root': out = '$'; break;
    case 'last': out = 'last'; break;
    case 'anyArray': out = '[*]'; break;
    case 'anyKey': out = (inKey ? '.' : '') + '*'; break;
    case 'index':
      out = '[' + v.subs!.map(([f, t]) => printItem(f, false, false) + (t ? ' to ' + printItem(t, false, false) : '')).join(',') + ']';
      break;
    case 'any': {
      const f = v.first!, l = v.last!;
      const lv = (x: number): string => (x < 0 ? 'last' : String(x));
      out = inKey ? '.' : '';
      if (f === 0 && l === -1) out += '**';
      else if (f === l) out += `**{${lv(f)}}`;
      else out += `**{${lv(f)} to ${lv(l)}}`;
      break;
    }
    case 'datetime': out = '.datetime(' + (v.arg ? printItem(v.arg, false, false) : '') + ')'; break;
    default: out = `.${v.type}()`;
  }
  if (v.next) out += printItem(v.next, true, true);
  return out;
}

/** jsonpath_out */
export function formatJsonPath(jp: JsonPath): string {
  return (jp.lax ? '' : 'strict ') + printItem(jp.root, false, true);
}

// ---------------------------------------------------------------- execution

type Res = 'ok' | 'notFound' | 'error';
type Bool = 'T' | 'F' | 'U';
type JV = JsonValue;

interface Base { tree: JV; id: number; offsets?: Map<object, number> }

interface Cxt {
  lax: boolean;
  ignoreStructural: boolean;
  throwErrors: boolean;
  root: JV;
  current: JV;
  vars: JsonObject | null;
  innermostArraySize: number;
  rootBase: Base;
  varsBase: Base | null;
  baseObject: Base | null;
  lastGeneratedObjectId: number;
}

const isArr = (v: JV): v is JV[] => Array.isArray(v);
const isObj = (v: JV): v is JsonObject => isJsonObject(v);
const isContainer = (v: JV): boolean => isArr(v) || isObj(v);

function typeName(v: JV): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (isArr(v)) return 'array';
  if (isJsonNumber(v)) return 'number';
  return 'object';
}

/** RETURN_ERROR: throw when errors are thrown, else report jperError */
function fail(cxt: Cxt, code: string, message: string): Res {
  if (cxt.throwErrors) throw new SqlError(code, message);
  return 'error';
}

const E = {
  arrayNotFound: '22039', memberNotFound: '2203A', numberNotFound: '2203B', objectNotFound: '2203C',
  singletonRequired: '22038', nonNumeric: '22036', invalidSubscript: '22033',
} as const;

function execItem(cxt: Cxt, jsp: JpNode, jb: JV, found: JV[] | null): Res {
  return execOpt(cxt, jsp, jb, found, cxt.lax);
}

function execNext(cxt: Cxt, next: JpNode | undefined, v: JV, found: JV[] | null): Res {
  if (next) return execItem(cxt, next, v, found);
  if (found) found.push(v);
  return 'ok';
}

function unwrapArray(cxt: Cxt, jsp: JpNode | undefined, jb: JV[], found: JV[] | null, unwrapElements: boolean): Res {
  return execAny(cxt, jsp, jb, found, 1, 1, 1, false, unwrapElements);
}

function containerValues(c: JV): JV[] {
  return isArr(c) ? c : (c as JsonObject).obj.map(([, v]) => v);
}

function execAny(cxt: Cxt, jsp: JpNode | undefined, c: JV, found: JV[] | null, level: number, first: number, last: number, ignoreStructural: boolean, unwrapNext: boolean): Res {
  let res: Res = 'notFound';
  const lastL = last < 0 ? Infinity : last;
  const firstL = first < 0 ? Infinity : first;
  if (level > lastL) return res;
  for (const v of containerValues(c)) {
    if (level >= firstL || (first < 0 && last < 0 && !isContainer(v))) {
      if (jsp) {
        const saved = cxt.ignoreStructural;
        if (ignoreStructural) cxt.ignoreStructural = true;
        res = execOpt(cxt, jsp, v, found, unwrapNext);
        cxt.ignoreStructural = saved;
        if (res === 'error') break;
        if (res === 'ok' && !found) break;
      } else if (found) found.push(v);
      else return 'ok';
    }
    if (level < lastL && isContainer(v)) {
      res = execAny(cxt, jsp, v, found, level + 1, first, last, ignoreStructural, unwrapNext);
      if (res === 'error') break;
      if (res === 'ok' && !found) break;
    }
  }
  return res;
}

function opName(t: JpType): string {
  return OP_NAME[t] ?? t;
}

function execOpt(cxt: Cxt, jsp: JpNode, jb: JV, found: JV[] | null, unwrap: boolean): Res {
  let res: Res = 'notFound';
  switch (jsp.type) {
    case 'and': case 'or': case 'not': case 'isUnknown': case '==': case '!=': case '<': case '>': case '<=': case '>=':
    case 'exists': case 'startsWith': case 'like': {
      const b = execBool(cxt, jsp, jb);
      if (!jsp.next && !found) return 'ok';
      return execNext(cxt, jsp.next, b === 'U' ? null : b === 'T', found);
    }
    case '+': case '-': case '*': case '/': case '%':
      return execBinaryArith(cxt, jsp, jb, found);
    case 'plus': case 'minus':
      return execUnaryArith(cxt, jsp, jb, found);
    case 'anyArray':
      if (isArr(jb)) return unwrapArray(cxt, jsp.next, jb, found, cxt.lax);
      if (cxt.lax) return execNext(cxt, jsp.next, jb, found);
      if (!cxt.ignoreStructural) return fail(cxt, E.arrayNotFound, 'jsonpath wildcard array accessor can only be applied to an array');
      return res;
    case 'index': {
      if (!isArr(jb) && !cxt.lax) {
        if (!cxt.ignoreStructural) return fail(cxt, E.arrayNotFound, 'jsonpath array accessor can only be applied to an array');
        return res;
      }
      const saved = cxt.innermostArraySize;
      const singleton = !isArr(jb);
      const size = singleton ? 1 : (jb as JV[]).length;
      cxt.innermostArraySize = size;
      try {
        for (const [fromN, toN] of jsp.subs!) {
          const from = arrayIndex(cxt, fromN, jb);
          if (typeof from !== 'number') { res = from; break; }
          let to = from;
          if (toN) {
            const t = arrayIndex(cxt, toN, jb);
            if (typeof t !== 'number') { res = t; break; }
            to = t;
          }
          let iFrom = from, iTo = to;
          if (!cxt.ignoreStructural && (iFrom < 0 || iFrom > iTo || iTo >= size)) {
            return fail(cxt, E.invalidSubscript, 'jsonpath array subscript is out of bounds');
          }
          if (iFrom < 0) iFrom = 0;
          if (iTo >= size) iTo = size - 1;
          res = 'notFound';
          for (let i = iFrom; i <= iTo; i++) {
            const v = singleton ? jb : (jb as JV[])[i]!;
            if (!jsp.next && !found) return 'ok';
            res = execNext(cxt, jsp.next, v, found);
            if (res === 'error') break;
            if (res === 'ok' && !found) break;
          }
          if (res === 'error') break;
          if (res === 'ok' && !found) break;
        }
      } finally {
        cxt.innermostArraySize = saved;
      }
      return res;
    }
    case 'last': {
      if (cxt.innermostArraySize < 0) throw new SqlError(SqlState.internalError, 'evaluating jsonpath LAST outside of array subscript');
      if (!jsp.next && !found) return 'ok';
      return execNext(cxt, jsp.next, { num: String(cxt.innermostArraySize - 1) }, found);
    }
    case 'key': {
      if (isObj(jb)) {
        const pair = jb.obj.find(([k]) => k === jsp.s);
        if (pair) return execNext(cxt, jsp.next, pair[1], found);
        if (!cxt.ignoreStructural) return fail(cxt, E.memberNotFound, `JSON object does not contain key "${jsp.s}"`);
        return res;
      }
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      if (!cxt.ignoreStructural) return fail(cxt, E.memberNotFound, 'jsonpath member accessor can only be applied to an object');
      return res;
    }
    case 'root': {
      const saved = cxt.baseObject;
      cxt.baseObject = cxt.rootBase;
      res = execNext(cxt, jsp.next, cxt.root, found);
      cxt.baseObject = saved;
      return res;
    }
    case 'current':
      return execNext(cxt, jsp.next, cxt.current, found);
    case 'anyKey':
      if (isObj(jb)) return execAny(cxt, jsp.next, jb, found, 1, 1, 1, false, cxt.lax);
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      if (!cxt.ignoreStructural) return fail(cxt, E.objectNotFound, 'jsonpath wildcard member accessor can only be applied to an object');
      return res;
    case 'any': {
      if (jsp.first === 0) {
        const saved = cxt.ignoreStructural;
        cxt.ignoreStructural = true;
        res = execNext(cxt, jsp.next, jb, found);
        cxt.ignoreStructural = saved;
        if (res === 'ok' && !found) return res;
      }
      if (isContainer(jb)) res = execAny(cxt, jsp.next, jb, found, 1, jsp.first!, jsp.last!, true, cxt.lax);
      return res;
    }
    case 'filter': {
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      const saved = cxt.current;
      cxt.current = jb;
      const st = execBool(cxt, jsp.arg!, jb);
      cxt.current = saved;
      if (st !== 'T') return 'notFound';
      return execNext(cxt, jsp.next, jb, found);
    }
    case 'null': case 'bool': case 'num': case 'str': case 'var': {
      if (!jsp.next && !found && jsp.type !== 'var') return 'ok';
      const saved = cxt.baseObject;
      let v: JV;
      switch (jsp.type) {
        case 'null': v = null; break;
        case 'bool': v = jsp.b!; break;
        case 'num': v = { num: jsp.num! }; break;
        case 'str': v = jsp.s!; break;
        default: {
          const pair = cxt.vars?.obj.find(([k]) => k === jsp.s);
          if (!pair) throw new SqlError(SqlState.undefinedObject, `could not find jsonpath variable "${jsp.s}"`);
          v = pair[1];
          cxt.baseObject = cxt.varsBase;
        }
      }
      res = execNext(cxt, jsp.next, v, found);
      cxt.baseObject = saved;
      return res;
    }
    case 'type':
      return execNext(cxt, jsp.next, typeName(jb), found);
    case 'size': {
      let size: number;
      if (isArr(jb)) size = jb.length;
      else {
        if (!cxt.lax) {
          if (!cxt.ignoreStructural) return fail(cxt, E.arrayNotFound, 'jsonpath item method .size() can only be applied to an array');
          return res;
        }
        size = 1;
      }
      return execNext(cxt, jsp.next, { num: String(size) }, found);
    }
    case 'abs': case 'floor': case 'ceiling': {
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      if (!isJsonNumber(jb)) return fail(cxt, E.nonNumeric, `jsonpath item method .${jsp.type}() can only be applied to a numeric value`);
      const f = jsp.type === 'abs' ? numericAbs : jsp.type === 'floor' ? numericFloor : numericCeil;
      const r = f(jb.num);
      if (!jsp.next && !found) return 'ok';
      return execNext(cxt, jsp.next, { num: r === '-0' ? '0' : r }, found);
    }
    case 'double': {
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      let v: JV;
      if (isJsonNumber(jb)) {
        let d: number;
        try { d = parseFloat8(jb.num); } catch { d = NaN; }
        if (!Number.isFinite(d)) return fail(cxt, E.nonNumeric, 'numeric argument of jsonpath item method .double() is out of range for type double precision');
        v = jb;
      } else if (typeof jb === 'string') {
        let d: number;
        try { d = parseFloat8(jb); } catch { d = NaN; }
        if (!Number.isFinite(d)) return fail(cxt, E.nonNumeric, 'string argument of jsonpath item method .double() is not a valid representation of a double precision number');
        v = { num: floatToNumeric(d, false) };
      } else {
        return fail(cxt, E.nonNumeric, 'jsonpath item method .double() can only be applied to a string or numeric value');
      }
      return execNext(cxt, jsp.next, v, found);
    }
    case 'keyvalue':
      return execKeyValue(cxt, jsp, jb, found, unwrap);
    case 'datetime':
      if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
      if (typeof jb !== 'string') return fail(cxt, '22031', 'jsonpath item method .datetime() can only be applied to a string');
      throw new SqlError(SqlState.featureNotSupported, 'jsonpath item method .datetime() is not supported');
  }
  return res;
}

function arrayIndex(cxt: Cxt, jsp: JpNode, jb: JV): number | Res {
  const found: JV[] = [];
  const res = execItem(cxt, jsp, jb, found);
  if (res === 'error') return res;
  const v = found[0];
  if (found.length !== 1 || v === undefined || !isJsonNumber(v)) {
    return fail(cxt, E.invalidSubscript, 'jsonpath array subscript is not a single numeric value');
  }
  const t = Number(numericTrunc(v.num, 0));
  if (!Number.isFinite(t) || t > 2147483647 || t < -2147483648) return fail(cxt, E.invalidSubscript, 'jsonpath array subscript is out of integer range');
  return t;
}

/** executeItemOptUnwrapResult */
function execUnwrapResult(cxt: Cxt, jsp: JpNode, jb: JV, unwrap: boolean, found: JV[]): Res {
  if (unwrap && cxt.lax) {
    const seq: JV[] = [];
    const res = execItem(cxt, jsp, jb, seq);
    if (res === 'error') return res;
    for (const item of seq) {
      if (isArr(item)) unwrapArray(cxt, undefined, item, found, false);
      else found.push(item);
    }
    return 'ok';
  }
  return execItem(cxt, jsp, jb, found);
}

function execUnwrapResultNoThrow(cxt: Cxt, jsp: JpNode, jb: JV, unwrap: boolean, found: JV[] | null): Res {
  const saved = cxt.throwErrors;
  cxt.throwErrors = false;
  try {
    return found ? execUnwrapResult(cxt, jsp, jb, unwrap, found) : execItem(cxt, jsp, jb, null);
  } finally {
    cxt.throwErrors = saved;
  }
}

function execBool(cxt: Cxt, jsp: JpNode, jb: JV): Bool {
  switch (jsp.type) {
    case 'and': {
      const a = execBool(cxt, jsp.l!, jb);
      if (a === 'F') return 'F';
      const b = execBool(cxt, jsp.r!, jb);
      return b === 'T' ? a : b;
    }
    case 'or': {
      const a = execBool(cxt, jsp.l!, jb);
      if (a === 'T') return 'T';
      const b = execBool(cxt, jsp.r!, jb);
      return b === 'F' ? a : b;
    }
    case 'not': {
      const a = execBool(cxt, jsp.arg!, jb);
      return a === 'U' ? 'U' : a === 'T' ? 'F' : 'T';
    }
    case 'isUnknown':
      return execBool(cxt, jsp.arg!, jb) === 'U' ? 'T' : 'F';
    case '==': case '!=': case '<': case '>': case '<=': case '>=':
      return execPredicate(cxt, jsp.l!, jsp.r!, jb, true, (a, b) => compareItems(jsp.type, a, b!));
    case 'startsWith':
      return execPredicate(cxt, jsp.l!, jsp.r!, jb, false, (a, b) => {
        if (typeof a !== 'string' || typeof b !== 'string') return 'U';
        return a.startsWith(b) ? 'T' : 'F';
      });
    case 'like': {
      const re = compileRegex(jsp.s!, jsp.flags ?? '');
      return execPredicate(cxt, jsp.arg!, undefined, jb, false, (a) => {
        if (typeof a !== 'string') return 'U';
        re.lastIndex = 0;
        return re.test(a) ? 'T' : 'F';
      });
    }
    case 'exists': {
      if (!cxt.lax) {
        const vals: JV[] = [];
        const res = execUnwrapResultNoThrow(cxt, jsp.arg!, jb, false, vals);
        if (res === 'error') return 'U';
        return vals.length === 0 ? 'F' : 'T';
      }
      const res = execUnwrapResultNoThrow(cxt, jsp.arg!, jb, false, null);
      if (res === 'error') return 'U';
      return res === 'ok' ? 'T' : 'F';
    }
    default:
      throw new SqlError(SqlState.internalError, `invalid boolean jsonpath item type: ${jsp.type}`);
  }
}

function execPredicate(cxt: Cxt, larg: JpNode, rarg: JpNode | undefined, jb: JV, unwrapRight: boolean, exec: (a: JV, b: JV | undefined) => Bool): Bool {
  const lseq: JV[] = [], rseq: JV[] = [];
  if (execUnwrapResultNoThrow(cxt, larg, jb, true, lseq) === 'error') return 'U';
  if (rarg && execUnwrapResultNoThrow(cxt, rarg, jb, unwrapRight, rseq) === 'error') return 'U';
  let error = false, foundAny = false;
  for (const l of lseq) {
    const rights: (JV | undefined)[] = rarg ? rseq : [undefined];
    for (const r of rights) {
      const res = exec(l, r);
      if (res === 'U') {
        if (!cxt.lax) return 'U';
        error = true;
      } else if (res === 'T') {
        if (cxt.lax) return 'T';
        foundAny = true;
      }
    }
  }
  if (foundAny) return 'T';
  if (error) return 'U';
  return 'F';
}

function scalarKind(v: JV): string {
  return isContainer(v) ? 'container' : typeName(v);
}

function compareItems(op: JpType, a: JV, b: JV): Bool {
  const ta = scalarKind(a), tb = scalarKind(b);
  if (ta !== tb) {
    if (a === null || b === null) return op === '!=' ? 'T' : 'F';
    return 'U';
  }
  let cmp: number;
  switch (ta) {
    case 'null': cmp = 0; break;
    case 'boolean': cmp = a === b ? 0 : a ? 1 : -1; break;
    case 'number': cmp = compareNumeric((a as { num: string }).num, (b as { num: string }).num); break;
    case 'string':
      if (op === '==') return a === b ? 'T' : 'F';
      cmp = Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
      break;
    default: return 'U';
  }
  let r: boolean;
  switch (op) {
    case '==': r = cmp === 0; break;
    case '!=': r = cmp !== 0; break;
    case '<': r = cmp < 0; break;
    case '>': r = cmp > 0; break;
    case '<=': r = cmp <= 0; break;
    default: r = cmp >= 0;
  }
  return r ? 'T' : 'F';
}

function execBinaryArith(cxt: Cxt, jsp: JpNode, jb: JV, found: JV[] | null): Res {
  const lseq: JV[] = [], rseq: JV[] = [];
  let res = execUnwrapResult(cxt, jsp.l!, jb, true, lseq);
  if (res === 'error') return res;
  res = execUnwrapResult(cxt, jsp.r!, jb, true, rseq);
  if (res === 'error') return res;
  const name = opName(jsp.type);
  const l = lseq[0], r = rseq[0];
  if (lseq.length !== 1 || l === undefined || !isJsonNumber(l)) return fail(cxt, E.singletonRequired, `left operand of jsonpath operator ${name} is not a single numeric value`);
  if (rseq.length !== 1 || r === undefined || !isJsonNumber(r)) return fail(cxt, E.singletonRequired, `right operand of jsonpath operator ${name} is not a single numeric value`);
  const f = { '+': numericAdd, '-': numericSub, '*': numericMul, '/': numericDiv, '%': numericMod }[jsp.type as '+'];
  let v: string;
  try {
    v = f(l.num, r.num);
  } catch (e) {
    if (cxt.throwErrors) throw e;
    return 'error';
  }
  if (!jsp.next && !found) return 'ok';
  return execNext(cxt, jsp.next, { num: v }, found);
}

function execUnaryArith(cxt: Cxt, jsp: JpNode, jb: JV, found: JV[] | null): Res {
  const seq: JV[] = [];
  const r0 = execUnwrapResult(cxt, jsp.arg!, jb, true, seq);
  if (r0 === 'error') return r0;
  let res: Res = 'notFound';
  const hasNext = jsp.next !== undefined;
  for (const val of seq) {
    if (isJsonNumber(val)) {
      if (!found && !hasNext) return 'ok';
    } else {
      if (!found && !hasNext) continue;
      return fail(cxt, E.numberNotFound, `operand of unary jsonpath operator ${opName(jsp.type)} is not a numeric value`);
    }
    const v: JV = jsp.type === 'minus' ? { num: numericNeg(val.num) } : val;
    const r2 = execNext(cxt, jsp.next, v, found);
    if (r2 === 'error') return r2;
    if (r2 === 'ok') {
      if (!found) return 'ok';
      res = 'ok';
    }
  }
  return res;
}

// ---- keyvalue(): object ids are byte offsets inside PostgreSQL's jsonb binary format

/** VARSIZE of a numeric as numeric_in makes it */
function numericSize(num: string): number {
  const s = num.replace(/^-/, '');
  const [ip = '', fp = ''] = s.split('.');
  const intDigits = ip.replace(/^0+/, '');
  const groups: string[] = [];
  const padInt = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  for (let i = 0; i < padInt.length; i += 4) groups.push(padInt.slice(i, i + 4));
  let weight = groups.length - 1;
  const padFrac = fp.padEnd(Math.ceil(fp.length / 4) * 4, '0');
  for (let i = 0; i < padFrac.length; i += 4) groups.push(padFrac.slice(i, i + 4));
  while (groups.length > 0 && /^0+$/.test(groups[0]!)) { groups.shift(); weight--; }
  while (groups.length > 0 && /^0+$/.test(groups[groups.length - 1]!)) groups.pop();
  if (groups.length === 0) weight = 0;
  const short = fp.length <= 63 && weight >= -64 && weight <= 63;
  return 4 + (short ? 2 : 4) + 2 * groups.length;
}

const align4 = (n: number): number => (n + 3) & ~3;

function layoutValue(v: JV, pos: number, offsets: Map<object, number>): number {
  if (isArr(v) || isObj(v)) {
    pos = align4(pos);
    offsets.set(v, pos);
    if (isArr(v)) {
      pos += 4 + 4 * v.length;
      for (const e of v) pos = layoutValue(e, pos, offsets);
    } else {
      pos += 4 + 8 * v.obj.length;
      for (const [k] of v.obj) pos += Buffer.byteLength(k);
      for (const [, x] of v.obj) pos = layoutValue(x, pos, offsets);
    }
    return pos;
  }
  if (typeof v === 'string') return pos + Buffer.byteLength(v);
  if (isJsonNumber(v)) return align4(pos) + numericSize(v.num);
  return pos;
}

function objectId(cxt: Cxt, c: JsonObject): number {
  const candidates = [cxt.baseObject, cxt.rootBase, cxt.varsBase].filter((b): b is Base => b !== null);
  for (const b of candidates) {
    if (!b.offsets) {
      b.offsets = new Map();
      if (isContainer(b.tree)) layoutValue(b.tree, 0, b.offsets);
    }
    const off = b.offsets.get(c);
    if (off !== undefined) return off + b.id * 10000000000;
  }
  return 0;
}

function execKeyValue(cxt: Cxt, jsp: JpNode, jb: JV, found: JV[] | null, unwrap: boolean): Res {
  if (unwrap && isArr(jb)) return unwrapArray(cxt, jsp, jb, found, false);
  if (!isObj(jb)) return fail(cxt, E.objectNotFound, 'jsonpath item method .keyvalue() can only be applied to an object');
  if (jb.obj.length === 0) return 'notFound';
  const id = objectId(cxt, jb);
  let res: Res = 'notFound';
  for (const [k, v] of jb.obj) {
    res = 'ok';
    if (!jsp.next && !found) break;
    const obj: JV = normalizeJsonb({ obj: [['key', k], ['value', v], ['id', { num: String(id) }]] });
    const saved = cxt.baseObject;
    cxt.baseObject = { tree: obj, id: cxt.lastGeneratedObjectId++ };
    res = execNext(cxt, jsp.next, obj, found);
    cxt.baseObject = saved;
    if (res === 'error') return res;
    if (res === 'ok' && !found) break;
  }
  return res;
}

// ---------------------------------------------------------------- entry points

export interface PathResult {
  /** 'error' only when errors are suppressed (silent) */
  readonly status: Res;
  readonly items: JV[];
}

/**
 * executeJsonPath: evaluate `path` against `target` with `vars` (null: no variables, as the
 * @? and @@ operators), collecting the items when `collect` (otherwise only existence).
 */
export function executeJsonPath(path: JsonPath, target: JV, vars: JV | null, throwErrors: boolean, collect: boolean): PathResult {
  if (vars !== null && !isObj(vars)) {
    throw new SqlError(SqlState.invalidParameterValue, '"vars" argument is not an object', {
      detail: 'Jsonpath parameters should be encoded as key-value pairs of "vars" object.',
    });
  }
  const rootBase: Base = { tree: target, id: 0 };
  const cxt: Cxt = {
    lax: path.lax, ignoreStructural: path.lax, throwErrors, root: target, current: target,
    vars: vars as JsonObject | null, innermostArraySize: -1, rootBase,
    varsBase: vars !== null ? { tree: vars, id: 1 } : null, baseObject: null,
    lastGeneratedObjectId: vars !== null ? 2 : 1,
  };
  if (!path.lax && !collect) {
    const vals: JV[] = [];
    const res = execItem(cxt, path.root, target, vals);
    if (res === 'error') return { status: res, items: [] };
    return { status: vals.length === 0 ? 'notFound' : 'ok', items: [] };
  }
  const items: JV[] = [];
  const res = execItem(cxt, path.root, target, collect ? items : null);
  return { status: res, items };
}
