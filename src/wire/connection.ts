/**
 * One client connection: the protocol v3 state machine. Messages are handled strictly one
 * after another (an async loop pulls frames from the FrameReader), which keeps the order of
 * responses equal to the order of requests, and lets COPY IN pull its CopyData messages
 * from the same stream.
 *
 * States: startup (untyped packets) → ready (typed messages) → [copy-in] → closed.
 * After an error in an extended-query message, every message up to the next Sync is
 * discarded, as PostgreSQL does.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { SqlError, SqlState, toSqlError } from '../errors.js';
import type { Value } from '../types/types.js';
import { declaredParamType } from '../types/user-types.js';
import type { Backend, BackendRegistry, ExecResult, FieldInfo, PreparedStatement, ProtocolStatements } from './backend.js';
import { decodeParam, writeTextOutput, writeValue, type TextSettings } from './codecs.js';
import { textOutputIgnoresSettings } from '../types/text-io.js';
import { FrontendCode, StartupCode } from './message-codes.js';
import { Authenticator, ScramExchange, type AuthMethod, passwordFailed, safeEqual, type ChannelBinding } from './auth.js';
import { hbaRefusal, type HbaRequest } from './hba.js';
import type { HbaFile } from './hba-file.js';
import { FrameReader, MessageReader, fatalProtocolViolation, protocolViolation, type Frame } from './reader.js';
import * as msg from './writer.js';
import { DataRows } from './writer.js';

interface Statement {
  readonly sql: string;
  /** µs since the epoch (pg_prepared_statements.prepare_time) */
  readonly created: number;
  /** null for an empty query string (Execute answers EmptyQueryResponse) */
  readonly prepared: PreparedStatement | null;
  readonly paramTypes: readonly number[];
  /**
   * RowDescription frames of `prepared.fields` by result formats: node-pg describes the
   * portal at every run of a prepared statement, and the frame never changes
   */
  rowDescriptions?: Map<string, Buffer>;
}

interface Portal {
  readonly name: string;
  readonly stmt: Statement;
  readonly params: readonly Value[];
  /** one format code per result column */
  readonly resultFormats: readonly number[];
  /** set by the first Execute; later Executes continue from `cursor` in `result.rows` */
  result?: ExecResult;
  cursor: number;
  done: boolean;
}

/** A portal's result stream is closed when the portal goes (Close, Sync, a new unnamed portal). */
function closePortal(portal: Portal | undefined): void {
  if (portal?.result?.kind === 'rows') portal.result.more?.close();
}

/** TLS and authentication settings of the listener, shared by its connections. */
export interface ConnectionSecurity {
  /** set: SSLRequest is answered 'S' and the socket upgraded */
  tls?: {
    context: SecureContext;
    /** SCRAM-SHA-256-PLUS binding data of the certificate (undefined: -PLUS not offered) */
    binding?: ChannelBinding;
  };
  /** reject startups on plain connections, like a pg_hba.conf with only hostssl lines */
  tlsRequired?: boolean;
  auth?: Authenticator;
  /** --hba: which method applies to a connection (without it: `auth.method` for everyone) */
  hba?: HbaFile;
  /** --max-message-size: limit of Query/Parse/Bind/CopyData/FunctionCall messages */
  maxMessageSize?: number;
  /**
   * --cluster-secret: a startup packet with CLUSTER_PEER_PARAMETER (the shard router's) is
   * checked by SCRAM against the secret instead of `auth` / `hba`; undefined: such a startup is refused
   */
  clusterPeers?: Authenticator;
}

/**
 * The startup parameter a cluster peer (the shard router) sends to be checked against the
 * cluster secret: the router has authenticated the client itself and connects as that user.
 */
export const CLUSTER_PEER_PARAMETER = 'quiver.cluster_peer';

/** PostgreSQL's authentication_timeout default */
const AUTHENTICATION_TIMEOUT_MS = 60_000;
/** pause reading from the socket while this many bytes wait unparsed */
const INPUT_HIGH_WATER = 4 << 20;
/** write out buffered responses once they reach this size */
const OUTPUT_HIGH_WATER = 64 << 10;

export class Connection {
  private readonly reader = new FrameReader();
  private out: Buffer[] = [];
  private outBytes = 0;
  private backend: Backend | undefined;
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  private ignoreTillSync = false;
  private closed = false;
  private wakeUp: (() => void) | undefined;
  private backendClosed = false;
  /** a Backend.execute() is in progress (a lost client cancels it) */
  private executing = false;
  /** ReadyForQuery was the last thing sent and no message has come since: the client is idle */
  private idleAfterReady = false;
  readonly finished: Promise<void>;
  /** the TCP socket, or the TLSSocket over it after SSLRequest */
  private socket: Socket;
  private readonly remoteHost: string;

