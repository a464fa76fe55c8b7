/**
 * GIN posting files are built in a worker thread (executor/text-index-build.ts): the file a
 * worker writes for a sealed segment is byte for byte the one the session thread would
 * build (a tsvector column and to_tsvector('english', body), NULL rows, a segment of two
 * Arrow record batches), the segment answers from it, no temporary file stays, the
 * session thread keeps running meanwhile, and an aborted build leaves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { seededRandom } from '../bench/util.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { InvertedIndex } from '../src/storage/inverted-index.js';
import { encodeInvertedIndex } from '../src/storage/inverted-index-file.js';
import type { PackedTexts } from '../src/storage/api.js';
import { T } from '../src/types/types.js';
import { parseRegconfig } from '../src/types/regconfig.js';
import { configByOid } from '../src/functions/text-search/config.js';
import { toTsvector } from '../src/functions/text-search/vector.js';
import { indexVector } from '../src/executor/text-index-scan.js';
import { textIndexFileBuilder } from '../src/executor/text-index-build.js';
import { encodeTextIndex } from '../src/executor/text-index-build-worker.js';
import { IndexBuildAborted } from '../src/ann/worker-build.js';

const ENGLISH = parseRegconfig('english');
const WORDS = ('the cats are running quickly over a lazy dogs while birds sang songs of fishing in rivers and '
  + 'mountains national café naïve ünïcode 日本語 connection connected connecting http://example.com/x user@host.org 42 3.14').split(' ');

function sentences(n: number, seed: number): (string | null)[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => (r() < 0.02 ? null : Array.from({ length: 2 + Math.floor(r() * 9) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ')));
}

/** the texts packed as storage hands them to the worker */
function pack(texts: readonly (string | null)[]): PackedTexts {
  const parts = texts.map((t) => Buffer.from(t ?? '', 'utf8'));
  const offsets = new Int32Array(texts.length + 1);
  parts.forEach((p, i) => { offsets[i + 1] = offsets[i]! + p.length; });
  const nulls = new Uint8Array(texts.map((t) => (t === null ? 1 : 0)));
  return { rows: texts.length, offsets, bytes: new Uint8Array(Buffer.concat(parts)), nulls };
}

test('a sealed segment of two record batches: the worker writes the same file the session thread would, and the segment answers from it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-gin-worker-'));
  try {
    // 70,000 rows: more than one Arrow record batch (65,536 rows)
    const bodies = sentences(70_000, 3);
    const cfg = configByOid(ENGLISH);
    const tsvs = bodies.map((b) => (b === null || b.length % 7 === 0 ? null : toTsvector(cfg, b)));
    const layout = { id: 11, columns: [{ name: 'id', type: T.int4 }, { name: 'body', type: T.text }, { name: 'tsv', type: T.text }] };
    const s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(layout);
    const txn = s.begin();
    txn.insert(11, bodies.map((b, i) => [i, b, tsvs[i]]));
    await txn.commit();
    const indexes = [
      { key: 'tsv', column: 2, tsvectorConfig: undefined, values: tsvs },
      { key: 'english-body', column: 1, tsvectorConfig: ENGLISH, values: bodies },
    ];
    // the session thread's tokenizer must not be called: the worker tokenizes
    const notHere = () => { throw new Error('tokenized on the session thread'); };
    for (const x of indexes) await s.createTextIndex(11, { name: `g_${x.column}`, key: x.key, column: x.column }, notHere, textIndexFileBuilder(x));
    const segDir = join(dir, 'segments');
    const files = readdirSync(segDir);
    assert.deepEqual(files.filter((f) => f.includes('.building-') || f.endsWith('.tmp')), [], 'a temporary file stayed');
    const [seg, ...more] = s.searchSegments(11, s.snapshot());
    assert.equal(more.length, 0);
    assert.equal(seg!.length, bodies.length);
    for (const x of indexes) {
      const file = files.filter((f) => f.endsWith(`.${x.key.replace(/-/g, '_')}.gin`));
      assert.equal(file.length, 1, x.key);
      const toVector = indexVector(x);
      const here = encodeInvertedIndex(InvertedIndex.build(x.values.length, (pos) => (x.values[pos] === null ? null : toVector(x.values[pos]))));
      assert.ok(Buffer.from(readFileSync(join(segDir, file[0]!))).equals(Buffer.from(here)), `${x.key}: the worker's file differs`);
      // the segment holds the file's index: it does not tokenize again
      const index = seg!.invertedIndex!(x.key, x.column, () => { throw new Error('rebuilt instead of read from the file'); });
      const run = index.posting('run');
      assert.ok(run && run.rows.length > 1000, x.key);
    }
    // a segment sealed later gets its files from the worker too (the tokenizer here still throws)
    const later = sentences(500, 4);
    const txn2 = s.begin();
    txn2.insert(11, later.map((b, i) => [100_000 + i, b, b === null ? null : toTsvector(cfg, b)]));
    await txn2.commit();
    await s.seal(11);
    const segs = s.searchSegments(11, s.snapshot());
    assert.equal(segs.length, 2);
    for (const x of indexes) {
      const gin = readdirSync(segDir).filter((f) => f.startsWith(`t11-s${segs[1]!.id}.`) && f.endsWith(`.${x.key.replace(/-/g, '_')}.gin`));
      assert.equal(gin.length, 1, `${x.key}: the sealed segment's file`);
      const index = segs[1]!.invertedIndex!(x.key, x.column, () => { throw new Error('rebuilt instead of read from the file'); });
      assert.equal(index.docLength.length, later.length);
    }
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the session thread keeps running while a worker tokenizes; an aborted build leaves no file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-gin-worker-'));
  try {
    const texts = sentences(40_000, 9).map((t) => (t === null ? t : `${t} ${t} ${t}`));
    const config = { tsvectorConfig: ENGLISH };
    // the same build on this thread: how long it would stall
    let t0 = performance.now();
    const expected = encodeTextIndex(pack(texts), ENGLISH);
    const inThreadMs = performance.now() - t0;

    let ticks = 0;
    let last = performance.now();
    let longestGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 2);
    let bytes: Uint8Array;
    t0 = performance.now();
    try {
      bytes = await textIndexFileBuilder(config)(pack(texts), join(dir, 'a.gin'));
    } finally {
      clearInterval(timer);
    }
    const workerMs = performance.now() - t0;
    assert.ok(Buffer.from(bytes).equals(Buffer.from(expected)));
    assert.ok(Buffer.from(readFileSync(join(dir, 'a.gin'))).equals(Buffer.from(expected)));
    // a build on this thread would let no timer run until it is done
    assert.ok(ticks >= 10, `${ticks} timer ticks in ${workerMs.toFixed(0)} ms`);
    assert.ok(longestGap < inThreadMs / 2, `longest gap ${longestGap.toFixed(0)} ms, an in-thread build ${inThreadMs.toFixed(0)} ms`);

    const abort = new AbortController();
    const aborted = textIndexFileBuilder(config)(pack(texts), join(dir, 'b.gin'), abort.signal);
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(aborted, IndexBuildAborted);
    for (let i = 0; i < 100 && readdirSync(dir).length > 1; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(readdirSync(dir), ['a.gin']);
    t.diagnostic(`in-thread build ${inThreadMs.toFixed(0)} ms; in a worker ${workerMs.toFixed(0)} ms with ${ticks} ticks, longest gap ${longestGap.toFixed(0)} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
