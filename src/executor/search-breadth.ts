/**
 * The search breadth an index kind reads from the session: hnsw.ef_search for HNSW,
 * ivfflat.probes for IVFFlat (AnnIndex.search's `breadth`).
 */
export function searchBreadth(method: string, setting: (name: string) => string | undefined): number {
  if (method === 'ivfflat') return Math.max(1, Number(setting('ivfflat.probes') ?? 1) || 1);
  return Math.max(1, Number(setting('hnsw.ef_search') ?? 40) || 40);
}
