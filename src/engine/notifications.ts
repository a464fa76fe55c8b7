/**
 * LISTEN / NOTIFY / UNLISTEN and pg_notify(), as PostgreSQL's async.c behaves inside one
 * server: a NOTIFY is queued by its transaction and delivered at commit to every session of
 * the same database that listens on the channel (the sender too), in the order sent, with
 * duplicates (same channel and payload) of one transaction folded; a rolled-back
 * transaction sends nothing. LISTEN and UNLISTEN also take effect at commit. A listener
 * receives notifications between transactions: the wire layer sends them before
 * ReadyForQuery, or at once while its client is idle.
 */
import { SqlError, SqlState } from '../errors.js';

export interface Notification {
  /** the sending session's pid */
  readonly pid: number;
  readonly channel: string;
  readonly payload: string;
}

/** A session that can receive notifications. */
export interface Listener {
  readonly database: string;
  receive(n: Notification): void;
}

/** PostgreSQL's NAMEDATALEN - 1 and NOTIFY_PAYLOAD_MAX_LENGTH - 1 (bytes) */
const MAX_CHANNEL_BYTES = 63;
const MAX_PAYLOAD_BYTES = 7999;

/** The engine's listeners: database → channel → sessions. */
export class NotificationHub {
  private readonly channels = new Map<string, Map<string, Set<Listener>>>();

  listen(l: Listener, channel: string): void {
    let db = this.channels.get(l.database);
    if (!db) this.channels.set(l.database, (db = new Map()));
    let set = db.get(channel);
    if (!set) db.set(channel, (set = new Set()));
    set.add(l);
  }

  unlisten(l: Listener, channel: string): void {
    const set = this.channels.get(l.database)?.get(channel);
    if (!set) return;
    set.delete(l);
    if (set.size === 0) this.channels.get(l.database)!.delete(channel);
  }

  /** a committed transaction's notifications, in order */
  deliver(database: string, notes: readonly Notification[]): void {
    const db = this.channels.get(database);
    if (!db) return;
    for (const n of notes) for (const l of db.get(n.channel) ?? []) l.receive(n);
  }
}

type ListenAction = { op: 'listen'; channel: string } | { op: 'unlisten'; channel: string | undefined };

/** One session's side: what its transaction queued, what it listens to, what it received. */
export class SessionNotifications implements Listener {
  private readonly listening = new Set<string>();
  private actions: ListenAction[] = [];
  private pending: Notification[] = [];
  private inbox: Notification[] = [];

  constructor(
    private readonly hub: NotificationHub,
    private readonly pid: number,
    private readonly databaseName: () => string,
    /** tells the connection that something arrived (it may be idle) */
    private readonly arrived: () => void,
  ) {}

  get database(): string {
    return this.databaseName();
  }

  listen(channel: string): void {
    this.actions.push({ op: 'listen', channel });
  }

  /** UNLISTEN channel, or UNLISTEN * (channel undefined) */
  unlisten(channel: string | undefined): void {
    this.actions.push({ op: 'unlisten', channel });
  }

  /** NOTIFY channel [, payload] / pg_notify(channel, payload): checked now, sent at commit */
  notify(channel: string | null, payload: string | null): void {
    if (channel === null || channel === '') throw new SqlError(SqlState.invalidParameterValue, 'channel name cannot be empty');
    if (Buffer.byteLength(channel) > MAX_CHANNEL_BYTES) throw new SqlError(SqlState.invalidParameterValue, 'channel name too long');
    const text = payload ?? '';
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new SqlError(SqlState.invalidParameterValue, 'payload string too long');
    if (this.pending.some((n) => n.channel === channel && n.payload === text)) return;
    this.pending.push({ pid: this.pid, channel, payload: text });
  }

  /** LISTEN, UNLISTEN or NOTIFY in the open transaction (PREPARE TRANSACTION refuses it) */
  hasPending(): boolean {
    return this.actions.length > 0 || this.pending.length > 0;
  }

  /** where a savepoint starts: ROLLBACK TO forgets what came after */
  mark(): { actions: number; pending: number } {
    return { actions: this.actions.length, pending: this.pending.length };
  }

  rollbackTo(mark: { actions: number; pending: number }): void {
    this.actions.length = Math.min(this.actions.length, mark.actions);
    this.pending.length = Math.min(this.pending.length, mark.pending);
  }

  /** the transaction committed: LISTEN/UNLISTEN take effect, then the notifications go out */
  commit(): void {
    for (const a of this.actions.splice(0)) {
      if (a.op === 'listen') {
        this.listening.add(a.channel);
        this.hub.listen(this, a.channel);
      } else {
        for (const ch of a.channel === undefined ? [...this.listening] : [a.channel]) {
          this.listening.delete(ch);
          this.hub.unlisten(this, ch);
        }
      }
    }
    const notes = this.pending.splice(0);
    if (notes.length) this.hub.deliver(this.database, notes);
  }

  /** the transaction rolled back (or the statement failed outside a block) */
  discard(): void {
    this.actions = [];
    this.pending = [];
  }

  receive(n: Notification): void {
    this.inbox.push(n);
    this.arrived();
  }

  /** notifications to send now; the session calls this only between transactions */
  take(): Notification[] {
    return this.inbox.splice(0);
  }

  /** pg_listening_channels() */
  channels(): string[] {
    return [...this.listening];
  }

  /** the session ends: it listens to nothing any more */
  close(): void {
    this.discard();
    this.unlisten(undefined);
    this.commit();
    this.inbox = [];
  }
}
