/**
 * Row locks, (table, RowId) → holder, in a RowIdMap per table. They were one Map keyed by
 * `${table}:${rowId}` strings: a string made per lock, and the Map rehashed all of a big
 * DELETE's locks in one piece as it grew and as they were released (30–104 ms at 262,144
 * entries on this machine, load ~13).
 */
import type { RowId } from './api.js';
import { RowIdMap } from './row-id-map.js';

export class RowLocks<H> {
  private readonly tables = new Map<number, RowIdMap<H>>();
  private count = 0;

  get size(): number { return this.count; }

  holder(table: number, rowId: RowId): H | undefined {
    return this.tables.get(table)?.get(rowId);
  }

  set(table: number, rowId: RowId, holder: H): void {
    let locks = this.tables.get(table);
    if (!locks) this.tables.set(table, (locks = new RowIdMap()));
    const before = locks.size;
    locks.set(rowId, holder);
    this.count += locks.size - before;
  }

  /** Drops the lock if `holder` holds it; says whether it did. */
  release(table: number, rowId: RowId, holder: H): boolean {
    const locks = this.tables.get(table);
    if (!locks || locks.get(rowId) !== holder) return false;
    locks.delete(rowId);
    this.count--;
    if (locks.size === 0) this.tables.delete(table);
    return true;
  }

  /** every locked (table, RowId) */
  *rows(): Generator<[number, RowId]> {
    for (const [table, locks] of this.tables) for (const rowId of locks.keys()) yield [table, rowId];
  }

  clear(): void {
    this.tables.clear();
    this.count = 0;
  }
}
