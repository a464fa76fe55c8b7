/**
 * An array column's element statistics, as PostgreSQL's compute_array_stats
 * (array_typanalyze.c) gathers them beside the scalar ones: the most common elements by
 * Lossy Counting (each element counted once per array, frequencies as shares of the non-null
 * arrays, then the smallest and largest kept frequency and the share of arrays holding a NULL
 * element), and a histogram of the arrays' distinct-element counts followed by their average.
 * pg_stats shows them as most_common_elems, most_common_elem_freqs and elem_count_histogram;
 * arraycontsel (array-selectivity.ts) reads them.
 */
import type { Value } from '../types/types.js';

export interface ArrayElementStatistics {
  /** sorted by the element type's order, as text */
  readonly mostCommonElems: string[] | null;
  /** one per element, then min, max and the NULL-element frequency */
  readonly mostCommonElemFreqs: number[] | null;
  /** statistics-target + 1 entries: the histogram, then the average distinct-element count */
  readonly elemCountHistogram: number[] | null;
}

/** array_typanalyze's ARRAY_WIDTH_THRESHOLD: bigger arrays are left out */
const ARRAY_WIDTH_THRESHOLD = 0x10000;

/** The elements of a (possibly multi-dimensional) array value, in storage order. */
export function arrayElements(v: Value): Value[] {
  if (!Array.isArray(v)) return [v];
  return v.flatMap((x) => (Array.isArray(x) ? arrayElements(x) : [x]));
}

interface Track { readonly key: string; readonly value: Value; frequency: number; delta: number; lastContainer: number }

export function arrayElementStatistics(
  values: readonly Value[], width: (pos: number) => number, compare: (a: Value, b: Value) => number, format: (v: Value) => string, target = 100,
): ArrayElementStatistics {
  let numMcelem = target * 10;
  const bucketWidth = Math.trunc((numMcelem * 1000) / 7);
  const tracked = new Map<string, Track>();
  const counts = new Map<number, number>();
  let bCurrent = 1, elementNo = 0, analyzed = 0, nullElemCount = 0;
  values.forEach((v, arrayNo) => {
    if (v === null || width(arrayNo) > ARRAY_WIDTH_THRESHOLD) return;
    analyzed++;
    const before = elementNo;
    let nullPresent = false;
    for (const e of arrayElements(v)) {
      if (e === null) { nullPresent = true; continue; }
      const key = format(e);
      const item = tracked.get(key);
      if (item) {
        if (item.lastContainer === arrayNo) continue;
        item.frequency++;
        item.lastContainer = arrayNo;
      } else tracked.set(key, { key, value: e, frequency: 1, delta: bCurrent - 1, lastContainer: arrayNo });
      elementNo++;
      // prune_element_hashtable after each bucket
      if (elementNo % bucketWidth === 0) {
        for (const [k, t] of tracked) if (t.frequency + t.delta <= bCurrent) tracked.delete(k);
        bCurrent++;
      }
    }
    if (nullPresent) nullElemCount++;
    const distinct = elementNo - before;
    counts.set(distinct, (counts.get(distinct) ?? 0) + 1);
  });
  if (analyzed === 0) return { mostCommonElems: null, mostCommonElemFreqs: null, elemCountHistogram: null };
  const cutoff = Math.trunc((9 * elementNo) / bucketWidth);
  let kept = [...tracked.values()].filter((t) => t.frequency > cutoff);
  let minFreq = kept.reduce((m, t) => Math.min(m, t.frequency), elementNo);
  const maxFreq = kept.reduce((m, t) => Math.max(m, t.frequency), 0);
  if (numMcelem < kept.length) {
    kept = kept.sort((a, b) => b.frequency - a.frequency).slice(0, numMcelem);
    minFreq = kept[numMcelem - 1]!.frequency;
  } else numMcelem = kept.length;
  let mostCommonElems: string[] | null = null, mostCommonElemFreqs: number[] | null = null;
  if (numMcelem > 0) {
    kept.sort((a, b) => compare(a.value, b.value));
    mostCommonElems = kept.map((t) => t.key);
    mostCommonElemFreqs = [...kept.map((t) => t.frequency / analyzed), minFreq / analyzed, maxFreq / analyzed, nullElemCount / analyzed];
  }
  // the distinct-element-count histogram: evenly spaced over the analyzed arrays, as the run-length loop in compute_array_stats
  const numHist = Math.max(target, 2);
  const sortedCounts = [...counts.entries()].sort((a, b) => a[0] - b[0]);
  const hist: number[] = [];
  const delta = analyzed - 1;
  let j = 0, frac = sortedCounts[0]![1] * (numHist - 1);
  for (let i = 0; i < numHist; i++) {
    while (frac <= 0) { j++; frac += sortedCounts[j]![1] * (numHist - 1); }
    hist.push(sortedCounts[j]![0]);
    frac -= delta;
  }
  hist.push(elementNo / analyzed);
  return { mostCommonElems, mostCommonElemFreqs, elemCountHistogram: hist };
}
