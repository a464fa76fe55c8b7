/**
 * IVFFlat as in pgvector: the vectors of a segment are split into `lists` inverted lists,
 * one per k-means center (trained once per index at CREATE INDEX, see kmeans.ts); a search
 * ranks the centers by distance to the query, scans the nearest `probes` lists exactly and
 * returns the best k of what it saw. More probes, more recall; probes = lists is exact.
 *
 * The index file holds the centers and the lists (positions only): the vectors are read
 * from the segment itself (its shared memory), so opening an index in a query worker costs
 * only the lists. Rows whose vector cannot be indexed are in no list: NULL (passed as
 * `skip`) and, for cosine, zero vectors — as pgvector's index does not return them.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import simsimd from 'simsimd';
import type { AnnHit, AnnIndex, AnnIndexFile, AnnOp, DistanceOp, VectorChunk } from './api.js';
import { normalizeRows, type KmeansKind } from './kmeans.js';
import type { RecallCurve } from './recall-curve.js';

const MAGIC = 0x46564951; // 'QIVF'
const CENTERS_MAGIC = 0x43564951; // 'QIVC'
const VERSION = 1;
const OP_CODES: readonly DistanceOp[] = ['<->', '<#>', '<=>', '<+>'];
/** from this many dimensions a SIMD call (simsimd) beats a JS loop, N-API call included */
const SIMD_MIN_DIMS = 32;

type Rank = (q: Float32Array, v: Float32Array) => number;

/** The operator's order as one SIMD call (ranking only, like IvfIndex's JS loop). */
function simdRank(op: DistanceOp): Rank {
  if (op === '<->') return (q, v) => simsimd.sqeuclidean(q, v);
  if (op === '<#>') return (q, v) => -simsimd.inner(q, v);
  return (q, v) => simsimd.cosine(q, v);
}

/** IVFFlat lists for the float operators but L1 (bit strings are not clustered yet). */
export function ivfflatSupports(op: AnnOp): op is '<->' | '<#>' | '<=>' {
  return op === '<->' || op === '<#>' || op === '<=>';
}

export function kmeansKindFor(op: DistanceOp): KmeansKind {
  return op === '<->' ? 'l2' : 'spherical';
}

/** Where vector `pos` of a segment is: its chunk's data and offset (chunks are few: binary search). */
class VectorSource {
  private readonly starts: Int32Array;

  constructor(private readonly chunks: readonly VectorChunk[], private readonly dim: number) {
    this.starts = Int32Array.from(chunks, (c) => c.start);
  }

  /** one past the last position of a chunk */
  end(chunk: number): number { return this.chunks[chunk].start + this.chunks[chunk].rows; }

