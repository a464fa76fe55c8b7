/**
 * A sealed segment's inverted index for one GIN index over a tsvector (PostgreSQL's GIN
 * with tsvector_ops): lexeme → ascending positions of the rows that hold it, with the
 * lexeme's frequency in each row, and every row's document length (for BM25). Built once per
 * sealed segment (a sealed segment never changes), or read back from the file a GIN index
 * keeps beside the segment (inverted-index-file.ts); deleted rows stay in the lists and are
 * left to the caller's visibility check, like the B-tree sorted columns.
 *
 * `candidates` turns a tsquery into the positions that may match, as GIN's consistent
 * function does: a lexeme is its list, a prefix lexeme (foo:*) the union of the lists of
 * the lexemes starting with it, & and the phrase operator <N> intersect, | unites, ! cannot
 * narrow anything, and an empty query (only stop words) matches nothing. Weights, phrase
 * distances and negations are not decided here, so the caller rechecks @@ on every candidate.
 */
import { comparePrefix, compareLexemes, type TsVector } from '../types/tsvector.js';
import type { QueryNode, TsQuery } from '../types/tsquery.js';

const EMPTY = new Int32Array(0);

export interface Posting {
  /** ascending row positions */
  readonly rows: Int32Array;
  /** the lexeme's frequency in each of those rows (its position count, 1 when stripped) */
  readonly freqs: Uint16Array | Uint32Array;
  /** the highest frequency and the shortest document length among those rows: a bound on any row's BM25 share (MaxScore) */
  readonly maxFreq: number;
  readonly minLength: number;
}

export class InvertedIndex {
  /** postings by lexeme ordinal, made on first use when `load` reads them from a file */
  private readonly lists: (Posting | undefined)[];

  private constructor(
    /** lexemes in tsvector order (tsCompareString): binary search, prefix ranges */
    private readonly words: readonly string[],
    lists: (Posting | undefined)[],
    private readonly load: ((ordinal: number) => Posting) | undefined,
    /** per position: the document length (sum of lexeme frequencies); -1 for a NULL value */
    readonly docLength: Int32Array,
  ) {
    this.lists = lists;
  }

  static build(length: number, read: (pos: number) => TsVector | null): InvertedIndex {
    const rows = new Map<string, number[]>();
    const freqs = new Map<string, number[]>();
    const docLength = new Int32Array(length).fill(-1);
    for (let pos = 0; pos < length; pos++) {
      const v = read(pos);
      if (!v) continue;
      let dl = 0;
      for (const l of v) {
        const tf = Math.max(1, l.pos.length);
        dl += tf;
        let r = rows.get(l.word);
        if (!r) { r = []; rows.set(l.word, r); freqs.set(l.word, []); }
        r.push(pos);
        freqs.get(l.word)!.push(tf);
      }
      docLength[pos] = dl;
    }
    const words = [...rows.keys()].sort(compareLexemes);
    const lists = words.map((w) => InvertedIndex.posting(Int32Array.from(rows.get(w)!), Uint16Array.from(freqs.get(w)!), docLength));
    return new InvertedIndex(words, lists, undefined, docLength);
  }

  /**
   * An index read back from its file (inverted-index-file.ts): the lexemes and lengths at
   * once, each posting list when first asked for.
   */
  static lazy(words: readonly string[], docLength: Int32Array, load: (ordinal: number) => Posting): InvertedIndex {
    return new InvertedIndex(words, new Array<Posting | undefined>(words.length), load, docLength);
  }

  /** a posting list with its bounds */
  static posting(rows: Int32Array, freqs: Uint16Array | Uint32Array, docLength: Int32Array): Posting {
    let maxFreq = 0, minLength = Infinity;
    for (let i = 0; i < rows.length; i++) {
      if (freqs[i]! > maxFreq) maxFreq = freqs[i]!;
      if (docLength[rows[i]!]! < minLength) minLength = docLength[rows[i]!]!;
    }
    return { rows, freqs, maxFreq, minLength };
  }

  /** how many distinct lexemes the index holds */
  get size(): number {
    return this.words.length;
  }

  /** the lexeme with this ordinal (0 ≤ ordinal < size, in tsvector order) */
  wordAt(ordinal: number): string {
    return this.words[ordinal]!;
  }

