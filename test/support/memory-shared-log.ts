/**
 * In-process stand-ins for the cluster seams of storage (src/storage/shared-log.ts): a
 * shared log in memory with the real fencing rule, and an object store on a directory.
 * For storage tests that need no NATS or S3; the real ones are tested in cluster-*.test.ts.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LogFenced, LogTrimmed, type LogBatch, type ObjectStore, type SharedLog } from '../../src/storage/shared-log.js';

export class MemorySharedLog implements SharedLog {
  readonly batches: LogBatch[] = [];
  private waiters: (() => void)[] = [];

  async append(payload: Uint8Array, expectedLast: number): Promise<number> {
    const last = this.batches.length;
    if (expectedLast !== last) throw new LogFenced(expectedLast, last);
    this.batches.push({ seq: last + 1, payload: payload.slice() });
    for (const w of this.waiters.splice(0)) w();
    return last + 1;
  }

  async lastSeq(): Promise<number> {
    return this.batches.length;
  }

  /** batches up to here are trimmed (kept in `batches` for tests to look at, never read) */
  trimmed = 0;

  async trimmedTo(): Promise<number> {
    return this.trimmed;
  }

  async trim(seq: number): Promise<void> {
    this.trimmed = Math.max(this.trimmed, Math.min(seq, this.batches.length));
  }

  async read(afterSeq: number, visit: (b: LogBatch) => void | Promise<void>, options: { follow?: boolean; signal?: AbortSignal } = {}): Promise<number> {
    if (afterSeq < this.trimmed) throw new LogTrimmed(afterSeq, this.trimmed);
    let at = afterSeq;
    for (;;) {
      while (at < this.batches.length) await visit(this.batches[at++]);
      if (!options.follow || options.signal?.aborted) return at;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  async close(): Promise<void> {}
}

export class DirectoryObjectStore implements ObjectStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async put(key: string, file: string): Promise<void> {
    copyFileSync(file, join(this.dir, key));
  }

  async get(key: string, file: string): Promise<boolean> {
    if (!existsSync(join(this.dir, key))) return false;
    copyFileSync(join(this.dir, key), `${file}.part`);
    renameSync(`${file}.part`, file);
    return true;
  }

  async has(key: string): Promise<boolean> {
    return existsSync(join(this.dir, key));
  }

  async delete(key: string): Promise<void> {
    rmSync(join(this.dir, key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    return readdirSync(this.dir).filter((f) => f.startsWith(prefix));
  }
}
