/**
 * What the wire layer needs from the engine, and nothing more. The wire layer owns
 * framing, message formats and value encoding; a Backend (implemented by the engine's
 * Session, connected in src/server.ts) owns SQL. Values cross this seam in their runtime
 * representation (see src/types/types.ts); the wire layer encodes them per type OID.
 */
import type { SqlError, SqlNotice } from '../errors.js';
import type { SqlType, Value } from '../types/types.js';
import type { RegNameLookups } from '../types/text-io.js';

export interface FieldInfo {
  name: string;
  type: SqlType;
  /** OID of the table the column comes from, else 0 */
  tableOid: number;
  /** attribute number of that column, else 0 */
  columnAttr: number;
}

/** A parsed, bound statement, ready to be executed any number of times. */
export interface PreparedStatement {
  /** one OID per $n, after inference (never 0 once prepared) */
  readonly paramTypes: readonly number[];
  /** the row shape, or null when the statement returns no rows (→ NoData) */
  readonly fields: readonly FieldInfo[] | null;
}

/** The rest of a result that is still being computed: pulled as the client reads. */
export interface RowStream {
  /**
   * the next rows, or null at the end; throws SqlError when the statement fails midway.
   * `wanted`: how many more rows the client's Execute asked for (undefined: all of them), so a
   * stream that fetches rows from elsewhere (the shard router) need not fetch more
   */
  next(wanted?: number): Promise<Value[][] | null>;
  /**
   * The next rows (null at the end) when they are there without waiting; undefined: call
   * next(). A statement that answered in its first batch ends here without a promise.
   */
  nextNow?(): Value[][] | null | undefined;
  /** the client does not want the rest (portal closed, connection gone) */
  close(): void;
}

export type ExecResult =
  /**
   * Rows: `rows` first, then, when `more` is set, whatever it yields (the statement streams;
   * the command tag then counts the rows actually sent: `SELECT n`).
   */
  | {
    kind: 'rows'; fields: readonly FieldInfo[]; rows: Value[][]; tag: string; more?: RowStream;
    /**
     * every value (of `rows` and of `more`'s batches) is the column's text output already
     * (string, or null), as another server formatted it with the session's settings (the
     * shard router's streamed rows): sent unchanged in text, parsed first for binary
     */
    text?: true;
  }
  | { kind: 'command'; tag: string }
  /** COPY … FROM STDIN: the wire layer collects CopyData and hands it to `finish`. */
  | {
    kind: 'copyIn'; format: 'text' | 'binary'; columnCount: number;
    /**
     * optional: takes the CopyData payloads' bytes as they arrive, in order, a payload in
     * as many pieces as it came in (their boundaries mean nothing; then finish() gets no
     * data); a promise while it is still parsing a piece, and no more is read until it settles
     */
    accept?(chunk: Buffer): Promise<void> | void;
    finish(data: Buffer[] | SqlError): Promise<{ tag: string }>;
    /**
     * optional: aborted when the statement is cancelled or times out while the client is
     * still sending; `interruption()` then gives the error (57014) to answer at once
     */
    interrupted?: AbortSignal;
    interruption?(): SqlError;
  }
  /** COPY … TO STDOUT: already-encoded lines/chunks. */
  | { kind: 'copyOut'; format: 'text' | 'binary'; columnCount: number; chunks: Buffer[]; tag: string };

export interface StartupInfo {
  parameterStatus: [string, string][];
  processId: number;
  secretKey: number;
}

export interface Backend {
  /** Called once after the StartupMessage; may throw (e.g. unknown database → 3D000). */
  startup(params: Record<string, string>): StartupInfo;

  /** Split a simple-Query string into statements (each may be executed separately). */
  splitStatements(sql: string): string[];

  /** Parse and bind one statement. paramTypes may hold 0 for "infer". Throws SqlError. */
  prepare(sql: string, paramTypes: readonly number[]): PreparedStatement;

  /**
   * Optional: a Bind parameter declared with type `oid` was decoded: a domain's constraints
   * are checked here (PostgreSQL's domain_in fails the Bind). Throws SqlError.
   */
  checkParam?(oid: number, value: Value): void;

  /** Execute a prepared statement with already-decoded parameter values. */
  execute(stmt: PreparedStatement, params: readonly Value[]): Promise<ExecResult>;

