/**
 * IVFFlat over bit strings (`USING ivfflat (b bit_hamming_ops)`), as pgvector builds it:
 * k-means on the sampled bits (as 0/1 floats: squared L2 between them is their Hamming
 * distance), each center then rounded to a bit string (1 where at least half the members
 * have a 1), and every row put in the list of its nearest center by Hamming distance.
 * A search probes the `probes` lists nearest to the query and ranks their rows by Hamming
 * distance on the packed bits; rows are never unpacked, so an index over 1,536-bit codes
 * costs 4 bytes a row (its position) beside the segment's packed column.
 *
 * Packed layout: `bytesPer = ceil(bits / 8)` bytes a row, most significant bit first
 * (segment.bitColumn's).
 */
import { readFileSync } from 'node:fs';
import type { AnnHit, AnnIndex, AnnIndexFile } from './api.js';
import { kmeans } from './kmeans.js';
import { invertedLists, writeDurably } from './ivfflat.js';
import type { RecallCurve } from './recall-curve.js';

const MAGIC = 0x42564951; // 'QIVB'
const CENTERS_MAGIC = 0x43424951; // 'QIBC'
const VERSION = 1;

/** set bits of each byte value */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
});

/** Hamming distance between row `a` of `x` and row `b` of `y` (`n` bytes each). */
function hamming(x: Uint8Array, a: number, y: Uint8Array, b: number, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) d += POPCOUNT[x[a + i] ^ y[b + i]];
  return d;
}

export const bytesPerRow = (bits: number) => Math.ceil(bits / 8);

/** Packed bits → one 0/1 float each (rows × bits). */
function unpack(packed: Uint8Array, count: number, bits: number): Float32Array {
  const per = bytesPerRow(bits);
  const out = new Float32Array(count * bits);
  for (let r = 0; r < count; r++) {
    for (let b = 0; b < bits; b++) if (packed[r * per + (b >> 3)] & (0x80 >> (b & 7))) out[r * bits + b] = 1;
  }
  return out;
}

/** A query as search() takes it (one float a bit, non-zero = 1), packed. */
function packQuery(query: Float32Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytesPerRow(bits));
  for (let b = 0; b < bits; b++) if (query[b] !== 0) out[b >> 3] |= 0x80 >> (b & 7);
  return out;
}

/** Train `lists` bit-string centers on `count` packed samples. */
export function trainBitCenters(samples: Uint8Array, count: number, bits: number, lists: number): Uint8Array {
  const centers = kmeans(unpack(samples, count, bits), count, bits, lists, 'l2');
  const per = bytesPerRow(bits);
  const out = new Uint8Array(lists * per);
  for (let l = 0; l < lists; l++) {
    for (let b = 0; b < bits; b++) if (centers[l * bits + b] >= 0.5) out[l * per + (b >> 3)] |= 0x80 >> (b & 7);
  }
  return out;
}

/** The list of each row (nearest center by Hamming, the lowest list on a tie); NULL rows (`nulls[p] = 1`) in none. */
export function assignBitLists(packed: Uint8Array, count: number, bits: number, centers: Uint8Array, lists: number, nulls?: Uint8Array): { offsets: Uint32Array; positions: Uint32Array } {
  const per = bytesPerRow(bits);
  const listOf = new Int32Array(count).fill(-1);
  const sizes = new Uint32Array(lists);
  for (let pos = 0; pos < count; pos++) {
    if (nulls?.[pos] === 1) continue;
    let best = 0;
    let bestD = Infinity;
    for (let l = 0; l < lists; l++) {
      const d = hamming(packed, pos * per, centers, l * per, per);
      if (d < bestD) {
        bestD = d;
        best = l;
      }
    }
    listOf[pos] = best;
    sizes[best]++;
  }
  return invertedLists(listOf, sizes, lists);
}

/** An index's trained centers (a file beside its segments). */
export function writeBitCenters(path: string, bits: number, lists: number, centers: Uint8Array): void {
  writeDurably(path, [Uint32Array.of(CENTERS_MAGIC, VERSION, bits, lists), centers.subarray(0, lists * bytesPerRow(bits))]);
}

