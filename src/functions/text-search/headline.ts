/**
 * ts_headline (ts_parse.c hlparsetext / generateHeadline and the default parser's
 * prsd_headline in wparser_def.c, PostgreSQL 15): the text's tokens with the query operands
 * their lexemes match, the best cover of the query chosen as mark_hl_words does (or the
 * fragments of mark_hl_fragments with MaxFragments > 0), matches wrapped in StartSel/StopSel.
 */
import { SqlError, SqlState } from '../../errors.js';
import { comparePrefix, utf8Length, MAX_STR_LEN, limitPos } from '../../types/tsvector.js';
import type { QueryNode, TsQuery } from '../../types/tsquery.js';
import { parseTokens, TOKEN_TYPES } from './parser.js';
import type { TextSearchConfig } from './config.js';
import { execute, Tri, type CheckOperand } from './match.js';

type Operand = Extract<QueryNode, { type: 'val' }>;

interface Word {
  readonly type: number;
  readonly text: string;
  /** byte length */
  readonly len: number;
  pos: number;
  item?: Operand;
  repeated?: boolean;
  selected?: boolean;
  in?: boolean;
  replace?: boolean;
  skip?: boolean;
}

const T = (alias: string): number => TOKEN_TYPES.indexOf(alias as (typeof TOKEN_TYPES)[number]);
const SPACE = T('blank'), TAG = T('tag'), URL = T('url'), NUMHWORD = T('numhword'), ASCIIHWORD = T('asciihword'), HWORD = T('hword');
const SCIENTIFIC = T('sfloat'), VERSION = T('version'), DECIMAL = T('float'), SIGNEDINT = T('int'), UNSIGNEDINT = T('uint');
const PROTOCOL = T('protocol'), ENTITY = T('entity');

const hlReplace = (t: number) => t === TAG;
const hlSkip = (t: number) => t === URL || t === NUMHWORD || t === ASCIIHWORD || t === HWORD;
const ignored = (t: number) => t === TAG || t === PROTOCOL || t === SPACE || t === ENTITY;
const nonWord = (t: number) => t === SPACE || hlReplace(t) || hlSkip(t);
const noEnd = (t: number) => nonWord(t) || t === SCIENTIFIC || t === VERSION || t === DECIMAL || t === SIGNEDINT || t === UNSIGNEDINT || ignored(t);

/** the query's operands in PostgreSQL's item order (an operator, its right operand, then its left) */
function operands(q: QueryNode, out: Operand[] = []): Operand[] {
  switch (q.type) {
    case 'val': out.push(q); break;
    case 'not': operands(q.arg, out); break;
    case 'and': case 'or': case 'phrase': operands(q.right, out); operands(q.left, out); break;
    default: break;
  }
  return out;
}

/** hlparsetext: tokens as words, each lexeme matched against the query's operands (hlfinditem) */
function parseWords(cfg: TextSearchConfig, text: string, query: TsQuery): Word[] {
  const ops = query ? operands(query) : [];
  const words: Word[] = [];
  let vectorpos = 0;
  for (const tok of parseTokens(text)) {
    const len = utf8Length(tok.text);
    if (len >= MAX_STR_LEN) continue; // "word is too long to be indexed"
    const word: Word = { type: tok.type, text: tok.text, len, pos: 0 };
    words.push(word);
    const dict = cfg.map.get(tok.type);
    if (!dict) continue;
    vectorpos++;
    for (const lexeme of dict.lexize(tok.text)) {
      word.pos = limitPos(vectorpos);
      for (const op of ops) {
        if ((op.prefix ? comparePrefix(op.word, lexeme) : (op.word === lexeme ? 0 : 1)) !== 0) continue;
        if (word.item) words.push({ ...word, item: op, repeated: true });
        else word.item = op;
      }
    }
  }
  return words;
}

