/**
 * Message writer: a growable buffer plus one small function per backend message.
 * Every builder returns a finished frame (type byte + length + body).
 */
import { wireTypeOid } from '../types/user-types.js';
import type { SqlError, SqlNotice } from '../errors.js';
import { TYPES } from '../types/types.js';
import type { FieldInfo } from './backend.js';
import { BackendCode } from './message-codes.js';

export class Writer {
  private buf: Buffer;
  private pos = 5; // room for type byte + length

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v & 0xff, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  cstring(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Finish the frame with its type byte; the writer must not be reused. */
  finish(code: number): Buffer {
    this.buf[0] = code;
    this.buf.writeInt32BE(this.pos - 1, 1);
    return this.buf.subarray(0, this.pos);
  }

  /** The body written so far, without header (for untyped packets and values). */
  body(): Buffer {
    return this.buf.subarray(5, this.pos);
  }
}

/**
 * A message without a body: the same bytes every time, so one frame each is made once and
 * sent as often as needed (queued frames are only read: concatenated or written out).
 */
const emptyFrame = (code: number): (() => Buffer) => {
  const frame = new Writer(5).finish(code);
  return () => frame;
};

export const authenticationOk = (): Buffer => new Writer(9).int32(0).finish(BackendCode.Authentication);
export const authenticationCleartextPassword = (): Buffer => new Writer(9).int32(3).finish(BackendCode.Authentication);
export const authenticationMD5Password = (salt: Buffer): Buffer => new Writer(13).int32(5).bytes(salt).finish(BackendCode.Authentication);
export function authenticationSASL(mechanisms: readonly string[]): Buffer {
  const w = new Writer().int32(10);
  for (const m of mechanisms) w.cstring(m);
  return w.int8(0).finish(BackendCode.Authentication);
}
export const authenticationSASLContinue = (data: string): Buffer => new Writer().int32(11).bytes(Buffer.from(data)).finish(BackendCode.Authentication);
export const authenticationSASLFinal = (data: string): Buffer => new Writer().int32(12).bytes(Buffer.from(data)).finish(BackendCode.Authentication);
export const parameterStatus = (name: string, value: string): Buffer => new Writer().cstring(name).cstring(value).finish(BackendCode.ParameterStatus);
export const notificationResponse = (pid: number, channel: string, payload: string): Buffer =>
  new Writer().int32(pid).cstring(channel).cstring(payload).finish(BackendCode.NotificationResponse);
export const backendKeyData = (pid: number, key: number): Buffer => new Writer(13).int32(pid).int32(key).finish(BackendCode.BackendKeyData);
const READY_FOR_QUERY = { I: readyFrame('I'), T: readyFrame('T'), E: readyFrame('E') };
function readyFrame(status: 'I' | 'T' | 'E'): Buffer {
  return new Writer(6).int8(status.charCodeAt(0)).finish(BackendCode.ReadyForQuery);
}
export const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => READY_FOR_QUERY[status];
export const parseComplete = emptyFrame(BackendCode.ParseComplete);
export const bindComplete = emptyFrame(BackendCode.BindComplete);
export const closeComplete = emptyFrame(BackendCode.CloseComplete);
export const noData = emptyFrame(BackendCode.NoData);
export const portalSuspended = emptyFrame(BackendCode.PortalSuspended);
export const emptyQueryResponse = emptyFrame(BackendCode.EmptyQueryResponse);
export const copyDone = emptyFrame(BackendCode.CopyDone);
export const commandComplete = (tag: string): Buffer => new Writer().cstring(tag).finish(BackendCode.CommandComplete);
export const copyData = (chunk: Uint8Array): Buffer => new Writer(chunk.length + 5).bytes(chunk).finish(BackendCode.CopyData);

export function negotiateProtocolVersion(newestMinor: number, unrecognized: readonly string[]): Buffer {
  const w = new Writer().int32(newestMinor).int32(unrecognized.length);
  for (const o of unrecognized) w.cstring(o);
  return w.finish(BackendCode.NegotiateProtocolVersion);
}

export function parameterDescription(oids: readonly number[]): Buffer {
  const w = new Writer(7 + 4 * oids.length).int16(oids.length);
  for (const oid of oids) w.uint32(oid);
  return w.finish(BackendCode.ParameterDescription);
}

/** formats: one per field (0 text, 1 binary) */
export function rowDescription(fields: readonly FieldInfo[], formats: readonly number[]): Buffer {
  const w = new Writer(7 + fields.length * 40).int16(fields.length);
  fields.forEach((f, i) => {
    w.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(wireTypeOid(f.type))
      .int16(TYPES.get(f.type.oid)?.len ?? -1).int32(f.type.typmod).int16(formats[i] ?? 0);
  });
  return w.finish(BackendCode.RowDescription);
}

/** values already encoded; null → SQL NULL */
export function dataRow(values: readonly (Uint8Array | null)[]): Buffer {
  let size = 7;
  for (const v of values) size += 4 + (v?.length ?? 0);
  const w = new Writer(size).int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  return w.finish(BackendCode.DataRow);
}

function copyResponse(code: number, format: 'text' | 'binary', columnCount: number): Buffer {
  const f = format === 'binary' ? 1 : 0;
  const w = new Writer().int8(f).int16(columnCount);
  for (let i = 0; i < columnCount; i++) w.int16(f);
  return w.finish(code);
}

export const copyInResponse = (format: 'text' | 'binary', columnCount: number): Buffer => copyResponse(BackendCode.CopyInResponse, format, columnCount);
export const copyOutResponse = (format: 'text' | 'binary', columnCount: number): Buffer => copyResponse(BackendCode.CopyOutResponse, format, columnCount);

/** The fields of an ErrorResponse/NoticeResponse, by their one-letter protocol codes. */
function noticeFields(w: Writer, severity: string, code: string, message: string, extra: [string, string | number | undefined][]): void {
  w.int8(0x53).cstring(severity); // S
  w.int8(0x56).cstring(severity); // V (never localized)
  w.int8(0x43).cstring(code); // C
  w.int8(0x4d).cstring(message); // M
  for (const [letter, value] of extra) {
    if (value === undefined) continue;
    w.int8(letter.charCodeAt(0)).cstring(String(value));
  }
  w.int8(0);
}

export function errorResponse(e: SqlError, severity: string = e.severity): Buffer {
  const f = e.fields;
  const w = new Writer();
  noticeFields(w, severity, e.code, e.message, [
    ['D', f.detail], ['H', f.hint], ['P', f.position], ['W', f.where],
    ['s', f.schema], ['t', f.table], ['c', f.column], ['d', f.dataType], ['n', f.constraint],
  ]);
  return w.finish(BackendCode.ErrorResponse);
}

export function noticeResponse(n: SqlNotice): Buffer {
  const w = new Writer();
  noticeFields(w, n.severity, n.code, n.message, [['D', n.detail], ['H', n.hint]]);
  return w.finish(BackendCode.NoticeResponse);
}

const EMPTY = Buffer.alloc(0);

/**
 * DataRow frames of a result written one after another into one buffer: a text value goes
 * straight from its string into the frame. (Per row a Buffer per value, a Writer and a
 * Buffer per frame, and their concatenation at the flush, were ~10 allocations a row.)
 * The frames are those dataRow() makes.
 */
export class DataRows {
  /** allocated at the first row, as large as it needs (a k-NN query's 10 ids: one of 256 bytes) */
  private buf = EMPTY;
  private pos = 0;
  private rowStart = 0;
  /** where the last finished row ends: a row whose value failed to encode is not sent */
  private rowsEnd = 0;

