/**
 * The shard router and data-modifying WITH: a statement whose WITH queries write is never
 * half-applied on one shard. Over sharded tables it is 0A000; over shard 0's own tables it
 * runs there as a write. (Routing only: no cluster is started.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as pgQuery from 'libpg-query';
import { routeStatement } from '../src/cluster/router/route.js';
import type { RouterTable } from '../src/cluster/router/shard-catalog.js';
import { T } from '../src/types/types.js';

function routerTable(name: string): RouterTable {
  return {
    schema: 'public', name, oid: name.length, keyColumns: ['id'], keyTypes: [T.int4], keyDefaults: [undefined], drawn: [],
    columns: [{ name: 'id', type: T.int4 }, { name: 'v', type: T.text }],
  };
}

describe('shard router: data-modifying WITH', () => {
  const tables = new Map([['a', routerTable('a')], ['bb', routerTable('bb')]]);
  const lookup = { table: (_s: string | undefined, n: string) => tables.get(n) };
  const route = (sql: string) => routeStatement(sql, pgQuery.parseSync(sql).stmts![0]!.stmt as Record<string, unknown>, lookup);
  before(async () => {
    await (pgQuery as { loadModule?: () => Promise<void> }).loadModule?.();
  });

  it('refuses one over sharded tables with 0A000, whichever statement carries it', () => {
    for (const sql of [
      'WITH d AS (DELETE FROM a RETURNING *) SELECT * FROM d', // the DELETE's target alone names a (it went to shard 0 as a read)
      'WITH d AS (DELETE FROM local RETURNING *) SELECT * FROM d JOIN a USING (id)',
      'WITH d AS (DELETE FROM a RETURNING *) INSERT INTO local SELECT * FROM d',
      'WITH d AS (INSERT INTO a VALUES (1, \'x\') RETURNING *) UPDATE local SET v = d.v FROM d',
      'WITH d AS (UPDATE local SET v = \'y\' RETURNING id) DELETE FROM bb WHERE id IN (SELECT id FROM d)',
      'EXPLAIN ANALYZE WITH d AS (DELETE FROM a RETURNING *) SELECT count(*) FROM d',
      'COPY (WITH d AS (DELETE FROM a RETURNING *) SELECT * FROM d) TO STDOUT',
    ]) {
      const r = route(sql);
      assert.equal(r.kind, 'unsupported', sql);
      if (r.kind !== 'unsupported') continue;
      assert.equal(r.error.code, '0A000');
      assert.match(r.error.message, /data-modifying statement in WITH over sharded tables/);
    }
  });

  it('refuses COPY (DELETE … RETURNING) TO over a sharded table (its target alone names it)', () => {
    const r = route('COPY (DELETE FROM a RETURNING *) TO STDOUT');
    assert.equal(r.kind, 'unsupported');
    if (r.kind === 'unsupported') assert.equal(r.error.code, '0A000');
  });

  it('runs one over shard 0\'s own tables there, as a write', () => {
    for (const sql of [
      'WITH d AS (DELETE FROM local RETURNING *) SELECT * FROM d', 'WITH d AS (DELETE FROM local RETURNING *) INSERT INTO local2 SELECT * FROM d',
      'COPY (DELETE FROM local RETURNING *) TO STDOUT', 'COPY (WITH d AS (DELETE FROM local RETURNING *) SELECT * FROM d) TO STDOUT',
    ]) {
      assert.deepEqual(route(sql), { kind: 'shard0', write: true }, sql);
    }
  });

  it('refuses CREATE TABLE AS / SELECT INTO over one, even over shard 0\'s tables (the table belongs on every shard)', () => {
    for (const sql of ['CREATE TABLE n AS WITH d AS (DELETE FROM local RETURNING *) SELECT * FROM d', 'WITH d AS (DELETE FROM local RETURNING *) SELECT * INTO n FROM d']) {
      assert.equal(route(sql).kind, 'unsupported', sql);
    }
  });

  it('leaves a WITH of SELECTs to the usual routes', () => {
    assert.notEqual(route('WITH d AS (SELECT * FROM a) SELECT * FROM d').kind, 'unsupported');
  });
});
