/**
 * Auto-analyze: after a table's sealed segments changed a lot at once (a seal, a bulk
 * load, a compaction — what the storage reports), the table is analyzed in the background
 * a moment later, as PostgreSQL's autovacuum analyzes a table after many changes. Runs one
 * table at a time; the scan yields to the event loop (analyze.ts).
 */
import { storesRows, type Catalog, type TableDef } from '../catalog/catalog.js';
import type { Storage } from '../storage/api.js';
import { analyzeTables } from './analyze.js';

/** Changes are collected this long before the tables are analyzed. */
const DELAY_MS = 1000;

export class AutoAnalyze {
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly catalogs: () => Iterable<Catalog>,
    private readonly saveCatalog: () => Promise<void>,
  ) {
    storage.onSegmentsChanged((tableId) => this.request(tableId));
  }

  private request(tableId: number): void {
    if (this.stopped) return;
    this.pending.add(tableId);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = (this.running ?? Promise.resolve()).then(() => this.run()).catch(() => {});
    }, DELAY_MS);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    let changed = false;
    for (const id of ids) {
      if (this.stopped) return;
      const found = this.find(id);
      if (!found || !storesRows(found.table)) continue;
      await analyzeTables(found.catalog, this.storage, [found.table], () => {
        if (this.stopped) throw new Error('auto-analyze stopped');
      }, true);
      changed = true;
    }
    if (changed && !this.stopped) await this.saveCatalog();
  }

  private find(tableOid: number): { catalog: Catalog; table: TableDef } | undefined {
    for (const catalog of this.catalogs()) {
      const table = catalog.tables.get(tableOid);
      if (table) return { catalog, table };
    }
    return undefined;
  }

  /** Analyze again after stop() (a hot standby promoted to leader). */
  start(): void {
    this.stopped = false;
  }

  /** The server stops: no new runs; wait for the one in progress to give up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
