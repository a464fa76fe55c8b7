/**
 * tsvector @@ tsquery (TS_execute and TS_phrase_execute in tsvector_op.c), three-valued
 * like PostgreSQL's: a lexeme without positions (strip()) matches plain operands but
 * only "maybe" inside a phrase, which @@ counts as no match.
 */
import { comparePrefix, compareLexemes, posOf, weightOf, type Lexeme, type TsVector, type WordPos } from '../../types/tsvector.js';
import type { QueryNode, TsQuery } from '../../types/tsquery.js';

export const enum Tri { No, Yes, Maybe }

/** ExecPhraseData: positions (weights may be present; compare posOf), width, negate */
export interface PhraseData { pos: number[]; width: number; negate: boolean }

type Operand = Extract<QueryNode, { type: 'val' }>;
/** the operand check: with `data`, fill in the matching positions */
export type CheckOperand = (val: Operand, data: PhraseData | undefined) => Tri;

/** lexemes of v equal to (or, for a prefix operand, starting with) the operand */
export function findLexemes(v: TsVector, val: Operand): Lexeme[] {
  let lo = 0, hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareLexemes(v[mid]!.word, val.word) < 0) lo = mid + 1; else hi = mid;
  }
  const out: Lexeme[] = [];
  if (val.prefix) {
    for (let i = lo; i < v.length && comparePrefix(val.word, v[i]!.word) === 0; i++) out.push(v[i]!);
  } else if (lo < v.length && v[lo]!.word === val.word) out.push(v[lo]!);
  return out;
}

/** checkclass_str */
function checkClass(l: Lexeme, val: Operand, data: PhraseData | undefined): Tri {
  if (l.pos.length === 0) return data ? Tri.Maybe : Tri.Yes;
  if (val.weight) {
    const hits = l.pos.filter((p) => val.weight & (1 << weightOf(p)));
    if (data) data.pos = hits.map(posOf);
    return hits.length > 0 ? Tri.Yes : Tri.No;
  }
  if (data) data.pos = [...l.pos];
  return Tri.Yes;
}

/** checkcondition_str over a tsvector */
export function vectorOperandCheck(v: TsVector): CheckOperand {
  return (val, data) => {
    const found = findLexemes(v, val);
    if (!val.prefix) return found.length === 0 ? Tri.No : checkClass(found[0]!, val, data);
    let res = Tri.No;
    const all: number[] = [];
    for (const l of found) {
      const sub: PhraseData | undefined = data ? { pos: [], width: 0, negate: false } : undefined;
      const r = checkClass(l, val, sub);
      if (r === Tri.No) continue;
      if (data) {
        if (r === Tri.Maybe) return Tri.Maybe;
        all.push(...sub!.pos);
      } else if (r === Tri.Yes || res === Tri.No) res = r;
    }
    if (data && all.length > 0) {
      data.pos = [...new Set(all)].sort((a, b) => a - b);
      return Tri.Yes;
    }
    return res;
  };
}

const TSPO_L_ONLY = 1, TSPO_R_ONLY = 2, TSPO_BOTH = 4;

/** TS_phrase_output: merge-join the two position lists */
function phraseOutput(data: PhraseData | undefined, l: PhraseData, r: PhraseData, emit: number, loff: number, roff: number): Tri {
  let li = 0, ri = 0;
  const out: number[] = [];
  while (li < l.pos.length || ri < r.pos.length) {
    let lp: number, rp: number, o = 0;
    if (li < l.pos.length) lp = posOf(l.pos[li]!) + loff;
    else {
      if (!(emit & TSPO_R_ONLY)) break;
      lp = Number.MAX_SAFE_INTEGER;
    }
    if (ri < r.pos.length) rp = posOf(r.pos[ri]!) + roff;
    else {
      if (!(emit & TSPO_L_ONLY)) break;
      rp = Number.MAX_SAFE_INTEGER;
    }
    if (lp < rp) {
      if (emit & TSPO_L_ONLY) o = lp;
      li++;
    } else if (lp === rp) {
      if (emit & TSPO_BOTH) o = rp;
      li++;
      ri++;
    } else {
      if (emit & TSPO_R_ONLY) o = rp;
      ri++;
    }
    if (o > 0) {
      if (!data) return Tri.Yes;
      out.push(o);
    }
  }
  if (data) data.pos = out;
  return data && out.length > 0 ? Tri.Yes : Tri.No;
}

const empty = (): PhraseData => ({ pos: [], width: 0, negate: false });

