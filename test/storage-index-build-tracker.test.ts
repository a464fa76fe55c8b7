/**
 * What a vector index build reports as it goes (IndexBuildTracker) and how a session shows
 * it in pg_stat_progress_create_index (IndexBuildProgress): segments already indexed count
 * as done, tuples_done never goes back (an HNSW segment rebuilt on one thread starts its
 * rows again) and never passes tuples_total, a partition's build counts its own tuples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexBuildTracker } from '../src/storage/index-build-tracker.js';
import { IndexBuildProgress } from '../src/engine/index-build-progress.js';
import type { VectorIndexProgress } from '../src/storage/api.js';

function tracked(): { tracker: IndexBuildTracker; reports: VectorIndexProgress[]; logged: object[] } {
  const reports: VectorIndexProgress[] = [];
  const logged: object[] = [];
  const log = { info: (o: object) => logged.push(o), warn() {}, error() {} };
  return { tracker: new IndexBuildTracker((p) => reports.push(p), log, { table: 16400, index: 'items_v' }), reports, logged };
}

test('segments indexed before the build count as done; rows within a segment move tuples_done, never back', () => {
  const { tracker, reports, logged } = tracked();
  tracker.begin([100, 50, 30], [false, true, false]);
  assert.deepEqual(reports.at(-1), { phase: 'loading', rowsTotal: 180, rowsDone: 50, segmentsTotal: 3, segmentsDone: 1 });
  tracker.rowsInSegment(40);
  tracker.rowsInSegment(100);
  tracker.rowsInSegment(40); // the segment is built again: progress stays
  assert.equal(reports.at(-1)!.rowsDone, 150);
  tracker.segmentDone(100);
  assert.deepEqual(reports.at(-1), { phase: 'loading', rowsTotal: 180, rowsDone: 150, segmentsTotal: 3, segmentsDone: 2 });
  tracker.rowsInSegment(500); // more than the segment has: capped at the total
  assert.equal(reports.at(-1)!.rowsDone, 180);
  tracker.segmentDone(30);
  assert.deepEqual(reports.at(-1), { phase: 'loading', rowsTotal: 180, rowsDone: 180, segmentsTotal: 3, segmentsDone: 3 });
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i].rowsDone >= reports[i - 1].rowsDone);
  // logged at the start and after each segment (rows within a segment: at most every few seconds)
  assert.ok(logged.length >= 3 && logged.length <= reports.length);
  assert.deepEqual(Object.keys(logged[0]).sort(), ['index', 'phase', 'rowsDone', 'rowsTotal', 'segmentsDone', 'segmentsTotal', 'table']);
});

test("the session's row: PostgreSQL's phase texts, partitions counted, gone when the statement ends", () => {
  const progress = new IndexBuildProgress(4242, () => 'postgres');
  assert.equal(progress.row(), undefined);
  progress.start('CREATE INDEX', 16400, 16410, 2);
  assert.equal(progress.row()!.phase, 'initializing');
  progress.storage({ phase: 'sealing', rowsTotal: 0, rowsDone: 0, segmentsTotal: 0, segmentsDone: 0 });
  assert.equal(progress.row()!.phase, 'initializing');
  progress.storage({ phase: 'clustering', rowsTotal: 0, rowsDone: 0, segmentsTotal: 0, segmentsDone: 0 });
  assert.equal(progress.row()!.phase, 'building index: performing k-means');
  progress.storage({ phase: 'loading', rowsTotal: 1000, rowsDone: 400, segmentsTotal: 1, segmentsDone: 0 });
  assert.deepEqual(progress.row(), {
    pid: 4242, database: 'postgres', relid: 16400, indexRelid: 16410, command: 'CREATE INDEX', phase: 'building index: loading tuples',
    tuplesTotal: 1000, tuplesDone: 400, partitionsTotal: 2, partitionsDone: 0,
  });
  progress.partitionDone();
  assert.deepEqual([progress.row()!.partitionsDone, progress.row()!.tuplesTotal, progress.row()!.tuplesDone], [1, 0, 0]);
  progress.partitionDone();
  progress.partitionDone();
  assert.equal(progress.row()!.partitionsDone, 2, 'never more than partitions_total');
  progress.end();
  assert.equal(progress.row(), undefined);
  progress.storage({ phase: 'loading', rowsTotal: 5, rowsDone: 5, segmentsTotal: 1, segmentsDone: 1 });
  assert.equal(progress.row(), undefined, 'a late report after the end shows nothing');
});
