/**
 * Exported snapshots: pg_export_snapshot() names the transaction's snapshot so that other
 * sessions can read exactly the same data with SET TRANSACTION SNAPSHOT (pg_dump -j N: each
 * worker imports the leader's snapshot). A name is valid until the exporting transaction ends.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Snapshot, Storage } from '../storage/api.js';

export class ExportedSnapshots {
  private readonly byId = new Map<string, { snapshot: Snapshot; release: () => void }>();
  private counter = 0;

  /** registers `snapshot` under a new name, PostgreSQL-shaped (backend, counter, 1) */
  export(storage: Storage, pid: number, snapshot: Snapshot): string {
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const id = `${hex(pid)}-${hex(++this.counter)}-1`;
    this.byId.set(id, { snapshot, release: storage.retain(snapshot) });
    return id;
  }

  forget(ids: readonly string[]): void {
    for (const id of ids) {
      this.byId.get(id)?.release();
      this.byId.delete(id);
    }
  }

  /** the snapshot a SET TRANSACTION SNAPSHOT names, retained for the importing transaction */
  import(storage: Storage, id: string): { snapshot: Snapshot; release: () => void } {
    const snapshot = this.byId.get(id)?.snapshot;
    if (!snapshot) throw new SqlError(SqlState.invalidParameterValue, `invalid snapshot identifier: "${id}"`);
    return { snapshot, release: storage.retain(snapshot) };
  }
}
