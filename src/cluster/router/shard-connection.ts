/**
 * One router session's connection to one shard leader, spoken with pg-protocol (node-postgres'
 * own message parser and serializer, already a runtime dependency). `pg` itself is not used:
 * it has no Describe-only round trip, no COPY without pg-copy-streams, and hides the
 * ErrorResponse fields the router must pass on unchanged. Requests run one at a time (a
 * queue); each ends at the shard's ReadyForQuery, whose status the connection keeps.
 *
 * Authentication: the router connects as the client's user (who authenticated with the
 * router). With a cluster secret (--cluster-secret) it says so in the startup packet
 * (`quiver.cluster_peer`) and proves the secret by SCRAM-SHA-256 (node-postgres' own SCRAM
 * client), which the shard checks instead of the user's password (wire/connection.ts);
 * without one it expects the shard to trust it, and a shard asking for a password is 28000.
 * TLS (shard-tls.ts) is negotiated before the startup packet: SCRAM then runs inside it, as
 * SCRAM-SHA-256-PLUS (channel binding) when the shard offers it.
 */
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { parse, serialize, DatabaseError } from 'pg-protocol';
import { SqlError, type SqlErrorFields, type SqlNotice, type Severity } from '../../errors.js';
import { CLUSTER_PEER_PARAMETER } from '../../wire/connection.js';
import { openShardSocket, type ShardTls } from './shard-tls.js';

/** How the router reaches a shard: the cluster secret it proves, the TLS it speaks (shard-tls.ts). */
export interface ShardLink {
  /** --cluster-secret, proven by SCRAM; without it the shard must trust the router */
  readonly secret?: string;
  /** --shard-tls / --shard-tls-ca; default `prefer` */
  readonly tls?: ShardTls;
}

export interface ShardField {
  name: string;
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typmod: number;
}

/** One statement's answer: text values (results are asked for in text format). */
export interface ShardReply {
  fields: ShardField[] | null;
  rows: (string | null)[][];
  tag: string;
}

/** A COPY … FROM STDIN in progress on one shard. */
export interface ShardCopyIn {
  /** send CopyData; resolves when the socket takes more (back-pressure) */
  write(data: Buffer): Promise<void>;
  /** CopyDone: the shard's tag (COPY n), or its error */
  end(): Promise<string>;
  /** CopyFail: the shard abandons the COPY */
  fail(message: string): Promise<void>;
}

export interface ShardDescription {
  paramTypes: number[];
  fields: ShardField[] | null;
}

/** A parameter as sent to the shard: text, binary (Buffer) or NULL. */
export type ShardParam = string | Buffer | null;

type Message = { name: string } & Record<string, any>;

/** node-postgres' SCRAM client (pg/lib/crypto/sasl.js, public as `pg/lib/*`; it ships no types) */
interface ScramSession { mechanism: string; response: string }
interface ScramClient {
  /** `stream`: the TLS socket, for SCRAM-SHA-256-PLUS (tls-server-end-point) when the server offers it */
  startSession(mechanisms: string[], stream?: TLSSocket): ScramSession;
  continueSession(session: ScramSession, password: string, serverData: string, stream?: TLSSocket): Promise<void>;
  finalizeSession(session: ScramSession, serverData: string): void;
}
const scram = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as ScramClient;

/** statements kept prepared per shard connection before they are all closed */
const MAX_PREPARED = 256;

function statementKey(sql: string, paramTypes: readonly number[]): string {
  return `${paramTypes.join(',')}\0${sql}`;
}

/**
 * One statement's rows read from a portal kept open on the shard (shard-stream.ts): rows
 * come a row-limited Execute at a time, so the router holds at most a batch or two of them.
 */
export interface ShardStream {
  readonly fields: ShardField[];
  /** the command tag once the rows ended ('' before) */
  readonly tag: string;
  /**
   * up to `limit` more rows, or null at the end; throws the shard's error (after the rows
   * that came before it). `prefetch`: ask for the next batch at once (the client wants all).
   */
  next(limit: number, prefetch?: boolean): Promise<(string | null)[][] | null>;
  /** the client wants no more rows: the portal is closed and the connection free again */
  close(): Promise<void>;
}

/** What the current request is waiting for; gets every message until ReadyForQuery. */
interface Pending {
  onMessage(m: Message): void;
  /** ReadyForQuery arrived: settle the request */
  done(): void;
  fail(e: Error): void;
}