  chunkOf(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  data(chunk: number): Float32Array { return this.chunks[chunk].data; }
  offset(chunk: number, pos: number): number { return (pos - this.chunks[chunk].start) * this.dim; }
}

/**
 * The distance lists are chosen by (pgvector's IVFFLAT_DISTANCE_PROC against its centers):
 * squared L2 for <->, negative inner product for <#> and <=> (cosine vectors normalised).
 */
function centerDistances(v: Float32Array, vo: number, centers: Float32Array, lists: number, dim: number, l2: boolean, out: Float64Array): void {
  for (let c = 0; c < lists; c++) {
    const co = c * dim;
    let s = 0;
    if (l2) {
      for (let d = 0; d < dim; d++) {
        const x = v[vo + d] - centers[co + d];
        s += x * x;
      }
    } else {
      for (let d = 0; d < dim; d++) s -= v[vo + d] * centers[co + d];
    }
    out[c] = s;
  }
}

function nearestCenter(dists: Float64Array): number {
  let best = 0;
  for (let c = 1; c < dists.length; c++) if (dists[c] < dists[best]) best = c;
  return best;
}

function norm2(v: Float32Array, o: number, dim: number): number {
  let n = 0;
  for (let d = 0; d < dim; d++) n += v[o + d] * v[o + d];
  return n;
}

/**
 * The inverted lists of `count` vectors: `offsets[l]..offsets[l+1]` of `positions` are the
 * positions in list l, ascending. `skip(pos)` true leaves a position out (NULL vectors).
 */
export function assignLists(chunks: readonly VectorChunk[], count: number, dim: number, op: DistanceOp, centers: Float32Array, lists: number, skip?: (pos: number) => boolean): { offsets: Uint32Array; positions: Uint32Array } {
  const listOf = new Int32Array(count).fill(-1);
  const sizes = new Uint32Array(lists);
  const dists = new Float64Array(lists);
  const unit = new Float32Array(dim);
  for (const c of chunks) {
    for (let i = 0; i < c.rows; i++) {
      const pos = c.start + i;
      if (pos >= count || skip?.(pos)) continue;
      let v = c.data;
      let o = i * dim;
      if (op === '<=>') {
        const n = norm2(v, o, dim);
        if (n === 0) continue;
        const inv = 1 / Math.sqrt(n);
        for (let d = 0; d < dim; d++) unit[d] = v[o + d] * inv;
        v = unit;
        o = 0;
      }
      if (dim >= SIMD_MIN_DIMS) {
        const x = v.subarray(o, o + dim);
        for (let l = 0; l < lists; l++) {
          const cv = centers.subarray(l * dim, (l + 1) * dim);
          dists[l] = op === '<->' ? simsimd.sqeuclidean(x, cv) : -simsimd.inner(x, cv);
        }
      } else {
        centerDistances(v, o, centers, lists, dim, op === '<->', dists);
      }
      const l = nearestCenter(dists);
      listOf[pos] = l;
      sizes[l]++;
    }
  }
  return invertedLists(listOf, sizes, lists);
}

/**
 * The inverted lists of an assignment (`listOf[pos]`: a position's list, -1 for none;
 * `sizes`: each list's count): `offsets[l]..offsets[l+1]` of `positions`, ascending.
 */
export function invertedLists(listOf: Int32Array, sizes: Uint32Array, lists: number): { offsets: Uint32Array; positions: Uint32Array } {
  const offsets = new Uint32Array(lists + 1);
  for (let l = 0; l < lists; l++) offsets[l + 1] = offsets[l] + sizes[l];
  const fill = offsets.slice(0, lists);
  const positions = new Uint32Array(offsets[lists]);
  for (let pos = 0; pos < listOf.length; pos++) if (listOf[pos] >= 0) positions[fill[listOf[pos]]++] = pos;
  return { offsets, positions };
}

/** Write an index file's parts and fsync it (it is never changed after). */
export function writeDurably(path: string, parts: readonly ArrayBufferView[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const p of parts) writeSync(fd, new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The trained centers of one index (a file beside its segments: the index's own data). */
export function writeCenters(path: string, op: DistanceOp, dim: number, lists: number, centers: Float32Array): void {
  writeDurably(path, [Uint32Array.of(CENTERS_MAGIC, VERSION, OP_CODES.indexOf(op), dim, lists), centers.subarray(0, lists * dim)]);
}

export function readCenters(path: string): { op: DistanceOp; dim: number; lists: number; centers: Float32Array } {
  const buf = readFileSync(path);
  const head = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 20));
  if (head[0] !== CENTERS_MAGIC || head[1] !== VERSION) throw new Error(`${path} is not an IVFFlat centers file`);
  const [, , opCode, dim, lists] = head;
  const centers = new Float32Array(buf.buffer.slice(buf.byteOffset + 20, buf.byteOffset + 20 + lists * dim * 4));
  if (centers.length !== lists * dim) throw new Error(`${path} is truncated`);
  return { op: OP_CODES[opCode], dim, lists, centers };
}

/** Write one segment's index file: header, centers, list offsets, positions. */
export function writeIvfFile(path: string, op: DistanceOp, dim: number, count: number, centers: Float32Array, lists: number, offsets: Uint32Array, positions: Uint32Array): void {
  writeDurably(path, [Uint32Array.of(MAGIC, VERSION, OP_CODES.indexOf(op), dim, lists, count, positions.length), centers.subarray(0, lists * dim), offsets, positions]);
}

/** Bounded max-heap of (distance, position): the k best seen so far. */
class TopK {
  private readonly d: Float64Array;
  private readonly p: Int32Array;
  size = 0;

  constructor(private readonly k: number) {
    this.d = new Float64Array(k);
    this.p = new Int32Array(k);
  }

  get worst(): number { return this.size < this.k ? Infinity : this.d[0]; }

  offer(dist: number, pos: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.d[parent] >= dist) break;
        this.d[i] = this.d[parent]; this.p[i] = this.p[parent];
        i = parent;
      }
      this.d[i] = dist; this.p[i] = pos;
      return;
    }
    if (dist >= this.d[0]) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.k) break;
      const r = l + 1;
      const c = r < this.k && this.d[r] > this.d[l] ? r : l;
      if (this.d[c] <= dist) break;
      this.d[i] = this.d[c]; this.p[i] = this.p[c];
      i = c;
    }
    this.d[i] = dist; this.p[i] = pos;
  }

  sorted(): AnnHit[] {
    const out: AnnHit[] = [];
    for (let i = 0; i < this.size; i++) out.push({ position: this.p[i], distance: this.d[i] });
    return out.sort((a, b) => a.distance - b.distance || a.position - b.position);
  }
}

export class IvfIndex implements AnnIndex {
  readonly kind = 'ivfflat' as const;
  recallCurve?: RecallCurve;
  private readonly source: VectorSource;

  private constructor(
    readonly op: DistanceOp, readonly dimensions: number, readonly size: number, readonly lists: number,
    private readonly centers: Float32Array, private readonly offsets: Uint32Array, private readonly positions: Uint32Array,
    chunks: readonly VectorChunk[], private readonly path: string,
  ) {
    this.source = new VectorSource(chunks, dimensions);
  }

