/**
 * IVFFlat over bit strings (ann/bit-ivf.ts): one probe finds most, all probes is the
 * exact Hamming answer, NULL rows are in no list, and the file opens again as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignBitLists, BitIvfIndex, bytesPerRow, trainBitCenters, writeBitIvfFile } from '../src/ann/bit-ivf.js';
import { seededRandom } from '../src/ann/kmeans.js';

const BITS = 256;
const ROWS = 4000;
const LISTS = 16;
const per = bytesPerRow(BITS);
const rnd = seededRandom(7);

// 16 clusters: each row is its cluster's code with ~8 % of the bits flipped
const centers = Array.from({ length: 16 }, () => Uint8Array.from({ length: per }, () => Math.floor(rnd() * 256)));
const packed = new Uint8Array(ROWS * per);
for (let r = 0; r < ROWS; r++) {
  const c = centers[r % 16];
  for (let b = 0; b < BITS; b++) {
    let bit = (c[b >> 3] >> (7 - (b & 7))) & 1;
    if (rnd() < 0.08) bit ^= 1;
    if (bit) packed[r * per + (b >> 3)] |= 0x80 >> (b & 7);
  }
}
const nulls = new Uint8Array(ROWS);
nulls[5] = 1;
nulls[77] = 1;

const bitsOf = (row: number) => Float32Array.from({ length: BITS }, (_, b) => (packed[row * per + (b >> 3)] >> (7 - (b & 7))) & 1);
function hamming(a: Float32Array, row: number): number {
  let d = 0;
  for (let b = 0; b < BITS; b++) d += a[b] !== ((packed[row * per + (b >> 3)] >> (7 - (b & 7))) & 1) ? 1 : 0;
  return d;
}
function exact(q: Float32Array, k: number): number[] {
  const all = [];
  for (let r = 0; r < ROWS; r++) if (nulls[r] !== 1) all.push({ r, d: hamming(q, r) });
  return all.sort((x, y) => x.d - y.d || x.r - y.r).slice(0, k).map((x) => x.r);
}

test('bit IVFFlat: one probe finds most of a cluster, all lists is the exact answer, NULL rows are in no list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bit-ivf-'));
  try {
    const sample = packed.slice(0, 2000 * per);
    const trained = trainBitCenters(sample, 2000, BITS, LISTS);
    const { offsets, positions } = assignBitLists(packed, ROWS, BITS, trained, LISTS, nulls);
    assert.equal(positions.length, ROWS - 2);
    assert.ok(!positions.includes(5) && !positions.includes(77));
    const path = join(dir, 'seg.ivf');
    writeBitIvfFile(path, BITS, ROWS, trained, LISTS, offsets, positions);
    const index = BitIvfIndex.open(path, packed);
    const queries = [3, 250, 1999, 3001, 3998].map(bitsOf);
    const recall = (probes: number) => queries.reduce((s, q) => {
      const truth = new Set(exact(q, 10));
      return s + index.search(q, 10, probes).filter((h) => truth.has(h.position)).length / 10;
    }, 0) / queries.length;
    const r1 = recall(1);
    const rAll = recall(LISTS);
    assert.equal(rAll, 1, 'every list probed: the exact answer');
    assert.ok(r1 >= 0.5, `clustered data: one probe finds most (${r1})`);
    for (const q of queries) {
      const hits = index.search(q, 10, LISTS);
      assert.deepEqual(hits.map((h) => h.position), exact(q, 10));
      assert.deepEqual(hits.map((h) => h.distance), exact(q, 10).map((r) => hamming(q, r)));
    }
    // a far query with one probe still gets k rows (more lists are read until k were seen)
    assert.equal(index.search(new Float32Array(BITS), 50, 1).length, 50);
    assert.equal(index.fileRef().kind, 'ivfflat');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
