/**
 * Long loops of the storage's background work (a seal's or a compaction's encoding, the
 * choice of rows to compact) on the session thread give the event loop a turn every few
 * milliseconds, so that other sessions' statements are answered meanwhile.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long such a loop runs before it lets the event loop serve others (ms). */
const TURN_MS = 4;

export class Turns {
  private since = performance.now();

  /** A turn of the event loop once the loop has run TURN_MS since the last one (call it every few thousand rows). */
  async take(): Promise<void> {
    if (performance.now() - this.since < TURN_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}
