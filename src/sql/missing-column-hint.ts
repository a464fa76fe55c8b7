/**
 * The HINT of "column … does not exist": PostgreSQL's searchRangeTableForCol and
 * errorMissingColumn (parse_relation.c). Every table, subquery and function of the query
 * levels in reach is searched — those an aliased join hides too, join entries not — for the
 * column names closest to the one written, by Levenshtein distance plus, for a qualified
 * reference, the distance between the qualifier and the entry's name.
 */
import type { RangeEntry, Scope } from './scope.js';

/** varstr_levenshtein's MAX_FUZZY_DISTANCE */
const MAX_FUZZY_DISTANCE = 3;

interface Match {
  readonly entry: RangeEntry;
  /** undefined: an exact match the query cannot reach here */
  readonly column?: string;
}

export function missingColumnHint(scope: Scope, qualifier: string | undefined, colName: string): string | undefined {
  let distance = MAX_FUZZY_DISTANCE + 1;
  let first: Match | undefined;
  let second: Match | undefined;
  for (let s: Scope | null = scope; s; s = s.parent) {
    for (const entry of s.entries) {
      if (entry.values || entry.alias === '') continue;
      const penalty = qualifier === undefined ? 0 : levenshtein(qualifier, entry.alias);
      const visible = entry.hiddenFrom ?? entry.columns.length;
      // system columns (tableoid) match exactly, never fuzzily
      const exact = entry.columns.some((c) => c.name === colName);
      for (let i = 0; i < visible; i++) {
        const match = entry.columns[i]!.name;
        if (penalty > distance || match === '') continue;
        const d = levenshtein(colName, match);
        // more than half the characters different is no suggestion
        if (d > Math.floor(colName.length / 2)) continue;
        const total = d + penalty;
        if (total < distance) {
          distance = total;
          first = { entry, column: match };
          second = undefined;
        } else if (total === distance) {
          if (second) first = second = undefined; // too many at this distance: none of them
          else if (first) second = { entry, column: match };
        }
      }
      if (exact && penalty === 0) {
        first = { entry };
        second = undefined;
        return hintFor(first, second, colName);
      }
    }
  }
  return hintFor(first, second, colName);
}

function hintFor(first: Match | undefined, second: Match | undefined, colName: string): string | undefined {
  if (!first) return undefined;
  if (second) return `Perhaps you meant to reference the column "${first.entry.alias}.${first.column}" or the column "${second.entry.alias}.${second.column}".`;
  if (first.column === undefined) return `There is a column named "${colName}" in table "${first.entry.alias}", but it cannot be referenced from this part of the query.`;
  return `Perhaps you meant to reference the column "${first.entry.alias}.${first.column}".`;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}
