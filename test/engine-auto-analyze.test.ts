/**
 * Auto-analyze: a bulk load (a commit written as a sealed segment) makes the engine analyze
 * the table in the background about a second later — pg_stat_user_tables shows
 * last_autoanalyze / autoanalyze_count and pg_stats has the columns — and the statistics
 * survive a restart (they are part of the catalog image).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, TEST_DATABASE } from './support/server.js';

async function connect(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: TEST_DATABASE });
  await c.connect();
  return c;
}

test('a bulk load is analyzed in the background; the statistics survive a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-autoanalyze-'));
  let server = await startQuiver({ dataDir });
  let c = await connect(server.port);
  try {
    await c.query('CREATE TABLE aa (id int, g int)');
    await c.query('INSERT INTO aa SELECT i, i % 5 FROM generate_series(1, 20000) i');
    let row: { last_autoanalyze: Date | null; autoanalyze_count: string; analyze_count: string } | undefined;
    for (let i = 0; i < 50; i++) {
      row = (await c.query('SELECT last_autoanalyze, autoanalyze_count, analyze_count FROM pg_stat_user_tables WHERE relname = $1', ['aa'])).rows[0];
      if (row?.last_autoanalyze) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(row?.last_autoanalyze, 'the table was auto-analyzed');
    assert.equal(Number(row!.autoanalyze_count), 1);
    assert.equal(Number(row!.analyze_count), 0);
    const stats = await c.query("SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 'aa' ORDER BY attname");
    assert.deepEqual(stats.rows, [{ attname: 'g', n_distinct: 5, most_common_vals: ['0', '1', '2', '3', '4'] }, { attname: 'id', n_distinct: -1, most_common_vals: null }]);
    await c.end();
    await server.stop();
    server = await startQuiver({ dataDir });
    c = await connect(server.port);
    const again = await c.query("SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'aa' ORDER BY attname");
    assert.deepEqual(again.rows, [{ attname: 'g', n_distinct: 5 }, { attname: 'id', n_distinct: -1 }]);
  } finally {
    await c.end().catch(() => {});
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
