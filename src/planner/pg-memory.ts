/**
 * PostgreSQL 15's memory accounting, so EXPLAIN ANALYZE's Memory figures read as PostgreSQL's
 * (64-bit build: MAXALIGN 8, 16-byte aset chunk headers, 24-byte generation chunk headers).
 * Quiver holds rows as JavaScript values; these functions count what PostgreSQL would hold
 * for the same rows:
 *
 * - a row as a MinimalTuple (heap_form_minimal_tuple / heap_compute_data_size): 16-byte
 *   header (more with a null bitmap past 8 columns), each value aligned as its type, a short
 *   varlena (payload ≤ 126 bytes) with a 1-byte header and no alignment;
 * - a chunk of memory as aset.c / generation.c count it (GetMemoryChunkSpace);
 * - tuplesort.c's USEMEM bookkeeping (memtuples array + each tuple's chunk, grow_memtuples,
 *   the bounded heap of a top-N sort with the tops make_bounded_heap replaces unfreed),
 *   reported as (spaceUsed + 1023) / 1024 kB;
 * - nodeHash.c's ExecChooseHashTableSize (buckets and batches from the planner's estimate),
 *   ExecHashTableInsert's spaceUsed (HJTUPLE_OVERHEAD + t_len a tuple) and
 *   ExecHashIncreaseNumBuckets (buckets doubled past one tuple a bucket);
 * - nodeAgg.c's hash_agg_update_metrics: the blocks the hash table's memory contexts
 *   allocated (aset.c's 8 kB keeper block, blocks doubling from 8 kB — the table context's up
 *   to work_mem / 16, CreateWorkExprContext — chunks rounded to powers of 2).
 *
 * What is approximate: varlena sizes of types other than text / bytea / vector / numeric,
 * transition states of aggregates passed by reference (counted as their initial value only),
 * the fixed part of a hashed Agg's meta context (HASH_META_FIXED, measured), and a column
 * order PostgreSQL would choose differently where explain-tlists.ts does not know it.
 */
import { OID, typeInfo, type SqlType, type Value } from '../types/types.js';

const MAXALIGN = (n: number): number => Math.ceil(n / 8) * 8;
const alignTo = (n: number, a: number): number => Math.ceil(n / a) * a;
const ALIGN: Record<string, number> = { c: 1, s: 2, i: 4, d: 8 };

/** offsetof(MinimalTupleData, t_bits) */
const MINIMAL_TUPLE_HEADER = 15;
/** aset.c's ALLOC_CHUNKHDRSZ, ALLOC_BLOCKHDRSZ, ALLOC_CHUNK_LIMIT */
const ASET_CHUNK_HEADER = 16;
const ASET_BLOCK_HEADER = 40;
const ASET_CHUNK_LIMIT = 8192;
/** generation.c's Generation_CHUNKHDRSZ */
const GENERATION_CHUNK_HEADER = 24;

/** A column value's shape: -1 NULL, 0 a fixed-length value, else a varlena's payload bytes + 1 */
type Shape = number;

function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A varlena's payload bytes (VARSIZE - VARHDRSZ) as PostgreSQL stores the value. */
function varlenaPayload(type: SqlType, v: Value): number {
  if (typeof v === 'string') {
    if (type.oid === OID.numeric) return numericPayload(v);
    return utf8Bytes(v);
  }
  if (v instanceof Float32Array) return 4 + 4 * v.length; // pgvector: dim, unused, then float4s
  if (v instanceof Uint16Array) return 4 + 2 * v.length; // halfvec
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (Array.isArray(v)) return 20 + v.length * 8; // an array: header, dims, elements (approximate)
  return utf8Bytes(String(v));
}