  /** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
  transactionStatus(): 'I' | 'T' | 'E';

  /** Notices raised since the last call (sent before the next CommandComplete). */
  takeNotices(): SqlNotice[];

  /**
   * Optional: LISTEN notifications to send now (NotificationResponse), sent before
   * ReadyForQuery and, while the client is idle, as soon as notificationsArrived() says so.
   */
  takeNotifications?(): { pid: number; channel: string; payload: string }[];

  /** ParameterStatus changes since the last call (e.g. after SET application_name). */
  takeParameterChanges(): [string, string][];

  /** The current value of a session setting (e.g. for codecs: DateStyle, TimeZone). */
  setting(name: string): string | undefined;

  /**
   * Optional: a simple Query message of `statements` statements starts (more than one:
   * PostgreSQL runs them in an implicit transaction block, ended by sync()).
   */
  simpleQueryStarted?(statements: number): void;

  /**
   * Optional: an Execute message is about to run its portal's statement: until Sync it
   * belongs to the implicit transaction of the pipeline (PostgreSQL commits it at Sync).
   */
  extendedExecuteStarted?(): void;

  /**
   * Optional: the end of an implicit transaction — a Sync message, or the end of a simple
   * Query message: it commits now (a promise while it does; a rejection is the commit's
   * error). Called before transactionStatus() is read for ReadyForQuery.
   */
  sync?(): Promise<void> | void;

  /**
   * Optional: called before a statement is parsed (simple Query, Parse); a promise delays
   * the parse (a hot standby catching up to quiver.consistency). May reject (57014).
   */
  beforeStatement?(sql: string): Promise<void> | undefined;

  /** Optional: regclass output — the relation name for an OID (undefined: print the number). */
  regclassName?(oid: number): string | undefined;

  /** Optional: regproc output — the function name for an OID; regprocedure's `name(argtypes)` with `signature` (undefined: print the number). */
  regprocName?(oid: number, signature?: boolean): string | undefined;

  /**
   * Optional: reg* types by name — input of Bind parameters of type regclass, regproc,
   * regnamespace, regrole (pgcli binds $1::regclass), output of regnamespace / regrole.
   */
  regLookups?(): RegNameLookups;

  /** Optional: Describe of portal `name` when no protocol portal has that name: an SQL cursor's columns (DECLARE), or undefined. */
  describeCursor?(name: string): FieldInfo[] | undefined;

  /** Optional: whether SQL PREPARE made a statement of this name (a Parse of the same name is 42P05). */
  hasSqlPreparedStatement?(name: string): boolean;

  /** Optional: an error outside execute() (Bind, Describe, …) happened; a transaction block becomes failed. */
  abortBlock?(): void;

  /** Cancel request for this backend's running statement. */
  cancel(): void;

  /** The connection closed (Terminate or socket end); roll back any open transaction. */
  close(): void;
}

/** What a backend may know of and do to the connection that serves it. */
export interface ConnectionHandle {
  /** the client's address and port ('' / undefined for a Unix socket) */
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  /** the server's end of the connection (inet_server_addr / inet_server_port) */
  readonly localAddress?: string;
  readonly localPort?: number;
  /** send this error as FATAL and close the connection (pg_terminate_backend, timeouts) */
  terminate(error: SqlError): void;
  /** notifications wait in the backend (takeNotifications): send them now if the client is idle */
  notificationsArrived?(): void;
  /** the connection's Parse-prepared statements (DEALLOCATE and pg_prepared_statements reach them) */
  readonly protocolStatements?: ProtocolStatements;
}

/**
 * The connection's named protocol-level statements (Parse). PostgreSQL has one namespace for
 * them and SQL PREPARE's: `DEALLOCATE name` drops either (psqlODBC drops its Parse-prepared
 * `_PLAN…` statements that way), DISCARD ALL drops all.
 */
export interface ProtocolStatements {
  has(name: string): boolean;
  /** false when there is no such statement */
  delete(name: string): boolean;
  clear(): void;
  list(): readonly { name: string; sql: string; paramTypes: readonly number[]; created: number }[];
}

/** Finds the backend a CancelRequest (pid, secret) refers to. */
export interface BackendRegistry {
  create(connection: ConnectionHandle): Backend;
  cancel(processId: number, secretKey: number): void;
}

