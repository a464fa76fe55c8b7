/**
 * PostgreSQL binary COPY format, written by hand so both targets receive the same bytes:
 *   header  "PGCOPY\n\377\r\n\0", int32 flags (0), int32 header-extension length (0)
 *   tuple   int16 field count, then per field int32 length + bytes (-1 = NULL)
 *   trailer int16 -1
 * Field encodings used here: int8 (8 bytes BE), int4 (4 bytes BE), and pgvector's
 * binary `vector`: int16 dim, int16 unused (0), dim × float4 big-endian.
 */
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

export const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export function copyHeader(): Buffer {
  const b = Buffer.alloc(COPY_SIGNATURE.length + 8);
  COPY_SIGNATURE.copy(b, 0);
  b.writeInt32BE(0, COPY_SIGNATURE.length);
  b.writeInt32BE(0, COPY_SIGNATURE.length + 4);
  return b;
}

export function copyTrailer(): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(-1, 0);
  return b;
}

/** Bytes of one (id bigint, sel int, embedding vector(dim)) tuple. */
export function tupleSize(dim: number): number {
  return 2 + (4 + 8) + (4 + 4) + (4 + 4 + 4 * dim);
}

/**
 * Encodes rows [from, to) of (id = row number, sel[row], vector row) into one buffer.
 * `vectors` is n × dim row-major.
 */
export function encodeRows(vectors: Float32Array, dim: number, sel: Int32Array, from: number, to: number): Buffer {
  return encodeIntRows(vectors, dim, [sel], from, to);
}

/**
 * Encodes rows [from, to) of (id = row number, ints[0][row], …, vector row): any number of
 * int4 columns before the vector (the filtered sweep's `f` and `label`).
 */
export function encodeIntRows(vectors: Float32Array, dim: number, ints: readonly Int32Array[], from: number, to: number): Buffer {
  const size = tupleSize(dim) + (ints.length - 1) * (4 + 4);
  const b = Buffer.allocUnsafe(size * (to - from));
  let o = 0;
  for (let r = from; r < to; r++) {
    o = b.writeInt16BE(2 + ints.length, o);
    o = b.writeInt32BE(8, o);
    o = b.writeBigInt64BE(BigInt(r), o);
    for (const col of ints) {
      o = b.writeInt32BE(4, o);
      o = b.writeInt32BE(col[r]!, o);
    }
    o = b.writeInt32BE(4 + 4 * dim, o);
    o = b.writeInt16BE(dim, o);
    o = b.writeInt16BE(0, o);
    const base = r * dim;
    for (let j = 0; j < dim; j++) o = b.writeFloatBE(vectors[base + j]!, o);
  }
  return b;
}

/** Rows [from, to) as (id, sel, embedding) into `table` by one binary COPY, 1,000 rows a message. */
export async function copyRowsBinary(client: pg.Client, table: string, vectors: Float32Array, dim: number, sel: Int32Array, from: number, to: number): Promise<void> {
  const stream = client.query(copyStreams.from(`COPY ${table} (id, sel, embedding) FROM STDIN (FORMAT binary)`));
  const done = new Promise<void>((res, rej) => { stream.on('finish', res); stream.on('error', rej); });
  const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r())));
  await write(copyHeader());
  for (let r = from; r < to; r += 1000) await write(encodeRows(vectors, dim, sel, r, Math.min(to, r + 1000)));
  stream.end(copyTrailer());
  await done;
}
