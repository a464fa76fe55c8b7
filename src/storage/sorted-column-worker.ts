/**
 * Worker thread that sorts one sealed segment's numeric column (sorted-column-build.ts), or
 * a text or numeric column's packed UTF-8 values (sorted-values.ts):
 * the column's Arrow values arrive as typed arrays (views of the segment's shared memory
 * where it is shared, else copies), its sorted keys and positions go back as transferred
 * buffers. A sort of 200,000 values takes tens of milliseconds, off the session thread.
 */
import { sortKeys } from './sorted-column.js';
import { sortPackedPositions } from './sorted-values.js';
import type { SortReply, SortRequest } from './sorted-column-build.js';
import { serveSerially } from './serial-worker.js';
import { sortTuplePositions } from './sorted-tuple.js';

/** The value at each position, read through the chunks in order (sortKeys reads 0, 1, 2 …). */
function reader(req: Extract<SortRequest, { chunks: unknown; length: number }>): (pos: number) => unknown {
  let at = 0;
  return (pos) => {
    while (pos >= req.chunks[at]!.start + req.chunks[at]!.length) at++;
    const c = req.chunks[at]!;
    const i = pos - c.start;
    if (c.validity) {
      const b = i + c.bitOffset;
      if (((c.validity[b >> 3]! >> (b & 7)) & 1) === 0) return null;
    }
    return c.values[i];
  };
}

serveSerially<SortRequest, SortReply>(
  (req) => ('tuple' in req ? sortTuplePositions(req.length, req.tuple) : 'texts' in req ? sortPackedPositions(req.texts, req.order) : sortKeys(req.length, reader(req))),
  (sorted) => (!sorted ? [] : sorted instanceof Int32Array ? [sorted.buffer as ArrayBuffer] : [sorted.keys.buffer as ArrayBuffer, sorted.positions.buffer as ArrayBuffer]),
);
