/**
 * The client's SELECT as text the fan-out planner can cut and splice: libpg-query 18 ships
 * no deparser, so the shard statement is the client's own text with clauses cut off and
 * hidden columns appended. Node locations and scanSync tokens are UTF-8 byte offsets, so
 * the text is kept as bytes and sliced by them.
 */
import * as pg from 'libpg-query';

interface Token { readonly start: number; readonly end: number; readonly text: string }

/** the clause keywords that start a part of a simple SELECT (at parenthesis depth 0) */
const CLAUSES = ['select', 'from', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'into'] as const;
export type Clause = (typeof CLAUSES)[number];

export class SelectText {
  private readonly bytes: Buffer;
  /** tokens of the statement at depth 0 with their index in `tokens` */
  private readonly tokens: Token[];
  private readonly depth: number[];
  readonly start: number;
  readonly end: number;

  constructor(sql: string, start = 0, length?: number) {
    this.bytes = Buffer.from(sql, 'utf8');
    this.start = start;
    const all = (pg.scanSync(sql) as { tokens: Token[] }).tokens;
    let end = length !== undefined ? start + length : this.bytes.length;
    this.tokens = all.filter((t) => t.start >= start && t.end <= end && t.text !== ';');
    end = this.tokens.length > 0 ? this.tokens[this.tokens.length - 1].end : start;
    this.end = end;
    this.depth = [];
    let d = 0;
    for (const t of this.tokens) {
      if (t.text === ')' || t.text === ']') d--;
      this.depth.push(d);
      if (t.text === '(' || t.text === '[') d++;
    }
  }

  slice(from: number, to: number): string {
    return this.bytes.subarray(from, to).toString('utf8');
  }

  /** the first token is the statement's keyword (SELECT, TABLE, VALUES, WITH, '(') */
  firstWord(): string {
    return this.tokens[0]?.text.toLowerCase() ?? '';
  }

  /** byte offset where each top-level clause keyword starts (first occurrence at depth 0) */
  clauseStarts(): Map<Clause, number> {
    const out = new Map<Clause, number>();
    for (let i = 0; i < this.tokens.length; i++) {
      if (this.depth[i] !== 0) continue;
      const word = this.tokens[i].text.toLowerCase() as Clause;
      const before = this.tokens[i - 1]?.text.toLowerCase();
      // IS [NOT] DISTINCT FROM and WITHIN GROUP are no clauses
      if ((word === 'from' && before === 'distinct') || (word === 'group' && before === 'within')) continue;
      if (CLAUSES.includes(word) && !out.has(word)) out.set(word, this.tokens[i].start);
    }
    return out;
  }

  /** the start of the select list: after SELECT and DISTINCT [ON (…)] / ALL */
  selectListStart(): number {
    let i = 1;
    const word = (k: number) => this.tokens[k]?.text.toLowerCase();
    if (word(i) === 'all') i++;
    else if (word(i) === 'distinct') {
      i++;
      if (word(i) === 'on') {
        i++;
        while (i < this.tokens.length && !(this.tokens[i].text === ')' && this.depth[i] === 0)) i++;
        i++;
      }
    }
    return this.tokens[i]?.start ?? this.end;
  }

  /** the expressions of DISTINCT ON (…), as ranges */
  distinctOnItems(): { start: number; end: number }[] {
    const word = (k: number) => this.tokens[k]?.text.toLowerCase();
    if (word(1) !== 'distinct' || word(2) !== 'on' || word(3) !== '(') return [];
    const close = this.closing(3);
    return this.splitList(this.tokens[3].end, this.tokens[close].start);
  }

  /**
   * Split [from, to) at commas of depth 0 into item ranges (byte offsets, trimmed to tokens).
   */
  splitList(from: number, to: number): { start: number; end: number }[] {
    const items: { start: number; end: number }[] = [];
    let cur: { start: number; end: number } | undefined;
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i];
      if (t.start < from || t.end > to) continue;
      if (t.text === ',' && this.depth[i] === 0) {
        if (cur) items.push(cur);
        cur = undefined;
        continue;
      }
      if (!cur) cur = { start: t.start, end: t.end };
      else cur.end = t.end;
    }
    if (cur) items.push(cur);
    return items;
  }

  /** the tokens of [from, to), e.g. to strip a trailing alias or ASC/DESC from an item */
  tokensIn(from: number, to: number): Token[] {
    return this.tokens.filter((t) => t.start >= from && t.end <= to);
  }

  private indexAt(location: number): number {
    return this.tokens.findIndex((t) => t.start === location);
  }

  /** the index of the ')' closing the '(' at token i */
  private closing(i: number): number {
    const d = this.depth[i];
    for (let k = i + 1; k < this.tokens.length; k++) if (this.tokens[k].text === ')' && this.depth[k] === d) return k;
    return this.tokens.length - 1;
  }

  /**
   * A function call written at `location` (its name): where its argument list starts and
   * where the call ends (after FILTER (…) when present); undefined when not found.
   */
  callRange(location: number): { start: number; args: number; end: number } | undefined {
    const i = this.indexAt(location);
    if (i < 0) return undefined;
    let open = i;
    while (open < this.tokens.length && this.tokens[open].text !== '(') open++;
    if (open >= this.tokens.length) return undefined;
    let close = this.closing(open);
    if (this.tokens[close + 1]?.text.toLowerCase() === 'filter' && this.tokens[close + 2]?.text === '(') close = this.closing(close + 2);
    return { start: location, args: this.tokens[open].start, end: this.tokens[close].end };
  }

  /** a column reference written at `location`: name(.name)* */
  columnRange(location: number): { start: number; end: number } | undefined {
    let i = this.indexAt(location);
    if (i < 0) return undefined;
    let end = this.tokens[i].end;
    while (this.tokens[i + 1]?.text === '.' && this.tokens[i + 2]) {
      i += 2;
      end = this.tokens[i].end;
    }
    return { start: location, end };
  }
}
