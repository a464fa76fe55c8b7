/**
 * The shard router and CREATE TYPE … AS ENUM / AS RANGE: each shard would give the type its
 * own OIDs (a range type also its multirange's) and the router's merge of ORDER BY / min / max
 * knows no enum's order, so it is 0A000 rather than sent to every shard. A domain is sent as its base type, so CREATE / ALTER /
 * DROP DOMAIN go to every shard, and so do CREATE / ALTER / DROP TYPE of a composite type.
 * (Routing only: no cluster is started.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as pgQuery from 'libpg-query';
import { routeStatement } from '../src/cluster/router/route.js';

describe('shard router: CREATE TYPE … AS ENUM', () => {
  const lookup = { table: () => undefined };
  const route = (sql: string) => routeStatement(sql, pgQuery.parseSync(sql).stmts![0]!.stmt as Record<string, unknown>, lookup);
  before(async () => {
    await (pgQuery as { loadModule?: () => Promise<void> }).loadModule?.();
  });

  it('refuses it with 0A000', () => {
    const r = route("CREATE TYPE mood AS ENUM ('sad', 'ok')");
    assert.equal(r.kind, 'unsupported');
    if (r.kind === 'unsupported') {
      assert.equal(r.error.code, '0A000');
      assert.equal(r.error.message, 'CREATE TYPE … AS ENUM is not supported by the shard router yet');
    }
  });

  it('refuses CREATE TYPE … AS RANGE with 0A000 too (its range and multirange OIDs would differ per shard)', () => {
    const r = route('CREATE TYPE floatrange AS RANGE (SUBTYPE = float8)');
    assert.equal(r.kind, 'unsupported');
    if (r.kind === 'unsupported') {
      assert.equal(r.error.code, '0A000');
      assert.equal(r.error.message, 'CREATE TYPE … AS RANGE is not supported by the shard router yet');
    }
  });

  it('sends CREATE / ALTER / DROP DOMAIN to every shard as DDL (a domain is sent as its base type)', () => {
    for (const sql of ['CREATE DOMAIN posint AS integer CHECK (VALUE > 0)', 'ALTER DOMAIN posint ADD CONSTRAINT lt CHECK (VALUE < 10)',
      'ALTER DOMAIN posint SET NOT NULL', 'ALTER DOMAIN posint RENAME TO pos', 'DROP DOMAIN posint CASCADE']) {
      assert.deepEqual(route(sql), { kind: 'everyShard', write: true, ddl: true, inBlock: true }, sql);
    }
  });

  it('sends CREATE / ALTER / DROP of a composite type to every shard as DDL (its values are record_out text everywhere)', () => {
    for (const sql of ['CREATE TYPE pair AS (a int, b text)', 'ALTER TYPE pair ADD ATTRIBUTE c int', 'ALTER TYPE pair RENAME ATTRIBUTE a TO aa',
      'ALTER TYPE pair RENAME TO pair2', 'DROP TYPE pair2 CASCADE']) {
      assert.deepEqual(route(sql), { kind: 'everyShard', write: true, ddl: true, inBlock: true }, sql);
    }
  });
});
