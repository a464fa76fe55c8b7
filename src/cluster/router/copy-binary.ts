/**
 * COPY in PostgreSQL's binary format through the shard router. FROM STDIN: the client's
 * stream is cut into tuples (int16 field count, then int32 length and bytes per field) as it
 * arrives; each tuple's key fields are decoded in the key columns' types (binary COPY
 * carries each column in its own type) and hashed as shard-hash.ts does, and the tuple's
 * bytes go on unchanged to its shard, after the header; the trailer (field count -1) goes to
 * every shard the client's stream had one for. TO STDOUT: one header, every shard's tuples,
 * one trailer.
 */
import { SqlError } from '../../errors.js';
import { COPY_BINARY_SIGNATURE, decodeBinary } from '../../types/binary-format.js';
import type { SqlType, Value } from '../../types/types.js';

const TRAILER = Buffer.from([0xff, 0xff]);

/** The binary COPY stream cut into its header and whole tuples. */
export class BinaryCopySplitter {
  /** the header as the client sent it (signature, flags, extension), once read */
  header: Buffer | null = null;
  /** the client's stream ended with the trailer */
  sawTrailer = false;
  private pending: Buffer = Buffer.alloc(0);
  private tuples = 0;

  constructor(private readonly table: string, private readonly width: number) {}

  push(chunk: Buffer): Buffer[] {
    if (this.sawTrailer) {
      if (chunk.length > 0) throw this.afterTrailer();
      return [];
    }
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    return this.take();
  }

  /**
   * The stream ended: bytes of an unfinished tuple (or header) are returned as the last
   * "tuple", for the shard it goes to to report as it would (unexpected EOF).
   */
  end(): Buffer[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (this.header === null) throw badSignature();
    return rest.length > 0 && !this.sawTrailer ? [rest] : [];
  }

  /** The key values of a tuple from push(): `positions` index its fields, `types` are the key columns'. */
  key(tuple: Buffer, positions: readonly number[], types: readonly SqlType[]): Value[] {
    const fields = fieldSpans(tuple);
    if (!fields) return positions.map(() => null); // an unfinished tuple: its shard reports it
    return positions.map((p, k) => {
      const span = fields[p]!;
      return span === null ? null : decodeBinary(types[k]!, tuple.subarray(span[0], span[1]));
    });
  }

  private take(): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    const buf = this.pending;
    if (this.header === null) {
      if (buf.length < 19) return out;
      if (!buf.subarray(0, 11).equals(COPY_BINARY_SIGNATURE)) throw badSignature();
      const headerLength = 19 + buf.readInt32BE(15);
      if (buf.length < headerLength) return out;
      this.header = Buffer.from(buf.subarray(0, headerLength));
      at = headerLength;
    }
    while (at + 2 <= buf.length) {
      const count = buf.readInt16BE(at);
      if (count === -1) {
        // PostgreSQL reads on after the trailer to see the data end there
        if (at + 2 < buf.length) throw this.afterTrailer();
        this.sawTrailer = true;
        at = buf.length;
        break;
      }
      if (count !== this.width) throw this.error(`row field count is ${count}, expected ${this.width}`, this.tuples + 1);
      let end = at + 2;
      let whole = true;
      for (let f = 0; f < count; f++) {
        if (end + 4 > buf.length) {
          whole = false;
          break;
        }
        const len = buf.readInt32BE(end);
        end += 4 + Math.max(len, 0);
        if (end > buf.length) {
          whole = false;
          break;
        }
      }
      if (!whole) break;
      out.push(buf.subarray(at, end));
      this.tuples++;
      at = end;
    }
    this.pending = buf.subarray(at);
    return out;
  }

  /** data after the trailer: 22P04 on the trailer's line, as PostgreSQL (and each shard) answers */
  private afterTrailer(): SqlError {
    return this.error('received copy data after EOF marker', this.tuples + 1);
  }

  private error(message: string, line: number): SqlError {
    return new SqlError('22P04', message, { where: `COPY ${this.table}, line ${line}` });
  }
}

export const BINARY_COPY_TRAILER = TRAILER;

/** PostgreSQL reads the header before its COPY error context is set: no line */
function badSignature(): SqlError {
  return new SqlError('22P04', 'COPY file signature not recognized');
}

/** [start, end) of each field of a whole tuple (null for NULL); undefined when it is cut short. */
function fieldSpans(tuple: Buffer): ([number, number] | null)[] | undefined {
  if (tuple.length < 2) return undefined;
  const count = tuple.readInt16BE(0);
  const spans: ([number, number] | null)[] = [];
  let at = 2;
  for (let f = 0; f < count; f++) {
    if (at + 4 > tuple.length) return undefined;
    const len = tuple.readInt32BE(at);
    at += 4;
    if (len < 0) spans.push(null);
    else {
      if (at + len > tuple.length) return undefined;
      spans.push([at, at + len]);
      at += len;
    }
  }
  return spans;
}

/**
 * Every shard's binary COPY TO output as one: the first shard's header, each shard's tuples
 * (its own header and trailer cut off), one trailer. The header travels with the first
 * tuples, the trailer alone, as PostgreSQL sends them.
 */
export function mergeBinaryCopyOut(outs: readonly { chunks: readonly Buffer[] }[]): Buffer[] {
  let header: Buffer | null = null;
  const bodies: Buffer[] = [];
  for (const o of outs) {
    const all = Buffer.concat(o.chunks);
    if (all.length < 21) continue; // no header: nothing this shard sent
    const headerLength = 19 + all.readInt32BE(15);
    header ??= all.subarray(0, headerLength);
    const end = all.subarray(all.length - 2).equals(TRAILER) ? all.length - 2 : all.length;
    if (end > headerLength) bodies.push(all.subarray(headerLength, end));
  }
  if (header === null) return [];
  if (bodies.length === 0) return [Buffer.concat([header, TRAILER])];
  return [Buffer.concat([header, bodies[0]!]), ...bodies.slice(1), TRAILER];
}

/** A binary COPY tuple with more fields (null: a NULL field) after its own. */
export function appendBinaryFields(tuple: Buffer, fields: readonly (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(tuple)];
  parts[0]!.writeInt16BE(tuple.readInt16BE(0) + fields.length, 0);
  for (const f of fields) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(f === null ? -1 : f.length, 0);
    parts.push(length);
    if (f !== null) parts.push(f);
  }
  return Buffer.concat(parts);
}
