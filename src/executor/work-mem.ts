/**
 * work_mem for the operators that hold their input: sort, a hash join's build side, hash
 * aggregate, window aggregate, DISTINCT and set operations. Past work_mem a sort, a hash join and a hash
 * aggregate spill to temp files (spill/); the others (and any operator when the run has no
 * temp space) fail with 53200 naming work_mem — an honest error instead of the whole
 * server dying of an out-of-memory crash.
 *
 * The bytes are an estimate: a sample of rows is measured (the first ones, then every
 * 64th) and the average is multiplied by the row count. A vector that is a view of segment
 * memory costs only its header, not the segment's bytes.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Row, Value } from '../types/types.js';
import { gather, type Step, type Suspend } from './suspend.js';

/** What each kind of operator is called in the error's detail. */
export type HoldingOperator = 'sort' | 'hash join' | 'join' | 'hash aggregate' | 'sorted aggregate' | 'window aggregate' | 'DISTINCT' | 'set operation';

const ROW_OVERHEAD = 16;
const SLOT_BYTES = 8;
const OBJECT_HEADER = 64;
/** rows measured one by one before sampling starts */
const SAMPLE_FIRST = 32;
const SAMPLE_EVERY = 64;

export class WorkMem {
  private rows = 0;
  private sampledRows = 0;
  private sampledBytes = 0;
  /** bytes beyond the rows' own (groups' aggregate states, hash table entries) */
  private extra = 0;

  constructor(readonly limitBytes: number, readonly what: HoldingOperator) {}

  /** One more row held; `extraBytes` for bookkeeping held beside it. */
  add(row: readonly Value[], extraBytes = 0): void {
    if (!this.tryAdd(row, extraBytes)) throw this.exceeded();
  }

  /** add() for an operator that can spill: false (instead of 53200) once past the limit */
  tryAdd(row: readonly Value[], extraBytes = 0): boolean {
    this.rows++;
    this.extra += extraBytes;
    if (this.rows <= SAMPLE_FIRST || this.rows % SAMPLE_EVERY === 0) {
      this.sampledRows++;
      this.sampledBytes += rowBytes(row);
      if (this.estimate() > this.limitBytes) return false;
    }
    return true;
  }

  /** the operator wrote what it held to a temp file: start counting again (the row size sample stays) */
  reset(): void {
    this.sampledBytes = this.sampledRows === 0 ? 0 : this.sampledBytes / this.sampledRows;
    this.sampledRows = this.sampledRows === 0 ? 0 : 1;
    this.rows = 0;
    this.extra = 0;
  }

  /** rows counted since the start (or the last reset) */
  get count(): number {
    return this.rows;
  }

  estimate(): number {
    return this.sampledRows === 0 ? this.extra : (this.sampledBytes / this.sampledRows) * this.rows + this.extra;
  }

  exceeded(): SqlError {
    return new SqlError(SqlState.outOfMemory, 'out of memory', {
      detail: `The ${this.what} needs more than work_mem (${formatBytes(this.limitBytes)}): about ${formatBytes(this.estimate())} for ${this.rows.toLocaleString('en-US')} rows so far.`,
      hint: 'Raise work_mem, or add a LIMIT or a more selective WHERE clause.',
    });
  }
}

/** A budget for one operator, or none when the run has no work_mem (internal runs). */
export function workMemFor(limitBytes: number | undefined, what: HoldingOperator): WorkMem | undefined {
  return limitBytes !== undefined && limitBytes > 0 ? new WorkMem(limitBytes, what) : undefined;
}

export function rowBytes(row: readonly Value[]): number {
  let n = ROW_OVERHEAD + SLOT_BYTES * row.length;
  for (const v of row) n += valueBytes(v, 2);
  return n;
}

/** Heap bytes of one value, roughly (V8 layouts, not exact); `depth` bounds the walk. */
export function valueBytes(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string': return 16 + v.length;
    case 'bigint': return 24;
    case 'object': break;
    default: return 0; // numbers, booleans: in the slot
  }
  if (v === null) return 0;
  if (ArrayBuffer.isView(v)) {
    // a view into a bigger buffer (a sealed segment's vector column) shares that memory
    return v.byteLength === v.buffer.byteLength ? OBJECT_HEADER + v.byteLength : OBJECT_HEADER;
  }
  if (Array.isArray(v)) {
    let n = ROW_OVERHEAD + SLOT_BYTES * v.length;
    if (depth > 0) for (const x of v) n += valueBytes(x, depth - 1);
    return n;
  }
  if (v instanceof Date) return 32;
  let n = OBJECT_HEADER;
  if (depth > 0) for (const x of Object.values(v as object)) n += SLOT_BYTES + valueBytes(x, depth - 1);
  return n;
}

/** work_mem's text ('64MB', '4096kB') the way PostgreSQL shows memory sizes. */
export function formatBytes(bytes: number): string {
  const kb = Math.round(bytes / 1024);
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) === 0) return `${kb / (1024 * 1024)}GB`;
  if (kb >= 1024 && kb % 1024 === 0) return `${kb / 1024}MB`;
  if (kb >= 1024) return `${(bytes / (1024 * 1024)).toFixed(0)}MB`;
  return `${kb}kB`;
}

/**
 * gather() (all rows of a child, suspends passed up), each row counted against `budget`,
 * with `extraPerRow` bytes of bookkeeping (a hash table's entry) beside it.
 */
export function* gatherWithin(steps: Iterable<Step>, budget: WorkMem | undefined, extraPerRow = 0): Generator<Suspend, Row[], unknown> {
  return yield* gather(steps, budget && ((r) => budget.add(r, extraPerRow)));
}
