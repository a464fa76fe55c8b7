/**
 * The pages of a hash index as PostgreSQL 15's hash AM lays them out (hashpage.c, hashovfl.c),
 * for its pg_class.relpages and the index pages genericcostestimate reads (hashcostestimate).
 * Quiver keeps no hash pages; the count follows from the rows, their distinct keys and the
 * buckets CREATE INDEX started with:
 *
 *   ffactor          = (8192 × 75 %) / (MAXALIGN(8) + MAXALIGN(4) + 4 line pointer) = 307 tuples a bucket
 *   initial buckets  = _hash_init: rows estimated at CREATE INDEX / 307, at least 2, rounded up to the
 *                      buckets of its split point (a power of two below 1,024, then quarter phases)
 *   buckets B        = a split each time the tuples pass 307 × buckets: max(initial, ceil(rows / 307))
 *   bucket pages     = every bucket of B's split point (_hash_alloc_buckets extends the file to its end)
 *   overflow pages   = a bucket page holds floor((8192 - 24 - 16) / 20) = 407 tuples; of the buckets
 *                      below the next power of two 2L, those not yet split hold twice the share of
 *                      those split (rows / L against rows / 2L); with fewer distinct keys than
 *                      buckets each key's rows share one bucket chain
 *   pages            = meta page + bucket pages + the bitmap page + overflow pages
 */

/** HASH_DEFAULT_FILLFACTOR 75 % of BLCKSZ over a hash index tuple (8-byte header, 4-byte hash code) and its line pointer. */
const FFACTOR = Math.floor((8192 * 75) / 100 / (8 + 8 + 4));
/** Tuples on one bucket or overflow page: (BLCKSZ - page header - HashPageOpaqueData) over 20 bytes each. */
const TUPLES_A_PAGE = Math.floor((8192 - 24 - 16) / 20);
/** HASH_SPLITPOINT_GROUPS_WITH_ONE_PHASE */
const ONE_PHASE_GROUPS = 10;

function ceilLog2(n: number): number {
  let g = 0;
  while (2 ** g < n) g++;
  return g;
}

/** _hash_spareindex: the split point phase that bucket count `buckets` ends in. */
function spareIndex(buckets: number): number {
  const group = ceilLog2(buckets);
  if (group < ONE_PHASE_GROUPS) return group;
  return ONE_PHASE_GROUPS + ((group - ONE_PHASE_GROUPS) << 2) + (Math.floor((buckets - 1) / 2 ** (group - 3)) & 3);
}

/** _hash_get_totalbuckets: the buckets allocated once split point phase `phase` is. */
function totalBuckets(phase: number): number {
  if (phase < ONE_PHASE_GROUPS) return 2 ** phase;
  const group = ((phase - ONE_PHASE_GROUPS) >> 2) + ONE_PHASE_GROUPS;
  const within = ((phase - ONE_PHASE_GROUPS) & 3) + 1;
  return 2 ** (group - 1) + (2 ** (group - 1) / 4) * within;
}

/** _hash_init's bucket count for `estimatedRows` rows (the table's estimate_rel_size when the index is built). */
export function hashInitialBuckets(estimatedRows: number): number {
  const wanted = estimatedRows / FFACTOR;
  if (wanted <= 2) return 2;
  return totalBuckets(spareIndex(Math.trunc(wanted)));
}

/** Overflow pages of `chains` bucket chains holding `load` tuples each. */
function overflow(chains: number, load: number): number {
  return chains > 0 && load > TUPLES_A_PAGE ? chains * (Math.ceil(load / TUPLES_A_PAGE) - 1) : 0;
}

/** The pages of a hash index over `rows` rows with `distinct` distinct keys, built with `initialBuckets` buckets. */
export function hashIndexPages(rows: number, distinct: number, initialBuckets: number): number {
  const buckets = Math.max(initialBuckets, Math.ceil(rows / FFACTOR));
  const allocated = Math.max(initialBuckets, totalBuckets(spareIndex(buckets)));
  let extra = 0;
  if (rows > 0) {
    const keys = Math.max(1, Math.min(rows, distinct));
    if (keys < buckets) extra = overflow(keys, rows / keys);
    else {
      const low = 2 ** Math.floor(Math.log2(buckets));
      extra = overflow(2 * low - buckets, rows / low) + overflow(2 * (buckets - low), rows / (2 * low));
    }
  }
  return 1 + allocated + 1 + extra;
}