export class ShardConnection {
  /** ReadyForQuery status after the last request: 'I', 'T' or 'E' */
  status: 'I' | 'T' | 'E' = 'I';
  processId = 0;
  secretKey = 0;
  readonly parameters = new Map<string, string>();
  /** ParameterStatus changes not yet passed to the client */
  readonly parameterChanges: [string, string][] = [];
  readonly notices: SqlNotice[] = [];
  readonly notifications: { pid: number; channel: string; payload: string }[] = [];
  /** told when a notification arrives (the client may be idle) */
  onNotification: (() => void) | undefined;
  closed = false;
  private pending: Pending | null = null;
  /** statements prepared on the shard by text and parameter types */
  private readonly prepared = new Map<string, { name: string; description: ShardDescription }>();
  private statementCount = 0;
  private epoch: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** a stream holding the connection between pulls: read to its end when another request comes */
  private streaming: { drain(): void } | null = null;
  /** statements sent ahead of the next request in the same write (sendAhead), and how many answers of theirs are still due */
  private ahead: string[] = [];
  private aheadDue = 0;
  private aheadError: Error | null = null;

  private constructor(readonly shard: number, readonly address: string, private readonly socket: Socket, private readonly statementEpoch: () => number) {
    this.epoch = statementEpoch();
  }

  /** Connect and start up as `params` (user, database, options…); rejects with the shard's error. */
  static async open(shard: number, address: string, params: Record<string, string>, statementEpoch: () => number = () => 0, link: ShardLink = {}): Promise<ShardConnection> {
    const { host, port } = splitAddress(address);
    const { secret } = link;
    const socket = await openShardSocket(shard, address, host, port, link.tls);
    const tlsSocket = socket instanceof TLSSocket ? socket : undefined;
    const conn = new ShardConnection(shard, address, socket, statementEpoch);
    let session: ScramSession | undefined;
    const startup = secret ? { ...params, [CLUSTER_PEER_PARAMETER]: 'router' } : params;
    const ready = conn.request(() => socket.write(serialize.startup(startup)), {
      onMessage: (m) => {
        if (!m.name.startsWith('authentication') || m.name === 'authenticationOk') return;
        if (!secret) throw new SqlError('28000', `shard ${shard} asks for a password; start the cluster's nodes with the same --cluster-secret so the router can prove it`);
        // the shard checks the cluster secret by SCRAM (the startup packet said so)
        if (m.name === 'authenticationSASL') {
          // over TLS, channel binding ties the proof to this TLS session: a man in the middle (prefer/require check no certificate) cannot relay it
          session = scram.startSession(m.mechanisms as string[], tlsSocket);
          socket.write(serialize.sendSASLInitialResponseMessage(session.mechanism, session.response));
        } else if (m.name === 'authenticationSASLContinue' && session) {
          const s = session;
          scram.continueSession(s, secret, m.data as string, tlsSocket).then(
            () => socket.write(serialize.sendSCRAMClientFinalMessage(s.response)),
            (e: Error) => conn.lost(new SqlError('28000', `shard ${shard}: SCRAM with the cluster secret failed: ${e.message}`)));
        } else if (m.name === 'authenticationSASLFinal' && session) {
          // the shard proves it knows the secret too: one that cannot is not this cluster's node
          try {
            scram.finalizeSession(session, m.data as string);
          } catch (e) {
            throw new SqlError('28000', `shard ${shard} (${address}) did not prove the cluster secret: ${(e as Error).message}`);
          }
        } else {
          throw new SqlError('28000', `shard ${shard} asks for ${m.name}; with --cluster-secret the router proves the secret by SCRAM only`);
        }
      },
    });
    socket.on('error', (e) => conn.lost(e));
    socket.on('close', () => conn.lost(new Error(`shard ${shard} (${address}) closed the connection`)));
    void parse(socket, (m) => conn.receive(m as unknown as Message)).catch((e: Error) => conn.lost(e));
    await ready;
    return conn;
  }

  /** a request is running (what a cancel would reach) */
  get busy(): boolean {
    return this.pending !== null;
  }

