/**
 * PostgreSQL's tsquery (tsquery.c, tsquery_cleanup.c): a tree of lexeme operands (with
 * weight mask and prefix flag) under ! & | and the phrase operator <N>. At runtime a tsquery
 * is its canonical text form; parseTsquery rebuilds the tree. The query-text grammar
 * (parseQueryText) is shared with to_tsquery & co., which pass their own operand handler.
 */
import { SqlError, SqlState } from '../errors.js';
import { MAX_ENTRY_POS, MAX_STR_LEN, isQueryOperatorChar, nextWord, utf8Length } from './tsvector.js';

export type QueryNode =
  | { readonly type: 'val'; readonly word: string; readonly weight: number; readonly prefix: boolean }
  | { readonly type: 'stop' }
  | { readonly type: 'not'; readonly arg: QueryNode }
  | { readonly type: 'and' | 'or'; readonly left: QueryNode; readonly right: QueryNode }
  | { readonly type: 'phrase'; readonly left: QueryNode; readonly right: QueryNode; readonly distance: number };

export type Operator = 'not' | 'and' | 'or' | 'phrase';

/** an empty tsquery (the text '') is null */
export type TsQuery = QueryNode | null;

const PRIORITY: Record<Operator, number> = { not: 4, phrase: 3, and: 2, or: 1 };

/**
 * The polish-notation builder of parse_tsquery: operands and operators are pushed in
 * postfix order (pushValue, pushStop, pushOperator) and folded into a tree.
 */
export class QueryBuilder {
  private readonly stack: QueryNode[] = [];
  private count = 0;
  constructor(private readonly text: string) {}
  pushValue(word: string, weight: number, prefix: boolean): void {
    const len = utf8Length(word);
    if (len > MAX_STR_LEN) throw new SqlError(SqlState.syntaxError, 'word is too long in tsquery');
    this.stack.push({ type: 'val', word, weight, prefix });
    this.count++;
  }
  pushStop(): void {
    this.stack.push({ type: 'stop' });
    this.count++;
  }
  pushOperator(op: Operator, distance = 0): void {
    this.count++;
    if (op === 'not') {
      const arg = this.pop();
      this.stack.push({ type: 'not', arg });
      return;
    }
    const right = this.pop(), left = this.pop();
    this.stack.push(op === 'phrase' ? { type: 'phrase', left, right, distance } : { type: op, left, right });
  }
  private pop(): QueryNode {
    const n = this.stack.pop();
    if (!n) throw new SqlError(SqlState.syntaxError, `syntax error in tsquery: "${this.text}"`);
    return n;
  }
  get empty(): boolean { return this.count === 0; }
  result(): QueryNode {
    if (this.stack.length !== 1) throw new SqlError(SqlState.syntaxError, `syntax error in tsquery: "${this.text}"`);
    return this.stack[0]!;
  }
}

export type PushValue = (b: QueryBuilder, word: string, weight: number, prefix: boolean) => void;

type Tok =
  | { t: 'end' } | { t: 'err' } | { t: 'open' } | { t: 'close' }
  | { t: 'val'; word: string; weight: number; prefix: boolean }
  | { t: 'opr'; op: Operator; distance: number };

interface ParseState {
  readonly text: string;
  i: number;
  state: 'first' | 'operand' | 'operator';
  depth: number;
  readonly web: boolean;
  readonly builder: QueryBuilder;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}]/u.test(c);

/** get_modifiers: ':' then weights A–D and '*' */
function modifiers(s: ParseState): { weight: number; prefix: boolean } {
  let weight = 0, prefix = false;
  if (s.text[s.i] !== ':') return { weight, prefix };
  s.i++;
  for (;;) {
    const c = s.text[s.i];
    if (c === 'a' || c === 'A') weight |= 8;
    else if (c === 'b' || c === 'B') weight |= 4;
    else if (c === 'c' || c === 'C') weight |= 2;
    else if (c === 'd' || c === 'D') weight |= 1;
    else if (c === '*') prefix = true;
    else return { weight, prefix };
    s.i++;
  }
}

/** parse_phrase_operator: <-> or <N> at s.i */
function phraseOperator(s: ParseState): number | undefined {
  const t = s.text;
  let i = s.i;
  if (t[i] !== '<') return undefined;
  i++;
  let dist = 1;
  if (t[i] === '-') i++;
  else {
    if (!isDigit(t[i])) return undefined;
    let j = i;
    while (isDigit(t[j])) j++;
    const n = Number(t.slice(i, j));
    if (n > MAX_ENTRY_POS) {
      throw new SqlError(SqlState.invalidParameterValue, `distance in phrase operator must be an integer value between zero and ${MAX_ENTRY_POS} inclusive`);
    }
    dist = n;
    i = j;
  }
  if (t[i] !== '>') return undefined;
  i++;
  // the C loop only reaches PHRASE_FINISH with more input after '>'
  if (i >= t.length) return undefined;
  s.i = i;
  return dist;
}

