/**
 * ShardConnection.sendAhead (router/shard-connection.ts): a statement sent ahead goes with
 * the next foreground request queued, never with a background one queued before it (the
 * router's catalog read again in the background). Sent with the wrong request, the read
 * timestamp of a fan-out was used up by a catalog query and the fan-out read the shard's
 * newest data: a sum across shards could see a two-phase commit on one shard only (found
 * by test/cluster-snapshot-reads.test.ts under load).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startQuiver, type QuiverServer } from './support/server.js';
import { ShardConnection } from '../src/cluster/router/shard-connection.js';

let server: QuiverServer;
let conn: ShardConnection;

before(async () => {
  server = await startQuiver();
  conn = await ShardConnection.open(0, `127.0.0.1:${server.port}`, { user: 'postgres', database: 'postgres', application_name: 'before' });
});

after(async () => {
  conn?.close();
  await server?.stop();
});

test('a statement sent ahead goes with the next foreground request, not with a background one queued before it', async () => {
  // the connection busy for a while, then a background request waiting behind it
  const slow = conn.simple('SELECT pg_catalog.pg_sleep(0.2)');
  const background = conn.simple("SELECT pg_catalog.current_setting('application_name')", true);
  conn.sendAhead("SET application_name = 'ahead'");
  const foreground = conn.simple("SELECT pg_catalog.current_setting('application_name')");
  await slow;
  assert.equal((await background).rows[0]?.[0], 'before', 'the background request ran without the statement sent ahead');
  assert.equal((await foreground).rows[0]?.[0], 'ahead', 'the foreground request ran after it');
});

test('statements sent ahead before a foreground request go with it even when it waits in the queue', async () => {
  const slow = conn.simple('SELECT pg_catalog.pg_sleep(0.1)');
  conn.sendAhead("SET application_name = 'second'");
  const next = conn.simple("SELECT pg_catalog.current_setting('application_name')");
  const after = conn.simple("SELECT pg_catalog.current_setting('application_name')");
  await slow;
  assert.equal((await next).rows[0]?.[0], 'second');
  assert.equal((await after).rows[0]?.[0], 'second');
});