  /** Open a segment's index file over the segment's vectors. */
  static open(path: string, chunks: readonly VectorChunk[]): IvfIndex {
    const buf = readFileSync(path);
    const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const head = new Uint32Array(bytes, 0, 7);
    if (head[0] !== MAGIC || head[1] !== VERSION) throw new Error(`${path} is not an IVFFlat index file`);
    const [, , opCode, dim, lists, count, indexed] = head;
    let at = 28;
    const centers = new Float32Array(bytes, at, lists * dim); at += lists * dim * 4;
    const offsets = new Uint32Array(bytes, at, lists + 1); at += (lists + 1) * 4;
    const positions = new Uint32Array(bytes, at, indexed);
    if (offsets[lists] !== indexed) throw new Error(`${path} is corrupt`);
    return new IvfIndex(OP_CODES[opCode], dim, count, lists, centers, offsets, positions, chunks, path);
  }

  fileRef(): AnnIndexFile {
    return { kind: 'ivfflat', path: this.path, op: this.op, dim: this.dimensions, size: this.size, m: 0, efConstruction: 0 };
  }

  /** Lists ordered by their center's distance to the query, nearest first. */
  private listOrder(query: Float32Array): Int32Array {
    let q = query;
    if (this.op === '<=>') {
      q = Float32Array.from(query);
      normalizeRows(q, 1, this.dimensions);
    }
    const dists = new Float64Array(this.lists);
    if (this.dimensions >= SIMD_MIN_DIMS) {
      // pgvector's list distance: squared L2, or the negative inner product with the centers
      const dim = this.dimensions;
      for (let l = 0; l < this.lists; l++) {
        const c = this.centers.subarray(l * dim, (l + 1) * dim);
        dists[l] = this.op === '<->' ? simsimd.sqeuclidean(q, c) : -simsimd.inner(q, c);
      }
    } else {
      centerDistances(q, 0, this.centers, this.lists, this.dimensions, this.op === '<->', dists);
    }
    const order = new Int32Array(this.lists);
    for (let l = 0; l < this.lists; l++) order[l] = l;
    return order.sort((a, b) => dists[a] - dists[b] || a - b);
  }

  /**
   * The best `k` positions in the `probes` lists nearest to the query. When those lists
   * hold fewer than `k` vectors, further lists are probed (nearest first) until `k` were
   * seen: a caller asking for more candidates (a filter, invisible rows) gets them, as
   * pgvector's iterative scan would; asking for the whole segment probes every list.
   */
  search(query: Float32Array, k: number, probes: number): AnnHit[] {
    if (this.size === 0 || k <= 0 || this.positions.length === 0) return [];
    const order = this.listOrder(query);
    const top = new TopK(Math.min(k, this.positions.length));
    const dim = this.dimensions;
    const qNorm = this.op === '<=>' ? Math.sqrt(norm2(query, 0, dim)) : 0;
    const simd = dim >= SIMD_MIN_DIMS ? simdRank(this.op) : undefined;
    // simsimd wants both vectors of the same length
    const q = simd && query.length !== dim ? query.slice(0, dim) : query;
    let seen = 0;
    for (let i = 0; i < this.lists && (i < probes || seen < k); i++) {
      const l = order[i];
      const from = this.offsets[l];
      const to = this.offsets[l + 1];
      seen += to - from;
      let chunk = -1;
      let chunkEnd = -1;
      let data: Float32Array | undefined;
      for (let j = from; j < to; j++) {
        const pos = this.positions[j];
        // a list's positions ascend: the chunk changes only when one is passed
        if (pos >= chunkEnd) {
          chunk = this.source.chunkOf(pos);
          data = this.source.data(chunk);
          chunkEnd = this.source.end(chunk);
        }
        const o = this.source.offset(chunk, pos);
        top.offer(simd ? simd(q, data!.subarray(o, o + dim)) : this.rankDistance(query, data!, o, qNorm), pos);
      }
    }
    return top.sorted();
  }

  /** Every position in the `probes` nearest lists: search() for exactly as many as they hold. */
  probeLists(query: Float32Array, probes: number): AnnHit[] {
    if (this.size === 0 || this.positions.length === 0) return [];
    const order = this.listOrder(query);
    let held = 0;
    for (let i = 0; i < Math.min(probes, this.lists); i++) held += this.offsets[order[i] + 1] - this.offsets[order[i]];
    return this.search(query, held, probes);
  }

  /** The ranking distance (the SQL operator's order; exact output distances are recomputed by the caller). */
  private rankDistance(q: Float32Array, v: Float32Array, o: number, qNorm: number): number {
    const dim = this.dimensions;
    if (this.op === '<->') {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const x = q[d] - v[o + d];
        s += x * x;
      }
      return s;
    }
    let dot = 0;
    let nn = 0;
    for (let d = 0; d < dim; d++) {
      dot += q[d] * v[o + d];
      nn += v[o + d] * v[o + d];
    }
    if (this.op === '<#>') return -dot;
    return 1 - dot / (qNorm * Math.sqrt(nn));
  }

  save(): void {
    // the file is written by the build and never changes: nothing to do
  }

  close(): void {
    // nothing native: the lists are ordinary memory
  }
}
