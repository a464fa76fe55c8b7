/**
 * A hot standby's recovery conflicts on relation locks, as PostgreSQL's
 * (ResolveRecoveryConflictWithLock): a transaction on the standby holds the tables it has
 * read until it ends (PostgreSQL: their AccessShareLock); when the leader's log drops or
 * rewrites one of them (DROP TABLE, an ALTER TABLE that rewrites it under a new OID: an
 * AccessExclusiveLock on PostgreSQL), applying it waits for those transactions up to
 * max_standby_streaming_delay (default 30 s; -1: for ever), then ends the ones left —
 * a running statement with ERROR 40001, a session idle in its transaction with FATAL
 * 40001 (postgres.c ProcessInterrupts) — instead of letting them read the rewritten table.
 */
import { SqlError, SqlState } from '../errors.js';
import { parseDatabases, type Catalog } from '../catalog/catalog.js';

const DETAIL = 'User was holding a relation lock for too long.';

/** A running statement's end (PostgreSQL: RecoveryConflictRetryable, so 40001). */
export const conflictCancel = () => new SqlError(SqlState.serializationFailure, 'canceling statement due to conflict with recovery', { detail: DETAIL });

/** A session idle in a transaction: no statement to cancel, so the connection ends. */
export const conflictTerminate = () => new SqlError(SqlState.serializationFailure, 'terminating connection due to conflict with recovery', {
  severity: 'FATAL', detail: DETAIL, hint: 'In a moment you should be able to reconnect to the database and repeat your command.',
});

/** What the engine's sessions offer here. */
export interface RelationHolder {
  /** the database it is connected to (pg_stat_database_conflicts counts per database) */
  readonly databaseName: string;
  /** the tables its open transaction has read (empty between transactions) */
  readonly heldRelations: ReadonlySet<number>;
  /** end its statement (running) or its connection (idle in a transaction) */
  recoveryConflict(): void;
}

/** The tables of `databases` a catalog image no longer has (dropped, or rewritten under a new OID). */
export function tablesGone(databases: Iterable<Catalog>, image: string): Set<number> {
  const kept = new Set<number>();
  for (const d of Object.values(parseDatabases(image).databases)) for (const t of d.tables) kept.add(t.oid);
  const gone = new Set<number>();
  for (const c of databases) for (const oid of c.tables.keys()) if (!kept.has(oid)) gone.add(oid);
  return gone;
}

const POLL_MS = 50;

/**
 * Before a batch that drops tables `dropped` (or whose catalog `image` no longer has some)
 * is applied: wait for the transactions holding them, up to `delayMs`, then end the rest.
 * Resolves at once when nobody holds a relation (the common case costs no parse), with the
 * holders it ended.
 */
export async function resolveRecoveryConflicts(holders: () => Iterable<RelationHolder>, databases: () => Iterable<Catalog>, dropped: ReadonlySet<number>, image: string | undefined, delayMs: number): Promise<RelationHolder[]> {
  if (![...holders()].some((h) => h.heldRelations.size > 0)) return [];
  const gone = new Set(dropped);
  if (image !== undefined) for (const oid of tablesGone(databases(), image)) gone.add(oid);
  const conflicting = () => [...holders()].filter((h) => [...h.heldRelations].some((oid) => gone.has(oid)));
  const deadline = delayMs < 0 ? Number.POSITIVE_INFINITY : performance.now() + delayMs;
  while (conflicting().length > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - performance.now()))));
  const left = conflicting();
  for (const h of left) h.recoveryConflict();
  return left;
}
