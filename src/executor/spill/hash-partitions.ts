/**
 * Rows split by the hash of a key string into temp files, for a hash aggregate or a hash
 * join past work_mem: rows of one key always land in one partition, so each partition can
 * be aggregated or joined on its own with a fraction of the memory. A partition that is
 * still too big is split again with another seed (the depth), like PostgreSQL's batches.
 */
import type { Row, Value } from '../../types/types.js';
import { PAUSE, type Step } from '../suspend.js';
import type { Pacing } from '../sort-slices.js';
import type { SpillFile, SpillFiles } from './temp-files.js';

/** Partitions per split; a partition too big is split again, so this need not be exact. */
export const PARTITIONS = 32;
/** Splits of a split before giving up (all rows sharing one key cannot be split at all). */
export const MAX_DEPTH = 4;

/** FNV-1a of a key string, seeded so that each depth splits differently. */
export function partitionOf(key: string, depth: number, n = PARTITIONS): number {
  let h = (0x811c9dc5 ^ Math.imul(depth + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // mix the high bits down: the low bits of FNV alone split poorly
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) % n;
}

export class HashPartitions {
  readonly parts: SpillFile[];

  constructor(private readonly files: SpillFiles, readonly depth: number) {
    this.parts = Array.from({ length: PARTITIONS }, () => files.create());
  }

  /** a row whose key is `key` (null: a key that matches nothing, partition 0) */
  add(key: string | null, row: readonly Value[]): void {
    this.parts[key === null ? 0 : partitionOf(key, this.depth)].append(row);
  }

  release(i: number): void {
    this.files.release(this.parts[i]);
  }

  releaseAll(): void {
    for (let i = 0; i < this.parts.length; i++) this.release(i);
  }
}

/** A spilled file's rows as steps: batches with cancel checks and PAUSE between them. */
export function* readBack(f: SpillFile, pace: Pacing): Generator<Step, void, unknown> {
  const reader = f.reader();
  for (;;) {
    const rows = reader.next();
    if (!rows) return;
    yield rows as Row[];
    pace.checkCancel();
    if (pace.slice?.due()) yield PAUSE;
  }
}
