/**
 * COPY … FROM STDIN / TO STDOUT in PostgreSQL's text, CSV and binary formats. Parsing
 * is all-or-nothing: a bad row fails the whole COPY with its line number and nothing of
 * it is written.
 */
import { CheckedUtf8Decoder, InvalidCopyText } from './copy-utf8.js';
import { SqlError, SqlState } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';
import type { CopyOptions, CopyTarget } from '../sql/bind-copy.js';
import { parseText } from '../types/text-io.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';
import { BULK_ROWS, VectorColumnBlocks } from '../storage/column-blocks.js';
import { COPY_BINARY_SIGNATURE as SIGNATURE, fieldDecoder, hasBinaryCodec, type FieldDecoder } from '../types/binary-format.js';

export type { CopyOptions, CopyTarget };
// COPY TO's formatting lives with the value formats (the shard router formats rows too)
export { copyOutHead, copyOutTail, formatCopyBody, formatCopyRows, joinBinaryHead } from '../types/copy-format.js';

export function contextError(e: unknown, table: TableDef, line: number, column?: string, value?: string): SqlError {
  const err = e instanceof SqlError ? e : new SqlError(SqlState.internalError, String(e));
  const where = `COPY ${table.name}, line ${line}${column !== undefined ? `, column ${column}${value !== undefined ? `: "${value}"` : ''}` : ''}`;
  return new SqlError(err.code, err.message, { ...err.fields, where });
}

/** Invalid UTF-8 in COPY's input, with the line it is on as context */
function badText(e: unknown, table: TableDef, line: number): SqlError {
  return contextError(e instanceof InvalidCopyText ? e.error : e, table, line);
}

/** PostgreSQL adds the row's text to the context of constraint errors in a text COPY. */
export function withLineText(err: SqlError, text: string | undefined): SqlError {
  if (text === undefined) return err;
  return new SqlError(err.code, err.message, { ...err.fields, where: `${err.fields.where}: "${text}"` });
}

/**
 * Tells a stream's parsing when to stop for a turn of the event loop (a statement's time
 * slice is used up); parsing goes on with resume(). Without one a payload is parsed whole.
 */
export type Due = () => boolean;
const never: Due = () => false;

/** Rows parsed between two looks at the clock (a look costs about as much as a short row). */
const ROWS_PER_CHECK = 64;

/**
 * Parsed rows of the target columns' values, with the raw text of each row (text
 * format) for error context the way PostgreSQL shows it (`COPY t, line 2: "…"`).
 */
export interface ParsedCopy extends Array<Value[]> {
  lines?: string[];
}

function convert(target: CopyTarget, fields: (string | null)[], line: number, text?: string): Value[] {
  const { table, columns } = target;
  const withLine = (err: SqlError) => {
    const e = contextError(err, table, line);
    return text === undefined ? e : new SqlError(e.code, e.message, { ...e.fields, where: `${e.fields.where}: "${text}"` });
  };
  if (fields.length < columns.length) {
    throw withLine(new SqlError(SqlState.badCopyFileFormat, `missing data for column "${table.columns[columns[fields.length]].name}"`));
  }
  if (fields.length > columns.length) {
    throw withLine(new SqlError(SqlState.badCopyFileFormat, 'extra data after last expected column'));
  }
  return fields.map((f, i) => {
    if (f === null) return null;
    const col = table.columns[columns[i]];
    try {
      return parseText(col.type, f);
    } catch (e) {
      throw contextError(e, table, line, col.name, f);
    }
  });
}

/**
 * COPY … FROM STDIN in text format, parsed line by line as the CopyData messages arrive
 * (a text row never spans a raw newline): a big COPY is not one long parse after
 * CopyDone that holds the thread for seconds and that no cancel can interrupt.
 */
export class TextCopyStream {
  private readonly rows: ParsedCopy = [];
  /** the rows parsed so far (the array end() returns, growing) */
  get parsed(): ParsedCopy { return this.rows; }
  private readonly decoder = new CheckedUtf8Decoder();
  /** decoded text not parsed yet: its complete lines (up to `complete`), then the unfinished one */
  private text = '';
  /** where parsing goes on in `text` */
  private at = 0;
  /** end of the complete lines in `text` (just past its last newline) */
  private complete = 0;
  private line = 0;
  private done = false;
  private error: unknown;

