/**
 * arraycontsel (array_selfuncs.c): `col @> const`, `col && const` and `const = ANY (col)`
 * (scalararraysel_containment: as `col @> ARRAY[const]`) from the column's most common
 * elements: each constant element's frequency, or min(DEFAULT_CONTAIN_SEL, the smallest kept
 * frequency / 2) for one not among them, combined as independent events — a product for @>, a
 * union for && — and scaled by the non-null share. `col <@ const` (mcelem_array_contained_selec)
 * corrects the independent-occurrence estimate with the histogram of distinct-element counts;
 * PostgreSQL computes it in float4, so does this (Math.fround).
 */
import type { ColumnStatistics } from '../catalog/catalog.js';
import type { Value } from '../types/types.js';

export const DEFAULT_CONTAIN_SEL = 0.005;
export const DEFAULT_OVERLAP_SEL = 0.01;

export type ContainmentOperator = '@>' | '&&' | '<@';

export function defaultArraySelectivity(op: string): number {
  return op === '&&' ? DEFAULT_OVERLAP_SEL : DEFAULT_CONTAIN_SEL;
}

/**
 * `elements`: the constant's elements; `stats`: the column's (undefined: none); `parse` the
 * element type's text input and `compare` its order.
 */
export function containmentSelectivity(
  op: ContainmentOperator, elements: readonly Value[], stats: ColumnStatistics | undefined,
  parse: (text: string) => Value, compare: (a: Value, b: Value) => number,
): number {
  // `col @> '{x, NULL}'` matches nothing; && ignores the NULL
  if (op === '@>' && elements.some((e) => e === null)) return 0;
  const items = elements.filter((e) => e !== null).sort(compare);
  if (op === '<@') {
    const mcelems = stats?.mostCommonElems?.map(parse) ?? [];
    const sel = containedSelectivity(mcelems, stats?.mostCommonElemFreqs ?? null, items, stats?.elemCountHistogram ?? null, compare);
    return stats ? sel * (1 - stats.nullFrac) : sel;
  }
  let mcelem: Value[] = [];
  let numbers: number[] | null = null;
  if (stats?.mostCommonElems && stats.mostCommonElemFreqs && stats.mostCommonElemFreqs.length === stats.mostCommonElems.length + 3) {
    mcelem = stats.mostCommonElems.map(parse);
    numbers = stats.mostCommonElemFreqs.map((x) => Math.fround(x));
  }
  const minFreq = numbers ? numbers[mcelem.length]! : Math.fround(2 * DEFAULT_CONTAIN_SEL);
  let sel = op === '@>' ? 1 : 0;
  let index = 0;
  items.forEach((item, i) => {
    if (i > 0 && compare(items[i - 1]!, item) === 0) return;
    let match = false;
    while (index < mcelem.length) {
      const c = compare(mcelem[index]!, item);
      if (c < 0) index++;
      else { match = c === 0; break; }
    }
    let elemSel: number;
    if (match && numbers) elemSel = numbers[index++]!;
    else elemSel = Math.min(DEFAULT_CONTAIN_SEL, minFreq / 2);
    sel = op === '@>' ? sel * elemSel : sel + elemSel - sel * elemSel;
    sel = Math.min(1, Math.max(0, sel));
  });
  return stats ? sel * (1 - stats.nullFrac) : sel;
}

const f = Math.fround;

