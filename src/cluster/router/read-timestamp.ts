/**
 * A router session's read timestamps (README "Cluster mode", timestamp oracle): with the
 * timestamp oracle, a statement that reads several shards reads them all at one timestamp S
 * — each shard takes its snapshot once it has every commit with a timestamp ≤ S and none
 * above (engine/commit-clock.ts) — and a REPEATABLE READ / SERIALIZABLE block reads every
 * shard at the one S of its first statement. S travels with the statement: a SET of
 * quiver.read_timestamp sent ahead of it in the same write (ShardConnection.sendAhead),
 * which the shard uses for its next snapshot only. A single-shard statement under READ
 * COMMITTED needs none (it reads that shard's newest data, which includes every commit
 * acknowledged before it). `SET quiver.consistency = eventually` turns this off: each shard
 * reads its newest data, as without the oracle.
 */
import type { Route } from './route.js';
import type { ShardConnection } from './shard-connection.js';
import type { Transaction } from './transaction.js';
import type { TimestampSource } from '../tso/tso-client.js';

/** The shard setting S travels in (engine/read-consistency.ts). */
export const READ_TIMESTAMP_SETTING = 'quiver.read_timestamp';

/** Statements that may read more than one shard under READ COMMITTED. */
const MULTI_SHARD = new Set<Route['kind']>(['fanout', 'pullUp', 'insertSelect', 'keyUpdate', 'copyOut', 'copyQueryOut', 'explain']);

const REPEATABLE = /\bisolation\s+level\s+(repeatable\s+read|serializable)\b/i;
const READ_COMMITTED = /\bisolation\s+level\s+read\s+(committed|uncommitted)\b/i;

export class ReadTimestamps {
  /** quiver.consistency as the session set it */
  private eventually = false;
  /** default_transaction_isolation (or SESSION CHARACTERISTICS) is repeatable read / serializable */
  private defaultRepeatable = false;
  /** the running statement's S */
  private current: string | undefined;

  constructor(private readonly source: TimestampSource | undefined) {}

  /** Follow the session's SET / RESET / DISCARD of quiver.consistency and the isolation level. */
  noteSessionStatement(sql: string, block: Transaction | null): void {
    const consistency = /^\s*set\s+(?:session\s+|local\s+)?quiver\.consistency\s*(?:=|to)\s*'?(\w+)'?/i.exec(sql);
    if (consistency) this.eventually = consistency[1]!.toLowerCase() === 'eventually';
    if (/^\s*(reset\s+(quiver\.consistency|all)|discard\s+all)\b/i.test(sql)) this.eventually = false;
    if (/^\s*(reset\s+(default_transaction_isolation|all)|discard\s+all)\b/i.test(sql)) this.defaultRepeatable = false;
    const isolation = /^\s*set\s+(?:session\s+|local\s+)?default_transaction_isolation\s*(?:=|to)\s*'?([\w ]+)'?/i.exec(sql);
    if (isolation) this.defaultRepeatable = /repeatable|serializable/i.test(isolation[1]!);
    if (/^\s*set\s+session\s+characteristics\b/i.test(sql)) {
      if (REPEATABLE.test(sql)) this.defaultRepeatable = true;
      else if (READ_COMMITTED.test(sql)) this.defaultRepeatable = false;
    }
    // SET TRANSACTION ISOLATION LEVEL … in a block (before its first query)
    if (block && /^\s*set\s+transaction\b/i.test(sql)) {
      if (REPEATABLE.test(sql)) block.repeatable = true;
      else if (READ_COMMITTED.test(sql)) block.repeatable = false;
    }
  }

  /** Before a statement runs: its S, if it needs one (asked of the oracle; a repeatable block's first). */
  async beginStatement(route: Route, block: Transaction | null, signal?: AbortSignal): Promise<void> {
    this.current = undefined;
    if (!this.source || this.eventually || route.kind === 'tx' || route.kind === 'session') return;
    if (block && !block.implicit && this.isRepeatable(block)) {
      block.readTimestamp ??= String(await this.source.timestamp(signal));
      this.current = block.readTimestamp;
      return;
    }
    if (MULTI_SHARD.has(route.kind) || (route.kind === 'everyShard' && !route.ddl)) this.current = String(await this.source.timestamp(signal));
  }

  /** A read that may run again at a new timestamp when a shard refuses its S (72000). */
  mayRetry(route: Route): boolean {
    return this.current !== undefined && (route.kind === 'fanout' || route.kind === 'pullUp');
  }

  /** A shard connection the statement runs on: S goes ahead of its request. */
  stamp(conn: ShardConnection): void {
    if (this.current !== undefined) conn.sendAhead(`SET ${READ_TIMESTAMP_SETTING} = '${this.current}'`);
  }

  private isRepeatable(block: Transaction): boolean {
    block.repeatable ??= REPEATABLE.test(block.begin) || (this.defaultRepeatable && !READ_COMMITTED.test(block.begin));
    return block.repeatable;
  }
}
