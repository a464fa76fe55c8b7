/**
 * The rows a seal or a compaction writes, read from the segments they are in (growing
 * segments being sealed, sealed segments being merged) in RowId order, a slice at a time,
 * for encodeSegment: nothing is copied into whole-segment arrays first, and the order is
 * found without a comparator sort on the session thread (200,000 rows: copying and sorting
 * them held the event loop for ~90 ms, materializing a compaction's input rows for longer).
 */
import type { RowId } from './api.js';
import type { Segment, SegmentSource } from './segment.js';
import { sortColumnInWorker } from './sorted-column-build.js';
import { Turns } from './turns.js';

/**
 * The rows at positions `pos[i]` of segments `segs[which[i]]`, in RowId order: rows of one
 * segment are in RowId order already (a sealed one by construction, a growing one almost
 * always: RowIds are handed out at insert, rows appended at commit), so when the list is
 * sorted it is read as it is, else it is ordered by the sort worker
 * (sorted-column-build.ts). Each RowId must appear once.
 */
export async function pickedRows(segs: readonly Segment[], which: Int32Array, pos: Int32Array): Promise<SegmentSource> {
  const n = pos.length;
  const rowIds = new Float64Array(n);
  let sorted = true;
  const turns = new Turns();
  for (let i = 0; i < n; i++) {
    rowIds[i] = segs[which[i]].rowIdAt(pos[i]);
    if (i > 0 && rowIds[i] < rowIds[i - 1]) sorted = false;
    if ((i & 4095) === 4095) await turns.take();
  }
  const order = sorted ? undefined : (await sortColumnInWorker(n, [{ start: 0, length: n, values: rowIds, bitOffset: 0 }]))!.positions;
  return {
    length: n,
    read(start, end) {
      const ids: RowId[] = [];
      const ts: number[] = [];
      const rows = [];
      let i = start;
      while (i < end) {
        // a run of consecutive positions in one segment is read in one call
        const at = order ? order[i] : i;
        const seg = segs[which[at]];
        const from = pos[at];
        let run = 1;
        while (i + run < end) {
          const next = order ? order[i + run] : i + run;
          if (which[next] !== which[at] || pos[next] !== from + run) break;
          run++;
        }
        rows.push(...seg.rows(from, from + run));
        for (let p = from; p < from + run; p++) { ids.push(seg.rowIdAt(p)); ts.push(seg.tsAt(p)); }
        i += run;
      }
      return { rowIds: ids, ts, rows };
    },
  };
}

/**
 * Every row of `segs` (growing segments being sealed) as pickedRows' lists, filled between
 * turns of the event loop (run once per seal, the loop is not yet optimized: 200,000
 * positions took ~5 ms of the session thread).
 */
export async function allRows(segs: readonly Segment[]): Promise<{ which: Int32Array; pos: Int32Array }> {
  const n = segs.reduce((sum, s) => sum + s.length, 0);
  const which = new Int32Array(n);
  const pos = new Int32Array(n);
  const turns = new Turns();
  let i = 0;
  for (let k = 0; k < segs.length; k++) {
    const length = segs[k].length;
    which.fill(k, i, i + length);
    for (let p = 0; p < length; p++) {
      pos[i + p] = p;
      if ((p & 16383) === 16383) await turns.take();
    }
    i += length;
  }
  return { which, pos };
}