  constructor(private readonly target: CopyTarget, private readonly opts: CopyOptions) {
    this.rows.lines = [];
  }

  /** Takes a payload and parses its complete lines until `due`: true when lines are left for resume(). */
  push(chunk: Buffer, due: Due = never): boolean {
    if (this.done || this.error !== undefined) return false;
    // an error's line number counts every complete line before this payload as parsed
    if (this.at < this.complete) this.resume();
    if (this.done || this.error !== undefined) return false;
    let decoded: string;
    try {
      decoded = this.decoder.write(chunk);
    } catch (e) {
      // the bad line: past the lines parsed, the tail, and the newlines before the bad byte
      this.error = badText(e, this.target.table, this.line + 1 + (e instanceof InvalidCopyText ? e.newlinesBefore : 0));
      return false;
    }
    const text = this.text + decoded;
    const last = text.lastIndexOf('\n');
    this.text = text;
    this.at = 0;
    this.complete = last + 1;
    return this.resume(due);
  }

  /** Parses the complete lines left until `due`: true when some are still left. */
  resume(due: Due = never): boolean {
    const text = this.text;
    const complete = this.complete;
    let at = this.at;
    let n = 0;
    try {
      while (at < complete && !this.done) {
        const nl = text.indexOf('\n', at);
        const line = text.slice(at, nl);
        at = nl + 1;
        this.parseLine(line);
        if (++n % ROWS_PER_CHECK === 0 && at < complete && due()) {
          this.at = at;
          return true;
        }
      }
    } catch (e) {
      this.error = e;
    }
    // only the unfinished line is kept
    this.text = this.done || this.error !== undefined ? '' : text.slice(complete);
    this.at = 0;
    this.complete = 0;
    return false;
  }

  /** All rows, or the first error. */
  end(): ParsedCopy {
    if (this.at < this.complete) this.resume();
    let rest = this.text;
    try {
      rest += this.decoder.end();
    } catch (e) {
      if (this.error === undefined && !this.done) this.error = badText(e, this.target.table, this.line + 1);
    }
    this.text = '';
    if (rest !== '' && !this.done && this.error === undefined) {
      try {
        this.parseLine(rest);
      } catch (e) {
        this.error = e;
      }
    }
    if (this.error !== undefined) throw this.error;
    return this.rows;
  }

  private parseLine(line: string): void {
    this.line++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '\\.') {
      this.done = true;
      return;
    }
    const fields = line.split(this.opts.delimiter).map((f) => (f === this.opts.null ? null : unescapeText(f)));
    this.rows.push(convert(this.target, fields, this.line, line));
    this.rows.lines!.push(line);
  }
}

function unescapeText(f: string): string {
  if (!f.includes('\\')) return f;
  let out = '';
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    if (c !== '\\' || i === f.length - 1) {
      out += c;
      continue;
    }
    const n = f[++i];
    switch (n) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(f.slice(i + 1));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else out += 'x';
        break;
      }
      default:
        if (n >= '0' && n <= '7') {
          const m = /^[0-7]{1,3}/.exec(f.slice(i))!;
          out += String.fromCharCode(parseInt(m[0], 8));
          i += m[0].length - 1;
        } else out += n;
    }
  }
  return out;
}

/**
 * COPY … FROM STDIN in CSV format, parsed record by record as the CopyData messages
 * arrive. A quoted field may hold newlines and a record may be split anywhere between two
 * payloads (inside a quote, between a doubled quote, between \r and \n): the unfinished
 * record waits, as text, for the next payload; the input as a whole is never held.
 */
export class CsvCopyStream {
  private readonly rows: ParsedCopy = [];
  /** the rows parsed so far (the array end() returns, growing) */
  get parsed(): ParsedCopy { return this.rows; }
  private readonly decoder = new CheckedUtf8Decoder();
  /** text of the record not complete yet */
  private pending = '';
  private line = 1;
  private first = true;
  /** `pending` may hold complete records not parsed yet */
  private parseable = false;
  private done = false;
  private error: unknown;
  private readonly forceNotNull: Set<string>;

