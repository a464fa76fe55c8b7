/**
 * Sorted column indexes (sorted-column.ts, and sorted-values.ts for text and numeric) built in a worker thread (sorted-column-worker.ts):
 * the first filtered vector search on a segment's column asks for one, and the sort (58-89 ms
 * for 200,000 rows) would otherwise hold up every other session. One worker, started when
 * first needed, sorts the columns one after another (serial-worker.ts).
 */
import type { PackedTexts } from './api.js';
import type { SortedKeys } from './sorted-column.js';
import type { TextOrder } from './sorted-values.js';
import type { TupleColumnData } from './sorted-tuple.js';
import { SerialWorker } from './serial-worker.js';

/** One record batch's values of a numeric column, as plain memory. */
export interface NumberChunk {
  /** the chunk's first position in the segment */
  readonly start: number;
  readonly length: number;
  /** values[i] is the value at position start + i (int64: bigints) */
  readonly values: Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;
  /** Arrow's validity bitmap (1: not NULL), from bit `bitOffset`; absent: no NULLs */
  readonly validity?: Uint8Array;
  readonly bitOffset: number;
}

/** What the worker is sent: a numeric column's chunks, or a text or numeric column's packed UTF-8 values. */
export type SortRequest =
  | { readonly length: number; readonly chunks: readonly NumberChunk[] }
  | { readonly texts: PackedTexts; readonly order: TextOrder }
  | { readonly length: number; readonly tuple: readonly TupleColumnData[] };

/** sorted keys (undefined when a value is not a number: sortKeys), or sorted positions for packed texts and key tuples */
export type SortReply = SortedKeys | Int32Array | undefined;

const sorter = new SerialWorker<SortRequest, SortReply>(new URL('./sorted-column-worker.js', import.meta.url), 'sorted column build');

/**
 * The sorted keys of a column of `length` rows given as its record batches' values (a
 * SharedArrayBuffer's views are shared with the worker, other buffers copied); undefined
 * when a value is not a number.
 */
export function sortColumnInWorker(length: number, chunks: readonly NumberChunk[]): Promise<SortedKeys | undefined> {
  return sorter.run({ length, chunks }) as Promise<SortedKeys | undefined>;
}

/** The non-NULL positions of a text or numeric column in its order (sorted-values.ts), its packed values handed over. */
export function sortTextsInWorker(texts: PackedTexts, order: TextOrder): Promise<Int32Array> {
  const transfer = [texts.offsets.buffer, texts.bytes.buffer, ...(texts.nulls ? [texts.nulls.buffer] : [])] as ArrayBuffer[];
  return sorter.run({ texts, order }, transfer) as Promise<Int32Array>;
}

/** Every position of a segment of `length` rows in the order of a multi-column key (sorted-tuple.ts), packed texts handed over. */
export function sortTupleInWorker(length: number, tuple: readonly TupleColumnData[]): Promise<Int32Array> {
  const transfer = tuple.flatMap((c) => ('texts' in c ? [c.texts.offsets.buffer, c.texts.bytes.buffer, ...(c.texts.nulls ? [c.texts.nulls.buffer] : [])] : [])) as ArrayBuffer[];
  return sorter.run({ length, tuple }, transfer) as Promise<Int32Array>;
}

/** Resolves when no sort is in flight (tests: the indexes asked for so far are there). */
export function sortedColumnBuildsIdle(): Promise<void> {
  return sorter.idle();
}