/** mcelem_array_contained_selec: `col <@ const` over sorted, NULL-free constant elements `items` */
function containedSelectivity(
  mcelem: readonly Value[], freqs: readonly number[] | null, items: readonly Value[], hist: readonly number[] | null, compare: (a: Value, b: Value) => number,
): number {
  const nmcelem = mcelem.length;
  if (!freqs || freqs.length !== nmcelem + 3) return DEFAULT_CONTAIN_SEL;
  if (!hist || hist.length < 3) return DEFAULT_CONTAIN_SEL;
  const numbers = freqs.map(f);
  const minFreq = numbers[nmcelem]!, nullElemFreq = numbers[nmcelem + 2]!;
  let rest = f(hist[hist.length - 1]!);
  let mult = 1;
  let elemSelec: number[] = [];
  let index = 0;
  items.forEach((item, i) => {
    if (i > 0 && compare(items[i - 1]!, item) === 0) return;
    let match = false;
    while (index < nmcelem) {
      const c = compare(mcelem[index]!, item);
      if (c < 0) {
        mult = f(mult * f(1 - numbers[index]!));
        rest = f(rest - numbers[index]!);
        index++;
      } else { match = c === 0; break; }
    }
    if (match) {
      elemSelec.push(numbers[index]!);
      rest = f(rest - numbers[index]!);
      index++;
    } else elemSelec.push(f(Math.min(DEFAULT_CONTAIN_SEL, minFreq / 2)));
  });
  while (index < nmcelem) {
    mult = f(mult * f(1 - numbers[index]!));
    rest = f(rest - numbers[index]!);
    index++;
  }
  mult = f(mult * Math.exp(-rest));
  let unique = elemSelec.length;
  const EFFORT = 100;
  if (nmcelem + unique > 0 && unique > Math.trunc((EFFORT * nmcelem) / (nmcelem + unique))) {
    const b = nmcelem;
    const n = Math.trunc((Math.sqrt(b * b + 4 * EFFORT * b) - b) / 2);
    elemSelec = [...elemSelec].sort((x, y) => y - x);
    unique = n;
  }
  const dist = distribution(elemSelec, unique, unique, 0);
  const mcelemDist = distribution(numbers, nmcelem, unique, rest);
  const histPart = histogramPart(hist.slice(0, -1).map(f), unique);
  let sel = 0;
  for (let i = 0; i <= unique; i++) {
    if (mcelemDist[i]! > 0) sel = f(sel + f(f(f(histPart[i]! * mult) * dist[i]!) / mcelemDist[i]!));
  }
  sel = f(sel * f(1 - nullElemFreq));
  return Math.min(1, Math.max(0, sel));
}

/** calc_hist: the probabilities of distinct-element counts 0..n from their histogram */
function histogramPart(hist: readonly number[], n: number): number[] {
  const nhist = hist.length;
  const part: number[] = [];
  const frac = f(1 / (nhist - 1));
  let i = 0, prevInterval = 0;
  for (let k = 0; k <= n; k++) {
    let count = 0;
    while (i < nhist && hist[i]! <= k) { count++; i++; }
    if (count > 0) {
      const nextInterval = i < nhist ? f(hist[i]! - hist[i - 1]!) : 0;
      let val = f(count - 1);
      if (nextInterval > 0) val = f(val + f(0.5 / nextInterval));
      if (prevInterval > 0) val = f(val + f(0.5 / prevInterval));
      part.push(f(frac * val));
      prevInterval = nextInterval;
    } else part.push(prevInterval > 0 ? f(frac / prevInterval) : 0);
  }
  return part;
}

/** calc_distr: the probabilities that exactly 0..m of n independent events (p) occur, with `rest` more as a Poisson term */
function distribution(p: readonly number[], n: number, m: number, rest: number): number[] {
  let row: number[] = new Array(m + 1).fill(0);
  let prev: number[] = new Array(m + 1).fill(0);
  row[0] = 1;
  for (let i = 1; i <= n; i++) {
    const t = p[i - 1]!;
    [row, prev] = [prev, row];
    for (let j = 0; j <= i && j <= m; j++) {
      let val = 0;
      if (j < i) val = f(val + f(prev[j]! * f(1 - t)));
      if (j > 0) val = f(val + f(prev[j - 1]! * t));
      row[j] = val;
    }
  }
  if (rest > DEFAULT_CONTAIN_SEL) {
    [row, prev] = [prev, row];
    row.fill(0);
    let t = f(Math.exp(-rest));
    for (let i = 0; i <= m; i++) {
      for (let j = 0; j <= m - i; j++) row[j + i] = f(row[j + i]! + f(prev[j]! * t));
      t = f(t * f(rest / (i + 1)));
    }
  }
  return row;
}