  /**
   * Parse + Describe the statement: its parameter types and row shape. The statement stays
   * prepared on the shard under a name (see `prepared`), so describing or running the same
   * text again costs no parse there.
   */
  describe(sql: string, paramTypes: readonly number[]): Promise<ShardDescription> {
    this.checkEpoch();
    const key = statementKey(sql, paramTypes);
    const known = this.prepared.get(key);
    if (known) return Promise.resolve(known.description);
    const name = `quiver_router_${++this.statementCount}`;
    const out: ShardDescription = { paramTypes: [], fields: null };
    return this.request(() => {
      this.socket.write(Buffer.concat([
        serialize.parse({ name, text: sql, types: [...paramTypes] }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]));
    }, {
      onMessage: (m) => {
        if (m.name === 'parameterDescription') out.paramTypes = [...m.dataTypeIDs];
        else if (m.name === 'rowDescription') out.fields = m.fields.map(toField);
      },
    }).then(() => {
      this.remember(key, name, out);
      return out;
    });
  }

  /** Run one statement with the extended protocol, results in text (prepared once per text and types). */
  run(sql: string, paramTypes: readonly number[], params: readonly ShardParam[]): Promise<ShardReply> {
    this.checkEpoch();
    const key = statementKey(sql, paramTypes);
    const known = this.prepared.get(key) ?? this.describedAs(sql, paramTypes);
    const reply: ShardReply = { fields: known?.description.fields ?? null, rows: [], tag: '' };
    if (known) {
      return this.request(() => {
        this.socket.write(Buffer.concat([
          serialize.bind({ statement: known.name, values: [...params] }),
          serialize.execute(),
          serialize.sync(),
        ]));
      }, replyCollector(reply)).then(() => reply);
    }
    const name = `quiver_router_${++this.statementCount}`;
    const description: ShardDescription = { paramTypes: [], fields: null };
    let parsed = false;
    const collect = replyCollector(reply);
    const remember = (): void => {
      if (parsed) this.remember(key, name, description);
    };
    return this.request(() => {
      this.socket.write(Buffer.concat([
        serialize.parse({ name, text: sql, types: [...paramTypes] }),
        serialize.describe({ type: 'S', name }),
        serialize.bind({ statement: name, values: [...params] }),
        serialize.execute(),
        serialize.sync(),
      ]));
    }, {
      onMessage: (m) => {
        if (m.name === 'parseComplete') parsed = true;
        else if (m.name === 'parameterDescription') description.paramTypes = [...m.dataTypeIDs];
        else if (m.name === 'rowDescription') description.fields = m.fields.map(toField);
        collect.onMessage(m);
      },
    }).then(() => {
      remember();
      return reply;
    }, (e: unknown) => {
      remember(); // parsed, then failed to run: the statement exists on the shard all the same
      throw e;
    });
  }

  /**
   * Run one statement as a stream: Bind + row-limited Executes, each followed by Flush, not
   * Sync, so the shard keeps the portal open (Sync would end its implicit transaction) until
   * the rows end or the stream is closed. Resolves once the shard bound the portal (a Bind
   * error rejects). The connection stays this stream's until then: a request queued meanwhile
   * first reads the rest of the rows into memory (PostgreSQL keeps several portals open; one
   * connection per shard cannot interleave them).
   */
  async stream(sql: string, paramTypes: readonly number[], params: readonly ShardParam[], firstBatch?: number): Promise<ShardStream> {
    this.checkEpoch();
    const key = statementKey(sql, paramTypes);
    let known = this.prepared.get(key) ?? this.describedAs(sql, paramTypes);
    if (!known) {
      await this.describe(sql, paramTypes);
      known = this.prepared.get(key)!;
    }
    const socket = this.socket;
    const stream = new PortalStream(known.description.fields ?? [], (data) => { if (!this.closed) socket.write(data); });
    let bound!: () => void;
    const started = new Promise<void>((resolve) => { bound = resolve; });
    const name = known.name;
    const done = this.request(() => {
      // the first batch is asked for with the Bind: a small result (k-NN's LIMIT 10) costs one round trip
      const first = firstBatch === undefined ? [] : [stream.executeSent(firstBatch)];
      socket.write(Buffer.concat([serialize.bind({ statement: name, values: [...params] }), ...first, serialize.flush()]));
    }, {
      onMessage: (m) => {
        if (m.name === 'bindComplete') bound();
        else stream.onMessage(m);
      },
      onError: () => stream.sync(),
    });
    this.streaming = stream;
    const ended = done.then(() => stream.finished(null), (e: Error) => stream.finished(e));
    void ended.then(() => { if (this.streaming === stream) this.streaming = null; });
    await Promise.race([started, done]);
    return stream;
  }

  /**
   * Forget the statements prepared on the shard: after DDL (their plans and row shapes may have
   * changed; `close` drops them there too), or after DISCARD ALL dropped them already.
   */
  forgetStatements(close: boolean): void {
    const names = [...this.prepared.values()].map((p) => p.name);
    this.prepared.clear();
    if (!close || names.length === 0 || this.closed) return;
    void this.request(() => {
      this.socket.write(Buffer.concat([...names.map((name) => serialize.close({ type: 'S', name })), serialize.sync()]));
    }, { onMessage: () => {} }).catch(() => {});
  }

  /** The statement describe() prepared with no types, when the shard inferred these types for it. */
  private describedAs(sql: string, paramTypes: readonly number[]): { name: string; description: ShardDescription } | undefined {
    const untyped = this.prepared.get(statementKey(sql, []));
    if (!untyped || untyped.description.paramTypes.length !== paramTypes.length) return undefined;
    return untyped.description.paramTypes.every((t, i) => t === paramTypes[i]) ? untyped : undefined;
  }

  private remember(key: string, name: string, description: ShardDescription): void {
    if (this.prepared.size >= MAX_PREPARED) this.forgetStatements(true);
    this.prepared.set(key, { name, description });
  }

  /** The router's DDL epoch moved on: statements prepared before it are stale. */
  private checkEpoch(): void {
    const now = this.statementEpoch();
    if (now === this.epoch) return;
    this.epoch = now;
    this.forgetStatements(true);
  }

  /**
   * Run one statement with the simple protocol (transaction control, SET, DDL). `background`:
   * nobody waits for it (the router's catalog re-read), so it queues behind a stream suspended
   * on this connection instead of reading that stream's rest into memory.
   */
  simple(sql: string, background = false): Promise<ShardReply> {
    const reply: ShardReply = { fields: null, rows: [], tag: '' };
    return this.request(() => this.socket.write(serialize.query(sql)), replyCollector(reply), background).then(() => reply);
  }

  /**
   * Start COPY … FROM STDIN: resolves once the shard is in copy-in mode (rejects with the
   * statement's error otherwise); rows then stream to it as they are written.
   */
  async startCopyIn(sql: string): Promise<ShardCopyIn> {
    let tag = '';
    let inCopy!: () => void;
    let settled = false;
    const ready = new Promise<void>((resolve) => { inCopy = resolve; });
    const done = this.request(() => this.socket.write(serialize.query(sql)), {
      onMessage: (m) => {
        if (m.name === 'copyInResponse') inCopy();
        else if (m.name === 'commandComplete') tag = m.text;
      },
    });
    // after an error the shard drops further CopyData itself; the router stops sending too
    done.then(() => { settled = true; }, () => { settled = true; });
    await Promise.race([ready, done]);
    const socket = this.socket;
    return {
      write: async (data) => {
        if (settled || this.closed) return;
        if (!socket.write(serialize.copyData(data))) {
          await new Promise<void>((resolve) => {
            socket.once('drain', resolve);
            socket.once('close', resolve);
          });
        }
      },
      end: async () => {
        if (!settled && !this.closed) socket.write(serialize.copyDone());
        await done;
        return tag;
      },
      fail: async (message) => {
        if (!settled && !this.closed) socket.write(serialize.copyFail(message));
        await done.catch(() => {});
      },
    };
  }

  /** COPY … TO STDOUT: the CopyData chunks and the tag. */
  copyOut(sql: string): Promise<{ chunks: Buffer[]; tag: string }> {
    const out = { chunks: [] as Buffer[], tag: '' };
    return this.request(() => this.socket.write(serialize.query(sql)), {
      onMessage: (m) => {
        if (m.name === 'copyData') out.chunks.push(Buffer.from(m.chunk));
        else if (m.name === 'commandComplete') out.tag = m.text;
      },
    }).then(() => out);
  }

  /** Send a CancelRequest for whatever this connection runs now (a new socket, as libpq does). */
  cancel(): void {
    if (this.closed) return;
    const { host, port } = splitAddress(this.address);
    const s = connect({ host, port }, () => s.end(serialize.cancel(this.processId, this.secretKey)));
    s.on('error', () => {});
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.socket.destroyed) this.socket.end(serialize.end());
  }