/** numeric's short format: a 2-byte header and one int16 per base-10000 digit (leading / trailing zeros dropped). */
function numericPayload(text: string): number {
  const m = /^-?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return 2;
  const int = m[1].replace(/^0+/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const intDigits = Math.ceil(int.length / 4);
  const fracDigits = Math.ceil(frac.length / 4);
  let digits = intDigits + fracDigits;
  // zero base-10000 digits at the ends are not stored
  if (int.length && /^0+$/.test(int.slice(-4))) digits--;
  return 2 + 2 * Math.max(0, digits);
}

function shapeOf(type: SqlType, v: Value): Shape {
  if (v === null) return -1;
  return typeInfo(type.oid).len === -1 ? varlenaPayload(type, v) + 1 : 0;
}

/**
 * A MinimalTuple's t_len for values of these shapes and types, in this column order
 * (heap_form_minimal_tuple: header and null bitmap MAXALIGNed, then the data).
 */
function tupleLength(shapes: readonly Shape[], types: readonly SqlType[]): number {
  const hasNull = shapes.some((s) => s === -1);
  let off = 0;
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    if (s === -1) continue;
    const info = typeInfo(types[i].oid);
    if (info.len > 0) {
      off = alignTo(off, ALIGN[info.align ?? 'd'] ?? 8) + info.len;
      continue;
    }
    const payload = s - 1;
    // a short varlena (1-byte header) needs no alignment (ATT_IS_PACKABLE, VARATT_CAN_MAKE_SHORT)
    if (payload + 1 <= 127) off += payload + 1;
    else off = alignTo(off, ALIGN[info.align ?? 'i'] ?? 4) + payload + 4;
  }
  return MAXALIGN(MINIMAL_TUPLE_HEADER + (hasNull ? Math.ceil(shapes.length / 8) : 0)) + off;
}

/** A row's MinimalTuple t_len (its columns in the order given). */
export function minimalTupleLength(row: readonly Value[], types: readonly SqlType[]): number {
  return tupleLength(row.map((v, i) => shapeOf(types[i], v)), types);
}

/** aset.c's GetMemoryChunkSpace of palloc(size): a power of 2 (at least 8) up to 8 kB, past it its own block. */
export function allocSetChunkSpace(size: number): number {
  if (size > ASET_CHUNK_LIMIT) return MAXALIGN(size) + ASET_CHUNK_HEADER;
  return Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, size)))) + ASET_CHUNK_HEADER;
}

/** generation.c's GetMemoryChunkSpace of palloc(size) (PostgreSQL 15: the tuples of a sort without a bound). */
export function generationChunkSpace(size: number): number {
  return MAXALIGN(size) + GENERATION_CHUNK_HEADER;
}

/**
 * Rows counted by the shapes of their values, so their tuples can be measured later in the
 * column order EXPLAIN knows (a hash table's rows are the Hash input's target list, which
 * PostgreSQL orders by where each column is first needed). Past MAX_SHAPES distinct shapes the
 * further rows are counted as the average of the first ones.
 */
export class TupleShapes {
  private readonly counts = new Map<string, { shapes: Shape[]; n: number }>();
  private counted = 0;
  rows = 0;
  private static readonly MAX_SHAPES = 4096;

  /** per column: a varlena (its size varies by value) */
  private readonly varlena: boolean[];

  constructor(readonly types: readonly SqlType[]) {
    this.varlena = types.map((t) => typeInfo(t.oid).len === -1);
  }

  add(row: readonly Value[]): void {
    this.rows++;
    // the shape's key built without arrays: this runs once per row under EXPLAIN ANALYZE
    let key = '';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      key += v === null ? 'n,' : this.varlena[i] ? `${varlenaPayload(this.types[i], v)},` : ',';
    }
    const had = this.counts.get(key);
    if (had) had.n++;
    else if (this.counts.size < TupleShapes.MAX_SHAPES) this.counts.set(key, { shapes: row.map((v, i) => shapeOf(this.types[i], v)), n: 1 });
    else return;
    this.counted++;
  }

  /** Σ chunk(t_len) over the rows, each a tuple of the columns `order` (indexes into the row; all when absent) */
  bytes(chunk: (tLen: number) => number, order?: readonly number[]): number {
    const types = order ? order.map((c) => this.types[c]) : this.types;
    return this.sum((shapes) => chunk(tupleLength(order ? order.map((c) => shapes[c] ?? -1) : shapes, types)));
  }

  private sum(each: (shapes: Shape[]) => number): number {
    let sum = 0;
    for (const { shapes, n } of this.counts.values()) sum += n * each(shapes);
    return this.counted === 0 ? 0 : (sum * this.rows) / this.counted;
  }
}

