/**
 * A materialized view is durable: its definition travels in the catalog image and its rows
 * are a table's, so a server killed with -9 right after the statements were acknowledged
 * comes back with the view, its rows as the last REFRESH left them (not as the base table
 * is now), its indexes, its populated flag, and a REFRESH that rolled back undone. A REFRESH
 * after the restart reads its query again.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { crashLives } from './support/crash-lives.js';

const lives = crashLives();
const { runThenCrash } = lives;
after(() => lives.cleanup());

const rows = async (c: pg.Client, sql: string): Promise<unknown[][]> => (await c.query({ text: sql, rowMode: 'array' })).rows;

test('materialized views and their refreshes survive a kill -9 and restart', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-matview-'));
  lives.useDir(dir);
  await runThenCrash(dir, async (c) => {
    for (const sql of [
      'CREATE TABLE mr_items (id int PRIMARY KEY, cat int, emb vector(2))',
      "INSERT INTO mr_items SELECT g, g % 2, ARRAY[g, 0]::vector FROM generate_series(1, 10) g",
      'CREATE MATERIALIZED VIEW mr_odd AS SELECT id, emb FROM mr_items WHERE cat = 1',
      'CREATE UNIQUE INDEX mr_odd_id ON mr_odd (id)',
      'CREATE INDEX mr_odd_emb ON mr_odd USING hnsw (emb vector_l2_ops)',
      'CREATE MATERIALIZED VIEW mr_counts AS SELECT cat, count(*) AS n FROM mr_items GROUP BY cat WITH NO DATA',
      "INSERT INTO mr_items VALUES (11, 1, '[11,0]'), (13, 1, '[13,0]')",
      'REFRESH MATERIALIZED VIEW CONCURRENTLY mr_odd',
      // after the last REFRESH: the view keeps what that REFRESH saw
      "INSERT INTO mr_items VALUES (15, 1, '[15,0]')",
      // a REFRESH in a block that rolls back leaves the rows as they were
      'BEGIN', 'DELETE FROM mr_items WHERE cat = 1', 'REFRESH MATERIALIZED VIEW mr_odd', 'ROLLBACK',
    ]) await c.query(sql);
    assert.deepEqual(await rows(c, 'SELECT count(*)::int FROM mr_odd'), [[7]]);
  });

  await runThenCrash(dir, async (d) => {
    assert.deepEqual(await rows(d, 'SELECT id FROM mr_odd ORDER BY id'), [[1], [3], [5], [7], [9], [11], [13]]);
    assert.deepEqual(await rows(d, "SELECT id FROM mr_odd ORDER BY emb <-> '[12,0]' LIMIT 2"), [[11], [13]]);
    assert.deepEqual(await rows(d, "SELECT relname, relkind, relispopulated FROM pg_class WHERE relname LIKE 'mr\\_%' AND relkind = 'm' ORDER BY 1"), [
      ['mr_counts', 'm', false],
      ['mr_odd', 'm', true],
    ]);
    assert.deepEqual(await rows(d, "SELECT indexname FROM pg_indexes WHERE tablename = 'mr_odd' ORDER BY 1"), [['mr_odd_emb'], ['mr_odd_id']]);
    await assert.rejects(d.query('SELECT * FROM mr_counts'), (e: { code?: string }) => e.code === '55000');
    // its query is kept: a REFRESH now reads the base table as it is
    await d.query('REFRESH MATERIALIZED VIEW mr_counts');
    await d.query('REFRESH MATERIALIZED VIEW CONCURRENTLY mr_odd');
    assert.deepEqual(await rows(d, 'SELECT cat, n::int FROM mr_counts ORDER BY cat'), [[0, 5], [1, 8]]);
    assert.deepEqual(await rows(d, 'SELECT count(*)::int, max(id) FROM mr_odd'), [[8, 15]]);
  });

  // the refreshes after the restart are durable too
  await runThenCrash(dir, async (e) => {
    assert.deepEqual(await rows(e, 'SELECT cat, n::int FROM mr_counts ORDER BY cat'), [[0, 5], [1, 8]]);
    assert.deepEqual(await rows(e, 'SELECT count(*)::int FROM mr_odd'), [[8]]);
    await e.query('DROP TABLE mr_items CASCADE');
    assert.deepEqual(await rows(e, "SELECT count(*)::int FROM pg_class WHERE relname LIKE 'mr\\_%'"), [[0]]);
  });
});
