/**
 * bindStatement: each statement kind comes out of src/sql/ kind-tagged, with its options
 * read from the typed tree and PostgreSQL's command tag (checked against PostgreSQL 15's
 * CommandComplete tags).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import type { BoundStatement } from '../src/sql/statement.js';
import type { Backend } from '../src/wire/backend.js';

async function withSession(fn: (s: Backend, bound: (sql: string) => BoundStatement) => Promise<void>): Promise<void> {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-stmt-'));
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    const s = new Engine(storage).create();
    s.startup({ user: 'postgres', database: 'postgres' });
    const bound = (sql: string) => (s.prepare(sql, []) as unknown as { bound: BoundStatement }).bound;
    await fn(s, bound);
    s.close();
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('bindStatement: kinds, options and tags of utility statements', async () => {
  await withSession(async (s, bound) => {
    await s.execute(s.prepare("CREATE TABLE st (id int, b text DEFAULT 'x', n int CHECK (n > 0))", []), []);
    const pick = <K extends BoundStatement['kind']>(sql: string, kind: K): Extract<BoundStatement, { kind: K }> => {
      const b = bound(sql);
      assert.equal(b.kind, kind, sql);
      return b as Extract<BoundStatement, { kind: K }>;
    };
    assert.equal(pick('SELECT 1', 'select').tag, 'SELECT');
    assert.equal(pick('INSERT INTO st (id) VALUES (1)', 'dml').stmt.kind, 'insert');
    const ex = pick('EXPLAIN (ANALYZE, VERBOSE) DELETE FROM st', 'explain');
    assert.deepEqual([ex.analyze, ex.verbose, ex.dml?.kind], [true, true, 'delete']);
    assert.throws(() => bound('EXPLAIN CREATE TABLE nope AS SELECT 1'), /EXPLAIN of this statement is not supported/);

    const begin = pick('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', 'transaction');
    assert.deepEqual([begin.action, begin.tag, begin.options], ['begin', 'BEGIN', { isolation: 'repeatable read', readOnly: true }]);
    assert.equal(pick('START TRANSACTION READ WRITE', 'transaction').options.readOnly, false);
    assert.equal(pick('START TRANSACTION', 'transaction').tag, 'START TRANSACTION');
    const rollbackTo = pick('ROLLBACK TO SAVEPOINT sp1', 'transaction');
    assert.deepEqual([rollbackTo.action, rollbackTo.savepoint, rollbackTo.endsBlock, rollbackTo.tag], ['rollbackTo', 'sp1', true, 'ROLLBACK']);
    assert.deepEqual([pick('RELEASE sp1', 'transaction').endsBlock, pick('COMMIT', 'transaction').endsBlock], [false, true]);

    assert.deepEqual(bound("SET LOCAL application_name = 'a b'"), { kind: 'set', action: 'value', name: 'application_name', value: 'a b', isLocal: true, tag: 'SET' });
    assert.deepEqual(bound("SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE"), { kind: 'set', action: 'value', name: 'timezone', value: "INTERVAL '+02:00'", isLocal: false, tag: 'SET' });
    assert.deepEqual(bound('SET search_path = public, "My Schema"'), { kind: 'set', action: 'value', name: 'search_path', value: 'public, "My Schema"', isLocal: false, tag: 'SET' });
    assert.deepEqual(bound('RESET ALL'), { kind: 'set', action: 'resetAll', isLocal: false, tag: 'RESET' });
    assert.deepEqual(bound('SET work_mem TO DEFAULT'), { kind: 'set', action: 'reset', name: 'work_mem', isLocal: false, tag: 'SET' });
    assert.deepEqual(bound('SET TRANSACTION READ ONLY'), { kind: 'set', action: 'transaction', options: { readOnly: true }, tag: 'SET' });
    assert.deepEqual(bound('SHOW TIME ZONE'), { kind: 'show', name: 'timezone', tag: 'SHOW' });

    const out = pick("COPY st (b, id) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')", 'copy');
    assert.ok(out.direction === 'to');
    assert.deepEqual(out.plan.schema.map((c) => c.name), ['b', 'id']);
    assert.deepEqual([out.options.format, out.options.header, out.options.delimiter], ['csv', true, ';']);
    const inn = pick('COPY st (id) FROM STDIN', 'copy');
    assert.ok(inn.direction === 'from');
    assert.deepEqual([inn.columns, inn.defaults.map((d) => d.column), inn.checks.length], [[0], [1, 2], 1]);
    assert.throws(() => bound("COPY st TO '/tmp/x'"), (e: { code?: string }) => e.code === '42501');
    assert.throws(() => bound('COPY st (nope) TO STDOUT'), /column "nope" of relation "st" does not exist/);

    assert.deepEqual(bound('VACUUM st'), { kind: 'vacuum', vacuum: true, analyze: false, relations: [{ schema: undefined, name: 'st' }], tag: 'VACUUM' });
    assert.deepEqual(bound('ANALYZE'), { kind: 'vacuum', vacuum: false, analyze: true, relations: [], tag: 'ANALYZE' });
    assert.deepEqual(bound('VACUUM (ANALYZE) st'), { kind: 'vacuum', vacuum: true, analyze: true, relations: [{ schema: undefined, name: 'st' }], tag: 'VACUUM' });
    assert.deepEqual(bound('DISCARD ALL'), { kind: 'discard', all: true, tag: 'DISCARD ALL' });
    assert.deepEqual(bound('DISCARD PLANS'), { kind: 'discard', all: false, tag: 'DISCARD PLANS' });
    assert.deepEqual(bound('DEALLOCATE ALL'), { kind: 'deallocate', name: undefined, tag: 'DEALLOCATE ALL' });
    assert.deepEqual(bound('DEALLOCATE PREPARE q'), { kind: 'deallocate', name: 'q', tag: 'DEALLOCATE' });
    assert.deepEqual([bound('LISTEN ch'), bound('UNLISTEN *'), bound("NOTIFY ch, 'x'"), bound('CHECKPOINT')], [
      { kind: 'listen', channel: 'ch', tag: 'LISTEN' }, { kind: 'unlisten', channel: undefined, tag: 'UNLISTEN' },
      { kind: 'notify', channel: 'ch', payload: 'x', tag: 'NOTIFY' }, { kind: 'noop', tag: 'CHECKPOINT' },
    ]);
    assert.deepEqual(bound('FETCH BACKWARD 3 FROM cur'), { kind: 'fetch', portal: 'cur', direction: 'FETCH_BACKWARD', howMany: 3, move: false, tag: 'FETCH' });
    assert.deepEqual(bound('CLOSE ALL'), { kind: 'closePortal', portal: undefined, tag: 'CLOSE CURSOR ALL' });
    assert.deepEqual(bound('GRANT SELECT ON st TO public'), {
      kind: 'role', tag: 'GRANT',
      stmt: { kind: 'grantObject', grant: true, target: 'table', objects: [{ name: 'st' }], allInSchema: false, privileges: ['SELECT'], grantees: [{ kind: 'public' }], grantOption: false },
    });
    assert.deepEqual(bound('REVOKE r FROM CURRENT_USER'), { kind: 'role', tag: 'REVOKE ROLE', stmt: { kind: 'grantRole', grant: false, roles: ['r'], grantees: [{ kind: 'current_user' }], admin: false } });
    assert.deepEqual(bound("CREATE USER u PASSWORD 'p' CONNECTION LIMIT 2"), { kind: 'role', tag: 'CREATE ROLE', stmt: { kind: 'createRole', name: 'u', options: { password: 'p', connLimit: 2, canLogin: true } } });

    const drop = pick('DROP INDEX IF EXISTS nope', 'ddl');
    assert.deepEqual([drop.tag, drop.catalogWrite], ['DROP INDEX', true]);
    assert.deepEqual([pick('DROP DATABASE IF EXISTS nope', 'ddl').catalogWrite, pick('ALTER INDEX a RENAME TO b', 'ddl').tag], [false, 'ALTER INDEX']);
    assert.equal(bound('-- nothing;').kind, 'empty');
    await s.execute(s.prepare('DROP TABLE st', []), []);
  });
});

test('runStatement: a prepared COPY is bound again after the table changed', async () => {
  await withSession(async (s) => {
    const run = (sql: string) => s.execute(s.prepare(sql, []), []);
    await run('CREATE TABLE st2 (id int)');
    await run('INSERT INTO st2 VALUES (1)');
    const copy = s.prepare('COPY st2 TO STDOUT', []);
    await run('ALTER TABLE st2 ADD COLUMN b text');
    await run("UPDATE st2 SET b = 'new'");
    const r = await s.execute(copy, []);
    assert.ok(r.kind === 'copyOut');
    assert.deepEqual(r.chunks.map((c) => c.toString()), ['1\tnew\n']);
    await run('DROP TABLE st2');
  });
});
