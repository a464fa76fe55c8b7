/**
 * The write-ahead log: one LevelDB (classic-level) under <data>/wal, with group commit.
 *
 * Key space (fixed-width hex, so LevelDB's byte order is numeric order):
 *   C                       catalog image (the engine's JSON text)
 *   K                       clock: the highest commit timestamp written so far
 *   T/<table>               table manifest: layout, unique keys, sealed segments, seal point
 *   L/<table>/<ts>/<chunk>  insert records of one commit for one table (RowIds + rows)
 *   D/<table>/<rowId>       delete tombstone: the commit timestamp that deleted the row
 *   S/<sequence>            a sequence's state logged since the catalog image (see logSequence)
 *
 * Every value is framed as [crc32 (4 bytes LE)][payload] so that a damaged record is
 * detected when it is read back, and recovery stops with an error naming it instead of
 * loading garbage. A torn write at the very end of LevelDB's own log (a crash mid-write,
 * never acknowledged since the sync did not finish) is dropped by LevelDB's recovery.
 *
 * Group commit: while one synced batch is being written, later commits queue up; the
 * next batch writes all of them with a single fsync. Every commit is acknowledged only
 * after the batch holding it is on disk.
 */
import { ClassicLevel } from 'classic-level';
import { crc32 } from 'node:zlib';
import type { WalMirror } from './log-replica.js';
import { SqlError, SqlState } from '../errors.js';

export type WalOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export const keys = {
  catalog: 'C',
  clock: 'K',
  table: (id: number) => `T/${hex(id, 8)}`,
  /** a commit's inserts for one table are split into chunks of bounded size */
  insert: (table: number, ts: number, chunk = 0) => `L/${hex(table, 8)}/${hex(ts, 13)}/${hex(chunk, 6)}`,
  /** first key after every insert record of commits <= ts */
  insertsAfter: (table: number, ts: number) => `L/${hex(table, 8)}/${hex(ts + 1, 13)}`,
  tombstone: (table: number, rowId: number) => `D/${hex(table, 8)}/${hex(rowId, 13)}`,
  insertPrefix: (table: number) => `L/${hex(table, 8)}/`,
  tombstonePrefix: (table: number) => `D/${hex(table, 8)}/`,
  sequence: (id: number) => `S/${hex(id, 8)}`,
};

/** Parse `<kind>/<table>[/<n>]` keys. */
export function parseKey(key: string): { kind: string; table: number; n: number } {
  const [kind, t, n] = key.split('/');
  return { kind, table: parseInt(t, 16), n: n === undefined ? 0 : parseInt(n, 16) };
}

export function frame(payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(payload.byteLength + 4);
  out.writeUInt32LE(crc32(payload), 0);
  out.set(payload, 4);
  return out;
}

export class CorruptRecord extends Error {}

export function unframe(value: Uint8Array, what: string): Uint8Array {
  if (value.byteLength < 4) throw new CorruptRecord(`${what}: record too short (${value.byteLength} bytes)`);
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const payload = buf.subarray(4);
  if (buf.readUInt32LE(0) !== crc32(payload)) throw new CorruptRecord(`${what}: checksum mismatch`);
  return payload;
}

interface Waiter {
  ops: WalOp[];
  ts: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Wal {
  private queue: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private failed: Error | undefined;
  /** highest commit timestamp known to be on disk */
  durableTs: number;
  /** synced batches, and data commits (ts > 0) written in them (for benchmarks / tests) */
  readonly counters = { batches: 0, commits: 0 };

  /**
   * `mirror` (cluster mode, log-replica.ts): each batch is made durable in the shared log
   * first; the local LevelDB is then written without an fsync of its own.
   */
  constructor(readonly db: ClassicLevel<string, Uint8Array>, clock: number, private readonly onDurable: (ts: number) => void, private readonly mirror?: WalMirror) {
    this.durableTs = clock;
  }

  /**
   * Queue ops to be written atomically (together with other queued ops) and synced.
   * `ts` > 0 marks a commit: after the batch is durable the clock record is updated
   * and onDurable(ts) makes it visible to new snapshots.
   */
  append(ops: WalOp[], ts = 0): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, ts, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Let every commit that is ready in this turn of the event loop join the batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      const ops: WalOp[] = [];
      let maxTs = 0;
      for (const w of group) {
        for (const op of w.ops) ops.push(op);
        if (w.ts > maxTs) maxTs = w.ts;
      }
      if (maxTs > 0) ops.push({ type: 'put', key: keys.clock, value: frame(Buffer.from(String(maxTs))) });
      try {
        if (this.mirror) ops.push(...await this.mirror.publish(ops));
        await this.db.batch(ops, { sync: !this.mirror });
      } catch (e) {
        // A failed log write leaves memory ahead of the disk: refuse every later commit
        // (PostgreSQL PANICs here) rather than acknowledge something that is not durable.
        // A full disk (ENOSPC / EDQUOT) becomes PostgreSQL's 53100 so clients see the cause.
        this.failed = isDiskFull(e)
          ? new SqlError(SqlState.diskFull, `could not write to file "${this.db.location}": No space left on device`, { hint: 'Check free disk space.' })
          : new Error(`write-ahead log write failed: ${(e as Error).message}`);
        for (const w of group) w.reject(this.failed);
        for (const w of this.queue) w.reject(this.failed);
        this.queue = [];
        break;
      }
      this.counters.batches++;
      for (const w of group) if (w.ts > 0) this.counters.commits++;
      if (maxTs > this.durableTs) {
        this.durableTs = maxTs;
        this.onDurable(maxTs);
      }
      for (const w of group) w.resolve();
    }
    this.writing = undefined;
  }

  /** Resolves once everything queued so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

/**
 * True when an I/O error means the disk (or the quota) is full. classic-level reports
 * LevelDB's status as text ("IO error: …: No space left on device"), node as an errno code.
 */
export function isDiskFull(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') return true;
  const text = `${err?.message ?? ''} ${String((err as { cause?: unknown } | undefined)?.cause ?? '')}`;
  return /No space left on device|Disk quota exceeded/i.test(text);
}
