/**
 * A node's local storage as a replica of the shared log (cluster mode, shared-log.ts).
 *
 * The writer: every group-commit batch of the write-ahead log (wal.ts) is appended to the
 * shared log before it is written to the local LevelDB, together with the log position it
 * got (key `J`); the batch is acknowledged only once the shared log has it on a quorum.
 * Every file a manifest in the batch refers to (segment, index, IVFFlat centers) is put in
 * the object store first, so a batch never names a file other nodes cannot fetch.
 *
 * A replica (a standby, or a fresh node taking over): the batches after its `J` are
 * applied to its LevelDB in order, exactly as the writer wrote them, and the files the
 * manifests now name are fetched; then DurableStorage recovers from LevelDB as after a
 * restart. The local LevelDB needs no fsync of its own: what a crash takes from its tail
 * the shared log gives back.
 *
 * Local-only LevelDB operations (range deletes of log records a seal made redundant) are
 * not logged: recovery skips such records anyway (they are at or below the seal point).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ClassicLevel } from 'classic-level';
import { checkFormatVersion, SEGMENTS_DIR, WAL_DIR } from './data-dir.js';
import { LogFenced, LogTrimmed, type LogBatch, type ObjectStore, type RemoteIndexBuilder, type SharedLog } from './shared-log.js';
import { CHECKPOINT_PREFIX, listCheckpoints, restoreCheckpoint, writeCheckpoint } from './checkpoint.js';
import { positionOp, readPosition } from './log-position.js';
import { unframe, type WalOp } from './wal.js';
import { writeSliced } from './sliced-batch.js';


/** What Wal needs to mirror its batches (wal.ts). */
export interface WalMirror {
  /** Make `ops` durable in the shared log; resolves with the ops to add to the local batch. */
  publish(ops: readonly WalOp[]): Promise<WalOp[]>;
}

export interface SharedSeams {
  readonly log: SharedLog;
  readonly objects: ObjectStore;
  /**
   * Called when an append fails: fenced (another node writes the log now), or the log
   * unreachable past its retries — the batch may be in the log all the same, so the
   * commits in it must not be answered with an error. The node should stop at once.
   */
  readonly onAppendFailed?: (e: Error) => void;
  /** index nodes that build sealed segments' ANN indexes, every kind (absent: built here) */
  readonly indexBuilder?: RemoteIndexBuilder;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export function encodeBatch(ops: readonly WalOp[]): Uint8Array {
  return serialize(ops.map((op) => (op.type === 'put' ? ['p', op.key, op.value] : ['d', op.key])));
}

export function decodeBatch(payload: Uint8Array): WalOp[] {
  const raw = deserialize(payload) as (['p', string, Uint8Array] | ['d', string])[];
  return raw.map((r) => (r[0] === 'p' ? { type: 'put', key: r[1], value: r[2] } : { type: 'del', key: r[1] }));
}


/** The files a table manifest record (T/…) refers to. */
function manifestFiles(value: Uint8Array, key: string): string[] {
  const m = JSON.parse(Buffer.from(unframe(value, `manifest record ${key}`)).toString('utf8')) as {
    segments?: { file: string; annFiles?: Record<string, string>; textFiles?: Record<string, string> }[];
    vectorIndexes?: { centers?: string }[];
  };
  const out: string[] = [];
  for (const s of m.segments ?? []) out.push(s.file, ...Object.values(s.annFiles ?? {}), ...Object.values(s.textFiles ?? {}));
  for (const v of m.vectorIndexes ?? []) if (v.centers) out.push(v.centers);
  return out;
}

/** Index files are derived data: a node rebuilds one that is missing. */
const isDerived = (file: string) => file.endsWith('.usearch') || file.endsWith('.ivf') || file.endsWith('.gin');

/** When the leader writes checkpoints (checkpoint.ts). */
export interface CheckpointPolicy {
  /** batches appended between two checkpoints */
  readonly every: number;
  /** where the checkpoint file is written before it is uploaded */
  readonly tmpDir: string;
  /** an object no manifest names is deleted only when this node did not upload it within this long (ms) */
  readonly graceMs?: number;
}

/** From QUIVER_CHECKPOINT_BATCHES (default 10,000; 0: never) and QUIVER_CHECKPOINT_GRACE_MS (default 10 minutes). */
export function checkpointPolicyFromEnv(tmpDir: string): CheckpointPolicy | undefined {
  const every = Number(process.env.QUIVER_CHECKPOINT_BATCHES ?? 10_000);
  const grace = Number(process.env.QUIVER_CHECKPOINT_GRACE_MS);
  return every > 0 ? { every, tmpDir, ...(grace >= 0 && process.env.QUIVER_CHECKPOINT_GRACE_MS ? { graceMs: grace } : {}) } : undefined;
}

/** The files the manifests in `db` name now. */
async function namedFiles(db: ClassicLevel<string, Uint8Array>): Promise<Set<string>> {
  const files = new Set<string>();
  for await (const [key, value] of db.iterator({ gte: 'T/', lt: 'T0' })) for (const f of manifestFiles(value, key)) files.add(f);
  return files;
}

/** The writer's side: publishes each batch, uploading the files its manifests name first. */
export class SharedLogMirror implements WalMirror {
  /** files known to be in the object store (uploaded by this node, or named by a logged manifest) */
  private readonly stored = new Set<string>();
  /** when this node uploaded a file (the collector leaves recent uploads alone: their manifest may be on its way) */
  private readonly uploadedAt = new Map<string, number>();
  private batchesSinceCheckpoint = 0;
  private checkpointing: Promise<void> | undefined;

