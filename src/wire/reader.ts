/**
 * Incremental frame reader: bytes arrive in arbitrary TCP chunks (split or merged); the
 * connection pulls whole frames with next(). Pulling (instead of pushing every frame as
 * soon as it is complete) lets the connection switch from untyped startup packets to typed
 * messages exactly after the StartupMessage, even if the first Query arrived in the same
 * chunk.
 */
import { decodeUtf8 } from '../types/binary-format.js';
import { SqlError, SqlState } from '../errors.js';
import { FRONTEND_CODES, FrontendCode } from './message-codes.js';

export interface Frame {
  /** type byte, or 0 for an untyped startup-phase packet */
  readonly code: number;
  /** the message body (without type byte and length) */
  readonly body: Buffer;
}

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
const MAX_STARTUP_PACKET = 10000;
/** PostgreSQL's PQ_LARGE_MESSAGE_LIMIT (1 GB - 1): the default and largest --max-message-size */
export const MAX_MESSAGE_LIMIT = 0x3fffffff;
/** the smallest --max-message-size (a Parse of a modest query must still fit) */
export const MIN_MESSAGE_LIMIT = 1024;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT: messages that never carry user data */
const SMALL_MESSAGE_LIMIT = 10000;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: password and SASL messages */
const AUTH_MESSAGE_LIMIT = 65535;
/** the types that may be large, as in PostgreSQL's SocketBackend (postgres.c) */
const LARGE_MESSAGES: ReadonlySet<number> = new Set([FrontendCode.Query, FrontendCode.Parse, FrontendCode.Bind, FrontendCode.CopyData, FrontendCode.FunctionCall]);

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  /**
   * Chunks not yet joined to `buffer`: a large message (a 1 MB CopyData) arrives in many
   * TCP chunks, and joining on every chunk would copy it over and over. They are joined
   * once, when the frame they complete is asked for.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** true until the StartupMessage was read: packets then have no type byte */
  expectStartup = true;
  /** limit of the large message types (--max-message-size) */
  maxMessageSize = MAX_MESSAGE_LIMIT;

  push(chunk: Buffer): void {
    if (this.pending.length === 0 && this.offset >= this.buffer.length) {
      this.buffer = chunk;
      this.offset = 0;
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** Drop every unread byte (plaintext that arrived before a TLS handshake). */
  discard(): void {
    this.copyLeft = 0;
    this.buffer = EMPTY;
    this.offset = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  get buffered(): number {
    return this.buffer.length - this.offset + this.pendingBytes;
  }

  /** The buffer is read: the next chunk becomes it as it is (nothing left to join it with). */
  private nextChunk(): void {
    const chunk = this.pending.shift()!;
    this.pendingBytes -= chunk.length;
    this.buffer = chunk;
    this.offset = 0;
  }

  /** Make at least `n` unread bytes contiguous in `buffer` (false if not yet received). */
  private ensure(n: number): boolean {
    if (this.buffer.length - this.offset >= n) return true;
    if (this.buffered < n) return false;
    // only the chunks the frame reaches into are joined: while COPY's parse takes its turns
    // megabytes of later messages may wait here, and joining them all each time copied them
    // in one long piece
    let have = this.buffer.length - this.offset;
    let take = 0;
    let joined = 0;
    while (have < n) {
      const len = this.pending[take++]!.length;
      have += len;
      joined += len;
    }
    this.buffer = Buffer.concat([this.buffer.subarray(this.offset), ...this.pending.slice(0, take)], have);
    this.offset = 0;
    this.pending = this.pending.slice(take);
    this.pendingBytes -= joined;
    return true;
  }

  /** The next whole frame, or undefined if more bytes are needed. Throws FATAL 08P01 on garbage. */
  next(): Frame | undefined {
    // (the rest of a CopyData message a COPY that ended early did not take: its pieces)
    if (this.copyLeft > 0) return this.nextCopyPiece();
    return this.expectStartup ? this.nextStartupPacket() : this.nextMessage();
  }

  /** The type byte of the next message if it has begun to arrive (undefined: nothing buffered, or startup / COPY pieces). */
  peekCode(): number | undefined {
    if (this.expectStartup || this.copyLeft > 0) return undefined;
    if (this.offset < this.buffer.length) return this.buffer[this.offset];
    return this.pending[0]?.[0];
  }

  /** bytes of the CopyData message being handed on in pieces that are still to come */
  private copyLeft = 0;

  /**
   * During COPY FROM STDIN: CopyData as the bytes that have arrived, in pieces (a frame of
   * code CopyData per piece, as many as the message has TCP chunks), any other message whole.
   * COPY data is a byte stream whose message boundaries mean nothing, and a client's CopyData
   * is often megabytes (node-pg sends each write as one: 3 MB for 1,000 × vector(784)):
   * joining its chunks first copied every byte of a bulk load once more. Undefined if more
   * bytes are needed.
   */
  nextCopyPiece(): Frame | undefined {
    if (this.offset >= this.buffer.length && this.pending.length > 0) this.nextChunk();
    if (this.copyLeft === 0) {
      if (!this.ensure(1)) return undefined;
      if (this.buffer[this.offset] !== FrontendCode.CopyData) return this.nextMessage();
      if (!this.ensure(5)) return undefined;
      const length = this.buffer.readInt32BE(this.offset + 1);
      if (length < 4 || length > this.limitOf(FrontendCode.CopyData)) throw fatalProtocolViolation(`invalid message length`);
      this.offset += 5;
      this.copyLeft = length - 4;
      if (this.copyLeft === 0) return { code: FrontendCode.CopyData, body: EMPTY };
    }
    if (this.offset >= this.buffer.length) {
      if (this.pending.length === 0) return undefined;
      this.nextChunk();
    }
    const take = Math.min(this.copyLeft, this.buffer.length - this.offset);
    const body = this.buffer.subarray(this.offset, this.offset + take);
    this.offset += take;
    this.copyLeft -= take;
    return { code: FrontendCode.CopyData, body };
  }

  private limitOf(code: number): number {
    if (LARGE_MESSAGES.has(code)) return this.maxMessageSize;
    return Math.min(this.maxMessageSize, code === FrontendCode.Password ? AUTH_MESSAGE_LIMIT : SMALL_MESSAGE_LIMIT);
  }

  private nextStartupPacket(): Frame | undefined {
    if (!this.ensure(4)) return undefined;
    const length = this.buffer.readInt32BE(this.offset);
    if (length < 8 || length > MAX_STARTUP_PACKET) throw fatalProtocolViolation('invalid length of startup packet');
    if (!this.ensure(length)) return undefined;
    const body = this.buffer.subarray(this.offset + 4, this.offset + length);
    this.offset += length;
    return { code: 0, body };
  }

  private nextMessage(): Frame | undefined {
    if (!this.ensure(1)) return undefined;
    const code = this.buffer[this.offset]!;
    if (!FRONTEND_CODES.has(code)) throw fatalProtocolViolation(`invalid frontend message type ${code}`);
    if (!this.ensure(5)) return undefined;
    // Checked on the length word alone: an oversized message is refused before its body is buffered.
    const length = this.buffer.readInt32BE(this.offset + 1);
    if (length < 4 || length > this.limitOf(code)) throw fatalProtocolViolation(`invalid message length`);
    if (!this.ensure(1 + length)) return undefined;
    const body = this.buffer.subarray(this.offset + 5, this.offset + 1 + length);
    this.offset += 1 + length;
    return { code, body };
  }
}

/** A cursor over one message body; every read checks bounds like PostgreSQL's pq_getmsg*. */
export class MessageReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  int8(): number {
    this.need(1);
    return this.body.readInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A NUL-terminated string; invalid UTF-8 is 22021, as PostgreSQL checks what a client sends. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw protocolViolation('invalid string in message');
    const bytes = this.body.subarray(this.offset, end);
    this.offset = end + 1;
    return decodeUtf8(bytes);
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  get remaining(): number {
    return this.body.length - this.offset;
  }

  /** PostgreSQL's pq_getmsgend: a message with trailing bytes is malformed. */
  end(): void {
    if (this.offset !== this.body.length) throw protocolViolation('invalid message format');
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.body.length) throw protocolViolation('insufficient data left in message');
  }
}

export function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.protocolViolation, message);
}

export function fatalProtocolViolation(message: string): SqlError {
  return new SqlError(SqlState.protocolViolation, message, { severity: 'FATAL' });
}
