/**
 * ts_rank and ts_rank_cd (tsrank.c), with the same single-precision arithmetic as the C
 * code (Math.fround wherever C stores a float) so scores print identically.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Value } from '../../types/types.js';
import { MAX_ENTRY_POS, compareLexemes, makePos, posOf, weightOf, type Lexeme, type TsVector } from '../../types/tsvector.js';
import type { QueryNode, TsQuery } from '../../types/tsquery.js';
import { execute, findLexemes, Tri, type CheckOperand } from './match.js';
import { pgQsort } from './pg-qsort.js';

const f = Math.fround;
const DEFAULT_WEIGHTS = [0.1, 0.2, 0.4, 1.0].map(f);

const NORM_LOGLENGTH = 0x01, NORM_LENGTH = 0x02, NORM_EXTDIST = 0x04, NORM_UNIQ = 0x08, NORM_LOGUNIQ = 0x10, NORM_RDIVRPLUS1 = 0x20;

/** normalizations that read the whole tsvector (its length or lexeme count) */
export const WHOLE_VECTOR_NORMS = NORM_LOGLENGTH | NORM_LENGTH | NORM_UNIQ | NORM_LOGUNIQ;

type Operand = Extract<QueryNode, { type: 'val' }>;

/** getWeights: a float4[] of at least 4 (D, C, B, A); negative entries keep the default */
export function weightsOf(arr: Value | undefined): number[] {
  if (arr === undefined) return DEFAULT_WEIGHTS;
  const a = arr as Value[];
  if (a.some((x) => Array.isArray(x))) throw new SqlError('2202E', 'array of weight must be one-dimensional');
  if (a.length < 4) throw new SqlError('2202E', 'array of weight is too short');
  if (a.some((x) => x === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'array of weight must not contain nulls');
  return DEFAULT_WEIGHTS.map((d, i) => {
    const w = (a[i] as number) >= 0 ? f(a[i] as number) : d;
    if (w > 1.0) throw new SqlError(SqlState.invalidParameterValue, 'weight out of range');
    return w;
  });
}

/** every operand of the query, in stored order (operator, right, left) */
function operands(q: QueryNode): Operand[] {
  const out: Operand[] = [];
  const walk = (n: QueryNode): void => {
    if (n.type === 'val') out.push(n);
    else if (n.type === 'not') walk(n.arg);
    else if (n.type !== 'stop') { walk(n.right); walk(n.left); }
  };
  walk(q);
  return out;
}

/** SortAndUniqItems: PostgreSQL's (unstable) qsort decides which of equal words stays */
/** per parsed query (parseTsquery caches them): ranking every row of a scan sorts the operands once */
const SORTED_OPERANDS = new WeakMap<QueryNode, Operand[]>();

function sortedUniqueOperands(q: QueryNode): Operand[] {
  let out = SORTED_OPERANDS.get(q);
  if (!out) {
    const ops = pgQsort(operands(q), (a, b) => compareLexemes(a.word, b.word));
    out = ops.filter((o, i) => i === 0 || compareLexemes(o.word, ops[i - 1]!.word) !== 0);
    SORTED_OPERANDS.set(q, out);
  }
  return out;
}

function wordDistance(w: number): number {
  if (w > 100) return f(1e-30);
  return f(1.0 / (1.005 + 0.05 * Math.exp(f(w) / 1.5 - 2)));
}

function cntLength(v: TsVector): number {
  let n = 0;
  for (const l of v) n += l.pos.length === 0 ? 1 : l.pos.length;
  return n;
}

const NULL_POS = [makePos(MAX_ENTRY_POS - 1, 0)];

function rankAnd(w: number[], v: TsVector, q: QueryNode): number {
  const items = sortedUniqueOperands(q);
  if (items.length < 2) return rankOr(w, v, q);
  const pos: (readonly number[] | undefined)[] = [];
  let res = -1.0;
  for (let i = 0; i < items.length; i++) {
    for (const entry of findLexemes(v, items[i]!)) {
      pos[i] = entry.pos.length > 0 ? entry.pos : NULL_POS;
      const post = pos[i]!;
      for (let k = 0; k < i; k++) {
        const ct = pos[k];
        if (!ct) continue;
        for (const pl of post) {
          for (const pc of ct) {
            let dist = Math.abs(posOf(pl) - posOf(pc));
            if (dist || (dist === 0 && (post === NULL_POS || ct === NULL_POS))) {
              if (!dist) dist = MAX_ENTRY_POS;
              const curw = f(Math.sqrt(f(f(w[weightOf(pl)]! * w[weightOf(pc)]!) * wordDistance(dist))));
              res = res < 0 ? curw : f(1.0 - (1.0 - res) * (1.0 - curw));
            }
          }
        }
      }
    }
  }
  return res;
}

function rankOr(w: number[], v: TsVector, q: QueryNode): number {
  const items = sortedUniqueOperands(q);
  let res = 0.0;
  for (const item of items) {
    for (const entry of findLexemes(v, item)) {
      const post = entry.pos.length > 0 ? entry.pos : [0];
      let resj = 0.0, wjm = -1.0, jm = 0;
      post.forEach((p, j) => {
        const wp = w[weightOf(p)]!;
        resj = f(resj + f(wp / ((j + 1) * (j + 1))));
        if (wp > wjm) { wjm = wp; jm = j; }
      });
      res = f(res + f(f(wjm + resj) - f(wjm / ((jm + 1) * (jm + 1)))) / 1.64493406685);
    }
  }
  if (items.length > 0) res = f(res / items.length);
  return res;
}

/** ts_rank([weights,] tsvector, tsquery [, normalization]) */
export function tsRank(w: number[], v: TsVector, q: TsQuery, method: number, empty = v.length === 0): number {
  if (empty || !q) return 0;
  let res = q.type === 'and' || q.type === 'phrase' ? rankAnd(w, v, q) : rankOr(w, v, q);
  if (res < 0) res = f(1e-20);
  if (method & NORM_LOGLENGTH) res = f(res / (Math.log(cntLength(v) + 1) / Math.log(2.0)));
  if (method & NORM_LENGTH) {
    const len = cntLength(v);
    if (len > 0) res = f(res / len);
  }
  if (method & NORM_UNIQ) res = f(res / v.length);
  if (method & NORM_LOGUNIQ) res = f(res / (Math.log(v.length + 1) / Math.log(2.0)));
  if (method & NORM_RDIVRPLUS1) res = f(res / f(res + 1));
  return res;
}

interface DocEntry { pos: number; items: Operand[]; entryIndex: number }

/** get_docrep: every matching position, sorted by position, with the operands found there */
function docRepresentation(v: TsVector, q: QueryNode): DocEntry[] {
  const raw: { pos: number; entry: number; item: Operand }[] = [];
  const index = new Map<Lexeme, number>(v.map((l, i) => [l, i]));
  for (const item of operands(q)) {
    for (const entry of findLexemes(v, item)) {
      if (entry.pos.length === 0) continue;
      for (const p of entry.pos) if (item.weight === 0 || item.weight & (1 << weightOf(p))) raw.push({ pos: p, entry: index.get(entry)!, item });
    }
  }
  raw.sort((a, b) => posOf(a.pos) - posOf(b.pos) || weightOf(a.pos) - weightOf(b.pos) || a.entry - b.entry);
  const doc: DocEntry[] = [];
  for (const r of raw) {
    const last = doc[doc.length - 1];
    if (last && last.pos === r.pos && last.entryIndex === r.entry) last.items.push(r.item);
    else doc.push({ pos: r.pos, items: [r.item], entryIndex: r.entry });
  }
  return doc;
}

interface OperandData { exists: boolean; pos: number[] }

/** Cover: the next shortest extent [begin, end] of doc satisfying the query */
function covers(doc: DocEntry[], q: QueryNode): { begin: number; end: number; p: number; q: number }[] {
  const out: { begin: number; end: number; p: number; q: number }[] = [];
  let start = 0;
  const data = new Map<Operand, OperandData>();
  const check: CheckOperand = (val, d) => {
    const od = data.get(val);
    if (!od || !od.exists) return Tri.No;
    if (d) d.pos = od.pos;
    return Tri.Yes;
  };
  const fill = (e: DocEntry, reverse: boolean): void => {
    for (const item of e.items) {
      let od = data.get(item);
      if (!od) data.set(item, (od = { exists: false, pos: [] }));
      od.exists = true;
      const lastPos = reverse ? od.pos[0] : od.pos[od.pos.length - 1];
      if (lastPos === undefined || posOf(lastPos) !== posOf(e.pos)) {
        if (reverse) od.pos.unshift(e.pos); else od.pos.push(e.pos);
      }
    }
  };
  for (;;) {
    if (start >= doc.length) return out;
    data.clear();
    let extQ = 0, end = -1, lastpos = start;
    for (let i = start; i < doc.length; i++) {
      fill(doc[i]!, false);
      if (execute(q, check) !== Tri.No) {
        if (posOf(doc[i]!.pos) > extQ) { extQ = posOf(doc[i]!.pos); end = i; lastpos = i; }
        break;
      }
    }
    if (end < 0) return out;
    data.clear();
    let extP = Number.MAX_SAFE_INTEGER, begin = -1, i = lastpos;
    for (; i >= start; i--) {
      fill(doc[i]!, true);
      if (execute(q, check) !== Tri.No) {
        if (posOf(doc[i]!.pos) < extP) { begin = i; extP = posOf(doc[i]!.pos); }
        break;
      }
    }
    if (extP <= extQ) {
      out.push({ begin, end, p: extP, q: extQ });
      start = i + 1;
    } else start++;
  }
}

/** ts_rank_cd([weights,] tsvector, tsquery [, normalization]) */
export function tsRankCd(w: number[], v: TsVector, q: TsQuery, method: number): number {
  if (!q) return 0;
  const invws = w.map((x) => 1.0 / x);
  const doc = docRepresentation(v, q);
  if (doc.length === 0) return 0;
  let wdoc = 0.0, sumDist = 0.0, prevExtPos = 0.0, nExtent = 0;
  for (const ext of covers(doc, q)) {
    let invSum = 0.0;
    for (let i = ext.begin; i <= ext.end; i++) invSum += invws[weightOf(doc[i]!.pos)]!;
    const cpos = (ext.end - ext.begin + 1) / invSum;
    let nNoise = (ext.q - ext.p) - (ext.end - ext.begin);
    if (nNoise < 0) nNoise = Math.trunc((ext.end - ext.begin) / 2);
    wdoc += cpos / (1 + nNoise);
    const curExtPos = (ext.q + ext.p) / 2.0;
    if (nExtent > 0 && curExtPos > prevExtPos) sumDist += 1.0 / (curExtPos - prevExtPos);
    prevExtPos = curExtPos;
    nExtent++;
  }
  if (method & NORM_LOGLENGTH && v.length > 0) wdoc /= Math.log(cntLength(v) + 1);
  if (method & NORM_LENGTH) {
    const len = cntLength(v);
    if (len > 0) wdoc /= len;
  }
  if (method & NORM_EXTDIST && nExtent > 0 && sumDist > 0) wdoc /= nExtent / sumDist;
  if (method & NORM_UNIQ && v.length > 0) wdoc /= v.length;
  if (method & NORM_LOGUNIQ && v.length > 0) wdoc /= Math.log(v.length + 1) / Math.log(2.0);
  if (method & NORM_RDIVRPLUS1) wdoc /= wdoc + 1;
  return f(wdoc);
}