/** parse_or_operator (websearch): "or" followed by something that is not part of a word */
function orOperator(s: ParseState): boolean {
  const t = s.text;
  if (t.slice(s.i, s.i + 2).toLowerCase() !== 'or') return false;
  let i = s.i + 2;
  if (i >= t.length) return false;
  if (t[i] === '-' || t[i] === '_' || isAlnum(String.fromCodePoint(t.codePointAt(i)!))) return false;
  for (;;) {
    i += String.fromCodePoint(t.codePointAt(i)!).length;
    if (i >= t.length) return false;
    if (!isSpace(t[i])) break;
  }
  s.i += 2;
  return true;
}

function syntaxError(s: ParseState): SqlError {
  return new SqlError(SqlState.syntaxError, `syntax error in tsquery: "${s.text}"`);
}

function operand(s: ParseState): Tok | undefined {
  const w = nextWord(s.text, s.i, { query: true, web: s.web }, () => syntaxError(s));
  if (w) {
    s.i = w.end;
    const m = s.web ? { weight: 0, prefix: false } : modifiers(s);
    s.state = 'operator';
    return { t: 'val', word: w.word, ...m };
  }
  if (s.state === 'first') return { t: 'end' };
  if (s.web) {
    s.builder.pushStop();
    return { t: 'end' };
  }
  throw new SqlError(SqlState.syntaxError, `no operand in tsquery: "${s.text}"`);
}

function standardToken(s: ParseState): Tok {
  for (;;) {
    const c = s.text[s.i];
    if (s.state !== 'operator') {
      if (c === '!') { s.i++; s.state = 'operand'; return { t: 'opr', op: 'not', distance: 0 }; }
      if (c === '(') { s.i++; s.state = 'operand'; s.depth++; return { t: 'open' }; }
      if (c === ':') return { t: 'err' };
      if (!isSpace(c)) return operand(s)!;
    } else {
      if (c === '&') { s.i++; s.state = 'operand'; return { t: 'opr', op: 'and', distance: 0 }; }
      if (c === '|') { s.i++; s.state = 'operand'; return { t: 'opr', op: 'or', distance: 0 }; }
      const d = phraseOperator(s);
      if (d !== undefined) { s.state = 'operand'; return { t: 'opr', op: 'phrase', distance: d }; }
      if (c === ')') { s.i++; s.depth--; return s.depth < 0 ? { t: 'err' } : { t: 'close' }; }
      if (c === undefined) return s.depth ? { t: 'err' } : { t: 'end' };
      if (!isSpace(c)) return { t: 'err' };
    }
    s.i += c === undefined ? 1 : String.fromCodePoint(s.text.codePointAt(s.i)!).length;
  }
}

function webToken(s: ParseState): Tok {
  for (;;) {
    const c = s.text[s.i];
    if (s.state !== 'operator') {
      if (c === '-') { s.i++; s.state = 'operand'; return { t: 'opr', op: 'not', distance: 0 }; }
      if (c === '"') {
        s.i++;
        const start = s.i;
        while (s.i < s.text.length && s.text[s.i] !== '"') s.i++;
        const word = s.text.slice(start, s.i);
        if (s.i < s.text.length) s.i++;
        s.state = 'operator';
        s.depth++;
        return { t: 'val', word, weight: 0, prefix: false };
      }
      if (isQueryOperatorChar(c)) { s.i++; s.state = 'operand'; continue; }
      if (c === undefined) {
        if (s.state === 'first') return { t: 'end' };
        s.builder.pushStop();
        return { t: 'end' };
      }
      if (!isSpace(c)) return operand(s)!;
    } else {
      if (c === '"') { s.state = 'operand'; return { t: 'opr', op: 'and', distance: 0 }; }
      if (orOperator(s)) { s.state = 'operand'; return { t: 'opr', op: 'or', distance: 0 }; }
      if (c === undefined) return { t: 'end' };
      // operator characters between operands are ignored like spaces
      if (!isSpace(c) && !isQueryOperatorChar(c)) { s.state = 'operand'; return { t: 'opr', op: 'and', distance: 0 }; }
    }
    s.i += String.fromCodePoint(s.text.codePointAt(s.i)!).length;
  }
}

