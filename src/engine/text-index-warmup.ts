/**
 * GIN indexes: the inverted lists of new sealed segments are written to files when the
 * segments are sealed, and read back at start (storage/inverted-index-file.ts). Lists that
 * are in no file yet — a segment whose file is missing or damaged until storage writes it
 * again, a segment sealed before the engine attached the index — are built here in the
 * background (one segment per turn of the event loop), so the first `@@` query does not pay
 * for them. Lists a query needs earlier are built by that query (storage keeps one per
 * segment and key).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { Storage } from '../storage/api.js';
import { segmentIndex } from '../executor/text-index-scan.js';

export class TextIndexWarmup {
  private stopped = false;

  constructor(private readonly storage: Storage, private readonly catalogs: () => Iterable<Catalog>) {
    storage.onSegmentsChanged((tableId) => this.request(tableId));
  }

  /** build the table's missing lists soon (also at start, for the segments recovered) */
  request(tableId: number): void {
    setTimeout(() => { this.warm(tableId).catch(() => {}); }, 0).unref();
  }

  private async warm(tableId: number): Promise<void> {
    for (const c of this.catalogs()) {
      const table = c.tables.get(tableId);
      const gins = table?.indexes.filter((i) => i.method === 'gin') ?? [];
      if (!gins.length) continue;
      for (const seg of this.storage.searchSegments(tableId, this.storage.snapshot())) {
        for (const idx of gins) {
          if (this.stopped) return;
          segmentIndex(seg, idx);
          await new Promise((r) => setImmediate(r));
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
