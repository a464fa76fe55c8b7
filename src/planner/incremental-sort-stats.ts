/**
 * What an Incremental Sort did (executor/incremental-sort.ts counts it), and the lines
 * EXPLAIN ANALYZE prints for it, PostgreSQL 15's show_incremental_sort_group_info:
 *   Full-sort Groups: 1  Sort Method: top-N heapsort  Average Memory: 25kB  Peak Memory: 25kB
 *   Pre-sorted Groups: 2  Sort Methods: top-N heapsort, quicksort  Average Memory: 81kB  Peak Memory: 81kB
 * (no Pre-sorted line when there was no such group). The memory is Quiver's estimate of the
 * rows a group's sort held.
 */
export type GroupSortMethod = 'top-N heapsort' | 'quicksort';

/** One mode's sorts. */
export interface SortGroupStats {
  groups: number;
  readonly methods: Set<GroupSortMethod>;
  totalBytes: number;
  peakBytes: number;
}

export interface IncrementalSortStats {
  readonly kind: 'incrementalSort';
  readonly fullSort: SortGroupStats;
  readonly preSorted: SortGroupStats;
}

export function newIncrementalSortStats(): IncrementalSortStats {
  const group = (): SortGroupStats => ({ groups: 0, methods: new Set(), totalBytes: 0, peakBytes: 0 });
  return { kind: 'incrementalSort', fullSort: group(), preSorted: group() };
}

/** PostgreSQL lists the methods in tuplesort's order: top-N heapsort before quicksort. */
const METHOD_ORDER: readonly GroupSortMethod[] = ['top-N heapsort', 'quicksort'];

export function incrementalSortLines(s: IncrementalSortStats): [string, string][] {
  const kb = (n: number) => `${Math.ceil(n / 1024)}kB`;
  const line = (g: SortGroupStats): string => {
    const methods = METHOD_ORDER.filter((m) => g.methods.has(m));
    return `${g.groups}  Sort Method${methods.length > 1 ? 's' : ''}: ${methods.join(', ')}  Average Memory: ${kb(g.totalBytes / g.groups)}  Peak Memory: ${kb(g.peakBytes)}`;
  };
  const out: [string, string][] = [];
  if (s.fullSort.groups > 0) out.push(['Full-sort Groups', line(s.fullSort)]);
  if (s.preSorted.groups > 0) out.push(['Pre-sorted Groups', line(s.preSorted)]);
  return out;
}
