/**
 * A plain view keeps across a kill -9 and restart what it depends on and its deparsed text:
 * the restarted server still refuses to drop a table or column it reads (2BP01) or change a
 * column's type (0A000), prints its query as pg_get_viewdef did, and a RENAME after the
 * restart is followed by the view and its text.
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

const sqlState = async (c: pg.Client, sql: string): Promise<string | undefined> => {
  try {
    await c.query(sql);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

test('a view keeps its dependencies and deparsed text across a restart', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-view-'));
  lives.useDir(dir);
  let before: unknown[][] = [];
  await runThenCrash(dir, async (c) => {
    for (const sql of [
      'CREATE TABLE vr_t (id int, x text, y int)',
      'CREATE TABLE vr_u (id int, z text)',
      "INSERT INTO vr_t VALUES (1, 'a', 5), (2, 'b', 0)",
      "INSERT INTO vr_u VALUES (1, 'one')",
      'CREATE VIEW vr_v AS SELECT vr_t.x, vr_u.z, count(*) AS n FROM vr_t JOIN vr_u USING (id) WHERE vr_t.y > 1 GROUP BY vr_t.x, vr_u.z',
    ]) await c.query(sql);
    before = await rows(c, "SELECT pg_get_viewdef('vr_v'::regclass, true)");
  });

  await runThenCrash(dir, async (c) => {
    assert.deepEqual(await rows(c, "SELECT pg_get_viewdef('vr_v'::regclass, true)"), before);
    assert.equal(await sqlState(c, 'DROP TABLE vr_u'), '2BP01');
    assert.equal(await sqlState(c, 'ALTER TABLE vr_t DROP COLUMN y'), '2BP01');
    assert.equal(await sqlState(c, 'ALTER TABLE vr_t ALTER COLUMN x TYPE varchar(5)'), '0A000');
    await c.query('ALTER TABLE vr_t RENAME COLUMN x TO label');
    await c.query('ALTER TABLE vr_u RENAME TO vr_u2');
    assert.deepEqual(await rows(c, 'SELECT * FROM vr_v'), [['a', 'one', '1']]);
  });

  await runThenCrash(dir, async (c) => {
    assert.deepEqual(await rows(c, 'SELECT * FROM vr_v'), [['a', 'one', '1']]);
    assert.deepEqual(await rows(c, "SELECT pg_get_viewdef('vr_v'::regclass, true)"), [[
      ' SELECT vr_t.label AS x,\n    vr_u2.z,\n    count(*) AS n\n   FROM vr_t\n     JOIN vr_u2 USING (id)\n  WHERE vr_t.y > 1\n  GROUP BY vr_t.label, vr_u2.z;',
    ]]);
    await c.query('DROP TABLE vr_t, vr_u2 CASCADE');
    assert.deepEqual(await rows(c, "SELECT count(*)::int FROM pg_class WHERE relname = 'vr_v'"), [[0]]);
  });
});