  /**
   * Send `sql` (a SET) with the next request queued (not a background one), in the same
   * write: no round trip of its own. Its answer is read past; an error of it fails that
   * request (if it did not fail itself).
   */
  sendAhead(sql: string): void {
    this.ahead.push(sql);
  }

  /** Queue a request: `send` writes it, `handler` sees its messages; settles at ReadyForQuery. */
  private request(send: () => void, handler: { onMessage(m: Message): void; onError?(): void }, background = false): Promise<void> {
    // a stream suspended on this connection would hold the queue until the client pulls again
    if (!background) this.streaming?.drain();
    // the statements sent ahead belong to this request, taken now: a request queued before it
    // (the catalog read again in the background) must not carry them — it would use up the
    // statement's read timestamp (router/read-timestamp.ts)
    const ahead = background ? [] : this.ahead.splice(0);
    const run = (): Promise<void> => new Promise<void>((resolve, reject) => {
      if (this.closed) {
        reject(new SqlError('08006', `connection to shard ${this.shard} was lost`));
        return;
      }
      let error: Error | null = null;
      this.pending = {
        onMessage: (m) => {
          if (m.name === 'error') {
            error ??= toSqlError(m as unknown as DatabaseError);
            handler.onError?.();
          } else {
            try {
              handler.onMessage(m);
            } catch (e) {
              error ??= e as Error;
              if (!this.closed) this.socket.destroy();
            }
          }
        },
        done: () => {
          const failed = error ?? this.aheadError;
          this.aheadError = null;
          return failed ? reject(failed) : resolve();
        },
        fail: (e) => reject(error ?? e),
      };
      if (ahead.length > 0) {
        this.socket.write(Buffer.concat(ahead.map((sql) => serialize.query(sql))));
        this.aheadDue += ahead.length;
      }
      send();
    });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  private receive(m: Message): void {
    if (this.aheadDue > 0 && m.name !== 'parameterStatus' && m.name !== 'notice' && m.name !== 'notification') {
      // the answer of a statement sent ahead (sendAhead): only its error counts
      if (m.name === 'readyForQuery') {
        this.aheadDue--;
        this.status = m.status as 'I' | 'T' | 'E';
      } else if (m.name === 'error') this.aheadError ??= toSqlError(m as unknown as DatabaseError);
      return;
    }
    switch (m.name) {
      case 'parameterStatus':
        this.parameters.set(m.parameterName, m.parameterValue);
        this.parameterChanges.push([m.parameterName, m.parameterValue]);
        return;
      case 'backendKeyData':
        this.processId = m.processID;
        this.secretKey = m.secretKey;
        return;
      case 'notice':
        this.notices.push(toNotice(m));
        return;
      case 'notification':
        this.notifications.push({ pid: m.processId, channel: m.channel, payload: m.payload });
        this.onNotification?.();
        return;
      case 'readyForQuery': {
        this.status = m.status as 'I' | 'T' | 'E';
        const p = this.pending;
        this.pending = null;
        p?.done();
        return;
      }
      default:
        this.pending?.onMessage(m);
    }
  }

  private lost(e: Error): void {
    const p = this.pending;
    this.pending = null;
    this.closed = true;
    this.socket.destroy();
    // an authentication failure of the router's own (SCRAM with the cluster secret) keeps its 28000
    p?.fail(e instanceof SqlError && e.code === '28000' ? e : new SqlError('08006', `connection to shard ${this.shard} was lost: ${e.message}`));
  }
}

type TextRow = (string | null)[];

/** The client side of a shard portal read in row-limited batches (see ShardConnection.stream). */
class PortalStream implements ShardStream {
  tag = '';
  private buffer: TextRow[] = [];
  private at = 0;
  /** an Execute is outstanding */
  private requested = false;
  /** Sync sent: no more Executes (the rows end, or the rest comes in one piece) */
  private synced = false;
  /** ReadyForQuery came (or the connection was lost): nothing more will arrive */
  private over = false;
  private error: Error | null = null;
  /** CommandComplete came: every row is here */
  private complete = false;
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly fields: ShardField[], private readonly write: (data: Buffer) => void) {}

