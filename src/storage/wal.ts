/**
 * The write-ahead log: one LevelDB (classic-level) under <data>/wal, with group commit.
 *
 * Key space (fixed-width hex, so LevelDB's byte order is numeric order):
 *   C                       catalog image (the engine's JSON text)
 *   K                       clock: the highest commit timestamp written so far
 *   T/<table>               table manifest: layout, unique keys, sealed segments, seal point
 *   L/<table>/<ts>/<chunk>  insert records of one commit for one table (RowIds + rows)
 *   D/<table>/<rowId>       delete tombstone: the commit timestamp that deleted the row
 *   G/<table>/<id>          RowIds whose tombstones a compaction made redundant, until they are deleted (dropped-tombstones.ts)
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
 *
 * A full disk: the batch that hit it and every commit queued behind it are refused with
 * 53100, after `onLost` has taken them back out of memory. LevelDB must not be written
 * again through the same handle: its log writer has already counted the record that was
 * only partly written, so the next record would land misaligned and be silently dropped at
 * the next open (measured: an acknowledged, synced put lost). So the handle is closed and
 * reopened (LevelDB then cuts the torn tail and starts a new log file) once there is room
 * for that — tried at once, again with backoff, and whenever a commit asks. Every write to
 * LevelDB goes through this class for that reason, one at a time.
 */
import { ClassicLevel } from 'classic-level';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { WalMirror } from './log-replica.js';
import { SqlError } from '../errors.js';
import { checkLogDir } from './wal-check.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import { writeSliced } from './sliced-batch.js';
import { Turns } from './turns.js';

export { isDiskFull } from './disk-full.js';

export type WalOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** Records of a group gathered into its batch between two looks at the clock. */
const COPY_SLICE = 8192;

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
  droppedTombstones: (table: number, id: number) => `G/${hex(table, 8)}/${hex(id, 13)}`,
  droppedTombstonesPrefix: (table: number) => `G/${hex(table, 8)}/`,
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

