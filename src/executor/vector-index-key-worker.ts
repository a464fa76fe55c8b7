/**
 * Worker thread that computes an expression vector index's keys for a whole sealed segment
 * (vector-index-key-build.ts): the engine's function, compiled here from the index's stored
 * tree as the session thread compiles it (indexKeyFunction), applied to each row's vector
 * read from the segment's shared memory, the keys packed as the index reads them. Seconds
 * of CPU for 60,000 rows of a 768-d halfvec cast, off the session thread.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { IndexKeys, ToIndexKey } from '../storage/api.js';
import { BitPacker, VectorPacker } from '../storage/index-key-column.js';
import { serveSerially } from '../storage/serial-worker.js';
import type { Value } from '../types/types.js';
import { indexKeyFunction } from './vector-index-key.js';
import type { KeysJob } from './vector-index-key-build.js';

/** compiled key functions by their definition */
const functions = new Map<string, ToIndexKey>();

function keyFunction(job: KeysJob): ToIndexKey {
  const name = JSON.stringify([job.tree, job.keyType, job.columnType]);
  let f = functions.get(name);
  if (!f) {
    const table = { columns: [{ name: 'column', type: job.columnType }] } as unknown as TableDef;
    f = indexKeyFunction({ columns: [0], expression: { tree: job.tree, type: job.keyType, name: '', sql: '', pretty: '' } }, table);
    functions.set(name, f);
  }
  return f;
}

function compute(job: KeysJob): IndexKeys {
  const toKey = keyFunction(job);
  const { column, nulls } = job;
  const packer = job.form === 'vectors' ? new VectorPacker(column.count, job.dim, job.shared) : new BitPacker(column.count, job.dim);
  let start = 0;
  for (const chunk of column.chunks) {
    const data = new Float32Array(chunk.buffer, chunk.byteOffset, chunk.rows * column.dim);
    const values: Value[] = new Array(chunk.rows);
    for (let i = 0; i < chunk.rows; i++) values[i] = nulls?.[start + i] ? null : data.subarray(i * column.dim, (i + 1) * column.dim);
    packer.add(values, start, toKey);
    start += chunk.rows;
  }
  return { packed: packer.out, nulls: packer.nulls() };
}

serveSerially<KeysJob, IndexKeys>(compute, (keys) => [
  ...(keys.packed.buffer instanceof SharedArrayBuffer ? [] : [keys.packed.buffer as ArrayBuffer]),
  ...(keys.nulls ? [keys.nulls.buffer as ArrayBuffer] : []),
]);
