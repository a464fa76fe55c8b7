/**
 * COPY … TO STDOUT's output formats, PostgreSQL's: text (escapes), CSV (quoting, HEADER),
 * binary (header, tuples of int32-length fields in each type's send format, trailer). Used
 * by the engine's COPY and by the shard router's COPY (SELECT …) over sharded tables.
 */
import { formatText } from './text-io.js';
import type { Row, SqlType } from './types.js';
import { COPY_BINARY_SIGNATURE as SIGNATURE, encodeBinary } from './binary-format.js';

/** The COPY options output depends on. */
export interface CopyFormatOptions {
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string;
  readonly null: string;
  readonly header: boolean;
  readonly quote: string;
  readonly escape: string;
}

export function formatCopyRows(rows: readonly Row[], types: readonly SqlType[], names: readonly string[], opts: CopyFormatOptions, settings: { timezone?: string }): Buffer[] {
  return joinBinaryHead([...copyOutHead(names, opts), ...formatCopyBody(rows, types, opts, settings), ...copyOutTail(opts)], opts);
}

/**
 * COPY TO in pieces (a big table is formatted between time slices): the head, the rows
 * formatted batch by batch, the tail. PostgreSQL sends the binary header in the same
 * CopyData message as the first row (psycopg 3 parses a row from the rest of the first
 * message): joinBinaryHead does that.
 */
export function copyOutHead(names: readonly string[], opts: CopyFormatOptions): Buffer[] {
  if (opts.format === 'binary') {
    const header = Buffer.alloc(19);
    SIGNATURE.copy(header, 0);
    return [header];
  }
  if (opts.format === 'csv' && opts.header) return [Buffer.from(names.map((n) => csvQuote(n, opts, false)).join(opts.delimiter) + '\n')];
  return [];
}

export function copyOutTail(opts: CopyFormatOptions): Buffer[] {
  if (opts.format !== 'binary') return [];
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  return [trailer];
}

/** The binary header and the first row (or the trailer) as one message. */
export function joinBinaryHead(chunks: Buffer[], opts: CopyFormatOptions): Buffer[] {
  if (opts.format !== 'binary' || chunks.length < 2) return chunks;
  return [Buffer.concat([chunks[0], chunks[1]]), ...chunks.slice(2)];
}

export function formatCopyBody(rows: readonly Row[], types: readonly SqlType[], opts: CopyFormatOptions, settings: { timezone?: string }): Buffer[] {
  const out: Buffer[] = [];
  if (opts.format === 'binary') {
    for (const r of rows) {
      const parts: Buffer[] = [];
      const cnt = Buffer.alloc(2);
      cnt.writeInt16BE(r.length);
      parts.push(cnt);
      r.forEach((v, i) => {
        const enc = v === null ? null : encodeBinary(types[i], v);
        const len = Buffer.alloc(4);
        len.writeInt32BE(enc === null ? -1 : enc.length);
        parts.push(len);
        if (enc) parts.push(enc);
      });
      out.push(Buffer.concat(parts));
    }
    return out;
  }
  const csv = opts.format === 'csv';
  for (const r of rows) {
    const fields = r.map((v, i) => {
      if (v === null) return opts.null;
      const s = formatText(types[i], v, settings);
      return csv ? csvQuote(s, opts, s === opts.null) : escapeText(s, opts.delimiter);
    });
    out.push(Buffer.from(fields.join(opts.delimiter) + '\n'));
  }
  return out;
}

function csvQuote(s: string, opts: CopyFormatOptions, force: boolean): string {
  const needs = force || s.includes(opts.delimiter) || s.includes(opts.quote) || s.includes('\n') || s.includes('\r') || s === '\\.';
  if (!needs) return s;
  return opts.quote + s.split(opts.quote).join(opts.escape + opts.quote) + opts.quote;
}

function escapeText(s: string, delimiter: string): string {
  let out = '';
  for (const c of s) {
    switch (c) {
      case '\\': out += '\\\\'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += delimiter === '\t' ? '\\t' : c; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      default: out += c === delimiter ? '\\' + c : c;
    }
  }
  return out;
}