// ---------------------------------------------------------------------------------------
// tuplesort.c

const SORT_TUPLE = 24;
const INITIAL_MEMTUPSIZE = 1024;

/** What a sort in memory held, for its "Sort Method: … Memory: n kB" (tuplesort_get_stats). */
export interface SortSpace {
  readonly method: 'quicksort' | 'top-N heapsort';
  /** the tuples held at the end: all of them (quicksort) or the bound's (heap) */
  readonly tuples: TupleShapes;
  /** tuples put into the sort before it became a bounded heap (or all of them): the memtuples array grew with them */
  readonly count: number;
  /** a sort with a bound keeps its tuples in an aset context, one without in a generation context (PostgreSQL 15) */
  readonly bounded: boolean;
}

/**
 * tuplesort's spaceUsed: the memtuples array (1024 SortTuples, doubled by grow_memtuples while
 * no more than half of work_mem is used, then grown once by the ratio left) and each tuple's
 * chunk; a single column passed by value is sorted as datums (nodeSort.c), no tuples held.
 * `order`: the sort's input columns as PostgreSQL's target list has them.
 */
export function sortSpaceUsed(s: SortSpace, workMemBytes: number, order?: readonly number[]): number {
  const chunk = s.bounded ? allocSetChunkSpace : generationChunkSpace;
  const columns = order ?? s.tuples.types.map((_, i) => i);
  // nodeSort.c sorts a single column passed by value as datums: no tuples held
  const byValue = columns.length === 1 && typeInfo(s.tuples.types[columns[0]].oid).byval;
  const tupleBytes = byValue ? 0 : s.tuples.bytes(chunk, order);
  const perTuple = s.tuples.rows ? tupleBytes / s.tuples.rows : 0;
  const arraySpace = (n: number) => allocSetChunkSpace(n * SORT_TUPLE);
  let size = INITIAL_MEMTUPSIZE;
  // grow_memtuples runs when the array has one free slot left, with the tuples held so far counted
  for (let c = size - 1; c < s.count; c = size - 1) {
    const used = arraySpace(size) + perTuple * (c + 1);
    const avail = workMemBytes - used;
    const last = used > avail;
    const next = last ? Math.floor(size * (workMemBytes / used)) : size * 2;
    if (next <= size || avail < (next - size) * SORT_TUPLE) break;
    size = next;
    if (last) break;
  }
  return arraySpace(size) + tupleBytes;
}

/** kB as explain.c prints a space in bytes: (bytes + 1023) / 1024 */
export function kilobytes(bytes: number): number {
  return Math.floor((bytes + 1023) / 1024);
}

// ---------------------------------------------------------------------------------------
// nodeHash.c

/** HJTUPLE_OVERHEAD: MAXALIGN(sizeof(HashJoinTupleData)) */
const HJTUPLE_OVERHEAD = 16;
const SKEW_BUCKET_OVERHEAD = 16;
const SKEW_HASH_MEM_PERCENT = 2;
const MAX_ALLOC_SIZE = 0x3fffffff;

const prevPow2 = (n: number): number => (n < 1 ? 0 : 2 ** Math.floor(Math.log2(n)));
const nextPow2 = (n: number): number => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));

/**
 * ExecChooseHashTableSize (not parallel): buckets and batches for `rows` inner tuples of
 * `width` bytes in hash_mem, less the skew table's share when the skew optimization may run.
 */