/** A write other than a batch (a range delete), run between batches. */
interface Task {
  run: (db: ClassicLevel<string, Uint8Array>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** What the storage hears from the log about a full disk. */
export interface WalEvents {
  /**
   * Every commit after `durableTs` was refused (the disk is full): undo them in memory.
   * Called before any of their callers hears of it, so nothing runs in between.
   */
  onLost?(durableTs: number): void;
  /** The log is writable again (space was freed and LevelDB reopened). */
  onWritable?(): void;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** the data directory, to name files relative to it in errors */
  dataDir?: string;
}

/** Reopen attempts after a full disk: the first at once, then backing off to this (ms). */
const REOPEN_FIRST_MS = 250;
const REOPEN_MAX_MS = 5000;

/** The write-ahead log: group commit, and the only writer of the LevelDB (see the file comment). */
export class Wal {
  private queue: Waiter[] = [];
  private tasks: Task[] = [];
  private writing: Promise<void> | undefined;
  /** a failure no reopen cures: every later write is refused */
  private failed: Error | undefined;
  /** set from a write that found the disk full until LevelDB is open and writable again */
  private diskFull: SqlError | undefined;
  private reopening: Promise<boolean> | undefined;
  private reopenDelay = REOPEN_FIRST_MS;
  private reopenTimer: NodeJS.Timeout | undefined;
  /** the clock record of the newest refused commit batch (0: none since the last reopen) */
  private refusedClock = 0;
  /** LevelDB calls that run beside the batches (compactRange): a close waits for them */
  private readonly sideWork = new Set<Promise<unknown>>();
  private closed = false;
  /** highest commit timestamp known to be on disk */
  durableTs: number;
  /** synced batches, and data commits (ts > 0) written in them (for benchmarks / tests) */
  readonly counters = { batches: 0, commits: 0, reopens: 0 };

  /**
   * `mirror` (cluster mode, log-replica.ts): each batch is made durable in the shared log
   * first; the local LevelDB is then written without an fsync of its own. A failed write
   * there is not retried (the node stops: see SharedSeams.onAppendFailed).
   */
  constructor(readonly db: ClassicLevel<string, Uint8Array>, clock: number, private readonly onDurable: (ts: number) => void, private mirror?: WalMirror, private readonly events: WalEvents = {}) {
    this.durableTs = clock;
  }

  /**
   * A hot standby promoted (cluster mode): batches are mirrored from now on; `clock` is the
   * newest commit the applied log holds (on disk already). A standby appends no batch (its
   * storage refuses writes); local housekeeping (`exclusive`) may be under way, and needs
   * no mirror.
   */
  lead(mirror: WalMirror, clock: number): void {
    if (this.queue.length > 0) throw new Error('bug: a hot standby\'s write-ahead log has batches queued');
    this.mirror = mirror;
    this.durableTs = Math.max(this.durableTs, clock);
  }

  /** Why a write now would be refused (undefined: it would be tried). */
  get refusal(): Error | undefined {
    return this.failed ?? this.diskFull;
  }

  /**
   * Queue ops to be written atomically (together with other queued ops) and synced.
   * `ts` > 0 marks a commit: after the batch is durable the clock record is updated
   * and onDurable(ts) makes it visible to new snapshots.
   */
  append(ops: WalOp[], ts = 0): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    // after a full disk: a reopen attempt first — but not for a commit, which applied itself
    // to memory already (it asked ready() before) and must not wait now
    if (this.diskFull) return ts > 0 ? Promise.reject(this.diskFull) : this.ready().then(() => this.append(ops, ts));
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, ts, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  /**
   * Run a LevelDB write that is not a batch (a range delete: LevelDB writes it to its log
   * as well) between batches, never beside one: after a failed write nothing may follow it.
   */
  exclusive<T>(run: (db: ClassicLevel<string, Uint8Array>) => Promise<T>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.diskFull) return this.ready().then(() => this.exclusive(run));
    return new Promise<T>((resolve, reject) => {
      this.tasks.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  /** Run a LevelDB call that writes nothing to its log (compactRange) beside the batches. */
  alongside<T>(run: (db: ClassicLevel<string, Uint8Array>) => Promise<T>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.diskFull) return this.ready().then(() => this.alongside(run));
    const p = run(this.db);
    this.sideWork.add(p);
    void p.finally(() => this.sideWork.delete(p)).catch(() => {});
    return p;
  }

  /**
   * Resolves when a write may be tried: at once while the log is healthy; after a full
   * disk, once a reopen attempt (this caller's, or the one under way) succeeded — so the
   * first commit after space was freed goes through. Rejects with the error a write would get.
   */
  async ready(): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.diskFull) return;
    // an attempt under way may have started before the space was freed: then one more
    const joined = this.reopening !== undefined;
    if (await this.reopen()) return;
    if (joined && await this.reopen()) return;
    throw this.refusal ?? new Error('bug: write-ahead log neither writable nor failed');
  }

  private async drain(): Promise<void> {
    // Let every commit that is ready in this turn of the event loop join the batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0 || this.tasks.length > 0) {
      const task = this.tasks.shift();
      if (task) {
        try {
          task.resolve(await task.run(this.db));
        } catch (e) {
          this.writeFailed(e, [task]);
        }
        continue;
      }
      const group = this.queue;
      this.queue = [];
      const ops: WalOp[] = [];
      let maxTs = 0;
      // (a commit's 250,000 tombstone records: their copy held the loop ~7 ms in one piece)
      const turns = new Turns();
      for (const w of group) {
        for (let i = 0; i < w.ops.length; i++) {
          ops.push(w.ops[i]);
          if (i % COPY_SLICE === COPY_SLICE - 1) await turns.take();
        }
        if (w.ts > maxTs) maxTs = w.ts;
      }
      if (maxTs > 0) ops.push({ type: 'put', key: keys.clock, value: frame(Buffer.from(String(maxTs))) });
      try {
        if (this.mirror) ops.push(...await this.mirror.publish(ops));
        await writeSliced(this.db, ops, !this.mirror);
      } catch (e) {
        this.writeFailed(e, group, maxTs);
        continue;
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

  /**
   * A write failed: it and everything queued behind it are refused. A full disk (local
   * mode) is cured by a reopen once space is freed, and becomes PostgreSQL's 53100 so
   * clients see the cause; any other failure leaves memory ahead of the disk, so every
   * later write is refused (PostgreSQL PANICs here) rather than acknowledge something
   * that is not durable.
   */
  private writeFailed(e: unknown, failing: { reject: (e: Error) => void }[], clock = 0): void {
    const refused: { reject: (e: Error) => void }[] = [...failing, ...this.queue, ...this.tasks];
    this.queue = [];
    this.tasks = [];
    const full = isDiskFull(e) ? diskFullError(e, this.events.dataDir ?? this.db.location, join(this.db.location, 'LOG')) : undefined;
    if (full && !this.mirror && !this.failed) {
      this.diskFull = full;
      if (clock > 0) this.refusedClock = Math.max(this.refusedClock, clock);
      this.events.log?.warn({ err: (e as Error).message }, 'write-ahead log write failed: no space left on device; refusing writes until space is freed');
      this.events.onLost?.(this.durableTs);
      for (const w of refused) w.reject(full);
      void this.reopen();
      return;
    }
    // (a full disk in cluster mode too: the batch may be in the shared log already, so the node stops)
    this.failed ??= full ?? new Error(`write-ahead log write failed: ${(e as Error).message}`);
    for (const w of refused) w.reject(this.failed);
  }

  /** One reopen attempt (joining the one under way); true when the log is writable again. */
  private reopen(): Promise<boolean> {
    this.reopening ??= this.tryReopen().finally(() => { this.reopening = undefined; });
    return this.reopening;
  }

  private async tryReopen(): Promise<boolean> {
    clearTimeout(this.reopenTimer);
    if (this.closed || this.failed || !this.diskFull) return !this.refusal;
    try {
      if (this.db.status === 'open') {
        await Promise.allSettled([...this.sideWork]);
        await this.db.close();
      }
      // the failed write may have left a torn record: it must be the log's last one
      const damaged = checkLogDir(this.db.location).find((c) => c.corruptAt !== undefined);
      if (damaged) {
        this.failed = new Error(`write-ahead log file ${damaged.file} is damaged at byte ${damaged.corruptAt} after a failed write; refusing writes`);
        this.events.log?.error({ file: damaged.file }, this.failed.message);
        return false;
      }
      await this.db.open();
      await this.checkRefusedBatchIsGone();
    } catch (e) {
      if (!isDiskFull(e)) this.events.log?.error({ err: (e as Error).message }, 'reopening the write-ahead log failed; will retry');
      if (!this.closed) {
        this.reopenTimer = setTimeout(() => void this.reopen(), this.reopenDelay).unref();
        this.reopenDelay = Math.min(this.reopenDelay * 2, REOPEN_MAX_MS);
      }
      return false;
    }
    if (this.failed) return false;
    this.diskFull = undefined;
    this.reopenDelay = REOPEN_FIRST_MS;
    this.counters.reopens++;
    this.events.log?.info({ wal: this.db.location }, 'write-ahead log writable again');
    this.events.onWritable?.();
    return true;
  }

  /**
   * A refused batch must not be in the reopened log: its commits were taken back and their
   * callers told so. It can be, where the write went through and only its fsync failed
   * (a file system that allocates at fsync time); then memory no longer matches the log,
   * and every write is refused until a restart replays the log (as PostgreSQL PANICs).
   */
  private async checkRefusedBatchIsGone(): Promise<void> {
    const refused = this.refusedClock;
    if (refused === 0) return;
    const value = await this.db.get(keys.clock);
    const clock = value === undefined ? 0 : Number(Buffer.from(unframe(value, `record ${keys.clock}`)).toString());
    this.refusedClock = 0;
    if (clock < refused) return;
    this.failed = new Error('a write-ahead log batch refused for lack of space reached the disk all the same; refusing writes until a restart');
    this.events.log?.error({ clock, refused }, this.failed.message);
  }

  /** Resolves once everything queued so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stop reopen attempts, let queued writes finish, close LevelDB. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reopenTimer);
    await this.reopening;
    await this.flush();
    await Promise.allSettled([...this.sideWork]);
    if (this.db.status === 'open') await this.db.close();
  }
}
