/**
 * An expression index's keys for a sealed segment, computed in a worker thread (executor/
 * vector-index-key-build.ts: the engine's function compiled there from the catalog's tree,
 * the column read from the segment's shared memory) and a slice at a time on the session
 * thread (storage/index-key-column.ts, the path for columns not in shared memory): the same
 * packed keys and NULLs for halfvec casts, binary quantization and subvectors, with NULL
 * vectors and more than one record batch; a key function's error keeps its SQLSTATE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { indexedColumn } from '../src/storage/index-key-column.js';
import type { SealedSegment } from '../src/storage/segment.js';
import type { VectorIndexKey, VectorIndexSpec } from '../src/storage/api.js';
import type { IndexKeyNode, TableDef } from '../src/catalog/catalog.js';
import { vectorIndexKey } from '../src/executor/vector-index-key.js';
import { SqlError } from '../src/errors.js';
import { OID, type Row, type SqlType } from '../src/types/types.js';

const DIM = 24;
const VECTOR: SqlType = { oid: OID.vector, typmod: DIM };
const LAYOUT = { id: 16600, columns: [{ name: 'id', type: { oid: OID.int8, typmod: -1 } }, { name: 'embedding', type: VECTOR }] };
const TABLE = { columns: LAYOUT.columns } as unknown as TableDef;
// more than one Arrow record batch (65,536 rows each)
const N = 70_000;

const column: IndexKeyNode = { kind: 'column' };
const KEYS: { name: string; tree: IndexKeyNode; type: SqlType; form: 'vectors' | 'bits' }[] = [
  { name: 'embedding::halfvec(24)', tree: { kind: 'cast', type: { oid: OID.halfvec, typmod: DIM }, arg: column }, type: { oid: OID.halfvec, typmod: DIM }, form: 'vectors' },
  { name: 'binary_quantize(embedding)::bit(24)', tree: { kind: 'cast', type: { oid: OID.bit, typmod: DIM }, arg: { kind: 'call', name: 'binary_quantize', args: [column], argTypes: [VECTOR] } }, type: { oid: OID.bit, typmod: DIM }, form: 'bits' },
  {
    name: 'subvector(embedding, 1, 8)::vector(8)',
    tree: { kind: 'cast', type: { oid: OID.vector, typmod: 8 }, arg: { kind: 'call', name: 'subvector', args: [column, { kind: 'const', type: { oid: OID.int4, typmod: -1 }, text: '1' }, { kind: 'const', type: { oid: OID.int4, typmod: -1 }, text: '8' }], argTypes: [VECTOR, { oid: OID.int4, typmod: -1 }, { oid: OID.int4, typmod: -1 }] } },
    type: { oid: OID.vector, typmod: 8 }, form: 'vectors',
  },
];

function row(i: number, huge = false): Row {
  return [BigInt(i), i % 101 === 0 ? null : Float32Array.from({ length: DIM }, (_, d) => (huge && i === 500 && d === 3 ? 1e6 : Math.sin(i * 31 + d * 7) * 100))];
}

async function withSegment(rows: Row[], fn: (seg: SealedSegment) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-expr-keys-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    const txn = s.begin();
    txn.insert(LAYOUT.id, rows);
    await txn.commit();
    await s.seal(LAYOUT.id);
    const sealed = (s as unknown as { tables: Map<number, { sealed: SealedSegment[] }> }).tables.get(LAYOUT.id)!.sealed;
    assert.deepEqual(sealed.map((x) => x.length), [rows.length], 'one sealed segment of every row');
    const seg = sealed[0]!;
    assert.ok(seg.sharedVectors(1), 'the vector column is in shared memory');
    await fn(seg);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same key with its worker (as the engine attaches it) and without (slices on this thread). */
function both(k: (typeof KEYS)[number]) {
  const entry: VectorIndexKey = vectorIndexKey({ columns: [1], expression: { tree: k.tree, type: k.type, name: '', sql: '', pretty: '' } }, TABLE);
  const spec: VectorIndexSpec = { name: 'i', column: 1, op: k.form === 'bits' ? '<~>' : '<->', m: 16, efConstruction: 64, expression: { key: entry.key, dim: k.type.typmod } };
  const inWorker = indexedColumn(spec, DIM, new Map([[entry.key, entry]]))!;
  const inSlices = indexedColumn(spec, DIM, new Map([[entry.key, { key: entry.key, toKey: entry.toKey }]]))!;
  return { inWorker, inSlices };
}

test('expression index keys from the worker thread equal those computed a slice at a time', async () => {
  await withSegment(Array.from({ length: N }, (_, i) => row(i)), async (seg) => {
    for (const k of KEYS) {
      const { inWorker, inSlices } = both(k);
      if (k.form === 'vectors') {
        // a build's fresh buffer, and the kept (shared) keys
        assert.deepEqual(await inWorker.copy(seg), await inSlices.copy(seg), `${k.name}: copy`);
        await inWorker.prepare(seg, 'vectors');
        await inSlices.prepare(seg, 'vectors');
        assert.deepEqual(inWorker.vectors(seg)[0]!.data, inSlices.vectors(seg)[0]!.data, `${k.name}: vectors`);
        assert.ok(inWorker.vectors(seg)[0]!.data.buffer instanceof SharedArrayBuffer, 'kept keys are shared');
      } else {
        await inWorker.prepare(seg, 'bits');
        await inSlices.prepare(seg, 'bits');
        assert.deepEqual(inWorker.bits(seg), inSlices.bits(seg), `${k.name}: bits`);
      }
      const nulls = inWorker.nulls(seg);
      assert.deepEqual(nulls, inSlices.nulls(seg), `${k.name}: nulls`);
      assert.equal(nulls?.reduce((n, x) => n + x, 0), Math.ceil(N / 101), `${k.name}: the NULL vectors' keys are NULL`);
    }
  });
});

test('a key function\'s error in the worker thread is the SqlError the session thread raises', async () => {
  await withSegment(Array.from({ length: 2000 }, (_, i) => row(i, true)), async (seg) => {
    const { inWorker, inSlices } = both(KEYS[0]!);
    const failure = async (p: Promise<unknown>) => { try { await p; } catch (e) { return e; } assert.fail('no error'); };
    const a = await failure(inWorker.copy(seg)) as SqlError;
    const b = await failure(inSlices.copy(seg)) as SqlError;
    assert.ok(a instanceof SqlError && b instanceof SqlError);
    assert.equal(a.code, '22003');
    assert.deepEqual([a.code, a.message], [b.code, b.message]);
  });
});