export function readBitCenters(path: string): { bits: number; lists: number; centers: Uint8Array } {
  const buf = readFileSync(path);
  const head = new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 16));
  if (head[0] !== CENTERS_MAGIC || head[1] !== VERSION) throw new Error(`${path} is not a bit IVFFlat centers file`);
  const [, , bits, lists] = head;
  const centers = new Uint8Array(buf.buffer.slice(buf.byteOffset + 16, buf.byteOffset + 16 + lists * bytesPerRow(bits)));
  if (centers.length !== lists * bytesPerRow(bits)) throw new Error(`${path} is truncated`);
  return { bits, lists, centers };
}

/** Is this file a bit IVFFlat centers file (and not a float one)? */
export function isBitCentersFile(path: string): boolean {
  const buf = readFileSync(path);
  return buf.byteLength >= 4 && buf.readUInt32LE(0) === CENTERS_MAGIC;
}

/** One segment's index file: header, centers, list offsets, positions. */
export function writeBitIvfFile(path: string, bits: number, count: number, centers: Uint8Array, lists: number, offsets: Uint32Array, positions: Uint32Array): void {
  const per = bytesPerRow(bits);
  // the centers padded to a multiple of 4 bytes, so the Uint32 arrays after them stay aligned
  const padded = new Uint8Array(Math.ceil((lists * per) / 4) * 4);
  padded.set(centers.subarray(0, lists * per));
  writeDurably(path, [Uint32Array.of(MAGIC, VERSION, bits, lists, count, positions.length), padded, offsets, positions]);
}

export class BitIvfIndex implements AnnIndex {
  readonly kind = 'ivfflat' as const;
  readonly op = '<~>' as const;
  recallCurve?: RecallCurve;

  private constructor(
    readonly dimensions: number, readonly size: number, readonly lists: number,
    private readonly centers: Uint8Array, private readonly offsets: Uint32Array, private readonly positions: Uint32Array,
    private readonly packed: Uint8Array, private readonly path: string,
  ) {}

  /** Open a segment's index file over the segment's packed bit column. */
  static open(path: string, packed: Uint8Array): BitIvfIndex {
    const buf = readFileSync(path);
    const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const head = new Uint32Array(bytes, 0, 6);
    if (head[0] !== MAGIC || head[1] !== VERSION) throw new Error(`${path} is not a bit IVFFlat index file`);
    const [, , bits, lists, count, indexed] = head;
    const per = bytesPerRow(bits);
    let at = 24;
    const centers = new Uint8Array(bytes, at, lists * per);
    at += Math.ceil((lists * per) / 4) * 4;
    const offsets = new Uint32Array(bytes, at, lists + 1); at += (lists + 1) * 4;
    const positions = new Uint32Array(bytes, at, indexed);
    if (offsets[lists] !== indexed) throw new Error(`${path} is corrupt`);
    if (packed.length < count * per) throw new Error(`${path}: the segment has ${packed.length / per} rows, the index ${count}`);
    return new BitIvfIndex(bits, count, lists, centers, offsets, positions, packed, path);
  }

  fileRef(): AnnIndexFile {
    return { kind: 'ivfflat', path: this.path, op: this.op, dim: this.dimensions, size: this.size, m: 0, efConstruction: 0 };
  }

  /**
   * The best `k` positions by Hamming distance in the `probes` lists nearest to the query
   * (more lists, nearest first, while fewer than `k` rows were seen), ties by position.
   */
  search(query: Float32Array, k: number, probes: number): AnnHit[] {
    if (k <= 0 || this.positions.length === 0) return [];
    const per = bytesPerRow(this.dimensions);
    const q = packQuery(query, this.dimensions);
    const toCenter = Array.from({ length: this.lists }, (_, l) => hamming(q, 0, this.centers, l * per, per));
    const order = Array.from({ length: this.lists }, (_, l) => l).sort((a, b) => toCenter[a] - toCenter[b] || a - b);
    const hits: AnnHit[] = [];
    let seen = 0;
    for (let i = 0; i < this.lists && (i < probes || seen < k); i++) {
      const l = order[i];
      for (let j = this.offsets[l]; j < this.offsets[l + 1]; j++) {
        const pos = this.positions[j];
        hits.push({ position: pos, distance: hamming(q, 0, this.packed, pos * per, per) });
      }
      seen += this.offsets[l + 1] - this.offsets[l];
    }
    // Hamming distances are small integers: a sort of the probed rows is cheap next to their scan
    return hits.sort((a, b) => a.distance - b.distance || a.position - b.position).slice(0, k);
  }

  save(): void {
    // written once by the build
  }

  close(): void {
    // ordinary memory
  }
}