/** makepol: operator-precedence parsing into the builder */
function makepol(s: ParseState, push: PushValue): void {
  const ops: { op: Operator; distance: number }[] = [];
  const clean = (op: Operator): void => {
    const p = PRIORITY[op];
    while (ops.length > 0) {
      const top = ops[ops.length - 1]!;
      // NOT is right associative, the others left associative
      if ((op !== 'not' && p > PRIORITY[top.op]) || (op === 'not' && p >= PRIORITY[top.op])) break;
      ops.pop();
      s.builder.pushOperator(top.op, top.distance);
    }
  };
  for (;;) {
    const tok = s.web ? webToken(s) : standardToken(s);
    switch (tok.t) {
      case 'end': clean('or'); return;
      case 'val': push(s.builder, tok.word, tok.weight, tok.prefix); break;
      case 'opr':
        clean(tok.op);
        // STACKDEPTH in tsquery.c (PostgreSQL elogs XX000; Quiver keeps XX000 for its own bugs)
        if (ops.length >= 32) throw new SqlError(SqlState.programLimitExceeded, 'tsquery stack too small');
        ops.push({ op: tok.op, distance: tok.distance });
        break;
      case 'open': makepol(s, push); break;
      case 'close': clean('or'); return;
      default: throw syntaxError(s);
    }
  }
}

/**
 * parse_tsquery: the query text through `push` for each operand; stop-word placeholders
 * are removed afterwards (cleanup_tsquery_stopwords). Returns null for an empty query.
 */
export function parseQueryText(text: string, push: PushValue, mode: 'standard' | 'plain' | 'web' = 'standard', notice?: (message: string) => void): TsQuery {
  const builder = new QueryBuilder(text);
  if (mode === 'plain') {
    // gettoken_query_plain: the whole text is one operand
    if (text !== '') push(builder, text, 0, false);
  } else makepol({ text, i: 0, state: 'first', depth: 0, web: mode === 'web', builder }, push);
  if (builder.empty) {
    notice?.(`text-search query doesn't contain lexemes: "${text}"`);
    return null;
  }
  const q = cleanStopwords(builder.result());
  if (!q) notice?.('text-search query contains only stop words or doesn\'t contain lexemes, ignored');
  return q;
}

/** clean_stopwords_intree: drop stop-word placeholders, widening phrase distances over them */
export function cleanStopwords(root: QueryNode): TsQuery {
  const walk = (node: QueryNode): { node: QueryNode | null; ladd: number; radd: number } => {
    if (node.type === 'val') return { node, ladd: 0, radd: 0 };
    if (node.type === 'stop') return { node: null, ladd: 0, radd: 0 };
    if (node.type === 'not') {
      const r = walk(node.arg);
      return { node: r.node ? { type: 'not', arg: r.node } : null, ladd: r.ladd, radd: r.radd };
    }
    const l = walk(node.left), r = walk(node.right);
    const isPhrase = node.type === 'phrase';
    const nd = isPhrase ? node.distance : 0;
    if (!l.node && !r.node) {
      const add = isPhrase ? l.ladd + nd + r.ladd : Math.max(l.ladd, r.ladd);
      return { node: null, ladd: add, radd: add };
    }
    if (!l.node) return isPhrase ? { node: r.node, ladd: l.ladd + nd + r.ladd, radd: r.radd } : { node: r.node, ladd: r.ladd, radd: r.radd };
    if (!r.node) return isPhrase ? { node: l.node, ladd: l.ladd, radd: l.radd + nd + r.radd } : { node: l.node, ladd: l.ladd, radd: l.radd };
    if (isPhrase) return { node: { type: 'phrase', left: l.node, right: r.node, distance: node.distance + l.radd + r.ladd }, ladd: l.ladd, radd: r.radd };
    return { node: { type: node.type, left: l.node, right: r.node }, ladd: 0, radd: 0 };
  };
  return walk(root).node;
}

/** tsqueryin: operands as written */
export function tsqueryIn(text: string): string {
  return formatTsquery(parseQueryText(text, (b, word, weight, prefix) => b.pushValue(word, weight, prefix)));
}