  constructor(private readonly target: CopyTarget, private readonly opts: CopyOptions) {
    this.forceNotNull = new Set(opts.forceNotNull);
  }

  /** characters held of a record not complete yet (all the stream holds of the input) */
  get pendingChars(): number {
    return this.pending.length;
  }

  /** Takes a payload and parses its complete records until `due`: true when records are left for resume(). */
  push(chunk: Buffer, due: Due = never): boolean {
    if (this.done || this.error !== undefined) return false;
    // an error's line number counts every complete record before this payload as parsed
    if (this.parseable) this.resume();
    if (this.done || this.error !== undefined) return false;
    let text: string;
    try {
      text = this.decoder.write(chunk);
    } catch (e) {
      // the bad line: past the records parsed, the unfinished one's newlines and the chunk's
      const pendingLines = this.pending.split('\n').length - 1;
      this.error = badText(e, this.target.table, this.line + pendingLines + (e instanceof InvalidCopyText ? e.newlinesBefore : 0));
      return false;
    }
    this.pending += text;
    // a record ends only at a newline: without one no record can have completed
    if (text.includes('\n') || text.includes('\r')) this.parseable = true;
    return this.resume(due);
  }

  /** Parses the complete records left until `due`: true when some may still be left. */
  resume(due: Due = never): boolean {
    if (!this.parseable || this.done || this.error !== undefined) return false;
    const more = this.parse(false, due);
    this.parseable = more;
    return more;
  }

  /** All rows, or the first error. */
  end(): ParsedCopy {
    if (this.parseable) this.resume();
    if (!this.done && this.error === undefined) {
      try {
        this.pending += this.decoder.end();
        this.parse(true, never);
      } catch (e) {
        this.error = badText(e, this.target.table, this.line + this.pending.split('\n').length - 1);
      }
    }
    if (this.error !== undefined) throw this.error;
    return this.rows;
  }

  /** Parses records until the text ends or `due`: true when it stopped for `due`. */
  private parse(final: boolean, due: Due): boolean {
    const text = this.pending;
    let i = 0;
    let n = 0;
    let stopped = false;
    try {
      while (i < text.length && !this.done) {
        const rec = csvRecord(text, i, this.opts, final);
        if (rec === 'incomplete') break;
        if (rec === 'unterminated') throw contextError(new SqlError(SqlState.badCopyFileFormat, 'unterminated CSV quoted field'), this.target.table, this.line);
        i = rec.next;
        const startLine = this.line;
        this.line += rec.newlines;
        const fields = rec.fields;
        if (fields.length === 1 && fields[0] === '\\.') { this.done = true; break; }
        if (this.first && this.opts.header) { this.first = false; continue; }
        this.first = false;
        const { table, columns } = this.target;
        const named = fields.map((f, k) => (f === null && this.forceNotNull.has(table.columns[columns[k]]?.name) ? '' : f));
        this.rows.push(convert(this.target, named, startLine));
        if (++n % ROWS_PER_CHECK === 0 && i < text.length && due()) {
          stopped = true;
          break;
        }
      }
    } catch (e) {
      this.error = e;
    }
    this.pending = this.done || this.error !== undefined ? '' : text.slice(i);
    return stopped && !this.done && this.error === undefined;
  }
}

/**
 * The CSV record at `i`: its fields, where the next one starts and the newlines it spans.
 * 'incomplete' when the text ends inside it and more may come (not `final`).
 */
