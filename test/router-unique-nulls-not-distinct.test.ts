/**
 * UNIQUE NULLS NOT DISTINCT through the shard router follows the rules of any UNIQUE there:
 * one that includes the shard key reaches every shard with its NULLS NOT DISTINCT (each shard
 * enforces it over its rows, which is all of them for its key), one without the key is
 * refused with 0A000 and created nowhere — in CREATE TABLE, ALTER TABLE and CREATE INDEX.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlError } from './support/shard-keys.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';

describe('UNIQUE NULLS NOT DISTINCT through the shard router', () => {
  let h: ShardedRouter;
  before(async () => {
    h = await startShardedRouter({ ddl: ['CREATE TABLE rn (id bigint PRIMARY KEY, a int, b int, UNIQUE NULLS NOT DISTINCT (id, a))'] });
  });
  after(async () => {
    await h?.close();
  });

  it('a key with the shard key reaches every shard as NULLS NOT DISTINCT', async () => {
    await h.client.query('ALTER TABLE rn ADD CONSTRAINT rn_id_b UNIQUE NULLS NOT DISTINCT (b, id)');
    await h.client.query('CREATE UNIQUE INDEX rn_idx ON rn (id, b) NULLS NOT DISTINCT');
    const defs = await h.onShards("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'rn'::regclass AND contype = 'u' ORDER BY 1");
    assert.equal(defs.length, 2);
    for (const d of defs) assert.deepEqual(d, [['rn_id_a_key', 'UNIQUE NULLS NOT DISTINCT (id, a)'], ['rn_id_b', 'UNIQUE NULLS NOT DISTINCT (b, id)']]);
    for (const d of await h.onShards("SELECT indnullsnotdistinct FROM pg_index WHERE indexrelid = 'rn_idx'::regclass")) assert.deepEqual(d, [[true]]);
    await h.client.query('INSERT INTO rn SELECT g, NULL, NULL FROM generate_series(1, 20) g');
    assert.deepEqual((await h.client.query('SELECT count(*)::int AS n FROM rn WHERE a IS NULL')).rows, [{ n: 20 }]);
  });

  it('one without the shard key is refused with 0A000 as a plain UNIQUE is, and made nowhere', async () => {
    for (const sql of [
      'CREATE TABLE rn2 (id bigint PRIMARY KEY, a int UNIQUE NULLS NOT DISTINCT)',
      'ALTER TABLE rn ADD CONSTRAINT rn_a UNIQUE NULLS NOT DISTINCT (a)',
      'CREATE UNIQUE INDEX rn_a_idx ON rn (a) NULLS NOT DISTINCT',
    ]) {
      const plain = await sqlError(h.client.query(sql.replace(' NULLS NOT DISTINCT', '')));
      const e = await sqlError(h.client.query(sql));
      assert.equal(e.code, '0A000', sql);
      assert.equal(e.message, plain.message, sql);
      assert.equal(e.detail, plain.detail, sql);
    }
    for (const d of await h.onShards("SELECT count(*)::int FROM pg_class WHERE relname IN ('rn2', 'rn_a', 'rn_a_idx')")) assert.deepEqual(d, [[0]]);
  });
});
