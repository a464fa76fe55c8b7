/**
 * A sort done a piece at a time (a generator: the caller decides when to give the event loop
 * a turn): runs of STEP elements sorted with Array#sort, then merged pairwise, left run
 * first on ties. For a comparator that is a total order (ANALYZE's: value, then sample
 * position) the result is the one Array#sort gives. ANALYZE's sort of a 30,000-row sample
 * of 784-d vectors held the session thread ~150 ms in one piece.
 */

/** Elements sorted, or merged, between two steps. */
export const SORT_STEP = 1024;

/** Sorts `a` in place and returns it; yields after every SORT_STEP elements sorted or merged. */
export function* sortInSteps<T>(a: T[], cmp: (x: T, y: T) => number): Generator<void, T[], void> {
  const n = a.length;
  if (n <= SORT_STEP) return a.sort(cmp);
  for (let lo = 0; lo < n; lo += SORT_STEP) {
    const run = a.slice(lo, lo + SORT_STEP).sort(cmp);
    for (let i = 0; i < run.length; i++) a[lo + i] = run[i];
    yield;
  }
  let src = a;
  let dst = new Array<T>(n);
  let since = 0;
  for (let width = SORT_STEP; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        dst[k] = j >= hi || (i < mid && cmp(src[i], src[j]) <= 0) ? src[i++] : src[j++];
        if (++since === SORT_STEP) {
          since = 0;
          yield;
        }
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) for (let i = 0; i < n; i++) a[i] = src[i];
  return a;
}