  async next(limit: number, prefetch = false): Promise<TextRow[] | null> {
    for (;;) {
      if (this.at < this.buffer.length) {
        const rows = this.take(limit);
        if (prefetch) this.request(limit);
        return rows;
      }
      if (this.error) {
        const e = this.error;
        this.error = null;
        throw e;
      }
      if (this.over || this.complete) return null;
      this.request(limit);
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.buffer = [];
    this.at = 0;
    if (!this.synced) {
      this.synced = true;
      this.write(Buffer.concat([serialize.close({ type: 'P', name: '' }), serialize.sync()]));
    }
    if (!this.over) await new Promise<void>((resolve) => { this.wake = resolve; });
  }

  /** the Execute of `limit` rows sent with the Bind */
  executeSent(limit: number): Buffer {
    this.requested = true;
    return serialize.execute({ portal: '', rows: limit });
  }

  /** another request waits for the connection: read the rest now */
  drain(): void {
    if (this.synced) return;
    this.synced = true;
    this.write(Buffer.concat([serialize.execute({ portal: '', rows: 0 }), serialize.sync()]));
  }

  /** the shard failed the statement: end the request (the error comes with ReadyForQuery) */
  sync(): void {
    if (this.synced) return;
    this.synced = true;
    this.write(serialize.sync());
  }

  onMessage(m: Message): void {
    switch (m.name) {
      case 'dataRow':
        if (!this.closed) this.buffer.push(m.fields);
        return;
      case 'portalSuspended':
        this.requested = false;
        this.wakeUp();
        return;
      case 'commandComplete':
        this.tag = m.text;
        this.complete = true;
        this.sync();
        // the rows ended: the client need not wait for the Sync's round trip (the queue does)
        this.wakeUp();
        return;
    }
  }

  finished(error: Error | null): void {
    this.over = true;
    if (error && !this.closed) this.error = error;
    this.wakeUp();
  }

  private request(limit: number): void {
    if (this.requested || this.synced) return;
    this.requested = true;
    this.write(Buffer.concat([serialize.execute({ portal: '', rows: limit }), serialize.flush()]));
  }

  private take(limit: number): TextRow[] {
    const end = Math.min(this.buffer.length, this.at + Math.max(1, limit));
    const rows = this.at === 0 && end === this.buffer.length ? this.buffer : this.buffer.slice(this.at, end);
    this.at = end;
    if (this.at === this.buffer.length) {
      this.buffer = [];
      this.at = 0;
    }
    return rows;
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

function replyCollector(reply: ShardReply): { onMessage(m: Message): void } {
  return {
    onMessage: (m) => {
      if (m.name === 'rowDescription') reply.fields = m.fields.map(toField);
      else if (m.name === 'dataRow') reply.rows.push(m.fields);
      else if (m.name === 'commandComplete') reply.tag = m.text;
    },
  };
}

function toField(f: { name: string; tableID: number; columnID: number; dataTypeID: number; dataTypeModifier: number }): ShardField {
  return { name: f.name, tableOid: f.tableID, columnAttr: f.columnID, typeOid: f.dataTypeID, typmod: f.dataTypeModifier };
}

/** The shard's ErrorResponse as the router's SqlError: every field the client would have seen. */
export function toSqlError(e: DatabaseError): SqlError {
  const fields: SqlErrorFields = {};
  if (e.detail !== undefined) fields.detail = e.detail;
  if (e.hint !== undefined) fields.hint = e.hint;
  if (e.position !== undefined) fields.position = Number(e.position);
  if (e.severity !== undefined && e.severity !== 'ERROR') fields.severity = e.severity as Severity;
  if (e.schema !== undefined) fields.schema = e.schema;
  if (e.table !== undefined) fields.table = e.table;
  if (e.column !== undefined) fields.column = e.column;
  if (e.constraint !== undefined) fields.constraint = e.constraint;
  if (e.dataType !== undefined) fields.dataType = e.dataType;
  if (e.where !== undefined) fields.where = e.where;
  return new SqlError(e.code ?? 'XX000', e.message, fields);
}

function toNotice(m: Message): SqlNotice {
  const notice: SqlNotice = { severity: (m.severity ?? 'NOTICE') as SqlNotice['severity'], code: m.code ?? '00000', message: m.message ?? '' };
  if (m.detail !== undefined) notice.detail = m.detail;
  if (m.hint !== undefined) notice.hint = m.hint;
  return notice;
}

export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return { host, port: Number(address.slice(at + 1)) };
}
