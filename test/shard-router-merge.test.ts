/**
 * The shard router and MERGE: over a sharded target or source it is refused with 0A000 (each
 * shard would join only its own rows); over shard 0's own tables it runs there as a write.
 * (Routing only: no cluster is started.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as pgQuery from 'libpg-query';
import { routeStatement } from '../src/cluster/router/route.js';
import type { RouterTable } from '../src/cluster/router/shard-catalog.js';
import { T } from '../src/types/types.js';

function routerTable(name: string): RouterTable {
  return {
    schema: 'public', name, oid: name.length, keyColumns: ['id'], keyTypes: [T.int4], keyDefaults: [undefined],
    columns: [{ name: 'id', type: T.int4 }, { name: 'v', type: T.text }], drawn: [],
  };
}

describe('shard router: MERGE', () => {
  const tables = new Map([['a', routerTable('a')], ['bb', routerTable('bb')]]);
  const lookup = { table: (_s: string | undefined, n: string) => tables.get(n) };
  const route = (sql: string) => routeStatement(sql, pgQuery.parseSync(sql).stmts![0]!.stmt as Record<string, unknown>, lookup);
  before(async () => {
    await (pgQuery as { loadModule?: () => Promise<void> }).loadModule?.();
  });

  it('refuses MERGE into or from a sharded table with 0A000', () => {
    for (const sql of [
      'MERGE INTO a USING local l ON a.id = l.id WHEN MATCHED THEN DELETE',
      'MERGE INTO local l USING a ON a.id = l.id WHEN NOT MATCHED THEN INSERT VALUES (a.id, a.v)',
      'MERGE INTO local l USING (SELECT * FROM bb WHERE id > 1) s ON s.id = l.id WHEN MATCHED THEN UPDATE SET v = s.v',
      'WITH s AS (SELECT * FROM a) MERGE INTO local l USING s ON s.id = l.id WHEN MATCHED THEN DO NOTHING',
      'MERGE INTO local l USING local2 s ON s.id = l.id WHEN MATCHED AND EXISTS (SELECT 1 FROM a) THEN DELETE',
    ]) {
      const r = route(sql);
      assert.equal(r.kind, 'unsupported', sql);
      if (r.kind !== 'unsupported') continue;
      assert.equal(r.error.code, '0A000');
      assert.match(r.error.message, /MERGE over sharded tables/);
    }
  });

  it('runs MERGE over shard 0\'s own tables there, as a write', () => {
    const r = route('MERGE INTO local l USING local2 s ON s.id = l.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)');
    assert.deepEqual(r, { kind: 'shard0', write: true });
  });
});
