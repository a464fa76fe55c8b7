/**
 * The session's statement cache (src/engine/statement-cache.ts): a SELECT prepared again
 * with the same text takes the statement prepared before, and only while everything its
 * planning read is unchanged: DDL, ANALYZE, VACUUM, any setting, the search path, the row
 * counts the cost model was given. Statements whose binding read the time, other kinds than
 * SELECT and those with a vector search are prepared afresh each time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

let s: EngineSession;

const prepare = (sql: string, types: number[] = []) => s.backend.prepare(sql, types);

/** the statement kept for this text: prepared twice (a text is kept the second time it comes) */
function kept(sql: string, types: number[] = []) {
  prepare(sql, types);
  return prepare(sql, types);
}

/** prepared again after it was kept: the same statement object (a cache hit) */
function reused(sql: string, types: number[] = []): boolean {
  const second = kept(sql, types);
  return prepare(sql, types) === second;
}

describe('statement cache', () => {
  before(async () => {
    s = await openEngineSession('quiver-stmt-cache-');
    await s.sql('CREATE TABLE sc_t (id int PRIMARY KEY, a int, v vector(2))');
    await s.sql("INSERT INTO sc_t SELECT g, g % 10, '[1,2]' FROM generate_series(1, 200) g");
  });
  after(async () => {
    await s.close();
  });

  it('reuses a SELECT prepared again with the same text and parameter types', async () => {
    // the first time a text comes it is only noted: a text that never comes again keeps no plan
    const once = 'SELECT id FROM sc_t WHERE id = 11';
    assert.notEqual(prepare(once), prepare(once));
    assert.equal(reused('SELECT 1'), true);
    assert.equal(reused('SELECT id FROM sc_t WHERE id = 7'), true);
    assert.equal(reused('SELECT id FROM sc_t WHERE id = $1', [23]), true);
    // another text or other parameter types: another statement
    assert.notEqual(kept('SELECT id FROM sc_t WHERE id = $1', [20]), kept('SELECT id FROM sc_t WHERE id = $1', [23]));
    assert.notEqual(kept('SELECT 1'), kept('SELECT  1'));
    assert.deepEqual(await s.sql('SELECT id FROM sc_t WHERE id = 7'), [[7]]);
    assert.deepEqual(await s.sql('SELECT id FROM sc_t WHERE id = 7'), [[7]]);
  });

  it('prepares afresh after DDL, ANALYZE, VACUUM, a SET and a change of row count', async () => {
    const sql = 'SELECT count(*) FROM sc_t WHERE a = 3';
    const changes = [
      'CREATE INDEX sc_t_a ON sc_t (a)',
      'ANALYZE sc_t',
      'VACUUM sc_t',
      'SET enable_indexscan = off',
      'RESET enable_indexscan',
      "INSERT INTO sc_t VALUES (1000, 3, '[0,1]')",
      'DELETE FROM sc_t WHERE id = 1000',
    ];
    for (const change of changes) {
      const before = kept(sql);
      assert.equal(prepare(sql), before, `reused before ${change}`);
      await s.sql(change);
      assert.notEqual(prepare(sql), before, `prepared afresh after ${change}`);
    }
    assert.deepEqual(await s.sql(sql), [[20n]]);
  });

  it('prepares afresh under another search path', async () => {
    await s.sql('CREATE SCHEMA sc_other');
    await s.sql('CREATE TABLE sc_other.sc_t (id int)');
    await s.sql('INSERT INTO sc_other.sc_t VALUES (-1)');
    const sql = 'SELECT min(id) FROM sc_t';
    assert.deepEqual(await s.sql(sql), [[1]]);
    await s.sql('SET search_path = sc_other, public');
    assert.deepEqual(await s.sql(sql), [[-1]]);
    await s.sql('RESET search_path');
    assert.deepEqual(await s.sql(sql), [[1]]);
  });

  it('does not keep statements whose binding read the time, other kinds, vector searches', () => {
    assert.equal(reused("SELECT 'now'::timestamptz"), false);
    assert.equal(reused("SELECT id FROM sc_t WHERE id = 1 AND '2024-01-01'::date < 'today'::date"), false);
    assert.equal(reused('SHOW search_path'), false);
    assert.equal(reused("SELECT id FROM sc_t ORDER BY v <-> '[1,1]' LIMIT 3"), false);
  });

  it('refuses a cached statement in a failed transaction block', async () => {
    const sql = 'SELECT id FROM sc_t WHERE id = 5';
    assert.equal(reused(sql), true);
    await s.sql('BEGIN');
    await assert.rejects(s.sql('SELECT 1/0'), { code: '22012' });
    assert.throws(() => prepare(sql), { code: '25P02' });
    await s.sql('ROLLBACK');
    assert.deepEqual(await s.sql(sql), [[5]]);
  });
});