  constructor(
    socket: Socket,
    private readonly registry: BackendRegistry,
    private readonly log: Logger,
    private readonly security: ConnectionSecurity = {},
  ) {
    this.socket = socket;
    if (security.maxMessageSize !== undefined) this.reader.maxMessageSize = security.maxMessageSize;
    this.remoteHost = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    socket.setNoDelay(true);
    socket.on('error', (e) => this.log.debug({ err: e }, 'socket error'));
    this.listen(socket);
    this.log.debug({ remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'connection opened');
    this.finished = this.run().catch((e: unknown) => this.log.warn({ err: e }, 'connection loop failed'));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    if (this.reader.buffered > INPUT_HIGH_WATER) this.socket.pause();
    this.wake();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    if (this.executing) this.cancelRunningStatement();
    this.dropAllPortals();
    this.wake();
  };

  /** The named Parse statements as the backend may see them (the unnamed one is not listed). */
  private protocolStatements(): ProtocolStatements {
    const statements = this.statements;
    return {
      has: (name) => name !== '' && statements.has(name),
      delete: (name) => name !== '' && statements.delete(name),
      clear: () => {
        for (const name of [...statements.keys()]) if (name !== '') statements.delete(name);
      },
      list: () => [...statements].filter(([name]) => name !== '').map(([name, s]) => ({ name, sql: s.sql, paramTypes: s.paramTypes, created: s.created })),
    };
  }

  private dropPortal(name: string): void {
    closePortal(this.portals.get(name));
    this.portals.delete(name);
  }

  private dropAllPortals(): void {
    for (const p of this.portals.values()) closePortal(p);
    this.portals.clear();
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
  }

  /**
   * After answering 'S' to SSLRequest: the TLS handshake and everything after it run over
   * a TLSSocket wrapping the TCP socket. The caller made sure no plaintext byte after the
   * SSLRequest was taken (anything the client sends now is the ClientHello).
   */
  private upgradeToTls(context: SecureContext): void {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.off('close', this.onClose);
    const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
    tls.on('error', (e) => this.log.debug({ err: e }, 'TLS error'));
    tls.once('secure', () => this.log.debug({ protocol: tls.getProtocol(), cipher: tls.getCipher().name }, 'TLS established'));
    this.socket = tls;
    this.listen(tls);
  }

  private get tlsInUse(): boolean {
    return this.socket instanceof TLSSocket;
  }

  /** Server shutdown: tell the client why, then close. */
  terminate(error = new SqlError(SqlState.adminShutdown, 'terminating connection due to administrator command')): void {
    if (this.closed) return;
    this.send(msg.errorResponse(error, 'FATAL'));
    this.flushNow();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private cancelRunningStatement(): void {
    try {
      this.backend?.cancel();
    } catch (e) {
      this.log.warn({ err: e }, 'backend cancel failed');
    }
  }

  private async executeStatement(stmt: PreparedStatement, params: readonly Value[]): Promise<ExecResult> {
    this.executing = true;
    try {
      return await this.requireBackend().execute(stmt, params);
    } finally {
      this.executing = false;
    }
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    try {
      if (!(await this.startup())) return;
      for (;;) {
        // a pipelined Bind/Describe/Execute/Sync is in the buffer at once: taken and, where
        // the message is answered without waiting, handled without a promise each
        const frame = this.bufferedFrame() ?? (await this.nextFrame());
        if (!frame || frame.code === FrontendCode.Terminate) break;
        const pending = this.handle(frame);
        if (pending) await pending;
      }
    } catch (e) {
      this.fatal(e);
    } finally {
      this.closeBackend();
      if (!this.socket.destroyed) this.socket.end();
      this.log.debug('connection closed');
    }
  }

  private closeBackend(): void {
    if (this.backend && !this.backendClosed) {
      this.backendClosed = true;
      try {
        this.backend.close();
      } catch (e) {
        this.log.warn({ err: e }, 'backend close failed');
      }
    }
  }

  private fatal(e: unknown): void {
    const err = toSqlError(e);
    if (!(e instanceof SqlError)) this.log.warn({ err: e }, 'internal error');
    else this.log.warn({ code: err.code, message: err.message }, 'fatal error');
    if (this.closed) return;
    this.send(msg.errorResponse(err, 'FATAL'));
    this.flushNow();
    this.socket.end();
  }

  /**
   * The next message, waiting for bytes as needed; undefined once the connection closed,
   * 'interrupted' once `signal` aborted. `copyPieces`: CopyData in pieces as its bytes arrive
   * (FrameReader.nextCopyPiece).
   */
  private async nextFrame(): Promise<Frame | undefined>;
  private async nextFrame(signal: AbortSignal | undefined, copyPieces?: boolean): Promise<Frame | undefined | 'interrupted'>;
  private async nextFrame(signal?: AbortSignal, copyPieces = false): Promise<Frame | undefined | 'interrupted'> {
    for (;;) {
      if (signal?.aborted) return 'interrupted';
      const frame = this.bufferedFrame(copyPieces);
      if (frame) return frame;
      if (this.closed) return undefined;
      if (this.socket.isPaused()) this.socket.resume();
      // Nothing more to read now: make sure the client has everything we produced.
      this.flushNow();
      await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
  }

  /**
   * The next whole frame already received, if any (reading resumes once the buffer drained);
   * `copyPieces`: a CopyData's received part (FrameReader.nextCopyPiece).
   */
  private bufferedFrame(copyPieces = false): Frame | undefined {
    const frame = copyPieces ? this.reader.nextCopyPiece() : this.reader.next();
    if (frame && this.socket.isPaused() && this.reader.buffered < INPUT_HIGH_WATER) this.socket.resume();
    return frame;
  }

  // ---- output ---------------------------------------------------------------------------

  private send(buf: Buffer): void {
    this.out.push(buf);
    this.outBytes += buf.length;
  }

  private flushNow(): boolean {
    if (this.outBytes === 0) return true;
    const data = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(data);
  }

  /** Flush if the buffer is large, and wait while the socket is congested. */
  private async flushIfFull(): Promise<void> {
    if (this.outBytes < OUTPUT_HIGH_WATER) return;
    if (this.flushNow()) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private sendError(e: unknown): void {
    const err = toSqlError(e);
    if (!(e instanceof SqlError)) this.log.warn({ err: e }, 'internal error');
    else this.log.debug({ code: err.code, message: err.message }, 'error');
    this.send(msg.errorResponse(err));
  }

  private sendNotices(): void {
    if (!this.backend) return;
    for (const n of this.backend.takeNotices()) this.send(msg.noticeResponse(n));
  }

  private sendNotifications(): void {
    for (const n of this.backend?.takeNotifications?.() ?? []) this.send(msg.notificationResponse(n.pid, n.channel, n.payload));
  }

  /** LISTEN: an idle client gets a notification at once, a busy one before its next ReadyForQuery */
  private notificationsArrived(): void {
    if (!this.idleAfterReady || this.closed) return;
    this.sendNotifications();
    this.flushNow();
  }

  private readyForQuery(): void {
    const backend = this.requireBackend();
    for (const [name, value] of backend.takeParameterChanges()) this.send(msg.parameterStatus(name, value));
    this.sendNotifications();
    this.send(msg.readyForQuery(backend.transactionStatus()));
    this.idleAfterReady = true;
    this.flushNow();
  }

  private requireBackend(): Backend {
    if (!this.backend) throw new SqlError(SqlState.internalError, 'bug: no backend before startup');
    return this.backend;
  }

  // ---- startup --------------------------------------------------------------------------

  /**
   * Returns false when the connection ends without a session (cancel request, close).
   * Like PostgreSQL's authentication_timeout (1 min), a client that does not finish the
   * startup and password exchange in time is disconnected.
   */
  private async startup(): Promise<boolean> {
    const timer = setTimeout(() => {
      this.log.debug('startup/authentication timeout');
      this.socket.destroy();
    }, AUTHENTICATION_TIMEOUT_MS);
    timer.unref();
    try {
      return await this.negotiateAndStart();
    } finally {
      clearTimeout(timer);
    }
  }

  private async negotiateAndStart(): Promise<boolean> {
    // Like PostgreSQL's ProcessStartupPacket: one SSLRequest, and a GSSENCRequest only
    // before TLS; a repeated one is an unknown protocol version (1234.5679 / 1234.5680).
    let sslDone = false;
    let gssDone = false;
    for (;;) {
      const frame = await this.nextFrame();
      if (!frame) return false;
      const r = new MessageReader(frame.body);
      const code = r.int32();
      if ((code === StartupCode.SSLRequest && !sslDone) || (code === StartupCode.GSSENCRequest && !gssDone)) {
        const tls = code === StartupCode.SSLRequest ? this.security.tls : undefined;
        // Bytes after the request came before encryption (CVE-2021-23214): PostgreSQL
        // answers, completes the handshake, then refuses.
        const injected = this.reader.buffered > 0;
        this.send(Buffer.from(tls ? 'S' : 'N'));
        this.flushNow();
        if (code === StartupCode.SSLRequest) {
          sslDone = true;
          if (tls) {
            gssDone = true;
            if (injected) this.reader.discard();
            this.upgradeToTls(tls.context);
          }
        } else {
          gssDone = true;
        }
        if (injected) {
          throw new SqlError(SqlState.protocolViolation, `received unencrypted data after ${code === StartupCode.SSLRequest ? 'SSL' : 'GSSAPI encryption'} request`, {
            severity: 'FATAL',
            detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
          });
        }
        continue;
      }
      if (code === StartupCode.CancelRequest) {
        const pid = r.int32();
        const key = r.int32();
        this.log.debug({ pid }, 'cancel request');
        this.registry.cancel(pid, key);
        return false;
      }
      const major = code >>> 16;
      const minor = code & 0xffff;
      if (major !== 3) {
        throw new SqlError(SqlState.featureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, { severity: 'FATAL' });
      }
      const params = this.readStartupParams(r, frame.body);
      const unrecognized = Object.keys(params).filter((k) => k.startsWith('_pq_.'));
      if (minor > 0 || unrecognized.length > 0) this.send(msg.negotiateProtocolVersion(0, unrecognized));
      if (!params['user']) {
        throw new SqlError(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' });
      }
      if (!params['database']) params['database'] = params['user'];
      this.log.debug({ user: params['user'], database: params['database'], tls: this.tlsInUse }, 'startup');
      this.reader.expectStartup = false;
      if (this.security.tlsRequired && !this.tlsInUse) {
        throw new SqlError(SqlState.invalidAuthorizationSpecification,
          `no pg_hba.conf entry for host "${this.remoteHost}", user "${params['user']}", database "${params['database']}", no encryption`, { severity: 'FATAL' });
      }
      const peer = params[CLUSTER_PEER_PARAMETER] !== undefined;
      delete params[CLUSTER_PEER_PARAMETER];
      if (peer) {
        if (!this.security.clusterPeers) {
          throw new SqlError(SqlState.invalidAuthorizationSpecification, 'a cluster peer connected, but this node has no --cluster-secret to check it against', { severity: 'FATAL' });
        }
        if (!(await this.authenticateScram(this.security.clusterPeers, params['user']))) return false;
      } else if (!(await this.authenticate(params['user'], this.authMethodFor(params['user'], params['database'])))) return false;
      this.backend = this.registry.create({
        remoteAddress: this.remoteHost,
        remotePort: this.socket.remotePort,
        localAddress: (this.socket.localAddress ?? '').replace(/^::ffff:/, ''),
        localPort: this.socket.localPort,
        terminate: (error) => this.terminate(error),
        notificationsArrived: () => this.notificationsArrived(),
        protocolStatements: this.protocolStatements(),
      });
      let info;
      try {
        info = this.backend.startup(params);
      } catch (e) {
        const err = toSqlError(e);
        throw new SqlError(err.code, err.message, { ...err.fields, severity: 'FATAL' });
      }
      this.send(msg.authenticationOk());
      for (const [name, value] of info.parameterStatus) this.send(msg.parameterStatus(name, value));
      this.send(msg.backendKeyData(info.processId, info.secretKey));
      this.readyForQuery();
      return true;
    }
  }

  // ---- authentication -------------------------------------------------------------------

  /**
   * Runs the configured password exchange; resolves false if the client hung up (psql does
   * that to prompt for a password, then reconnects). AuthenticationOk is sent by startup().
   */
  private async authenticate(user: string, method: AuthMethod): Promise<boolean> {
    const auth = this.security.auth;
    if (method === 'trust') return true;
    if (!auth) throw passwordFailed(user);
    switch (method) {
      case 'password': {
        this.send(msg.authenticationCleartextPassword());
        const password = await this.passwordPacket('password');
        if (password === undefined) return false;
        if (!auth.checkCleartext(user, password)) throw passwordFailed(user);
        return true;
      }
      case 'md5': {
        const salt = randomBytes(4);
        const expected = auth.md5Expected(user, salt);
        // a role whose stored secret is SCRAM authenticates with SCRAM (PostgreSQL's CheckPWChallengeAuth)
        if (expected === 'scram') return this.authenticateScram(auth, user);
        this.send(msg.authenticationMD5Password(salt));
        const response = await this.passwordPacket('password');
        if (response === undefined) return false;
        if (expected === undefined || !safeEqual(response, expected)) throw passwordFailed(user);
        return true;
      }
      case 'scram-sha-256':
        return this.authenticateScram(auth, user);
    }
  }

  /** The method of the first matching --hba line (FATAL 28000 on `reject` or no match), else --auth's. */
  private authMethodFor(user: string, database: string): AuthMethod {
    if (!this.security.hba) return this.security.auth?.method ?? 'trust';
    const req: HbaRequest = { address: this.remoteHost, ssl: this.tlsInUse, user, database };
    const decision = this.security.hba.decide(req);
    if (decision.kind === 'method') return decision.method;
    throw new SqlError(SqlState.invalidAuthorizationSpecification, hbaRefusal(decision, req), { severity: 'FATAL' });
  }

  /** The next PasswordMessage/SASL message body; undefined if the connection closed. */
  private async authMessage(what: 'password' | 'SASL'): Promise<MessageReader | undefined> {
    const frame = await this.nextFrame();
    if (!frame) return undefined;
    if (frame.code !== FrontendCode.Password) throw fatalProtocolViolation(`expected ${what} response, got message type ${frame.code}`);
    return new MessageReader(frame.body);
  }

  private async passwordPacket(what: 'password'): Promise<string | undefined> {
    const r = await this.authMessage(what);
    if (!r) return undefined;
    const body = r.bytes(r.remaining);
    if (body.indexOf(0) !== body.length - 1) throw fatalProtocolViolation('invalid password packet size');
    const password = body.toString('utf8', 0, body.length - 1);
    if (password === '') throw new SqlError(SqlState.invalidPassword, 'empty password returned by client', { severity: 'FATAL' });
    return password;
  }

  private async authenticateScram(auth: Authenticator, user: string): Promise<boolean> {
    const binding = this.tlsInUse ? this.security.tls?.binding : undefined;
    const mechanisms = binding ? ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] : ['SCRAM-SHA-256'];
    this.send(msg.authenticationSASL(mechanisms));
    const first = await this.authMessage('SASL');
    if (!first) return false;
    const mechanism = first.cstring();
    if (mechanism !== 'SCRAM-SHA-256' && !(mechanism === 'SCRAM-SHA-256-PLUS' && binding)) {
      throw fatalProtocolViolation('client selected an invalid SASL authentication mechanism');
    }
    const length = first.int32();
    const initial = length === -1 ? '' : first.bytes(length).toString('utf8');
    first.end();
    const { verifier, known } = auth.scramVerifier(user);
    const exchange = new ScramExchange(user, mechanism, verifier, known, binding);
    this.send(msg.authenticationSASLContinue(exchange.clientFirst(initial)));
    const final = await this.authMessage('SASL');
    if (!final) return false;
    const serverFinal = exchange.clientFinal(final.bytes(final.remaining).toString('utf8'));
    this.send(msg.authenticationSASLFinal(serverFinal));
    return true;
  }

  private readStartupParams(r: MessageReader, body: Buffer): Record<string, string> {
    if (body[body.length - 1] !== 0) throw fatalProtocolViolation('invalid startup packet layout: expected terminator as last byte');
    const params: Record<string, string> = {};
    try {
      for (;;) {
        const name = r.cstring();
        if (name === '') break;
        params[name] = r.cstring();
      }
    } catch (e) {
      // invalid UTF-8 in a name or value: say so (PostgreSQL passes the bytes on unchecked)
      if (e instanceof SqlError && e.code === SqlState.characterNotInRepertoire) throw new SqlError(e.code, e.message, { severity: 'FATAL' });
      throw fatalProtocolViolation('invalid startup packet layout: expected terminator as last byte');
    }
    return params;
  }

  // ---- message dispatch -----------------------------------------------------------------

  /**
   * One message. A promise only for those that wait (Query, Parse, Execute): Bind, Describe,
   * Close, Sync and Flush are answered on the spot, so the pipeline of a prepared
   * statement's run costs no promise and no microtask turn per message.
   */
  private handle(frame: Frame): Promise<void> | undefined {
    this.idleAfterReady = false;
    if (this.ignoreTillSync && frame.code !== FrontendCode.Sync) return undefined;
    const r = new MessageReader(frame.body);
    switch (frame.code) {
      case FrontendCode.Query:
        return this.simpleQuery(r);
      case FrontendCode.Sync:
        return this.sync();
      case FrontendCode.FunctionCall:
        this.sendError(new SqlError(SqlState.featureNotSupported, 'function call messages are not supported'));
        this.readyForQuery();
        return undefined;
      case FrontendCode.CopyData:
      case FrontendCode.CopyDone:
      case FrontendCode.CopyFail:
        // Accepted and ignored outside COPY, like PostgreSQL: a COPY probably failed and
        // the client is still sending its data.
        return undefined;
    }
    try {
      let waiting: Promise<void>;
      switch (frame.code) {
        case FrontendCode.Parse: waiting = this.parse(r); break;
        case FrontendCode.Bind: this.bind(r); return undefined;
        case FrontendCode.Describe: this.describe(r); return undefined;
        case FrontendCode.Execute: waiting = this.execute(r); break;
        case FrontendCode.Close: this.close(r); return undefined;
        case FrontendCode.Flush:
          this.flushNow();
          return undefined;
        default:
          throw fatalProtocolViolation(`invalid frontend message type ${frame.code}`);
      }
      return waiting.catch((e: unknown) => this.extendedQueryFailed(e));
    } catch (e) {
      this.extendedQueryFailed(e);
      return undefined;
    }
  }

  /** An extended-query message failed: the error is sent and everything up to Sync skipped (a FATAL one ends the connection). */
  private extendedQueryFailed(e: unknown): void {
    if (e instanceof SqlError && e.severity === 'FATAL') throw e;
    this.backend?.abortBlock?.();
    this.sendNotices();
    this.sendError(e);
    this.ignoreTillSync = true;
  }

  // ---- simple query ---------------------------------------------------------------------

  private async simpleQuery(r: MessageReader): Promise<void> {
    const backend = this.requireBackend();
    this.statements.delete('');
    this.dropPortal('');
    let sql = '';
    try {
      sql = r.cstring();
      const parts = backend.splitStatements(sql);
      if (parts.length === 0) this.send(msg.emptyQueryResponse());
      backend.simpleQueryStarted?.(parts.length);
      let searchFrom = 0;
      for (const part of parts) {
        const offset = sql.indexOf(part, searchFrom);
        if (offset >= 0) searchFrom = offset + part.length;
        try {
          const catchingUp = backend.beforeStatement?.(part);
          if (catchingUp) await catchingUp;
          const stmt = backend.prepare(part, []);
          const result = await this.executeStatement(stmt, []);
          this.sendNotices();
          await this.sendResult(result, null, 0, true);
        } catch (e) {
          throw e instanceof SqlError && offset > 0 ? shiftPosition(e, sql, offset) : e;
        }
      }
    } catch (e) {
      if (e instanceof SqlError && e.severity === 'FATAL') throw e;
      this.sendNotices();
      this.sendError(e);
    }
    const committing = this.endImplicitTransaction(backend);
    if (committing) await committing;
    // Portals live until the end of their transaction: a COMMIT or ROLLBACK in this Query ended it
    if (backend.transactionStatus() === 'I') this.dropAllPortals();
    this.readyForQuery();
  }

  /**
   * Send one statement's result. formats: per-column result formats (null = all text).
   * For row results, sends at most maxRows rows (0 = all) from the portal's cursor and
   * returns whether rows remain (→ PortalSuspended).
   */
  private async sendResult(result: ExecResult, portal: Portal | null, maxRows: number, withRowDescription: boolean): Promise<boolean> {
    switch (result.kind) {
      case 'command':
        this.send(msg.commandComplete(result.tag));
        return false;
      case 'rows': {
        const formats = portal?.resultFormats ?? result.fields.map(() => 0);
        if (withRowDescription) this.send(msg.rowDescription(result.fields, formats));
        const sent = await this.sendRowsOf(result, portal, maxRows, formats);
        if (sent.suspended) {
          this.send(msg.portalSuspended());
          return true;
        }
        // Like PostgreSQL, a SELECT that was fetched in pieces reports the rows of this piece.
        const tag = result.tag;
        this.send(msg.commandComplete(tag.startsWith('SELECT') ? `SELECT ${sent.count}` : tag));
        return false;
      }
      case 'copyOut': {
        this.send(msg.copyOutResponse(result.format, result.columnCount));
        for (const chunk of result.chunks) {
          this.send(msg.copyData(chunk));
          await this.flushIfFull();
        }
        this.send(msg.copyDone());
        this.send(msg.commandComplete(result.tag));
        return false;
      }
      case 'copyIn': {
        const { tag } = await this.copyIn(result);
        this.send(msg.commandComplete(tag));
        return false;
      }
    }
  }

  /**
   * Send up to maxRows rows (0 = all) of a row result, continuing where the portal's last
   * Execute stopped; a streamed result is pulled batch by batch as it is sent, so only one
   * batch is in memory at a time. `suspended`: rows may remain (→ PortalSuspended; also when exactly maxRows were sent, as PostgreSQL).
   */
  private async sendRowsOf(result: Extract<ExecResult, { kind: 'rows' }>, portal: Portal | null, maxRows: number, formats: readonly number[]): Promise<{ count: number; suspended: boolean }> {
    const fields = result.fields;
    // the session's settings are read only when a column's output depends on them
    // text output passed through is parsed only for a binary column, with the settings it was written under
    const settings = (result.text ? formats.some((f) => f === 1) : fields.some((f, c) => (formats[c] ?? 0) === 0 && !textOutputIgnoresSettings(f.type.oid))) ? this.textSettings() : NO_SETTINGS;
    const write = result.text ? writeTextOutput : writeValue;
    const out = new DataRows();
    const width = fields.length;
    let cursor = portal?.cursor ?? 0;
    let count = 0;
    try {
      for (;;) {
        while (cursor < result.rows.length && (maxRows <= 0 || count < maxRows)) {
          const row = result.rows[cursor++]!;
          out.beginRow(width);
          for (let c = 0; c < width; c++) write(out, fields[c]!.type, row[c] ?? null, formats[c] ?? 0, settings);
          out.endRow();
          count++;
          // (checked here: an await per row cost a microtask turn per row even with nothing to flush)
          if (this.outBytes + out.size >= OUTPUT_HIGH_WATER) {
            this.send(out.take());
            await this.flushIfFull();
          }
        }
        if (out.size > 0) this.send(out.take());
        // PostgreSQL's executor stops at maxRows without looking further: the portal is suspended even if no row is left
        if (cursor < result.rows.length || (maxRows > 0 && count >= maxRows)) return { count, suspended: true };
        // the rows the client's Execute still wants (a stream fetching from elsewhere, the shard router, fetches no more)
        // (the end of a statement that answered in its first batch is known without a promise)
        const now = result.more && !this.closed ? result.more.nextNow?.() : null;
        const next = now !== undefined ? now : await result.more!.next(maxRows > 0 ? maxRows - count : undefined);
        if (next === null) {
          result.more?.close();
          return { count, suspended: false };
        }
        result.rows = next;
        cursor = 0;
      }
    } finally {
      // the rows before one that failed still go out, as they did frame by frame
      if (out.size > 0) this.send(out.take());
      if (portal) portal.cursor = cursor;
    }
  }

  private textSettings(): TextSettings {
    const backend = this.requireBackend();
    const get = (name: string): string | undefined => backend.setting(name) ?? backend.setting(name.toLowerCase());
    const extra = get('extra_float_digits');
    const settings: TextSettings = {};
    const timezone = get('TimeZone');
    const dateStyle = get('DateStyle');
    if (timezone !== undefined) settings.timezone = timezone;
    if (dateStyle !== undefined) settings.dateStyle = dateStyle;
    const intervalStyle = get('IntervalStyle');
    if (intervalStyle !== undefined) settings.intervalStyle = intervalStyle;
    if (extra !== undefined && extra !== '') settings.extraFloatDigits = Number(extra);
    if (backend.regclassName) settings.relationName = (oid) => backend.regclassName!(oid);
    if (backend.regprocName) settings.procName = (oid, signature) => backend.regprocName!(oid, signature);
    // parameters of type regclass, regproc, … arrive as names (pgcli: $1::regclass) and are looked up as regclassin does
    if (backend.regLookups) Object.assign(settings, backend.regLookups());
    return settings;
  }

  /** COPY FROM STDIN: collect CopyData until CopyDone or CopyFail. */
  private async copyIn(result: Extract<ExecResult, { kind: 'copyIn' }>): Promise<{ tag: string }> {
    this.send(msg.copyInResponse(result.format, result.columnCount));
    this.flushNow();
    const chunks: Buffer[] = [];
    const fail = async (err: SqlError): Promise<never> => {
      try {
        await result.finish(err);
      } catch {
        // the backend may reject with the same error; ours is the one reported
      }
      throw err;
    };
    // a cancel or statement_timeout answers at once, like PostgreSQL: the CopyData still
    // coming is dropped by the main loop
    const signal = result.interrupted;
    const wake = (): void => this.wake();
    signal?.addEventListener('abort', wake);
    try {
      return await this.receiveCopyData(result, chunks, fail);
    } finally {
      signal?.removeEventListener('abort', wake);
    }
  }

  private async receiveCopyData(result: Extract<ExecResult, { kind: 'copyIn' }>, chunks: Buffer[], fail: (err: SqlError) => Promise<never>): Promise<{ tag: string }> {
    // a streaming backend takes the data in pieces as they arrive, unjoined
    const pieces = result.accept !== undefined;
    for (;;) {
      const frame = await this.nextFrame(result.interrupted, pieces);
      if (frame === 'interrupted') return fail(result.interruption?.() ?? new SqlError(SqlState.queryCanceled, 'canceling statement due to user request'));
      if (!frame) return fail(new SqlError(SqlState.queryCanceled, 'COPY from stdin failed: connection closed'));
      switch (frame.code) {
        case FrontendCode.CopyData:
          // a streaming backend parses while the client is still sending; while it takes
          // turns of the event loop over a payload, the input waits (and the socket pauses)
          if (result.accept) {
            const parsing = result.accept(frame.body);
            if (parsing) await parsing;
          } else chunks.push(frame.body);
          continue;
        case FrontendCode.CopyDone:
          return result.finish(chunks);
        case FrontendCode.CopyFail:
          return fail(new SqlError(SqlState.queryCanceled, `COPY from stdin failed: ${new MessageReader(frame.body).cstring()}`));
        case FrontendCode.Flush:
        case FrontendCode.Sync:
          continue;
        default:
          return fail(protocolViolation(`unexpected message type 0x${frame.code.toString(16).toUpperCase().padStart(2, '0')} during COPY from stdin`));
      }
    }
  }

  // ---- extended query -------------------------------------------------------------------

  private async parse(r: MessageReader): Promise<void> {
    const backend = this.requireBackend();
    const name = r.cstring();
    const sql = r.cstring();
    const n = r.int16();
    const types: number[] = [];
    for (let i = 0; i < n; i++) types.push(r.uint32());
    r.end();
    if (name === '') this.statements.delete('');
    else if (this.statements.has(name) || backend.hasSqlPreparedStatement?.(name)) throw new SqlError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    const parts = backend.splitStatements(sql);
    if (parts.length > 1) throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    let prepared: PreparedStatement | null = null;
    if (parts.length === 1) {
      const offset = Math.max(0, sql.indexOf(parts[0]!));
      const catchingUp = backend.beforeStatement?.(parts[0]!);
      if (catchingUp) await catchingUp;
      try {
        prepared = backend.prepare(parts[0]!, types);
      } catch (e) {
        throw e instanceof SqlError && offset > 0 ? shiftPosition(e, sql, offset) : e;
      }
    }
    this.statements.set(name, { sql, prepared, paramTypes: prepared?.paramTypes ?? types, created: Date.now() * 1000 });
    this.send(msg.parseComplete());
  }

  private bind(r: MessageReader): void {
    const portalName = r.cstring();
    const stmtName = r.cstring();
    const paramFormats: number[] = [];
    for (let i = 0, n = r.int16(); i < n; i++) paramFormats.push(r.int16());
    const nParams = r.int16();
    if (paramFormats.length > 1 && paramFormats.length !== nParams) {
      throw protocolViolation(`bind message has ${paramFormats.length} parameter formats but ${nParams} parameters`);
    }
    const stmt = this.statements.get(stmtName);
    if (!stmt) throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${stmtName}" does not exist`);
    if (nParams !== stmt.paramTypes.length) {
      throw protocolViolation(`bind message supplies ${nParams} parameters, but prepared statement "${stmtName}" requires ${stmt.paramTypes.length}`);
    }
    if (portalName === '') this.dropPortal('');
    else if (this.portals.has(portalName)) throw new SqlError(SqlState.duplicateCursor, `cursor "${portalName}" already exists`);
    const params: Value[] = [];
    // the session's settings are read only if a parameter's input needs them (not a vector's)
    let settings: TextSettings | undefined;
    const settingsNow = (): TextSettings => (settings ??= this.textSettings());
    for (let i = 0; i < nParams; i++) {
      const len = r.int32();
      const data = len === -1 ? null : r.bytes(len);
      const format = checkFormat(paramFormats.length === 0 ? 0 : paramFormats.length === 1 ? paramFormats[0]! : paramFormats[i]!);
      try {
        // a domain's parameter is read as its base type, then its constraints checked (domain_in)
        const value = decodeParam(declaredParamType(stmt.paramTypes[i]!), data, format, i, settingsNow);
        this.requireBackend().checkParam?.(stmt.paramTypes[i]!, value);
        params.push(value);
      } catch (e) {
        throw withParamContext(e, portalName, i, data, format, byteSetting(this.requireBackend().setting('log_parameter_max_length_on_error')));
      }
    }
    const resultFormats: number[] = [];
    for (let i = 0, n = r.int16(); i < n; i++) resultFormats.push(checkFormat(r.int16()));
    r.end();
    const columns = stmt.prepared?.fields?.length ?? 0;
    if (stmt.prepared?.fields && resultFormats.length > 1 && resultFormats.length !== columns) {
      throw protocolViolation(`bind message has ${resultFormats.length} result formats but query has ${columns} columns`);
    }
    const perColumn = Array.from({ length: columns }, (_, i) => (resultFormats.length === 0 ? 0 : resultFormats.length === 1 ? resultFormats[0]! : resultFormats[i]!));
    this.portals.set(portalName, { name: portalName, stmt, params, resultFormats: perColumn, cursor: 0, done: false });
    this.send(msg.bindComplete());
  }

  private describe(r: MessageReader): void {
    const kind = String.fromCharCode(r.int8());
    const name = r.cstring();
    r.end();
    if (kind === 'S') {
      const stmt = this.statements.get(name);
      if (!stmt) throw new SqlError(SqlState.invalidSqlStatementName, `prepared statement "${name}" does not exist`);
      this.send(msg.parameterDescription(stmt.paramTypes));
      const fields = stmt.prepared?.fields;
      this.send(fields ? msg.rowDescription(fields, fields.map(() => 0)) : msg.noData());
    } else if (kind === 'P') {
      const portal = this.portals.get(name);
      if (!portal) {
        // a cursor opened with DECLARE is a portal too (psycopg's server-side cursors describe it); its rows come as text
        const cursorFields = this.backend?.describeCursor?.(name);
        if (!cursorFields) throw new SqlError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
        this.send(msg.rowDescription(cursorFields, cursorFields.map(() => 0)));
        return;
      }
      if (portal.result?.kind === 'rows') this.send(msg.rowDescription(portal.result.fields, portal.resultFormats));
      else this.send(preparedRowDescription(portal.stmt, portal.resultFormats) ?? msg.noData());
    } else {
      throw protocolViolation(`invalid DESCRIBE message subtype ${kind.charCodeAt(0)}`);
    }
  }

  private async execute(r: MessageReader): Promise<void> {
    const name = r.cstring();
    const maxRows = r.int32();
    r.end();
    const portal = this.portals.get(name);
    if (!portal) throw new SqlError(SqlState.invalidCursorName, `portal "${name}" does not exist`);
    const prepared = portal.stmt.prepared;
    if (!prepared) {
      this.send(msg.emptyQueryResponse());
      return;
    }
    if (portal.done) {
      if (portal.result?.kind !== 'rows') throw new SqlError('55000', `portal "${name}" cannot be run`);
      // PostgreSQL runs the finished portal again: no rows, its tag with a count of 0 (SELECT 0, FETCH 0; SHOW has none)
      this.send(msg.commandComplete(portal.result.tag.startsWith('SELECT') ? 'SELECT 0' : portal.result.tag.replace(/ \d+$/, ' 0')));
      return;
    }
    if (!portal.result) {
      // an Execute right before its Sync is alone in its implicit transaction unless one is
      // open already: it may commit on its own (node-pg and JDBC send Parse … Execute, Sync at once)
      if (this.reader.peekCode() !== FrontendCode.Sync) this.backend?.extendedExecuteStarted?.();
      portal.result = await this.executeStatement(prepared, portal.params);
      this.sendNotices();
    }
    const suspended = await this.sendResult(portal.result, portal, maxRows, false);
    if (!suspended) portal.done = true;
  }

  private close(r: MessageReader): void {
    const kind = String.fromCharCode(r.int8());
    const name = r.cstring();
    r.end();
    if (kind === 'S') this.statements.delete(name);
    else if (kind === 'P') this.dropPortal(name);
    else throw protocolViolation(`invalid CLOSE message subtype ${kind.charCodeAt(0)}`);
    this.send(msg.closeComplete());
  }

  /**
   * The implicit transaction ends (Sync, end of a Query): its commit's error, if any, goes
   * before ReadyForQuery. A promise only while a commit is being written.
   */
  private endImplicitTransaction(backend: Backend): Promise<void> | undefined {
    try {
      const committing = backend.sync?.();
      if (committing) return committing.catch((e: unknown) => this.implicitCommitFailed(e));
    } catch (e) {
      this.implicitCommitFailed(e);
    }
    return undefined;
  }

  private implicitCommitFailed(e: unknown): void {
    if (e instanceof SqlError && e.severity === 'FATAL') throw e;
    this.sendNotices();
    this.sendError(e);
  }

  /** Sync: synchronous unless the implicit transaction has writes to commit (pipelined reads stay without a promise). */
  private sync(): Promise<void> | undefined {
    const backend = this.requireBackend();
    this.ignoreTillSync = false;
    const committing = this.endImplicitTransaction(backend);
    if (committing) return committing.then(() => this.syncDone(backend));
    this.syncDone(backend);
    return undefined;
  }

  private syncDone(backend: Backend): void {
    // Portals live until the end of their transaction; outside a block that is now.
    if (backend.transactionStatus() === 'I') this.dropAllPortals();
    this.readyForQuery();
  }
}

/** The RowDescription of a statement's prepared columns in these formats (made once per formats), or undefined: no rows. */
function preparedRowDescription(stmt: Statement, formats: readonly number[]): Buffer | undefined {
  const fields = stmt.prepared?.fields;
  if (!fields) return undefined;
  const key = formats.join(',');
  stmt.rowDescriptions ??= new Map();
  let frame = stmt.rowDescriptions.get(key);
  if (frame) return frame;
  frame = msg.rowDescription(fields, formats);
  // a client keeps to a few format choices; one trying many gets them made each time
  if (stmt.rowDescriptions.size < 8) stmt.rowDescriptions.set(key, frame);
  return frame;
}

/** the text settings of a result none of whose columns reads any */
const NO_SETTINGS: TextSettings = Object.freeze({});

function checkFormat(code: number): number {
  if (code !== 0 && code !== 1) throw new SqlError(SqlState.invalidParameterValue, `unsupported format code: ${code}`);
  return code;
}

/**
 * PostgreSQL's CONTEXT line for a bad Bind parameter: a text value is shown quoted, cut to
 * log_parameter_max_length_on_error bytes (default 0: only "..."; -1: whole).
 */
function withParamContext(e: unknown, portal: string, index: number, data: Buffer | null, format: number, maxLength: number): unknown {
  if (!(e instanceof SqlError) || e.fields.where !== undefined) return e;
  const who = portal === '' ? 'unnamed portal parameter' : `portal "${portal}" parameter`;
  const where = format === 0 && data ? `${who} $${index + 1} = ${quotedParam(data, maxLength)}` : `${who} $${index + 1}`;
  return new SqlError(e.code, e.message, { ...e.fields, where });
}

/** a bytes setting as SHOW prints it ("0", "-1", "64B", "1kB") → bytes; absent or unreadable → 0 */
function byteSetting(shown: string | undefined): number {
  const m = /^(-?\d+)\s*(B|kB|MB|GB|TB)?$/.exec(shown?.trim() ?? '');
  if (!m) return 0;
  const unit = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[m[2] ?? 'B']!;
  return Number(m[1]) * unit;
}

/** appendStringInfoStringQuoted: quotes doubled; past maxLength bytes (cut at a character boundary) "..." follows */
function quotedParam(data: Buffer, maxLength: number): string {
  let end = data.length;
  if (maxLength >= 0 && data.length > maxLength) {
    end = maxLength;
    while (end > 0 && (data[end]! & 0xc0) === 0x80) end--;
  }
  const shown = data.subarray(0, end).toString('utf8').replace(/'/g, "''");
  return `'${shown}${end < data.length ? '...' : ''}'`;
}

/** Error positions of one statement → positions in the whole query string (1-based characters). */
function shiftPosition(e: SqlError, sql: string, offset: number): SqlError {
  if (e.fields.position === undefined) return e;
  const chars = [...sql.slice(0, offset)].length;
  return new SqlError(e.code, e.message, { ...e.fields, position: e.fields.position + chars });
}