  constructor(
    private readonly seams: SharedSeams, private readonly segDir: string, private position: number, storedFiles: Iterable<string>,
    private readonly checkpoints?: { readonly db: ClassicLevel<string, Uint8Array>; readonly policy: CheckpointPolicy; readonly log: Logger },
  ) {
    for (const f of storedFiles) this.stored.add(f);
  }

  /** A file put in the object store out of turn (a segment an index node reads, its index): not to be uploaded again. */
  markStored(file: string): void {
    this.uploadedAt.set(file, Date.now());
    this.stored.add(file);
  }

  isStored(file: string): boolean {
    return this.stored.has(file);
  }

  /** The checkpoint being written, if one is (tests; shutdown). */
  get pendingCheckpoint(): Promise<void> | undefined {
    return this.checkpointing;
  }

  /**
   * Write a checkpoint now, trim the log to the previous one, drop older checkpoints and
   * the objects no manifest names any more. Errors are logged: the log just stays longer.
   */
  checkpoint(): Promise<void> {
    const c = this.checkpoints;
    if (!c) return Promise.resolve();
    this.checkpointing ??= (async () => {
      const t0 = performance.now();
      try {
        const position = await writeCheckpoint(c.db, this.seams.objects, c.policy.tmpDir);
        if (position === undefined) return;
        const older = (await listCheckpoints(this.seams.objects)).filter((x) => x.position < position);
        const previous = older.at(-1);
        // keep one interval of log before the newest checkpoint: a standby a little behind keeps following
        if (previous) await this.seams.log.trim(previous.position);
        for (const x of older.slice(0, -1)) await this.seams.objects.delete(x.key);
        const deleted = await this.collect(c.db, c.policy.graceMs ?? 10 * 60_000);
        c.log.info({ position, trimmedTo: previous?.position ?? 0, deletedObjects: deleted, ms: Math.round(performance.now() - t0) }, 'checkpoint written');
      } catch (e) {
        c.log.warn({ err: e }, 'checkpoint failed; the log is not trimmed this time');
      } finally {
        this.checkpointing = undefined;
      }
    })();
    return this.checkpointing;
  }

  /**
   * Delete the segment and index files no manifest names and this node did not upload
   * lately: after compaction and DROP, their manifests are gone from the state every
   * checkpoint and the log after it rebuild. Returns how many were deleted.
   */
  private async collect(db: ClassicLevel<string, Uint8Array>, graceMs: number): Promise<number> {
    const named = await namedFiles(db);
    const now = Date.now();
    let deleted = 0;
    for (const key of await this.seams.objects.list('')) {
      if (key.startsWith(CHECKPOINT_PREFIX) || named.has(key)) continue;
      if (now - (this.uploadedAt.get(key) ?? 0) < graceMs) continue;
      // a file named again later would be uploaded again: it is not known to be stored any more
      this.stored.delete(key);
      await this.seams.objects.delete(key);
      deleted++;
    }
    return deleted;
  }

