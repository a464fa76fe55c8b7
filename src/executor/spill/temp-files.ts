/**
 * Temp files for operators that spill past work_mem (external sort, hash aggregate and
 * hash join partitions). They live in `<data dir>/tmp`, named after the server's pid;
 * each operator removes its files when it finishes, fails or is cancelled (its generator's
 * finally block), and the server clears the directory at start (a crashed server's files).
 *
 * I/O is synchronous in chunks of CHUNK_BYTES: the operators are synchronous generators,
 * and they yield PAUSE between chunks, so a spilling query still gives others their turn.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SqlError, SqlState } from '../../errors.js';
import type { Row, Value } from '../../types/types.js';
import { RowDecoder, RowEncoder } from './row-codec.js';

/** Bytes written or read at a time. */
export const CHUNK_BYTES = 256 * 1024;

export const TEMP_DIR = 'tmp';

/** Create `<dataDir>/tmp` and remove whatever a previous (crashed) server left in it. */
export function prepareTempDir(dataDir: string): string {
  const dir = join(dataDir, TEMP_DIR);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
  return dir;
}

/** Where a server's temp files go; the names are unique within it. */
export class TempSpace {
  private next = 0;

  constructor(readonly dir: string) {}

  create(what: string): SpillFile {
    return new SpillFile(join(this.dir, `quiver_tmp.${process.pid}.${this.next++}.${what}`));
  }
}

/** One temp file of rows: appended while spilling, then read back front to back (any number of times). */
export class SpillFile {
  private fd: number;
  private readonly encoder = new RowEncoder();
  private written = 0;
  rows = 0;
  private removed = false;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'wx+', 0o600);
    } catch (e) {
      throw ioError(e, 'create', path);
    }
  }

  /** bytes on disk (after flush) */
  get bytes(): number {
    return this.written + this.encoder.length;
  }

  append(row: readonly Value[]): void {
    this.encoder.write(row);
    this.rows++;
    if (this.encoder.length >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.encoder.length === 0) return;
    const buf = this.encoder.take();
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, this.written + off);
    } catch (e) {
      throw ioError(e, 'write to', this.path);
    }
    this.written += buf.length;
  }

  /** The rows in the order they were appended, `batch` at a time. */
  reader(batch = 1024): SpillReader {
    this.flush();
    return new SpillReader(this.fd, this.path, this.written, batch);
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    try { closeSync(this.fd); } catch { /* already closed */ }
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}

export class SpillReader {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  /** file offset of buf[0] */
  private base = 0;
  private start = 0;
  private end = 0;

  constructor(private readonly fd: number, private readonly path: string, private readonly size: number, private readonly batch: number) {}

  /** the next rows (at most `batch`), or null at the end of the file */
  next(): Row[] | null {
    const out: Row[] = [];
    while (out.length < this.batch) {
      const stop = RowDecoder.rowEnd(this.buf, this.start, this.end);
      if (stop < 0) {
        if (!this.fill()) break;
        continue;
      }
      out.push(RowDecoder.decodeAt(this.buf, this.start));
      this.start = stop;
    }
    return out.length ? out : null;
  }

  /** Move the unread tail to the front and read more after it; false at the end of the file. */
  private fill(): boolean {
    const fileAt = this.base + this.end;
    if (fileAt >= this.size) {
      if (this.start !== this.end) throw new SqlError(SqlState.dataCorrupted, `temp file "${this.path}" ends inside a row`);
      return false;
    }
    const tail = this.end - this.start;
    // a row bigger than the buffer: grow it to the row's length
    const need = tail >= 4 ? 4 + this.buf.readUInt32LE(this.start) : 0;
    const size = Math.max(CHUNK_BYTES, need);
    const next = size > this.buf.length ? Buffer.allocUnsafe(size) : this.buf;
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.base += this.start;
    this.start = 0;
    this.end = tail;
    try {
      const n = readSync(this.fd, this.buf, tail, Math.min(this.buf.length - tail, this.size - fileAt), fileAt);
      this.end += n;
      return n > 0;
    } catch (e) {
      throw ioError(e, 'read from', this.path);
    }
  }
}

function ioError(e: unknown, what: string, path: string): SqlError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOSPC') return new SqlError(SqlState.diskFull, `could not ${what} temporary file "${path}": No space left on device`);
  return new SqlError(SqlState.ioError, `could not ${what} temporary file "${path}": ${err.message}`);
}

/** The temp files of one operator run: removed all at once when it ends, however it ends. */
export class SpillFiles {
  private readonly files = new Set<SpillFile>();
  /** bytes written to disk, for EXPLAIN ANALYZE */
  diskBytes = 0;

  constructor(private readonly space: TempSpace, private readonly what: string) {}

  create(): SpillFile {
    const f = this.space.create(this.what);
    this.files.add(f);
    return f;
  }

  /** done with one file: count its bytes and delete it */
  release(f: SpillFile): void {
    if (!this.files.delete(f)) return;
    f.flush();
    this.diskBytes += f.bytes;
    f.remove();
  }

  removeAll(): void {
    for (const f of this.files) {
      this.diskBytes += f.bytes;
      f.remove();
    }
    this.files.clear();
  }
}
