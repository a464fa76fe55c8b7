/**
 * What the statement modules (dispatch, transactions, cursors, COPY, utility, EXPLAIN,
 * DDL) need from their session, so that each can be a module of functions instead of a
 * part of one class. The Session implements it.
 */
import type { AdvisoryLocks } from './advisory-locks.js';
import type { SegmentSearchPool } from '../query-worker/pool.js';
import type { SqlError, SqlNotice } from '../errors.js';
import type { ExportedSnapshots } from './snapshots.js';
import type { BackendActivity, Catalog, CreateIndexProgress, HbaFileRule, SequenceLogger, SystemRelation } from '../catalog/catalog.js';
import type { ExecEnv } from '../executor/expr.js';
import type { RunContext } from '../executor/operators.js';
import type { Access, SelectBinder } from '../sql/bind-select.js';
import type { Storage, Transaction } from '../storage/api.js';
import type { Value } from '../types/types.js';
import type { Cursors } from './cursors.js';
import type { SqlPreparedStatements } from './sql-prepared.js';
import type { DdlState } from './ddl-dispatch.js';
import type { SessionSettings } from './session-settings.js';
import type { Transactions } from './transactions.js';
import type { StatementControl } from './statement-control.js';
import type { Activity } from './activity.js';
import type { IndexBuildProgress } from './index-build-progress.js';
import type { NotificationHub, SessionNotifications } from './notifications.js';
import type { TempSpace } from '../executor/spill/temp-files.js';
import type { Roles } from '../catalog/roles.js';
import type { StandbyReads } from '../storage/replica-position.js';
import type { CommitClock } from './commit-clock.js';
import type { SessionTempSchema, TempNumbers } from './temp-schema.js';
import type { PlanReads } from './statement-cache.js';
import type { SessionSequenceValues } from './session-sequence-values.js';

/** The engine as its sessions see it: shared catalogs, storage, system relations. */
export interface EngineState {
  readonly storage: Storage;
  /** cluster mode's hot standby: the applied position and the log's end (read-consistency.ts); undefined elsewhere */
  readonly standby: StandbyReads | undefined;
  /** a shard leader of a sharded cluster: commit timestamps and reads at a timestamp (commit-clock.ts); undefined elsewhere */
  readonly commitClock: CommitClock | undefined;
  /** a hot standby's max_standby_streaming_delay (ms; recovery-conflicts.ts) */
  readonly maxStandbyStreamingDelayMs: number;
  /** the transactions ended by recovery conflicts on this hot standby, per database (pg_stat_database_conflicts) */
  readonly recoveryConflictCounts: ReadonlyMap<string, number>;
  /** pg_promote (promote-function.ts) */
  requestPromotion: (() => Promise<void>) | undefined;
  whenPromoted(): Promise<void>;
  /** the port the wire server listens on (SHOW port) */
  readonly listenPort: number | undefined;
  /** sealed-segment vector search in worker threads (undefined: in the session's thread) */
  readonly queryWorkers?: SegmentSearchPool;
  /** where sorts, hash joins and hash aggregates past work_mem spill (undefined: they fail with 53200) */
  readonly tempSpace?: TempSpace;
  database(name: string): Catalog | undefined;
  readonly databases: ReadonlyMap<string, Catalog>;
  saveCatalog(): Promise<void>;
  /** The catalog image to write now, with `committing`'s DDL in it (its COMMIT writes it). */
  catalogImage(committing?: DdlState): string;
  /** A sequence record was not written (disk full): every sequence logs afresh at its next nextval. */
  forgetSequenceLogs(): void;
  createDatabase(name: string, owner?: number): Promise<void>;
  dropDatabase(name: string, missingOk: boolean, current: string): Promise<boolean>;
  systemRelation(schema: string | undefined, name: string): SystemRelation | undefined;
  allSystemRelations(): readonly SystemRelation[];
  /** every session's pg_stat_activity row */
  activities(): BackendActivity[];
  /** the server's advisory locks (pg_advisory_lock …, pg_locks) */
  readonly advisoryLocks: AdvisoryLocks;
  /** the index builds running in any session (pg_stat_progress_create_index) */
  createIndexProgress(): CreateIndexProgress[];
  /** pg_cancel_backend / pg_terminate_backend: false when no session has that pid */
  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean;
  /** LISTEN / NOTIFY between the sessions */
  readonly notifications: NotificationHub;
  /** max_connections, and the sessions open now (this one included once created) */
  readonly maxConnections: number;
  /** the last slots below max_connections, kept for superusers */
  readonly superuserReservedConnections: number;
  /** max_prepared_transactions: how many transactions may be prepared at once (0: PREPARE TRANSACTION is refused) */
  readonly maxPreparedTransactions: number;
  /** the DDL of prepared transactions by gid (two-phase.ts): left out of catalog images until COMMIT PREPARED */
  readonly preparedDdl: Map<string, { readonly database: string; readonly ddl: DdlState }>;
  isSuperuser(user: string): boolean;
  /** pg_hba_file_rules: the --hba file line by line (set by the server; empty without --hba) */
  hbaFileRules(): readonly HbaFileRule[];
  sessionCount(): number;
  /** pg_export_snapshot's names, shared by all sessions */
  readonly exportedSnapshots: ExportedSnapshots;
  /** the cluster's roles */
  readonly roles: Roles;
  /** sessions logged in as this role (CONNECTION LIMIT) */
  sessionsOfRole(roleOid: number): number;
  /** backend numbers of the sessions' temporary schemas */
  readonly tempNumbers: TempNumbers;
}