export function chooseHashTableSize(rows: number, width: number, hashMemBytes: number, useSkew: boolean): { buckets: number; batches: number } {
  const ntuples = rows <= 0 ? 1000 : rows;
  const tupsize = HJTUPLE_OVERHEAD + MAXALIGN(MINIMAL_TUPLE_HEADER) + MAXALIGN(width);
  const innerBytes = ntuples * tupsize;
  let hashTableBytes = hashMemBytes;
  if (useSkew) {
    const bytesPerMcv = tupsize + 8 * 8 + 4 + SKEW_BUCKET_OVERHEAD;
    const skewMcvs = Math.floor((Math.floor(hashTableBytes / bytesPerMcv) * SKEW_HASH_MEM_PERCENT) / 100);
    if (skewMcvs > 0) hashTableBytes -= skewMcvs * bytesPerMcv;
  }
  let maxPointers = Math.min(Math.floor(hashTableBytes / 8), Math.floor(MAX_ALLOC_SIZE / 8));
  maxPointers = Math.min(prevPow2(maxPointers), 2 ** 30);
  let buckets = nextPow2(Math.max(Math.min(Math.ceil(ntuples), maxPointers), 1024));
  let batches = 1;
  if (innerBytes + buckets * 8 > hashTableBytes) {
    const bucketSize = tupsize + 8;
    const sbuckets = hashTableBytes <= bucketSize ? 1 : nextPow2(Math.floor(hashTableBytes / bucketSize));
    buckets = nextPow2(Math.min(sbuckets, maxPointers));
    const minBatch = Math.min(Math.ceil(innerBytes / (hashTableBytes - buckets * 8)), maxPointers);
    batches = nextPow2(Math.max(2, minBatch));
  }
  return { buckets, batches };
}

/** What a Hash node shows: "Buckets: n (originally m)  Batches: …  Memory Usage: …" */
export interface HashInfo { buckets: number; originalBuckets: number; batches: number; originalBatches: number; peakBytes: number }

/**
 * The hash table as ExecHashTableInsert fills it: with one batch the buckets double while
 * the tuples outnumber them (the test runs before each insert counts its tuple); spacePeak
 * is each tuple's HJTUPLE_OVERHEAD + t_len plus the bucket array. Batches > 1 (planned or
 * spilled by Quiver): the tuples are spread evenly over them.
 */
export function hashTableInfo(planned: { buckets: number; batches: number }, tuples: number, tupleBytes: number, batches: number): HashInfo {
  let buckets = planned.buckets;
  if (batches === 1) while (tuples - 1 > buckets) buckets *= 2;
  const perBatch = batches > 1 ? Math.ceil(tupleBytes / batches) : tupleBytes;
  return { buckets, originalBuckets: planned.buckets, batches, originalBatches: planned.batches, peakBytes: perBatch + buckets * 8 };
}

/** A hash table tuple's share of spaceUsed. */
export const hashTupleSpace = (tLen: number): number => HJTUPLE_OVERHEAD + tLen;

// ---------------------------------------------------------------------------------------
// nodeAgg.c (hashed) over aset.c

/** sizeof(AllocSetContext), MAXALIGNed: the keeper block holds the context header too */
const ASET_CONTEXT_HEADER = 208;
const ASET_INIT_BLOCK = 8192;
const ASET_MAX_BLOCK = 8 * 1024 * 1024;

/**
 * An AllocSet context (8 kB first blocks, doubling up to `maxBlock`; ALLOCSET_DEFAULT_SIZES'
 * 8 MB unless given): the blocks it allocated (MemoryContextMemAllocated).
 */
export class AllocSetModel {
  allocated = ASET_INIT_BLOCK;
  private free = ASET_INIT_BLOCK - ASET_CONTEXT_HEADER - ASET_BLOCK_HEADER;
  private nextBlock = ASET_INIT_BLOCK;
  private readonly freeList = new Map<number, number>();

  constructor(private readonly maxBlock = ASET_MAX_BLOCK) {}

  /** CreateWorkExprContext's context: its blocks at most 1/16 of work_mem (a power of 2, at least 8 kB) */
  static forWorkMem(workMemBytes: number): AllocSetModel {
    let max = ASET_MAX_BLOCK;
    while (16 * max > workMemBytes && max > ASET_INIT_BLOCK) max /= 2;
    return new AllocSetModel(max);
  }