function quote(word: string): string {
  return "'" + word.replace(/'/g, "''").replace(/\\/g, '\\\\') + "'";
}

/** tsqueryout (infix() in tsquery.c): parentheses only where priorities need them */
export function formatTsquery(q: TsQuery): string {
  if (!q) return '';
  const out = (n: QueryNode, parent: number, rightPhrase: boolean): string => {
    switch (n.type) {
      case 'val': {
        let s = quote(n.word);
        if (n.weight || n.prefix) {
          s += ':' + (n.prefix ? '*' : '') + (n.weight & 8 ? 'A' : '') + (n.weight & 4 ? 'B' : '') + (n.weight & 2 ? 'C' : '') + (n.weight & 1 ? 'D' : '');
        }
        return s;
      }
      case 'stop': return "''";
      case 'not': {
        const p = PRIORITY.not;
        const s = '!' + out(n.arg, p, false);
        return p < parent ? '( ' + s + ' )' : s;
      }
      default: {
        const p = PRIORITY[n.type];
        const right = out(n.right, p, n.type === 'phrase');
        const left = out(n.left, p, false);
        const sym = n.type === 'or' ? '|' : n.type === 'and' ? '&' : n.type === 'phrase' && n.distance !== 1 ? `<${n.distance}>` : '<->';
        const s = `${left} ${sym} ${right}`;
        return p < parent || (n.type === 'phrase' && rightPhrase) ? '( ' + s + ' )' : s;
      }
    }
  };
  return out(q, -1, false);
}

const CACHE = new Map<string, TsQuery>();

/** the tree of a canonical tsquery value */
export function parseTsquery(value: string): TsQuery {
  if (CACHE.has(value)) return CACHE.get(value)!;
  const q = parseQueryText(value, (b, word, weight, prefix) => b.pushValue(word, weight, prefix));
  if (CACHE.size >= 4096) CACHE.clear();
  CACHE.set(value, q);
  return q;
}

/** QTN count: operands and operators */
export function queryNodeCount(q: TsQuery): number {
  if (!q) return 0;
  const n = (x: QueryNode): number => (x.type === 'val' || x.type === 'stop' ? 1 : x.type === 'not' ? 1 + n(x.arg) : 1 + n(x.left) + n(x.right));
  return n(q);
}

const OPER_CODE: Record<Operator, number> = { not: 1, and: 2, or: 3, phrase: 4 };
const CODE_OPER: Record<number, Operator> = { 1: 'not', 2: 'and', 3: 'or', 4: 'phrase' };

/** tsquerysend: int32 item count, then items in stored order (operator, right operand, left operand) */
export function tsquerySend(value: string): Buffer {
  const q = parseTsquery(value);
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(4);
  head.writeInt32BE(queryNodeCount(q));
  parts.push(head);
  const walk = (n: QueryNode): void => {
    if (n.type === 'val' || n.type === 'stop') {
      const word = n.type === 'val' ? n.word : '';
      parts.push(Buffer.from([1, n.type === 'val' ? n.weight : 0, n.type === 'val' && n.prefix ? 1 : 0]), Buffer.from(word, 'utf8'), Buffer.from([0]));
      return;
    }
    if (n.type === 'not') {
      parts.push(Buffer.from([2, OPER_CODE.not]));
      walk(n.arg);
      return;
    }
    parts.push(Buffer.from([2, OPER_CODE[n.type]]));
    if (n.type === 'phrase') {
      const d = Buffer.allocUnsafe(2);
      d.writeUInt16BE(n.distance);
      parts.push(d);
    }
    walk(n.right);
    walk(n.left);
  };
  if (q) walk(q);
  return Buffer.concat(parts);
}

export interface QueryByteSource {
  int32(): number;
  int8(): number;
  uint16(): number;
  cstring(): string;
}

/** tsqueryrecv */
export function tsqueryRecv(r: QueryByteSource): string {
  const size = r.int32();
  if (size < 0 || size > 0x3fffffff / 8) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid size of tsquery');
  let remaining = size;
  const read = (): QueryNode => {
    if (remaining-- <= 0) throw new SqlError(SqlState.invalidBinaryRepresentation, 'malformed tsquery: operand not found');
    const type = r.int8();
    if (type === 1) {
      const weight = r.int8(), prefix = r.int8();
      const word = r.cstring();
      if (weight > 0xf) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid tsquery: invalid weight bitmap');
      if (utf8Length(word) > MAX_STR_LEN) throw new SqlError(SqlState.invalidBinaryRepresentation, 'invalid tsquery: operand too long');
      return { type: 'val', word, weight, prefix: prefix !== 0 };
    }
    if (type !== 2) throw new SqlError(SqlState.invalidBinaryRepresentation, `unrecognized tsquery node type: ${type}`);
    const op = CODE_OPER[r.int8()];
    if (!op) throw new SqlError(SqlState.invalidBinaryRepresentation, 'unrecognized operator type in tsquery');
    if (op === 'not') return { type: 'not', arg: read() };
    const distance = op === 'phrase' ? r.uint16() : 0;
    const right = read(), left = read();
    return op === 'phrase' ? { type: 'phrase', left, right, distance } : { type: op, left, right };
  };
  if (size === 0) return '';
  const q = read();
  if (remaining !== 0) throw new SqlError(SqlState.invalidBinaryRepresentation, 'malformed tsquery: extra nodes');
  return formatTsquery(q);
}