export interface SessionContext {
  readonly engine: EngineState;
  readonly catalog: Catalog;
  readonly databaseName: string;
  readonly settings: SessionSettings;
  readonly tx: Transactions;
  /** a hot standby: wait as quiver.consistency asks before the statement's snapshot (read-consistency.ts) */
  awaitConsistency(): Promise<void>;
  /** a hot standby: the tables a statement reads are held until its transaction ends (recovery-conflicts.ts) */
  holdRelations(accessed: readonly Access[]): void;
  readonly cursors: Cursors;
  /** currval / lastval: the values nextval returned in this session */
  readonly sequenceValues: SessionSequenceValues;
  /** PREPARE / EXECUTE / DEALLOCATE's statements */
  readonly sqlPrepared: SqlPreparedStatements;
  readonly ddl: DdlState;
  /** notices for the client, sent before the statement's CommandComplete */
  readonly notices: SqlNotice[];
  /** the relation search path: the session's temporary schema first once it has one */
  searchPath(): string[];
  /** the session's temporary schema (pg_temp_N) */
  readonly temp: SessionTempSchema;
  /** a binder for one statement, over its $n types */
  binder(paramTypes: number[]): SelectBinder;
  /** set while a statement is prepared: what its planning reads that may change (statement-cache.ts) */
  readonly planReads?: PlanReads | undefined;
  /**
   * what running a plan needs: the statement's snapshot, `txn` for its own writes;
   * `readsNoTable`: the plan reads no table, so its snapshot need not be retained
   */
  runContext(txn: Transaction | undefined, metrics?: RunContext['metrics'], readsNoTable?: boolean): RunContext;
  execEnv(params: readonly Value[], rc: RunContext): ExecEnv;
  /** sequence positions handed out are durable before anything that used them is acknowledged */
  awaitSequenceLogs(): Promise<void> | undefined;
  /** sequence values handed out whose log records awaitSequenceLogs would wait for */
  hasPendingSequenceLogs(): boolean;
  /** nextval / setval log their sequence's new position through this */
  readonly logSequence: SequenceLogger;
  translateStorageError(e: unknown): SqlError;
  /** cancel, statement_timeout and lock_timeout of the running statement */
  readonly control: StatementControl;
  /** what pg_stat_activity shows of this session */
  readonly activity: Activity;
  /** what pg_stat_progress_create_index shows of this session */
  readonly indexBuild: IndexBuildProgress;
  /** LISTEN / UNLISTEN / NOTIFY of this session's transaction, and what it listens to */
  readonly notifications: SessionNotifications;
  /** a statement starts (its timeout starts, earlier cancels are forgotten) */
  statementStarted(text: string): void;
  /** the statement ended: pins released, idle (in a block, the idle timeout starts) */
  statementEnded(): void;
  /** throws 57014 if the running statement was cancelled or timed out */
  checkCancelled(): void;
  /** the role that logged in (SET SESSION AUTHORIZATION needs it to be a superuser) */
  readonly loginRoleOid: number;
  /** current_user's role: SET ROLE's, else the session user's */
  currentRoleOid(): number;
}