  async publish(ops: readonly WalOp[]): Promise<WalOp[]> {
    for (const op of ops) {
      if (op.type !== 'put' || !op.key.startsWith('T/')) continue;
      for (const f of manifestFiles(op.value, op.key)) {
        if (this.stored.has(f)) continue;
        const path = join(this.segDir, f);
        // an index file can be gone already (its segment compacted away meanwhile): the
        // manifest that drops it follows; a segment file must be there
        if (!existsSync(path) && isDerived(f)) continue;
        this.uploadedAt.set(f, Date.now());
        await this.seams.objects.put(f, path);
        this.stored.add(f);
      }
    }
    let seq: number;
    try {
      seq = await this.seams.log.append(encodeBatch(ops), this.position);
    } catch (e) {
      this.seams.onAppendFailed?.(e as Error);
      throw e;
    }
    this.position = seq;
    if (this.checkpoints && ++this.batchesSinceCheckpoint >= this.checkpoints.policy.every && !this.checkpointing) {
      this.batchesSinceCheckpoint = 0;
      // after this batch is in the local LevelDB too: the checkpoint starts on a later turn
      setImmediate(() => void this.checkpoint());
    }
    return [positionOp(seq)];
  }
}

/**
 * Apply the shared log's batches after the local position to `db` (`follow`: keep
 * applying new ones until `signal` aborts), then fetch the files the manifests name that
 * are not in `segDir`. Returns the position reached and the files the manifests name.
 */
export async function catchUp(db: ClassicLevel<string, Uint8Array>, seams: SharedSeams, segDir: string, log: Logger, options: { follow?: boolean; signal?: AbortSignal; settle?: boolean } = {}): Promise<{ position: number; files: Set<string> }> {
  let position = await readPosition(db);
  if (position === undefined) {
    // a directory that was never a replica: only an empty one can become one
    if ((await db.get('C')) !== undefined || (await db.get('K')) !== undefined) {
      throw new Error('this data directory holds data that is not from the shared log; start a cluster node on an empty --data directory');
    }
    position = 0;
  }
  const t0 = performance.now();
  let batches = 0;
  const apply = async (batch: LogBatch) => {
    const ops = await applyBatch(db, batch);
    batches++;
    // a standby keeps the files current as it goes, so a takeover has little to fetch
    if (options.follow && ops.some((op) => op.type === 'put' && op.key.startsWith('T/'))) await fetchFiles(db, seams, segDir, log);
  };
  let reached: number;
  try {
    reached = await seams.log.read(position, apply, options);
  } catch (e) {
    if (!(e instanceof LogTrimmed)) throw e;
    // the log no longer reaches back to us: start from the newest checkpoint
    position = await restoreNewestCheckpoint(db, seams, e.trimmedTo, join(segDir, '..', 'checkpoint-tmp'), log);
    reached = await seams.log.read(position, apply, options);
  }
  if (batches > 0) log.info({ from: position, to: reached, batches, ms: Math.round(performance.now() - t0) }, 'applied the shared log');
  // a hot standby (settle: false) never appends: it only needs the whole batches
  const settled = options.follow || options.settle === false ? reached : await settlePosition(seams, reached, (batch) => applyBatch(db, batch), (skip) => db.put(skip.key, skip.value), log);
  return { position: settled, files: await fetchFiles(db, seams, segDir, log) };
}

/** Replace the local state with the newest checkpoint (at or past `trimmedTo`); its position. */
async function restoreNewestCheckpoint(db: ClassicLevel<string, Uint8Array>, seams: SharedSeams, trimmedTo: number, tmpDir: string, log: Logger): Promise<number> {
  const newest = (await listCheckpoints(seams.objects)).at(-1);
  if (!newest || newest.position < trimmedTo) {
    throw new Error(`the shared log is trimmed to ${trimmedTo} and no checkpoint reaches there (newest: ${newest?.position ?? 'none'})`);
  }
  const t0 = performance.now();
  const position = await restoreCheckpoint(db, seams.objects, newest.key, tmpDir);
  log.info({ checkpoint: newest.key, position, ms: Math.round(performance.now() - t0) }, 'restored a checkpoint (the log is trimmed before this node\'s position)');
  return position;
}

/** Write one shared-log batch to the local LevelDB, with its position (no fsync: the log has it). */
export async function applyBatch(db: ClassicLevel<string, Uint8Array>, batch: LogBatch): Promise<WalOp[]> {
  const ops = decodeBatch(batch.payload);
  await applyOps(db, ops, batch.seq);
  return ops;
}

/** applyBatch with the batch decoded already. */
export async function applyOps(db: ClassicLevel<string, Uint8Array>, ops: readonly WalOp[], seq: number): Promise<void> {
  await writeSliced(db, [...ops, positionOp(seq)], false);
}

/**
 * The position a new writer appends after. Past the last whole batch the log can end in
 * the parts of a batch whose writer died mid-append (never acknowledged, never visited):
 * the next append must name the log's last message, so once a second read finds nothing
 * more to apply the position moves past those parts. Should a batch land in between, the
 * next append is fenced (the log moved on) rather than anything skipped.
 */
export async function settlePosition(
  seams: SharedSeams, reached: number, apply: (batch: LogBatch) => Promise<unknown>,
  record: (skip: { key: string; value: Uint8Array }) => Promise<void>, log: Logger,
): Promise<number> {
  let position = reached;
  for (;;) {
    const last = await seams.log.lastSeq();
    if (last <= position) return position;
    let applied = 0;
    position = await seams.log.read(position, async (batch) => {
      await apply(batch);
      applied++;
    });
    if (applied === 0) {
      log.warn({ from: position, to: last }, 'skipping the parts of a batch its writer never finished');
      await record(positionOp(last));
      return last;
    }
  }
}

/**
 * A new writer's claim on the log at `position` (settled: settlePosition): an empty batch
 * appended after it, so the previous writer's next append is fenced even when it is still
 * running — a manual promotion (pg_promote) takes over from a live leader. Should that
 * writer have appended meanwhile, its batches (acknowledged writes, maybe) are applied
 * first and the claim is made again after them. Resolves with the claim's position.
 */
export async function claimLog(
  seams: SharedSeams, position: number, apply: (batch: LogBatch) => Promise<unknown>,
  record: (op: { key: string; value: Uint8Array }) => Promise<void>, log: Logger,
): Promise<number> {
  for (;;) {
    let claimed: number;
    try {
      claimed = await seams.log.append(encodeBatch([]), position);
    } catch (e) {
      if (!(e instanceof LogFenced)) throw e;
      log.info({ position }, 'the previous writer appended while this node took over; applying its batches first');
      position = await settlePosition(seams, await seams.log.read(position, async (b) => { await apply(b); }), apply, record, log);
      continue;
    }
    await record(positionOp(claimed));
    return claimed;
  }
}

/** Fetch every file the local manifests name that is not on disk; returns all the names. */
export async function fetchFiles(db: ClassicLevel<string, Uint8Array>, seams: SharedSeams, segDir: string, log: Logger): Promise<Set<string>> {
  mkdirSync(segDir, { recursive: true });
  const files = await namedFiles(db);
  for (const f of files) {
    const path = join(segDir, f);
    if (existsSync(path)) continue;
    const got = await seams.objects.get(f, path);
    if (!got && !isDerived(f)) log.warn({ file: f }, 'a segment file the shared log names is not in the object store');
  }
  return files;
}

/**
 * A standby's loop: keep `dataDir`'s LevelDB applying the shared log as it grows (and its
 * files fetched) until `signal` aborts; then the directory is closed, ready for
 * DurableStorage.open to take it over with little left to apply.
 */
export async function followSharedLog(dataDir: string, seams: SharedSeams, log: Logger, signal: AbortSignal): Promise<number> {
  checkFormatVersion(dataDir);
  const db = new ClassicLevel<string, Uint8Array>(join(dataDir, WAL_DIR), { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  try {
    const { position } = await catchUp(db, seams, join(dataDir, SEGMENTS_DIR), log, { follow: true, signal });
    return position;
  } finally {
    await db.close();
  }
}
