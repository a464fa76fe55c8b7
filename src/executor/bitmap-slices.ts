/**
 * A sealed segment's filter bitmap (storage matchBitmap) made a few thousand rows at a time,
 * so that the session thread serves others between the pieces: a first filtered search over
 * a fresh 200k-row segment tests every row (its sorted column is not built yet), which held
 * the event loop 30-75 ms in one piece. The answer is matchBitmap's: the snapshot's
 * visibility holds across the turns.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BitmapFilter, BitmapMatch, SearchSegment } from '../storage/api.js';
import { PAUSE, TIME_SLICE_MS, type Suspend, type TimeSlice } from './suspend.js';

/** From an operator (a generator of steps): PAUSE whenever the statement's time slice is used up. */
export function* bitmapInSlices(
  seg: SearchSegment, vectorColumn: number, filter: BitmapFilter | null, nullLimit: number, slice: TimeSlice | undefined,
): Generator<Suspend, BitmapMatch, unknown> {
  if (!seg.matchBitmapSteps || !slice) return seg.matchBitmap!(vectorColumn, filter, nullLimit);
  const steps = seg.matchBitmapSteps(vectorColumn, filter, nullLimit);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (slice.due()) yield PAUSE;
  }
}

/**
 * From asynchronous code (the query workers' coordinator, awaited by its operator): a turn
 * of the event loop whenever the statement's time slice is used up (or every TIME_SLICE_MS
 * without one), then `checkCancel` (57014 when the statement was cancelled or timed out
 * meanwhile).
 */
export async function bitmapBetweenTurns(
  seg: SearchSegment, vectorColumn: number, filter: BitmapFilter | null, nullLimit: number,
  slice: TimeSlice | undefined, checkCancel: () => void,
): Promise<BitmapMatch> {
  if (!seg.matchBitmapSteps) return seg.matchBitmap!(vectorColumn, filter, nullLimit);
  const steps = seg.matchBitmapSteps(vectorColumn, filter, nullLimit);
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (slice ? !slice.due() : performance.now() - since < TIME_SLICE_MS) continue;
    await nextTurn();
    checkCancel();
    slice?.restart();
    since = performance.now();
  }
}