function csvRecord(text: string, i: number, opts: CopyOptions, final: boolean): { fields: (string | null)[]; next: number; newlines: number } | 'incomplete' | 'unterminated' {
  const { delimiter: d, quote: q, escape: esc } = opts;
  const fields: (string | null)[] = [];
  let newlines = 1;
  for (;;) {
    let value = '';
    let quoted = false;
    if (text[i] === q) {
      quoted = true;
      i++;
      for (;;) {
        // the run up to the next quote or escape character is taken whole (a character at a
        // time, a 2 KB vector literal became a rope of 2,000 strings)
        const nextQuote = text.indexOf(q, i);
        const nextEscape = esc === q ? nextQuote : text.indexOf(esc, i);
        const stop = nextQuote < 0 ? nextEscape : nextEscape < 0 ? nextQuote : Math.min(nextQuote, nextEscape);
        const runEnd = stop < 0 ? text.length : stop;
        if (runEnd > i) {
          for (let nl = text.indexOf('\n', i); nl >= 0 && nl < runEnd; nl = text.indexOf('\n', nl + 1)) newlines++;
          value += text.slice(i, runEnd);
          i = runEnd;
        }
        if (i >= text.length) return final ? 'unterminated' : 'incomplete';
        const c = text[i];
        // is this quote the end of the field or (doubled) a quote in it? the next character says
        if ((c === esc || c === q) && i + 1 >= text.length && !final) return 'incomplete';
        // the escape character takes the next quote or escape character literally (PostgreSQL's CopyReadAttributesCSV)
        if (c === esc && (text[i + 1] === q || text[i + 1] === esc)) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === q) {
          i++;
          break;
        }
        if (c === '\n') newlines++;
        value += c;
        i++;
      }
    }
    const start = i;
    while (i < text.length && text[i] !== d && text[i] !== '\n' && text[i] !== '\r') i++;
    if (i >= text.length && !final) return 'incomplete';
    value += text.slice(start, i);
    fields.push(!quoted && value === opts.null ? null : value);
    if (text[i] === d) {
      i++;
      continue;
    }
    if (text[i] === '\r') {
      // \r\n or a lone \r: wait for the character after it
      if (i + 1 >= text.length && !final) return 'incomplete';
      i++;
    }
    if (text[i] === '\n') i++;
    return { fields, next: i, newlines };
  }
}

/**
 * Reads across the CopyData payloads without joining them into one buffer first (a COPY
 * can be hundreds of MB); only a field that straddles two payloads is copied.
 */
class ChunkCursor {
  private i = 0;
  private off = 0;
  constructor(private readonly chunks: readonly Buffer[]) {}

  /** bytes left */
  get remaining(): number {
    let n = 0;
    for (let j = this.i; j < this.chunks.length; j++) n += this.chunks[j].length - (j === this.i ? this.off : 0);
    return n;
  }

  hasAtLeast(n: number): boolean {
    const c = this.chunks[this.i];
    if (c && c.length - this.off >= n) return true;
    let have = 0;
    for (let j = this.i; j < this.chunks.length && have < n; j++) have += this.chunks[j].length - (j === this.i ? this.off : 0);
    return have >= n;
  }

  /** the next n bytes (a view when they lie in one payload) */
  take(n: number): Buffer {
    while (this.i < this.chunks.length && this.off >= this.chunks[this.i].length) { this.i++; this.off = 0; }
    const c = this.chunks[this.i];
    if (c && this.off + n <= c.length) {
      const out = c.subarray(this.off, this.off + n);
      this.off += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const cur = this.chunks[this.i];
      const part = Math.min(n - filled, cur.length - this.off);
      cur.copy(out, filled, this.off, this.off + part);
      filled += part;
      this.off += part;
      if (this.off >= cur.length) { this.i++; this.off = 0; }
    }
    return out;
  }
}

/** Data after a binary COPY's trailer (field count -1): PostgreSQL refuses it. */
function afterTrailer(table: TableDef, line: number): SqlError {
  return contextError(new SqlError(SqlState.badCopyFileFormat, 'received copy data after EOF marker'), table, line);
}

/** The end of the data inside a field: its error, already with its context, passes the field decoders' catch as is. */
class CopyCutOff {
  constructor(readonly error: SqlError) {}
}

/**
 * COPY … FROM STDIN (FORMAT binary), parsed as the CopyData messages arrive: every complete
 * row of a payload is decoded in place, by offset (no view, reader or copy per field); only
 * the unfinished row at a payload's end is kept, and joined with the next payloads once
 * they hold the bytes it was seen to need.
 */
