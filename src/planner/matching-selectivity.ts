/**
 * matchingsel (selfuncs.c generic_restriction_selectivity): an operator with no estimator of
 * its own — jsonb's @> <@ ? ?| ?& @? @@ — applied to the column's statistics themselves: the
 * MCVs it matches (mcv_selectivity) plus, for the rest, the share of histogram entries it
 * matches (histogram_selectivity, the two ends skipped), trusted in proportion to the
 * histogram's size below 100 entries and kept within 0.0001..0.9999.
 */
import type { ScalarFunction } from '../functions/api.js';
import type { Value } from '../types/types.js';
import { NO_SESSION } from './constant-quals.js';

export const DEFAULT_MATCHING_SEL = 0.01;

export interface MatchingStatistics {
  readonly nullFrac: number;
  readonly mostCommonVals: readonly Value[] | null;
  readonly mostCommonFreqs: readonly number[] | null;
  readonly histogram: readonly Value[] | null;
}

/** `column op constant` (varOnLeft) or `constant op column` over the column's parsed statistics; undefined when the operator cannot be applied at plan time. */
export function matchingSelectivity(fn: ScalarFunction, stats: MatchingStatistics | undefined, constant: Value, varOnLeft: boolean, defaultSel = DEFAULT_MATCHING_SEL): number | undefined {
  if (constant === null) return 0;
  if (!stats) return defaultSel;
  const matches = (v: Value): boolean => {
    if (v === null) return false;
    return fn.impl(varOnLeft ? [v, constant] : [constant, v], NO_SESSION) === true;
  };
  try {
    let mcvSel = 0, sumCommon = 0;
    stats.mostCommonVals?.forEach((v, i) => {
      const f = stats.mostCommonFreqs?.[i] ?? 0;
      sumCommon += f;
      if (matches(v)) mcvSel += f;
    });
    const hist = stats.histogram ?? [];
    const skip = 1, minSize = 10;
    let sel: number;
    if (hist.length >= minSize) {
      let n = 0;
      for (let i = skip; i < hist.length - skip; i++) if (matches(hist[i]!)) n++;
      sel = n / (hist.length - 2 * skip);
      if (hist.length < 100) sel = sel * (hist.length / 100) + defaultSel * (1 - hist.length / 100);
    } else sel = defaultSel;
    sel = Math.min(0.9999, Math.max(0.0001, sel));
    return Math.min(1, Math.max(0, sel * (1 - stats.nullFrac - sumCommon) + mcvSel));
  } catch {
    return undefined;
  }
}
