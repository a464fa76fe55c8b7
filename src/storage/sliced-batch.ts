/**
 * One atomic LevelDB batch, handed over a slice at a time between turns of the event loop
 *
 * abstract-level's `db.batch(ops)` prepares every op in one call on the session thread:
 * 50,000 tombstone records (a DELETE of as many rows, or a hot standby applying it) held
 * the event loop 333–528 ms (bench/seal-stall.ts --jobs delete). A chained batch takes the
 * ops a slice at a time with turns of the loop between, and `write()` still writes them
 * all at once, atomically.
 */
import type { ClassicLevel } from 'classic-level';
import { Turns } from './turns.js';
import type { WalOp } from './wal.js';

/** Ops handed to LevelDB between turns of the event loop (~2-4 ms of work). */
const SLICE = 2_000;

export async function writeSliced(db: ClassicLevel<string, Uint8Array>, ops: readonly WalOp[], sync: boolean): Promise<void> {
  if (ops.length <= SLICE) {
    await db.batch(ops as WalOp[], { sync });
    return;
  }
  const batch = db.batch();
  let written = false;
  try {
    const turns = new Turns();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
      if (i % SLICE === SLICE - 1) await turns.take();
    }
    written = true;
    await batch.write({ sync });
  } finally {
    // write() releases the batch itself, also when it fails
    if (!written) await batch.close();
  }
}
