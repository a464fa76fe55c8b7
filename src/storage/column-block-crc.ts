/**
 * The crc32 of a bulk load's column blocks (column-blocks.ts), taken in a worker thread while
 * the load still comes, a step at a time as the blocks fill. The segment file's writer
 * (segment-file-write.ts) then continues each block's crc from what is known and combines
 * it into the file's (crc32-combine.ts) instead of reading the whole block after the last
 * row: at a bulk load's commit the crc of its vectors (188 MB for 60,000 × vector(784),
 * 90–290 ms) was the longest step of the file's write, and the worker thread is idle while
 * the rows come.
 *
 * A block's bytes must not change once filled: they are decoded vectors, which nothing
 * writes to after (a COPY that fails writes no file).
 */
import { SerialWorker } from './serial-worker.js';

export interface BlockCrcRequest {
  readonly block: SharedArrayBuffer;
  readonly from: number;
  readonly to: number;
  /** the crc of the block's bytes before `from` */
  readonly crc: number;
}

export interface BlockCrcReply {
  /** the crc of the block's bytes before `to` */
  readonly crc: number;
}

/** newly filled bytes of a block taken in one request */
export const BLOCK_CRC_STEP = 16 << 20;

const worker = new SerialWorker<BlockCrcRequest, BlockCrcReply>(new URL('./column-block-crc-worker.js', import.meta.url), 'column block crc');

interface BlockCrc {
  /** the block's first `bytes` have crc32 `crc` */
  bytes: number;
  crc: number;
  /** requests in order, each continuing from the one before */
  chain: Promise<void>;
  /** a request failed: nothing is known past `bytes`, and nothing more is asked */
  failed: boolean;
}

const known = new WeakMap<SharedArrayBuffer, BlockCrc>();
/** blocks' request chains not finished yet */
const chains = new Set<Promise<void>>();

/** `block`'s bytes from `from` to `to` are written for good: their crc is taken (after the bytes before them). */
export function blockFilled(block: SharedArrayBuffer, from: number, to: number): void {
  let s = known.get(block);
  if (!s) known.set(block, (s = { bytes: 0, crc: 0, chain: Promise.resolve(), failed: false }));
  const state = s;
  state.chain = state.chain.then(async () => {
    if (state.failed || state.bytes !== from) return;
    const { crc } = await worker.run({ block, from, to, crc: state.crc });
    state.crc = crc;
    state.bytes = to;
  }).catch(() => {
    // the file's writer takes the rest of the crc itself
    state.failed = true;
  });
  const chain = state.chain;
  chains.add(chain);
  void chain.then(() => chains.delete(chain));
}

/** What is known so far of the crc of `view`'s bytes, if it is a column block's memory from its start. */
export function knownBlockCrc(view: Uint8Array): { readonly bytes: number; readonly crc: number } | undefined {
  if (view.byteOffset !== 0 || !(view.buffer instanceof SharedArrayBuffer)) return undefined;
  const s = known.get(view.buffer);
  if (!s || s.bytes === 0 || s.bytes > view.byteLength) return undefined;
  return { bytes: s.bytes, crc: s.crc };
}

/** Resolves when the crc steps asked for so far are taken (tests, benchmarks). */
export async function blockCrcsIdle(): Promise<void> {
  while (chains.size > 0) await Promise.all(chains);
}
