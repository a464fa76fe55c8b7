/**
 * GROUP BY's grouping sets (PostgreSQL's expand_grouping_sets): ROLLUP, CUBE and GROUPING SETS
 * written in a GROUP BY become a flat list of sets, each a list of the GROUP BY's raw items.
 * Top-level items combine as a cross product (`GROUP BY a, ROLLUP (b)` = `(a, b), (a)`);
 * duplicate sets are kept (GROUP BY DISTINCT drops them once bound: uniqueSets).
 *
 * Also the GROUPING(a, b) call: bound as an aggregate call the aggregate operator answers
 * from the set its group belongs to (a bit per argument, the first the most significant,
 * set when that argument is not grouped in the set).
 */
import { SqlError, SqlState } from '../errors.js';
import type { AggregateFunction } from '../functions/api.js';
import { T } from '../types/types.js';
import type { RawNode } from './parser.js';

/** A grouping set: the GROUP BY items it groups by (raw expressions). */
export type RawSet = readonly RawNode[];

/** True when the GROUP BY uses any grouping set syntax (`()` alone included). */
export function hasGroupingSets(items: readonly RawNode[]): boolean {
  return items.some((g) => g.GroupingSet);
}

/** Every grouping set a GROUP BY's items stand for, in PostgreSQL's order. */
export function expandGroupingSets(items: readonly RawNode[]): RawSet[] {
  let sets: RawSet[] = [[]];
  for (const item of items) {
    const mine = expandItem(item);
    sets = sets.flatMap((s) => mine.map((m) => [...s, ...m]));
  }
  if (sets.length > 4096) throw new SqlError(SqlState.programLimitExceeded, 'too many grouping sets present (maximum 4096)');
  return sets;
}

function expandItem(item: RawNode, nested = false): RawSet[] {
  const gs = item.GroupingSet;
  if (!gs) return [nested ? simpleMembers(item) : [item]];
  const content = (gs.content ?? []) as RawNode[];
  switch (gs.kind as string) {
    case 'GROUPING_SET_EMPTY': return [[]];
    case 'GROUPING_SET_SIMPLE': return [content.flatMap(simpleMembers)];
    case 'GROUPING_SET_ROLLUP': {
      const parts = content.map(simpleMembers);
      return parts.map((_, i) => parts.slice(0, parts.length - i).flat()).concat([[]]);
    }
    case 'GROUPING_SET_CUBE': {
      const parts = content.map(simpleMembers);
      if (parts.length > 12) throw new SqlError(SqlState.programLimitExceeded, 'CUBE is limited to 12 elements');
      // every subset, the full one first, the empty one last (as PostgreSQL lists them)
      const out: RawSet[] = [];
      for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) {
        out.push(parts.filter((_, i) => mask & (1 << (parts.length - 1 - i))).flat());
      }
      return out;
    }
    case 'GROUPING_SET_SETS': return content.flatMap((c) => expandItem(c, true));
    default: throw new SqlError(SqlState.featureNotSupported, `grouping set kind ${gs.kind} is not supported`);
  }
}

/** An element of ROLLUP / CUBE or a parenthesized set: one expression or a list of them. */
function simpleMembers(node: RawNode): RawNode[] {
  if (node.GroupingSet?.kind === 'GROUPING_SET_SIMPLE') return (node.GroupingSet.content ?? []) as RawNode[];
  if (node.GroupingSet?.kind === 'GROUPING_SET_EMPTY') return [];
  // `(a, b)` inside a grouping set parses as an implicit ROW(): a list (flatten_grouping_sets)
  if (node.RowExpr?.row_format === 'COERCE_IMPLICIT_CAST') return (node.RowExpr.args ?? []) as RawNode[];
  return [node];
}

/**
 * GROUPING()'s stand-in function: never stepped; the aggregate operator fills its value from
 * the grouping set (AggregateCall.grouping).
 */
export const GROUPING_FUNCTION: AggregateFunction = {
  kind: 'aggregate', argTypes: [], returnType: T.int4, strict: false,
  init: () => null,
  step: () => null,
  final: () => 0,
};

/** GROUP BY DISTINCT: a set equal to an earlier one (as a set of GROUP BY expressions) is dropped. */
export function uniqueSets(sets: readonly (readonly number[])[]): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const s of sets) {
    const key = [...new Set(s)].sort((x, y) => x - y).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([...s]);
  }
  return out;
}
