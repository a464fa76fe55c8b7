/**
 * Expression indexes through the shard router: CREATE INDEX on an expression reaches every
 * shard (each shard's catalog has it and its equality lookups use it), while a UNIQUE one is
 * refused with 0A000 — each shard could only enforce it over its own rows, and an expression
 * never holds the shard key, so two rows of different keys could share its value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlError } from './support/shard-keys.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';

describe('expression indexes through the shard router', () => {
  let h: ShardedRouter;
  before(async () => {
    h = await startShardedRouter({ ddl: ['CREATE TABLE xr_users (id bigint PRIMARY KEY, email text)'] });
    await h.client.query("INSERT INTO xr_users SELECT g, 'User' || g || '@X.com' FROM generate_series(1, 400) g");
  });
  after(async () => {
    await h?.close();
  });

  it('CREATE INDEX on an expression reaches every shard', async () => {
    await h.client.query('CREATE INDEX xr_users_lower ON xr_users (lower(email))');
    const defs = await h.onShards("SELECT indexdef FROM pg_indexes WHERE indexname = 'xr_users_lower'");
    assert.equal(defs.length, 2);
    for (const d of defs) assert.deepEqual(d, [['CREATE INDEX xr_users_lower ON public.xr_users USING btree (lower(email))']]);
    const found = await h.client.query("SELECT id FROM xr_users WHERE lower(email) IN ('user7@x.com', 'user300@x.com') ORDER BY id");
    assert.deepEqual(found.rows.map((r) => Number(r.id)), [7, 300]);
    await h.client.query('DROP INDEX xr_users_lower');
    for (const d of await h.onShards("SELECT count(*)::int FROM pg_indexes WHERE indexname = 'xr_users_lower'")) assert.deepEqual(d, [[0]]);
  });

  it('a unique expression index is refused with 0A000 and created nowhere', async () => {
    const e = await sqlError(h.client.query('CREATE UNIQUE INDEX xr_users_email ON xr_users (lower(email))'));
    assert.equal(e.code, '0A000');
    assert.match(e.message, /unique index on an expression of a sharded table/);
    for (const d of await h.onShards("SELECT count(*)::int FROM pg_indexes WHERE indexname = 'xr_users_email'")) assert.deepEqual(d, [[0]]);
  });
});
