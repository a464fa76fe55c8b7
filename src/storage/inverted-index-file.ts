/**
 * The file a GIN index keeps beside each sealed segment (`t<table>-s<segment>.<key>.gin`):
 * the segment's inverted index (inverted-index.ts), so a restart reads it instead of
 * tokenizing every row again. Laid out so that opening it is a read, a checksum and a few
 * typed-array views; the posting lists are decoded one at a time when a query first needs
 * them. All integers little-endian, every section starts 4-byte aligned:
 *
 *   header     'QGIN', version 1, rows, terms, lexeme chars, lexeme bytes, list bytes (u32 each)
 *   docLength  i32 × rows        per row: its length (sum of lexeme frequencies), -1 NULL
 *   wordEnd    u32 × terms       where each lexeme ends in the joined lexemes (UTF-16 units)
 *   listEnd    u32 × terms       where each posting list ends in the lists' bytes
 *   count      u32 × terms       rows per list
 *   maxFreq    u32 × terms       the list's BM25 bounds (Posting.maxFreq / minLength)
 *   minLength  i32 × terms
 *   lexemes    UTF-8, the lexemes joined in tsvector order (padded to 4)
 *   lists      per list, per row: varint(row − previous row), varint(frequency) (padded to 4)
 *   crc32      of everything before it
 *
 * Varints (7 bits a byte) over row gaps, measured on 60,000 man-page paragraphs (bench/
 * text-search.ts: 15,708 lexemes, 635,409 postings): 2.14 bytes a posting, a 2.0 MiB file
 * (PostgreSQL's GIN index: 3.1 MiB) against 4.3 MiB with plain i32 rows and u16
 * frequencies. Opening it takes 2–6 ms (read, crc32, views, lexeme strings); decoding every
 * list would take 59 ms, so lists are decoded one by one as queries ask for them.
 */
import { crc32 } from 'node:zlib';
import { InvertedIndex, type Posting } from './inverted-index.js';

const MAGIC = 0x4e494751; // 'QGIN' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 28;

const pad4 = (n: number): number => (n + 3) & ~3;

/** The file's bytes for an inverted index (throws if a lexeme is not well-formed UTF-16). */
export function encodeInvertedIndex(index: InvertedIndex): Uint8Array {
  const terms = index.size;
  const rows = index.docLength.length;
  let joined = '';
  const wordEnd = new Uint32Array(terms);
  for (let i = 0; i < terms; i++) { joined += index.wordAt(i); wordEnd[i] = joined.length; }
  const lexemes = Buffer.from(joined, 'utf8');
  if (lexemes.toString('utf8').length !== joined.length) throw new Error('a lexeme is not valid UTF-16');
  // lists: at most 5 + 5 bytes a posting, written into one growing buffer
  let lists = Buffer.allocUnsafe(1 << 16);
  let at = 0;
  const put = (v: number) => {
    if (at + 5 > lists.length) { const bigger = Buffer.allocUnsafe(lists.length * 2); lists.copy(bigger, 0, 0, at); lists = bigger; }
    while (v >= 0x80) { lists[at++] = (v & 0x7f) | 0x80; v >>>= 7; }
    lists[at++] = v;
  };
  const listEnd = new Uint32Array(terms);
  const count = new Uint32Array(terms);
  const maxFreq = new Uint32Array(terms);
  const minLength = new Int32Array(terms);
  for (let i = 0; i < terms; i++) {
    const p = index.postingAt(i);
    let prev = 0;
    for (let k = 0; k < p.rows.length; k++) { put(p.rows[k]! - prev); prev = p.rows[k]!; put(p.freqs[k]!); }
    listEnd[i] = at;
    count[i] = p.rows.length;
    maxFreq[i] = p.maxFreq;
    minLength[i] = p.minLength;
  }
  const size = HEADER_BYTES + 4 * rows + 5 * 4 * terms + pad4(lexemes.length) + pad4(at) + 4;
  const out = new Uint8Array(size);
  const head = new Uint32Array(out.buffer, 0, HEADER_BYTES / 4);
  head.set([MAGIC, VERSION, rows, terms, joined.length, lexemes.length, at]);
  let off = HEADER_BYTES;
  const section = (bytes: Uint8Array) => { out.set(bytes, off); off += pad4(bytes.byteLength); };
  const raw = (a: Int32Array | Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  section(raw(index.docLength));
  for (const a of [wordEnd, listEnd, count, maxFreq, minLength]) section(raw(a));
  section(lexemes);
  section(lists.subarray(0, at));
  new DataView(out.buffer).setUint32(off, crc32(out.subarray(0, off)), true);
  return out;
}

/**
 * An inverted index from its file's bytes; throws (with what is wrong) when they are not
 * one whole, intact file for a segment of `rows` rows.
 */
export function decodeInvertedIndex(bytes: Uint8Array, rows: number): InvertedIndex {
  if (bytes.byteLength < HEADER_BYTES + 4) throw new Error(`${bytes.byteLength} bytes is too short`);
  // typed-array views need aligned offsets (a Buffer from a pool may not be)
  if (bytes.byteOffset % 4 !== 0) bytes = Uint8Array.from(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number) => view.getUint32(off, true);
  if (u32(0) !== MAGIC) throw new Error('not an inverted index file');
  if (u32(4) !== VERSION) throw new Error(`format version ${u32(4)}, expected ${VERSION}`);
  const end = bytes.byteLength - 4;
  if (crc32(bytes.subarray(0, end)) !== u32(end)) throw new Error('checksum mismatch');
  const [fileRows, terms, wordChars, wordBytes, listBytes] = [u32(8), u32(12), u32(16), u32(20), u32(24)];
  if (fileRows !== rows) throw new Error(`has ${fileRows} rows, the segment ${rows}`);
  if (HEADER_BYTES + 4 * rows + 20 * terms + pad4(wordBytes) + pad4(listBytes) !== end) throw new Error('sections do not add up to the file size');
  let off = HEADER_BYTES;
  const ints = <T>(Ctor: new (b: ArrayBufferLike, o: number, n: number) => T, n: number): T => {
    const a = new Ctor(bytes.buffer, bytes.byteOffset + off, n);
    off += 4 * n;
    return a;
  };
  const docLength = ints(Int32Array, rows);
  const wordEnd = ints(Uint32Array, terms);
  const listEnd = ints(Uint32Array, terms);
  const count = ints(Uint32Array, terms);
  const maxFreq = ints(Uint32Array, terms);
  const minLength = ints(Int32Array, terms);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + off, wordBytes).toString('utf8');
  if (text.length !== wordChars) throw new Error('lexemes damaged');
  off += pad4(wordBytes);
  const lists = bytes.subarray(off, off + listBytes);
  const words = new Array<string>(terms);
  let start = 0;
  for (let i = 0; i < terms; i++) { words[i] = text.slice(start, wordEnd[i]); start = wordEnd[i]!; }
  return InvertedIndex.lazy(words, docLength, (i): Posting => {
    const n = count[i]!;
    const rowsOut = new Int32Array(n);
    const freqs = maxFreq[i]! > 0xffff ? new Uint32Array(n) : new Uint16Array(n);
    let at = i > 0 ? listEnd[i - 1]! : 0;
    let row = 0;
    for (let k = 0; k < n; k++) {
      let v = 0, shift = 0, b: number;
      do { b = lists[at++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      row += v;
      rowsOut[k] = row;
      v = 0; shift = 0;
      do { b = lists[at++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
      freqs[k] = v;
    }
    return { rows: rowsOut, freqs, maxFreq: maxFreq[i]!, minLength: minLength[i]! };
  });
}
