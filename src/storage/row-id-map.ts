/**
 * A map keyed by RowId, split by RowId range into Maps of at most CHUNK ids each.
 *
 * A Map rehashes all of its entries in one piece when it doubles or shrinks: a table's
 * tombstones, one Map, held the event loop 12–31 ms at 131,072 / 262,144 / 524,288 entries
 * (and a Map of 262,144 row locks 71 ms shrinking as they went). Here no Map holds more than
 * CHUNK entries, and the Map of chunks has one entry per CHUNK RowIds. RowIds come in runs
 * (a segment's, a DELETE's in scan order): the chunk last used is looked up first.
 */
import type { RowId } from './api.js';

const CHUNK = 4096;

export class RowIdMap<V> {
  private readonly chunks = new Map<number, Map<RowId, V>>();
  private count = 0;
  /** the chunk last looked up (undefined: none for that range) */
  private lastRange = -1;
  private last: Map<RowId, V> | undefined;

  get size(): number { return this.count; }

  private chunkOf(range: number): Map<RowId, V> | undefined {
    if (range !== this.lastRange) {
      this.last = this.chunks.get(range);
      this.lastRange = range;
    }
    return this.last;
  }

  get(rowId: RowId): V | undefined {
    return this.chunkOf(Math.floor(rowId / CHUNK))?.get(rowId);
  }

  has(rowId: RowId): boolean {
    return this.chunkOf(Math.floor(rowId / CHUNK))?.has(rowId) ?? false;
  }

  set(rowId: RowId, value: V): this {
    const range = Math.floor(rowId / CHUNK);
    let chunk = this.chunkOf(range);
    if (!chunk) {
      chunk = new Map();
      this.chunks.set(range, chunk);
      this.last = chunk;
    }
    const before = chunk.size;
    chunk.set(rowId, value);
    this.count += chunk.size - before;
    return this;
  }

  delete(rowId: RowId): boolean {
    const range = Math.floor(rowId / CHUNK);
    const chunk = this.chunkOf(range);
    if (!chunk?.delete(rowId)) return false;
    this.count--;
    if (chunk.size === 0) {
      this.chunks.delete(range);
      this.last = undefined;
    }
    return true;
  }

  clear(): void {
    this.chunks.clear();
    this.count = 0;
    this.last = undefined;
    this.lastRange = -1;
  }

  /** chunk by chunk, each in insertion order (not the whole map's insertion order) */
  keys(): IterableIterator<RowId> {
    return new Chained(this.chunks.values(), (chunk) => chunk.keys());
  }

  entries(): IterableIterator<[RowId, V]> {
    return new Chained(this.chunks.values(), (chunk) => chunk.entries());
  }

  [Symbol.iterator](): IterableIterator<[RowId, V]> {
    return this.entries();
  }
}

/** The items of each chunk in turn (a generator's yield* per item was 5-15x slower). */
class Chained<C, T> implements IterableIterator<T> {
  private inner: Iterator<T> | undefined;

  constructor(private readonly outer: Iterator<C>, private readonly open: (chunk: C) => Iterator<T>) {}

  next(): IteratorResult<T> {
    for (;;) {
      if (this.inner) {
        const item = this.inner.next();
        if (!item.done) return item;
      }
      const chunk = this.outer.next();
      if (chunk.done) return { done: true, value: undefined };
      this.inner = this.open(chunk.value);
    }
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}