  /** the posting list of the lexeme with this ordinal */
  postingAt(ordinal: number): Posting {
    let p = this.lists[ordinal];
    if (!p) this.lists[ordinal] = p = this.load!(ordinal);
    return p;
  }

  /** the ordinal of a lexeme, or -1 */
  private ordinalOf(word: string): number {
    let lo = 0, hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareLexemes(this.words[mid]!, word);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
  }

  /**
   * The rows holding `word` (with `prefix`: any lexeme starting with it, frequencies summed
   * per row): one BM25 term's list.
   */
  termPosting(word: string, prefix: boolean): Posting | undefined {
    if (!prefix) return this.posting(word);
    const lists = this.wordsWithPrefix(word).map((w) => this.posting(w)!);
    if (lists.length <= 1) return lists[0];
    const tf = new Int32Array(this.docLength.length);
    for (const l of lists) for (let i = 0; i < l.rows.length; i++) tf[l.rows[i]!] += l.freqs[i]!;
    const rows: number[] = [];
    const freqs: number[] = [];
    for (let r = 0; r < tf.length; r++) if (tf[r]! > 0) { rows.push(r); freqs.push(tf[r]!); }
    return InvertedIndex.posting(Int32Array.from(rows), Uint32Array.from(freqs), this.docLength);
  }

  /** the rows holding exactly this lexeme */
  posting(word: string): Posting | undefined {
    const i = this.ordinalOf(word);
    return i < 0 ? undefined : this.postingAt(i);
  }

  /** lexemes starting with `prefix` */
  wordsWithPrefix(prefix: string): string[] {
    let lo = 0, hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareLexemes(this.words[mid]!, prefix) < 0) lo = mid + 1; else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.words.length && comparePrefix(prefix, this.words[i]!) === 0; i++) out.push(this.words[i]!);
    return out;
  }

  /**
   * The positions that may match the query (ascending), or undefined when the index cannot
   * narrow them. An empty query (only stop words) matches no row, as in PostgreSQL.
   */
  candidates(q: TsQuery): Int32Array | undefined {
    return q ? this.evaluate(q) : EMPTY;
  }

  /**
   * Whether candidates(q) are exactly the rows matching q: only lexemes (prefix or not,
   * without weights) under & and |; phrases, weights and ! need the recheck.
   */
  static exact(q: TsQuery): boolean {
    if (!q) return false;
    switch (q.type) {
      case 'val': return q.weight === 0;
      case 'and': case 'or': return InvertedIndex.exact(q.left) && InvertedIndex.exact(q.right);
      default: return false;
    }
  }

  private evaluate(n: QueryNode): Int32Array | undefined {
    switch (n.type) {
      case 'val': {
        if (!n.prefix) return this.posting(n.word)?.rows ?? EMPTY;
        const words = this.wordsWithPrefix(n.word);
        return words.length === 1 ? this.posting(words[0]!)!.rows : this.union(words.map((w) => this.posting(w)!.rows));
      }
      case 'stop': case 'not': return undefined;
      case 'and': case 'phrase': {
        const a = this.evaluate(n.left);
        if (a?.length === 0) return a;
        const b = this.evaluate(n.right);
        return !a ? b : !b ? a : intersect(a, b);
      }
      case 'or': {
        const a = this.evaluate(n.left);
        if (!a) return undefined;
        const b = this.evaluate(n.right);
        return b ? this.union([a, b]) : undefined;
      }
    }
  }

  /** ascending union of ascending lists (through a mark per position: lists may be many) */
  private union(lists: readonly Int32Array[]): Int32Array {
    if (lists.length === 0) return EMPTY;
    if (lists.length === 1) return lists[0]!;
    const mark = new Uint8Array(this.docLength.length);
    let n = 0;
    for (const l of lists) for (const p of l) if (!mark[p]) { mark[p] = 1; n++; }
    const out = new Int32Array(n);
    let k = 0;
    for (let p = 0; p < mark.length; p++) if (mark[p]) out[k++] = p;
    return out;
  }
}

/** ascending intersection of two ascending lists */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else { out[k++] = a[i]!; i++; j++; }
  }
  return out.subarray(0, k);
}