export class BinaryCopyStream {
  readonly rows: Value[][] = [];
  /** the rows parsed so far (the array end() returns, growing) */
  get parsed(): ParsedCopy { return this.rows; }
  /** payloads not parsed yet: the unfinished row's bytes first */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** bytes of pending needed before parsing can go on */
  private need = 19;
  private state: 'header' | 'extension' | 'rows' | 'done' = 'header';
  private extensionLeft = 0;
  /** parsing stopped for `due` with complete rows (maybe) left in `pending` */
  private stopped = false;
  private error: unknown;
  private readonly types: SqlType[];
  private readonly decoders: FieldDecoder[];

  constructor(private readonly target: CopyTarget) {
    this.types = target.columns.map((c) => target.table.columns[c].type);
    this.decoders = this.types.map((t) => fieldDecoder(t));
  }

  /** Takes a payload and parses its complete rows until `due`: true when rows are left for resume(). */
  push(chunk: Buffer, due: Due = never): boolean {
    if (this.error !== undefined || chunk.length === 0) return false;
    if (this.state === 'done') {
      this.error = afterTrailer(this.target.table, this.rows.length + 1);
      return false;
    }
    // rows left by a stop for `due` are parsed before the payload is joined to them
    if (this.stopped) this.resume();
    if (this.error !== undefined || this.finished) return false;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    return this.resume(due);
  }

  /** Parses the complete rows left until `due`: true when some are still left. */
  resume(due: Due = never): boolean {
    if (this.error !== undefined || this.finished) return false;
    try {
      while (this.stopped || this.pendingBytes >= this.need) {
        // a row across payloads is joined with just the bytes it was seen to need (joining
        // the whole next payload copied every byte of it once more); the rows after it are
        // parsed where they are
        const buf = this.pending.length === 1 ? this.pending[0] : this.head(Math.max(this.need, 1));
        this.drop(this.parse(buf, false, due));
        if (this.stopped || this.finished) break;
      }
    } catch (e) {
      this.error = e;
      this.stopped = false;
    }
    if (this.error !== undefined || this.finished) {
      this.pending = [];
      this.pendingBytes = 0;
    }
    return this.stopped;
  }

  /** The first `n` bytes of the pending payloads, joined. */
  private head(n: number): Buffer {
    const parts: Buffer[] = [];
    let have = 0;
    for (const c of this.pending) {
      if (have >= n) break;
      const take = Math.min(c.length, n - have);
      parts.push(take === c.length ? c : c.subarray(0, take));
      have += take;
    }
    return Buffer.concat(parts, have);
  }

  /** Drops the first `n` bytes of the pending payloads (parsed). */
  private drop(n: number): void {
    this.pendingBytes -= n;
    while (n > 0) {
      const c = this.pending[0]!;
      if (c.length <= n) {
        n -= c.length;
        this.pending.shift();
      } else {
        this.pending[0] = c.subarray(n);
        n = 0;
      }
    }
  }

  /** the trailer was read */
  private get finished(): boolean {
    return this.state === 'done';
  }

  /** All rows, or the first error (a truncated stream is 'unexpected EOF'). */
  end(): Value[][] {
    if (this.stopped) this.resume();
    if (this.error !== undefined) throw this.error;
    if (this.finished) return this.rows;
    const { table } = this.target;
    if (this.state === 'header') throw contextError(new SqlError(SqlState.badCopyFileFormat, 'COPY file signature not recognized'), table, 1);
    // the end of the data where a row's field count would start ends the COPY, trailer or not
    // (PostgreSQL's NextCopyFrom: a field count it cannot read whole is the end, even 1 byte of one)
    if (this.state === 'rows' && this.pendingBytes < 2) return this.rows;
    // a field complete before the end is still decoded: its error comes first, as in PostgreSQL; the field cut off is named
    if (this.state === 'rows') this.parse(Buffer.concat(this.pending, this.pendingBytes), true);
    throw contextError(new SqlError(SqlState.badCopyFileFormat, 'unexpected EOF in COPY data'), table, this.rows.length + 1);
  }

  /**
   * Rows enough for a bulk load (a segment of their own at commit): the vector columns are
   * decoded into column blocks from here on and the vectors so far are copied there, so
   * that the segment takes them as its column instead of copying every vector once more
   * (storage/column-blocks.ts).
   */
  private toColumnBlocks(): void {
    this.types.forEach((t, i) => {
      if (t.oid !== OID.vector || t.typmod <= 0 || !VectorColumnBlocks.fit(t.typmod)) return;
      const blocks = new VectorColumnBlocks(t.typmod);
      for (const r of this.rows) {
        const v = r[i];
        if (v instanceof Float32Array && v.length === t.typmod) r[i] = blocks.copyOf(v);
      }
      this.decoders[i] = fieldDecoder(t, () => blocks.take());
    });
  }

