/**
 * A sealed segment's vector column copied into one fresh buffer for an index build (the
 * build worker takes the buffer over), a few megabytes at a time with a turn of the event
 * loop between: copied in one go (SealedSegment.vectorColumn, row by row), 30,000 × 784
 * held the session thread for 335 ms and a 60,000-row segment for about twice that, which
 * every INSERT arriving meanwhile waited out.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SealedSegment } from './segment.js';

/** floats copied between two turns of the event loop (4 MB: about a millisecond) */
const SLICE_FLOATS = 1 << 20;

export async function copyVectorColumn(seg: SealedSegment, column: number, dim: number): Promise<Float32Array> {
  const out = new Float32Array(seg.length * dim);
  for (const chunk of seg.vectorChunks(column, dim)) {
    const data = chunk.data.subarray(0, chunk.rows * dim);
    for (let at = 0; at < data.length; at += SLICE_FLOATS) {
      out.set(data.subarray(at, Math.min(data.length, at + SLICE_FLOATS)), chunk.start * dim + at);
      await nextTurn();
    }
  }
  return out;
}
