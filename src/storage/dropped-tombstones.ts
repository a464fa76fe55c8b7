/**
 * The tombstone records a compaction made redundant, deleted after its manifest
 *
 * A compaction drops the rows deleted before every snapshot in use; their tombstone
 * records (D/<table>/<rowId>) are then garbage. Deleting them in the manifest's own batch
 * cost one LevelDB op each, prepared in one piece on the session thread: 50,000 dropped
 * rows held the event loop ~150 ms (bench/seal-stall.ts). Instead the manifest's batch
 * carries one record (G/<table>/<id>) listing the dropped RowIds, and the tombstone records
 * go afterwards, a chunk at a time between turns of the event loop, then that record.
 *
 * Until they are gone, the list says which tombstones to ignore: recovery reads it and
 * resumes the deletion (a crash mid-way leaves nothing wrong), a hot standby applying the
 * batch treats them as dropped and deletes its own copies. RowIds are never reused and a
 * dropped row is never deleted again, so deleting a tombstone record late is always safe.
 */
import type { ClassicLevel } from 'classic-level';
import { Turns } from './turns.js';
import { frame, keys, unframe, type WalOp } from './wal.js';

/** LevelDB ops per batch of the deletion (a few ms of the session thread each). */
const CHUNK = 2_000;

/** The record that goes in the manifest's batch: `id` is unique per table (the compaction's first input segment). */
export function droppedTombstonesRecord(table: number, id: number, rowIds: Float64Array): WalOp {
  return { type: 'put', key: keys.droppedTombstones(table, id), value: frame(new Uint8Array(rowIds.buffer, rowIds.byteOffset, rowIds.byteLength)) };
}

export function decodeDroppedTombstones(key: string, value: Uint8Array): Float64Array {
  const payload = unframe(value, `dropped tombstones record ${key}`);
  // a copy: the payload's offset in its buffer need not be 8-aligned (Buffer.slice is a view)
  const copy = new Uint8Array(payload.byteLength);
  copy.set(payload);
  return new Float64Array(copy.buffer);
}

type Exclusive = <T>(run: (db: ClassicLevel<string, Uint8Array>) => Promise<T>) => Promise<T>;

/**
 * Delete the listed tombstone records, then the list. Local housekeeping, like trimming
 * the log after a seal: not a commit, not in the shared log (each node deletes its own).
 */
export async function deleteDroppedTombstones(
  exclusive: Exclusive, table: number, recordKey: string, rowIds: Float64Array,
): Promise<void> {
  const turns = new Turns();
  for (let from = 0; from < rowIds.length; from += CHUNK) {
    const ops: { type: 'del'; key: string }[] = [];
    for (let i = from; i < Math.min(rowIds.length, from + CHUNK); i++) ops.push({ type: 'del', key: keys.tombstone(table, rowIds[i]) });
    await exclusive((db) => db.batch(ops));
    await turns.take();
  }
  // synced: once the list is gone, the records it named must be gone for good
  await exclusive((db) => db.batch([{ type: 'del', key: recordKey }], { sync: true }));
}