  /** Parses what `buf` holds; returns the bytes used (the rest is an unfinished row). */
  private parse(buf: Buffer, atEnd: boolean, due: Due = never): number {
    this.stopped = false;
    let pos = 0;
    if (this.state === 'header') {
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new SqlError(SqlState.badCopyFileFormat, 'COPY file signature not recognized');
      const flags = buf.readInt32BE(11);
      if (flags & 0x10000) throw new SqlError(SqlState.badCopyFileFormat, 'invalid COPY file header (WITH OIDS)');
      this.extensionLeft = Math.max(0, buf.readInt32BE(15));
      for (const t of this.types) {
        if (!hasBinaryCodec(t.oid)) throw new SqlError(SqlState.undefinedFunction, `no binary input function available for type ${t.oid}`);
      }
      pos = 19;
      this.state = 'extension';
    }
    if (this.state === 'extension') {
      const skip = Math.min(this.extensionLeft, buf.length - pos);
      pos += skip;
      this.extensionLeft -= skip;
      if (this.extensionLeft > 0) {
        this.need = 1;
        return pos;
      }
      this.state = 'rows';
    }
    const { table, columns } = this.target;
    const width = columns.length;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const end = buf.length;
    const rows = this.rows;
    const decoders = this.decoders;
    for (;;) {
      const start = pos;
      if (start + 2 > end) {
        this.need = 2;
        return start;
      }
      const count = view.getInt16(start);
      const line = rows.length + 1;
      if (count === -1) {
        if (start + 2 < end) throw afterTrailer(table, line);
        this.state = 'done';
        return start + 2;
      }
      if (count !== width) {
        throw contextError(new SqlError(SqlState.badCopyFileFormat, `row field count is ${count}, expected ${width}`), table, line);
      }
      // the row's fields must all be here before any is decoded (its bytes are parsed once)
      let p = start + 2;
      let complete = true;
      for (let i = 0; i < width; i++) {
        if (p + 4 > end) {
          this.need = p + 4 - start;
          complete = false;
          break;
        }
        const len = view.getInt32(p);
        if (len < -1) throw contextError(new SqlError(SqlState.badCopyFileFormat, 'invalid field size'), table, line, table.columns[columns[i]].name);
        p += 4;
        if (len > 0) {
          if (p + len > end) {
            this.need = p + len - start;
            complete = false;
            break;
          }
          p += len;
        }
      }
      if (!complete && !atEnd) return start;
      const row: Value[] = new Array(width);
      p = start + 2;
      let i = 0;
      // the data ended inside field i (only at the end: otherwise its bytes are still to come)
      const cutOff = (): number => {
        if (!atEnd) return start;
        throw new CopyCutOff(contextError(new SqlError(SqlState.badCopyFileFormat, 'unexpected EOF in COPY data'), table, line, table.columns[columns[i]].name));
      };
      try {
        for (; i < width; i++) {
          if (p + 4 > end) return cutOff();
          const len = view.getInt32(p);
          p += 4;
          if (len === -1) {
            row[i] = null;
            continue;
          }
          if (p + len > end) return cutOff();
          row[i] = decoders[i](buf, view, p, len);
          p += len;
        }
      } catch (e) {
        if (e instanceof CopyCutOff) throw e.error;
        const err = e instanceof SqlError && e.code === SqlState.invalidBinaryRepresentation
          ? new SqlError(SqlState.invalidBinaryRepresentation, 'incorrect binary data format')
          : e;
        throw contextError(err, table, line, table.columns[columns[i]].name);
      }
      pos = p;
      const parsed = rows.push(row);
      if (parsed === BULK_ROWS) this.toColumnBlocks();
      if (parsed % ROWS_PER_CHECK === 0 && pos < end && due()) {
        this.stopped = true;
        return pos;
      }
    }
  }
}