  alloc(size: number): void {
    if (size > ASET_CHUNK_LIMIT) {
      this.allocated += MAXALIGN(size) + ASET_CHUNK_HEADER + ASET_BLOCK_HEADER;
      return;
    }
    const chunk = allocSetChunkSpace(size) - ASET_CHUNK_HEADER;
    const reuse = this.freeList.get(chunk) ?? 0;
    if (reuse > 0) { this.freeList.set(chunk, reuse - 1); return; }
    const need = chunk + ASET_CHUNK_HEADER;
    if (this.free < need) {
      // the rest of the block becomes free chunks, as large as fit
      while (this.free >= 8 + ASET_CHUNK_HEADER) {
        const piece = prevPow2(this.free - ASET_CHUNK_HEADER);
        this.freeList.set(piece, (this.freeList.get(piece) ?? 0) + 1);
        this.free -= piece + ASET_CHUNK_HEADER;
      }
      let block = this.nextBlock;
      this.nextBlock = Math.min(this.nextBlock * 2, this.maxBlock);
      while (block < need + ASET_BLOCK_HEADER) block *= 2;
      this.allocated += block;
      this.free = block - ASET_BLOCK_HEADER;
    }
    this.free -= need;
  }

  /** pfree: a chunk goes to its free list, a chunk past the limit gives its block back */
  release(size: number): void {
    if (size > ASET_CHUNK_LIMIT) { this.allocated -= MAXALIGN(size) + ASET_CHUNK_HEADER + ASET_BLOCK_HEADER; return; }
    const chunk = allocSetChunkSpace(size) - ASET_CHUNK_HEADER;
    this.freeList.set(chunk, (this.freeList.get(chunk) ?? 0) + 1);
  }
}

/** sizeof(AggStatePerGroupData), TupleHashEntryData */
const PER_GROUP = 16;
const HASH_ENTRY = 24;
/** what BuildTupleHashTableExt puts in the meta context besides the buckets (table, slot, equality ExprState) */
const HASH_META_FIXED = 1880;
const SH_FILLFACTOR = 0.9;

/** What a hashed aggregate's run left for its "Batches: n  Memory Usage: …" line. */
export interface HashAggRun {
  /** groups in the hash table before the last input row was looked up (simplehash grows on a lookup) */
  groupsBeforeLast: number;
  /** the table context (group keys and transition states): blocks allocated */
  tableBytes: number;
  /** per-group transition states (numtrans) */
  transitions: number;
}

/** Each new group's memory in the table context: its key tuple, its per-group states, by-reference initial states. */
export function addHashAggGroup(cxt: AllocSetModel, key: readonly Value[], keyTypes: readonly SqlType[], transitions: number, byRefStates: readonly number[]): void {
  cxt.alloc(minimalTupleLength(key, keyTypes));
  if (transitions > 0) cxt.alloc(PER_GROUP * transitions);
  for (const bytes of byRefStates) cxt.alloc(bytes);
}

/**
 * hash_agg_update_metrics after the table is filled: the meta context (its keeper block, the
 * simplehash bucket array sized from the planner's group estimate and doubled when 90% full,
 * the standalone ExprContext's 8 kB) plus the table context's blocks.
 */
export function hashAggPeakBytes(run: HashAggRun, estimatedGroups: number, hashMemBytes: number, keyWidth: number): number {
  const entrySize = HASH_ENTRY + PER_GROUP * run.transitions;
  // hash_choose_num_buckets (at most half what fits in hash_mem), then BuildTupleHashTableExt's limit
  const hashEntrySize = MAXALIGN(MINIMAL_TUPLE_HEADER) + MAXALIGN(keyWidth) + HASH_ENTRY + PER_GROUP * run.transitions;
  let nbuckets = Math.max(1, Math.min(Math.max(1, Math.round(estimatedGroups)), Math.floor(hashMemBytes / hashEntrySize) >> 1));
  nbuckets = Math.min(nbuckets, Math.floor(hashMemBytes / entrySize));
  let size = nextPow2(Math.max(nbuckets / SH_FILLFACTOR, 2));
  const meta = new AllocSetModel();
  meta.alloc(HASH_META_FIXED);
  meta.alloc(size * HASH_ENTRY);
  while (run.groupsBeforeLast >= Math.floor(size * SH_FILLFACTOR)) {
    meta.alloc(size * 2 * HASH_ENTRY);
    meta.release(size * HASH_ENTRY);
    size *= 2;
  }
  return meta.allocated + ASET_INIT_BLOCK + run.tableBytes;
}
