/**
 * The shared-log position a node's local LevelDB has applied (cluster mode): key `J`,
 * written with every applied batch (log-replica.ts) and held by every checkpoint
 * (checkpoint.ts).
 */
import type { ClassicLevel } from 'classic-level';
import { frame, unframe, type WalOp } from './wal.js';

/** LevelDB key of the last shared-log batch applied locally (decimal text, framed) */
export const LOG_POSITION_KEY = 'J';

/** The record that says batch `seq` is applied. */
export function positionOp(seq: number): Extract<WalOp, { type: 'put' }> {
  return { type: 'put', key: LOG_POSITION_KEY, value: frame(Buffer.from(String(seq))) };
}

/** A position record's value as a number. */
export function parsePosition(value: Uint8Array): number {
  return Number(Buffer.from(unframe(value, `record ${LOG_POSITION_KEY}`)).toString());
}

export async function readPosition(db: ClassicLevel<string, Uint8Array>): Promise<number | undefined> {
  const v = await db.get(LOG_POSITION_KEY);
  return v === undefined ? undefined : parsePosition(v);
}
