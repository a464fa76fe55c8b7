/**
 * `quiver.consistency` on a hot standby (cluster mode): how fresh the data a statement
 * reads must be, decided before its snapshot is taken.
 *
 * - `strong`: everything the leader had acknowledged when the statement started. The
 *   shared log's last position (JetStream's stream last sequence) covers every
 *   acknowledged write, so the statement waits until the standby has applied up to it.
 * - `bounded`: every write acknowledged more than `quiver.max_staleness` ago. The standby
 *   knows the last moment it had applied all the log held (replica-position.ts); when
 *   that is older than the bound, it reads the log's end and waits as `strong` does.
 * - `eventually`: whatever is applied now; never waits.
 *
 * The wait ends with the statement's cancel or statement_timeout (57014). On the leader
 * (no standby) every level reads the leader's own, newest data.
 */
import type { Snapshot } from '../storage/api.js';
import type { StandbyReads } from '../storage/replica-position.js';
import type { CommitClock } from './commit-clock.js';
import { settingMillis } from './settings.js';
import type { StatementControl } from './statement-control.js';

/** Statements that read no table data need no wait (SET quiver.consistency must work on a stalled standby). */
const NO_DATA = /^\s*(set|show|reset|begin|start|commit|end|rollback|abort|savepoint|release|discard|deallocate|listen|unlisten|close|prepare\s+transaction)\b/i;

export function readsNoData(sql: string): boolean {
  return NO_DATA.test(sql);
}

/**
 * Wait as the session's quiver.consistency asks. Resolves at once when no wait is due;
 * rejects through `control.check()` (57014) when cancelled or timed out meanwhile.
 */
export async function waitForConsistency(standby: StandbyReads, setting: (name: string) => string | undefined, control: StatementControl, waiting?: (on: boolean) => void): Promise<void> {
  const level = setting('quiver.consistency') ?? 'strong';
  if (level === 'eventually') return;
  const asked = Date.now();
  if (level === 'bounded' && asked - standby.freshAt() <= settingMillis(setting('quiver.max_staleness'))) return;
  const signal = control.signal();
  // pg_stat_activity shows the wait (wait_event_type IPC, wait_event QuiverLogApply)
  waiting?.(true);
  try {
    const end = await abortable(standby.logEnd(), signal);
    standby.noteLogEnd(end, asked);
    await standby.waitApplied(end, signal);
  } catch (e) {
    // cancelled or timed out: PostgreSQL's error for it; anything else (the log unreachable) as it is
    if (signal.aborted) control.check();
    throw e;
  } finally {
    waiting?.(false);
  }
}

/**
 * `p`, or the signal's reason once it aborts first. `p` always gets a handler: a log read
 * that fails after the statement gave up (JetStream's TIMEOUT while its leader is elected)
 * must not become an unhandled rejection.
 */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

/** The session setting the shard router sets before a statement: the cluster timestamp it reads at. */
export const READ_TIMESTAMP_SETTING = 'quiver.read_timestamp';

/**
 * A shard leader of a sharded cluster (commit-clock.ts): the snapshot at the read timestamp
 * the router set for this statement (used once), waiting for the commits it must see; none
 * (the newest data) without one, or with quiver.consistency = eventually. Rejects through
 * `control.check()` (57014) when cancelled or timed out meanwhile.
 */
export async function snapshotAtReadTimestamp(clock: CommitClock, setting: (name: string) => string | undefined, clear: () => void, control: StatementControl, waiting?: (on: boolean) => void): Promise<Snapshot | undefined> {
  const text = setting(READ_TIMESTAMP_SETTING);
  if (!text) return undefined;
  clear();
  if (setting('quiver.consistency') === 'eventually' || !/^\d{1,20}$/.test(text)) return undefined;
  const signal = control.signal();
  waiting?.(true);
  try {
    return await clock.snapshotAt(BigInt(text), signal);
  } catch (e) {
    if (signal.aborted) control.check();
    throw e;
  } finally {
    waiting?.(false);
  }
}
