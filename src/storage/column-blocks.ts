/**
 * Shared memory that a bulk load decodes a vector column into: blocks of a record batch's
 * worth of vectors (RECORD_BATCH_ROWS), back to back in row order. When a segment is encoded
 * (segment.ts ColumnBuilder) and a record batch's vectors are exactly such a run — a bulk
 * load's segment whose rows are the COPY's, in its order — the block is taken as the
 * segment's column: the vectors are not copied a second time. Only blocks made here are
 * taken so (a view of another segment's memory would keep all of that memory alive).
 *
 * A block reserves its whole size and commits memory as it grows, so a short load costs
 * what it holds.
 */

import { BLOCK_CRC_STEP, blockFilled } from './column-block-crc.js';

/**
 * A commit inserting at least this many rows into a table (COPY, big INSERT … SELECT) is
 * ingested as a sealed segment of its own: written once as an Arrow file and referenced
 * from the log, instead of going through the log and being sealed later (Milvus' bulk
 * insert). Smaller commits take the log path.
 */
export const BULK_ROWS = 8192;

/** Rows per Arrow record batch of a sealed segment: bounds Int32 offsets and the size of one build step. */
export const RECORD_BATCH_ROWS = 65536;

/**
 * the largest block reserved (V8 refuses a growable buffer of more than 4 GiB): vectors of
 * more than 8,192 dimensions get memory of their own, copied into the segment as before
 */
const MAX_BLOCK_BYTES = 2 ** 31;

/** committed a few megabytes (or the block's size so far) at a time */
const GROW_BYTES = 4 << 20;

/** a growable SharedArrayBuffer (ES2024, Node 20; the TypeScript lib here is ES2022's) */
interface GrowableBlock extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}
const GrowableBlock = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableBlock;

const blocks = new WeakSet<SharedArrayBuffer>();

/** Whether `buffer` is a block of a vector column decoded for a bulk load. */
export function isColumnBlock(buffer: ArrayBufferLike): boolean {
  return buffer instanceof SharedArrayBuffer && blocks.has(buffer);
}

/** The memory of one vector column's values, a vector at a time, in row order. */
export class VectorColumnBlocks {
  private block: GrowableBlock | undefined;
  private used = 0;
  /** bytes of `block` whose crc was asked for (column-block-crc.ts) */
  private crcAsked = 0;
  /** false once a block cannot be had (too big, no address space): vectors get memory of their own */
  private usable: boolean;

  constructor(private readonly dim: number) {
    this.usable = VectorColumnBlocks.fit(dim);
  }

  /** Whether vectors of `dim` dimensions fit a block. */
  static fit(dim: number): boolean {
    return RECORD_BATCH_ROWS * 4 * dim <= MAX_BLOCK_BYTES;
  }

  /** The next vector's memory (zeros). */
  take(): Float32Array {
    if (!this.usable) return new Float32Array(this.dim);
    const bytes = 4 * this.dim;
    let block = this.block;
    // the vectors handed out so far are written: their crc is taken while the load goes on
    if (block && this.used - this.crcAsked >= BLOCK_CRC_STEP) {
      blockFilled(block, this.crcAsked, this.used);
      this.crcAsked = this.used;
    }
    try {
      if (!block || this.used + bytes > block.maxByteLength) {
        block = this.block = new GrowableBlock(0, { maxByteLength: RECORD_BATCH_ROWS * bytes });
        blocks.add(block);
        this.used = 0;
        this.crcAsked = 0;
      }
      if (this.used + bytes > block.byteLength) {
        block.grow(Math.min(block.maxByteLength, this.used + Math.max(bytes, GROW_BYTES, block.byteLength)));
      }
    } catch {
      // no address space for the block (a ulimit): memory of its own, and the segment
      // copies it as it did
      this.usable = false;
      return new Float32Array(this.dim);
    }
    const v = new Float32Array(block, this.used, this.dim);
    this.used += bytes;
    return v;
  }

  /** A copy of `v` as the next vector. */
  copyOf(v: Float32Array): Float32Array {
    const out = this.take();
    out.set(v);
    return out;
  }
}