function phraseExecute(n: QueryNode, check: CheckOperand, data: PhraseData | undefined): Tri {
  switch (n.type) {
    case 'val': return check(n, data);
    case 'stop': return Tri.No;
    case 'not': {
      const r = phraseExecute(n.arg, check, data);
      if (r === Tri.No) { data!.negate = true; return Tri.Yes; }
      if (r === Tri.Maybe) return Tri.Maybe;
      if (data!.pos.length > 0) { data!.negate = !data!.negate; return Tri.Yes; }
      if (data!.negate) { data!.negate = false; return Tri.No; }
      return Tri.Yes;
    }
    case 'phrase': case 'and': {
      const l = empty(), r = empty();
      const lm = phraseExecute(n.left, check, l);
      if (lm === Tri.No) return Tri.No;
      const rm = phraseExecute(n.right, check, r);
      if (rm === Tri.No) return Tri.No;
      if (lm === Tri.Maybe || rm === Tri.Maybe) return Tri.Maybe;
      let loff: number, roff: number;
      if (n.type === 'phrase') {
        loff = n.distance + r.width;
        roff = 0;
        if (data) data.width = n.distance + l.width + r.width;
      } else {
        const maxw = Math.max(l.width, r.width);
        loff = maxw - l.width;
        roff = maxw - r.width;
        if (data) data.width = maxw;
      }
      if (l.negate && r.negate) {
        phraseOutput(data, l, r, TSPO_BOTH | TSPO_L_ONLY | TSPO_R_ONLY, loff, roff);
        if (data) data.negate = true;
        return Tri.Yes;
      }
      if (l.negate) return phraseOutput(data, l, r, TSPO_R_ONLY, loff, roff);
      if (r.negate) return phraseOutput(data, l, r, TSPO_L_ONLY, loff, roff);
      return phraseOutput(data, l, r, TSPO_BOTH, loff, roff);
    }
    case 'or': {
      const l = empty(), r = empty();
      const lm = phraseExecute(n.left, check, l);
      const rm = phraseExecute(n.right, check, r);
      if (lm === Tri.No && rm === Tri.No) return Tri.No;
      if (lm === Tri.Maybe || rm === Tri.Maybe) return Tri.Maybe;
      if (lm === Tri.No) l.width = 0;
      if (rm === Tri.No) r.width = 0;
      const maxw = Math.max(l.width, r.width);
      const loff = maxw - l.width, roff = maxw - r.width;
      data!.width = maxw;
      if (l.negate && r.negate) {
        phraseOutput(data, l, r, TSPO_BOTH, loff, roff);
        data!.negate = true;
        return Tri.Yes;
      }
      if (l.negate) {
        phraseOutput(data, l, r, TSPO_L_ONLY, loff, roff);
        data!.negate = true;
        return Tri.Yes;
      }
      if (r.negate) {
        phraseOutput(data, l, r, TSPO_R_ONLY, loff, roff);
        data!.negate = true;
        return Tri.Yes;
      }
      return phraseOutput(data, l, r, TSPO_BOTH | TSPO_L_ONLY | TSPO_R_ONLY, loff, roff);
    }
  }
}

/** TS_execute_recurse */
export function execute(n: QueryNode, check: CheckOperand): Tri {
  switch (n.type) {
    case 'val': return check(n, undefined);
    case 'stop': return Tri.No;
    case 'not': {
      const r = execute(n.arg, check);
      return r === Tri.No ? Tri.Yes : r === Tri.Yes ? Tri.No : Tri.Maybe;
    }
    case 'and': {
      const l = execute(n.left, check);
      if (l === Tri.No) return Tri.No;
      const r = execute(n.right, check);
      return r === Tri.No ? Tri.No : r === Tri.Yes ? l : Tri.Maybe;
    }
    case 'or': {
      const l = execute(n.left, check);
      if (l === Tri.Yes) return Tri.Yes;
      const r = execute(n.right, check);
      return r === Tri.No ? l : r === Tri.Yes ? Tri.Yes : Tri.Maybe;
    }
    case 'phrase': {
      const r = phraseExecute(n, check, undefined);
      return r === Tri.Maybe ? Tri.No : r;
    }
  }
}

/** ts_match_vq */
export function matches(v: TsVector, q: TsQuery): boolean {
  // ts_match_vq: an empty query matches nothing; an empty tsvector still matches !x
  if (!q) return false;
  return execute(q, vectorOperandCheck(v)) !== Tri.No;
}

export type { WordPos };
