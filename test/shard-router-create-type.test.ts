/**
 * The shard router and CREATE TYPE … AS ENUM: each shard would give the enum its own OIDs
 * and the router's merge of ORDER BY / min / max knows no enum's order, so it is 0A000
 * rather than sent to every shard. (Routing only: no cluster is started.)
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
});
