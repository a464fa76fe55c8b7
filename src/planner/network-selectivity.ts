/**
 * networksel (PostgreSQL's network_selfuncs.c): the restriction selectivity of the subnet
 * inclusion and overlap operators `<<` `<<=` `>>` `>>=` `&&` on an inet / cidr column
 * against a constant — the most common values tested one by one, the rest of the rows
 * estimated from how the histogram's buckets relate to the constant (inet_hist_value_sel).
 */
import type { Value } from '../types/types.js';
import { histMatchDivider, inclusionCompare, isSubnet, overlaps } from '../types/network.js';

/** inet_opr_codenum; negated for the commuted operator */
export const NETWORK_OPERATOR_CODES: Readonly<Record<string, number>> = { '>>': -2, '>>=': -1, '&&': 0, '<<=': 1, '<<': 2 };

const DEFAULT_OVERLAP_SEL = 0.01;
const DEFAULT_INCLUSION_SEL = 0.005;
const MAX_CONSIDERED_ELEMS = 1024;

export const defaultNetworkSelectivity = (op: string): number => (op === '&&' ? DEFAULT_OVERLAP_SEL : DEFAULT_INCLUSION_SEL);

/** `a op b` for one of the operators, as its function answers */
function holds(op: string, a: string, b: string): boolean {
  switch (op) {
    case '<<': return isSubnet(a, b, false);
    case '<<=': return isSubnet(a, b, true);
    case '>>': return isSubnet(b, a, false);
    case '>>=': return isSubnet(b, a, true);
    default: return overlaps(a, b);
  }
}

/** inet_hist_value_sel: the fraction of histogram buckets whose values `boundary op query` matches */
function histogramValueSelectivity(values: readonly string[], query: string, codenum: number): number {
  if (values.length <= 1) return 0;
  const k = Math.floor((values.length - 2) / MAX_CONSIDERED_ELEMS) + 1;
  let left = values[0]!;
  let leftOrder = inclusionCompare(left, query, codenum);
  let match = 0, n = 0;
  for (let i = k; i < values.length; i += k) {
    const right = values[i]!;
    const rightOrder = inclusionCompare(right, query, codenum);
    if (leftOrder === 0 && rightOrder === 0) match += 1;
    else if ((leftOrder <= 0 && rightOrder >= 0) || (leftOrder >= 0 && rightOrder <= 0)) {
      const l = histMatchDivider(left, query, codenum), r = histMatchDivider(right, query, codenum);
      if (l >= 0 || r >= 0) match += 1 / 2 ** Math.max(l, r);
    }
    left = right;
    leftOrder = rightOrder;
    n++;
  }
  return match / n;
}

export interface NetworkColumnStats {
  readonly nullFrac: number;
  readonly mostCommonVals: readonly Value[] | null;
  readonly mostCommonFreqs: readonly number[] | null;
  readonly histogram: readonly Value[] | null;
}

/** networksel for `column op constant` (`varOnLeft`) or `constant op column`; the constant non-NULL */
export function networkSelectivity(op: string, stats: NetworkColumnStats | undefined, constant: string, varOnLeft: boolean): number {
  if (!stats) return defaultNetworkSelectivity(op);
  let mcvSel = 0, sumCommon = 0;
  const mcv = stats.mostCommonVals ?? [], freqs = stats.mostCommonFreqs ?? [];
  for (let i = 0; i < mcv.length; i++) {
    const v = mcv[i] as string;
    sumCommon += freqs[i] ?? 0;
    if (varOnLeft ? holds(op, v, constant) : holds(op, constant, v)) mcvSel += freqs[i] ?? 0;
  }
  const codenum = NETWORK_OPERATOR_CODES[op]!;
  const nonMcv = stats.histogram ? histogramValueSelectivity(stats.histogram as string[], constant, varOnLeft ? codenum : -codenum) : defaultNetworkSelectivity(op);
  const sel = mcvSel + (1 - stats.nullFrac - sumCommon) * nonMcv;
  return Math.min(1, Math.max(0, sel));
}