interface Options {
  maxWords: number; minWords: number; shortWord: number; maxFragments: number; highlightAll: boolean;
  startSel: string; stopSel: string; fragmentDelimiter: string;
}

/** deserialize_deflist over the options text, then prsd_headline's checks */
function parseOptions(text: string | undefined): Options {
  const o: Options = { maxWords: 35, minWords: 15, shortWord: 3, maxFragments: 0, highlightAll: false, startSel: '<b>', stopSel: '</b>', fragmentDelimiter: ' ... ' };
  if (text) {
    const re = /\s*([^\s=,]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*(,|$)/y;
    let at = 0;
    while (at < text.length) {
      re.lastIndex = at;
      const m = re.exec(text);
      if (!m || m[0] === '') {
        if (text.slice(at).trim() === '') break;
        throw new SqlError(SqlState.syntaxError, `invalid parameter list format: "${text}"`);
      }
      at = re.lastIndex;
      const key = m[1].toLowerCase();
      const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
      const int = () => {
        if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type integer: "${value}"`);
        return Number(value);
      };
      switch (key) {
        case 'maxwords': o.maxWords = int(); break;
        case 'minwords': o.minWords = int(); break;
        case 'shortword': o.shortWord = int(); break;
        case 'maxfragments': o.maxFragments = int(); break;
        case 'startsel': o.startSel = value; break;
        case 'stopsel': o.stopSel = value; break;
        case 'fragmentdelimiter': o.fragmentDelimiter = value; break;
        case 'highlightall': o.highlightAll = ['1', 'on', 'true', 't', 'y', 'yes'].includes(value.toLowerCase()); break;
        default: throw new SqlError(SqlState.invalidParameterValue, `unrecognized headline parameter: "${m[1]}"`);
      }
    }
  }
  if (!o.highlightAll) {
    if (o.minWords >= o.maxWords) throw new SqlError(SqlState.invalidParameterValue, 'MinWords should be less than MaxWords');
    if (o.minWords <= 0) throw new SqlError(SqlState.invalidParameterValue, 'MinWords should be positive');
    if (o.shortWord < 0) throw new SqlError(SqlState.invalidParameterValue, 'ShortWord should be >= 0');
    if (o.maxFragments < 0) throw new SqlError(SqlState.invalidParameterValue, 'MaxFragments should be >= 0');
  }
  return o;
}

class Selector {
  constructor(private readonly words: Word[], private readonly query: TsQuery, private readonly shortWord: number) {}

  interesting(j: number): boolean { return !!this.words[j].item && !this.words[j].repeated; }
  badEnd(j: number): boolean {
    const w = this.words[j];
    return (noEnd(w.type) || w.len <= this.shortWord) && !this.interesting(j);
  }

  private firstIndex(pos: number): number {
    for (let i = pos; i < this.words.length; i++) if (this.words[i].item) return i;
    return -1;
  }

  /** checkcondition_HL over words[from..to] */
  private satisfied(from: number, to: number): boolean {
    const check: CheckOperand = (val, data) => {
      let found = false;
      for (let i = from; i <= to; i++) {
        if (this.words[i].item !== val) continue;
        if (!data) return Tri.Yes;
        found = true;
        const p = this.words[i].pos;
        if (data.pos.length === 0 || data.pos[data.pos.length - 1] < p) data.pos.push(p);
      }
      return found ? Tri.Yes : Tri.No;
    };
    return execute(this.query!, check) !== Tri.No;
  }

  /** hlCover: the earliest, shortest run of words from p on that satisfies the query */
  cover(maxCover: number, from: number): { p: number; q: number } | undefined {
    if (!this.query) return undefined;
    let pmin = this.firstIndex(from);
    while (pmin >= 0) {
      let nextpmin = -1;
      let pmax = pmin;
      do {
        if (this.satisfied(pmin, pmax)) return { p: pmin, q: pmax };
        const nextpmax = this.firstIndex(pmax + 1);
        if (pmax === pmin) nextpmin = nextpmax;
        pmax = nextpmax;
      } while (pmax >= 0 && pmax - pmin < maxCover);
      pmin = nextpmin;
    }
    return undefined;
  }

  mark(highlightAll: boolean, start: number, end: number): void {
    // an empty text: PostgreSQL marks the one (unused) entry it allocated, which prints nothing
    for (let i = start; i <= end && i < this.words.length; i++) {
      const w = this.words[i];
      if (w.item) w.selected = true;
      if (!highlightAll) {
        if (hlReplace(w.type)) w.replace = true;
        else if (hlSkip(w.type)) w.skip = true;
      } else if (hlSkip(w.type)) w.skip = true;
      w.in = !w.repeated;
    }
  }
}

/** mark_hl_words */
function markWords(s: Selector, words: Word[], o: Options, maxCover: number): void {
  const wordCount = (i: number) => (nonWord(words[i].type) ? 0 : 1);
  let bestb = -1, beste = -1, bestlen = -1, bestcover = false;
  if (!o.highlightAll) {
    let from = 0;
    for (let c = s.cover(maxCover, from); c; c = s.cover(maxCover, from)) {
      const { p, q } = c;
      let curlen = 0, poslen = 0, posb = p, pose = p;
      let i: number;
      for (i = p; i <= q && curlen < o.maxWords; i++) {
        curlen += wordCount(i);
        if (s.interesting(i)) poslen++;
        pose = i;
      }
      if (curlen < o.maxWords) {
        for (i = i - 1; i < words.length && curlen < o.maxWords; i++) {
          if (i > q) {
            curlen += wordCount(i);
            if (s.interesting(i)) poslen++;
          }
          pose = i;
          if (s.badEnd(i)) continue;
          if (curlen >= o.minWords) break;
        }
        if (curlen < o.minWords) {
          for (i = p - 1; i >= 0; i--) {
            curlen += wordCount(i);
            if (s.interesting(i)) poslen++;
            if (curlen >= o.maxWords) break;
            if (s.badEnd(i)) continue;
            if (curlen >= o.minWords) break;
          }
          posb = i >= 0 ? i : 0;
        }
      } else {
        if (i > q) i = q;
        for (; curlen > o.minWords; i--) {
          if (!s.badEnd(i)) break;
          curlen -= wordCount(i);
          if (s.interesting(i)) poslen--;
          pose = i - 1;
        }
      }
      const poscover = posb <= p && pose >= q;
      if ((poscover && !bestcover) || (poscover === bestcover && poslen > bestlen)
        || (poscover === bestcover && poslen === bestlen && !s.badEnd(pose) && s.badEnd(beste))) {
        bestb = posb; beste = pose; bestlen = poslen; bestcover = poscover;
      }
      from = p + 1;
    }
    if (bestlen < 0) {
      let curlen = 0, pose = 0;
      for (let i = 0; i < words.length && curlen < o.minWords; i++) {
        curlen += wordCount(i);
        pose = i;
      }
      bestb = 0; beste = pose;
    }
  } else {
    bestb = 0; beste = words.length - 1;
  }
  s.mark(o.highlightAll, bestb, beste);
}

/** get_next_fragment: the next piece of a cover of at most maxWords words, both ends query words */
function nextFragment(s: Selector, words: Word[], start: number, end: number, maxWords: number): { start: number; end: number; curlen: number; poslen: number } {
  let i: number;
  for (i = start; i <= end; i++) {
    start = i;
    if (s.interesting(i)) break;
  }
  let curlen = 0, poslen = 0;
  for (i = start; i <= end && curlen < maxWords; i++) {
    if (!nonWord(words[i].type)) curlen++;
    if (s.interesting(i)) poslen++;
  }
  if (end > i) {
    end = i;
    for (i = end; i >= start; i--) {
      end = i;
      if (s.interesting(i)) break;
      if (!nonWord(words[i].type)) curlen--;
    }
  }
  return { start, end, curlen, poslen };
}

/** mark_hl_fragments */
function markFragments(s: Selector, words: Word[], o: Options, maxCover: number): void {
  const covers: { start: number; end: number; curlen: number; poslen: number; chosen: boolean; excluded: boolean }[] = [];
  let from = 0;
  for (let c = s.cover(maxCover, from); c; c = s.cover(maxCover, from)) {
    let start = c.p, end = c.q;
    while (start <= end) {
      const f = nextFragment(s, words, start, end, o.maxWords);
      covers.push({ ...f, chosen: false, excluded: false });
      start = f.end + 1;
      end = c.q;
    }
    from = c.p + 1;
  }
  let chosenCount = 0;
  for (let f = 0; f < o.maxFragments; f++) {
    let maxitems = 0, minwords = 0x7fffffff, minI = -1;
    covers.forEach((c, i) => {
      if (!c.chosen && !c.excluded && (maxitems < c.poslen || (maxitems === c.poslen && minwords > c.curlen))) {
        maxitems = c.poslen; minwords = c.curlen; minI = i;
      }
    });
    if (minI < 0) break;
    const best = covers[minI];
    best.chosen = true;
    let { start, end, curlen } = best;
    if (curlen < o.maxWords) {
      const maxstretch = Math.trunc((o.maxWords - curlen) / 2);
      let stretch = 0, posmarker = start, i: number;
      for (i = start - 1; i >= 0 && stretch < maxstretch && !words[i].in; i--) {
        if (!nonWord(words[i].type)) { curlen++; stretch++; }
        posmarker = i;
      }
      for (i = posmarker; i < start && s.badEnd(i); i++) if (!nonWord(words[i].type)) curlen--;
      start = i;
      posmarker = end;
      for (i = end + 1; i < words.length && curlen < o.maxWords && !words[i].in; i++) {
        if (!nonWord(words[i].type)) curlen++;
        posmarker = i;
      }
      for (i = posmarker; i > end && s.badEnd(i); i--) if (!nonWord(words[i].type)) curlen--;
      end = i;
    }
    best.start = start; best.end = end; best.curlen = curlen;
    s.mark(o.highlightAll, start, end);
    chosenCount++;
    covers.forEach((c, i) => {
      if (i !== minI && ((c.start >= start && c.start <= end) || (c.end >= start && c.end <= end) || (c.start < start && c.end > end))) c.excluded = true;
    });
  }
  if (chosenCount === 0) {
    let curlen = 0, end = 0;
    for (let i = 0; i < words.length && curlen < o.minWords; i++) {
      if (!nonWord(words[i].type)) curlen++;
      end = i;
    }
    s.mark(o.highlightAll, 0, end);
  }
}

/** generateHeadline */
function generate(words: Word[], o: Options): string {
  let out = '';
  let infrag = false, fragments = 0;
  for (const w of words) {
    if (w.in && !w.repeated) {
      if (!infrag) {
        infrag = true;
        if (++fragments > 1) out += o.fragmentDelimiter;
      }
      if (w.replace) out += ' ';
      else if (!w.skip) {
        if (w.selected) out += o.startSel;
        out += w.text;
        if (w.selected) out += o.stopSel;
      }
    } else if (!w.repeated) infrag = false;
  }
  return out;
}

export function tsHeadline(cfg: TextSearchConfig, text: string, query: TsQuery, options?: string): string {
  const o = parseOptions(options);
  const words = parseWords(cfg, text, query);
  const maxCover = Math.max(o.maxWords * 10, 100) * (o.maxFragments > 0 ? o.maxFragments : 1);
  const selector = new Selector(words, query, o.shortWord);
  if (o.maxFragments === 0) markWords(selector, words, o, maxCover);
  else markFragments(selector, words, o, maxCover);
  return generate(words, o);
}
