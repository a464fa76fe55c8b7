/**
 * An expression vector index's keys computed in a worker thread (vector-index-key-worker.ts)
 * when the storage indexes a segment (CREATE INDEX, a seal, a restart, a compaction): the
 * storage's ComputeIndexKeys for the index's key. The worker compiles the same function from
 * the catalog's tree of the key (plain data) and reads the column from the segment's shared
 * memory, so the session thread neither computes nor copies the keys: a 768-d halfvec cast
 * costs 35-50 µs a row, seconds for a large segment.
 */
import type { IndexKeyNode } from '../catalog/catalog.js';
import type { ComputeIndexKeys, IndexKeys, IndexKeysRequest } from '../storage/api.js';
import { SerialWorker } from '../storage/serial-worker.js';
import { IndexBuildAborted } from '../ann/worker-build.js';
import type { SqlType } from '../types/types.js';
import type { IndexKeyDef } from './vector-index-key.js';

/** What the worker is sent: the key's definition and one segment's column. */
export interface KeysJob extends IndexKeysRequest {
  readonly tree: IndexKeyNode;
  /** the key's type (IndexExpression.type) */
  readonly keyType: SqlType;
  /** the indexed column's type */
  readonly columnType: SqlType;
}

let keyWorker: SerialWorker<KeysJob, IndexKeys> | undefined;

/** The storage's ComputeIndexKeys for the key of `idx` over a column of type `columnType`. */
export function indexKeysInWorker(idx: IndexKeyDef, columnType: SqlType): ComputeIndexKeys {
  const { tree, type: keyType } = idx.expression;
  return async (request, signal) => {
    if (signal?.aborted) throw new IndexBuildAborted();
    keyWorker ??= new SerialWorker(new URL('./vector-index-key-worker.js', import.meta.url), 'expression index keys');
    const keys = keyWorker.run({ ...request, tree, keyType, columnType });
    if (!signal) return keys;
    // a cancelled build does not wait for the keys (the worker finishes them for nothing)
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(new IndexBuildAborted()))));
    try {
      return await Promise.race([keys, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  };
}
