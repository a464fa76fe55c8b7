/**
 * Checkpoints of a cluster node's local state (cluster mode), so the shared log can be
 * trimmed: without them a new node replays the log from its first batch, and the log
 * grows forever.
 *
 * A checkpoint is every key of the local LevelDB (catalog, manifests, write-ahead log
 * records, sequences and the log position `J`), read through one LevelDB snapshot, so it
 * is exactly the state after batch J. It is written to the object store as
 * `checkpoint-<J, 16 digits>` (lexical order = log order): frames of a 4-byte length and a
 * v8-serialized array of [key, value] pairs. The segment and index files its manifests
 * name are in the object store already (they were put there before those manifests were
 * logged).
 *
 * The leader writes one every `every` batches (CheckpointPolicy), then trims the log to
 * the *previous* checkpoint's position and deletes older checkpoints: the log always
 * reaches back one interval further than the newest checkpoint, so a standby a little
 * behind keeps following without a restore, and a node that needs one always finds one.
 */
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { deserialize, serialize } from 'node:v8';
import type { ClassicLevel } from 'classic-level';
import type { ObjectStore } from './shared-log.js';
import { LOG_POSITION_KEY, parsePosition, positionOp, readPosition } from './log-position.js';

export const CHECKPOINT_PREFIX = 'checkpoint-';

/** Pairs a frame of the checkpoint file holds at most (about 4 MB of keys and values each). */
const FRAME_BYTES = 4 << 20;

export const checkpointKey = (position: number) => `${CHECKPOINT_PREFIX}${String(position).padStart(16, '0')}`;
export const checkpointPosition = (key: string) => Number(key.slice(CHECKPOINT_PREFIX.length));

type Db = ClassicLevel<string, Uint8Array>;

/** The checkpoints in the object store, oldest first. */
export async function listCheckpoints(objects: ObjectStore): Promise<{ key: string; position: number }[]> {
  const keys = (await objects.list(CHECKPOINT_PREFIX)).filter((k) => /^checkpoint-\d{16}$/.test(k)).sort();
  return keys.map((key) => ({ key, position: checkpointPosition(key) }));
}

/**
 * Write `db`'s state as a checkpoint (one snapshot: the iterator's) and put it in the
 * object store; resolves with its position (undefined: the state has no position yet).
 */
export async function writeCheckpoint(db: Db, objects: ObjectStore, tmpDir: string): Promise<number | undefined> {
  mkdirSync(tmpDir, { recursive: true });
  const file = join(tmpDir, `checkpoint-${process.pid}-${Date.now()}.tmp`);
  const out = createWriteStream(file);
  let position: number | undefined;
  let pairs: [string, Uint8Array][] = [];
  let bytes = 0;
  const flush = async () => {
    if (pairs.length === 0) return;
    const body = serialize(pairs);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(body.length, 0);
    if (!out.write(head) || !out.write(body)) await once(out, 'drain');
    pairs = [];
    bytes = 0;
  };
  try {
    // an iterator reads one implicit snapshot: the pairs are the state of one moment
    for await (const [key, value] of db.iterator()) {
      if (key === LOG_POSITION_KEY) position = parsePosition(value);
      pairs.push([key, value]);
      bytes += key.length + value.byteLength;
      if (bytes >= FRAME_BYTES) await flush();
    }
    await flush();
    out.end();
    await once(out, 'finish');
    if (position === undefined) return undefined;
    await objects.put(checkpointKey(position), file);
    return position;
  } finally {
    out.destroy();
    rmSync(file, { force: true });
  }
}

/**
 * Replace `db`'s whole state with the checkpoint's (every key removed first); resolves with
 * its position.
 */
export async function restoreCheckpoint(db: Db, objects: ObjectStore, key: string, tmpDir: string): Promise<number> {
  mkdirSync(tmpDir, { recursive: true });
  const file = join(tmpDir, `restore-${process.pid}-${Date.now()}.tmp`);
  try {
    if (!(await objects.get(key, file))) throw new Error(`checkpoint ${key} is not in the object store`);
    await db.clear();
    let buffered = Buffer.alloc(0);
    for await (const chunk of createReadStream(file)) {
      buffered = Buffer.concat([buffered, chunk as Buffer]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
        const length = buffered.readUInt32BE(0);
        const pairs = deserialize(buffered.subarray(4, 4 + length)) as [string, Uint8Array][];
        await db.batch(pairs.map(([k, value]) => ({ type: 'put' as const, key: k, value })), { sync: false });
        buffered = buffered.subarray(4 + length);
      }
    }
    if (buffered.length > 0) throw new Error(`checkpoint ${key} ends in a torn frame`);
    const position = await readPosition(db);
    if (position !== checkpointPosition(key)) throw new Error(`checkpoint ${key} holds position ${position}`);
    // the restored state must survive a crash before the log adds to it
    const record = positionOp(position);
    await db.put(record.key, record.value, { sync: true });
    return position;
  } finally {
    rmSync(file, { force: true });
  }
}