  /** bytes of finished rows since the last take() */
  get size(): number {
    return this.rowsEnd;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, 256));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  beginRow(columns: number): void {
    this.ensure(7);
    this.rowStart = this.pos;
    this.buf[this.pos] = BackendCode.DataRow;
    this.buf.writeInt16BE(columns, this.pos + 5);
    this.pos += 7;
  }

  /** a value's text (UTF-8 on the wire) */
  text(s: string): void {
    // at most 3 bytes per UTF-16 unit
    this.ensure(4 + 3 * s.length);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4 + n;
  }

  /** a value's bytes, or NULL */
  bytes(b: Uint8Array | null): void {
    if (b === null) {
      this.ensure(4);
      this.buf.writeInt32BE(-1, this.pos);
      this.pos += 4;
      return;
    }
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.pos);
    this.buf.set(b, this.pos + 4);
    this.pos += 4 + b.length;
  }

  endRow(): void {
    this.buf.writeInt32BE(this.pos - this.rowStart - 1, this.rowStart + 1);
    this.rowsEnd = this.pos;
  }

  /** the rows finished so far (the caller owns them; writing goes on in a new buffer) */
  take(): Buffer {
    const out = this.buf.subarray(0, this.rowsEnd);
    this.buf = EMPTY;
    this.pos = 0;
    this.rowsEnd = 0;
    return out;
  }
}
