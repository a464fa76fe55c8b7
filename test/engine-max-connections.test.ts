/**
 * max_connections (--max-connections): a session past the limit is refused at startup with
 * FATAL 53300 'sorry, too many clients already', as PostgreSQL does; a slot frees when a
 * session ends; SHOW max_connections tells the limit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver({ args: ['--max-connections', '3'] });
});

after(async () => {
  await server?.stop();
});

function client(): Promise<pg.Client> {
  return connectClient(server);
}

test('the session past max_connections is refused with 53300; a freed slot is taken again', async () => {
  const open = [await client(), await client(), await client()];
  try {
    assert.equal((await open[0].query('SHOW max_connections')).rows[0].max_connections, '3');
    await assert.rejects(client(), (e: Error & { code?: string; severity?: string }) => {
      assert.equal(e.code, '53300');
      assert.equal(e.message, 'sorry, too many clients already');
      assert.equal(e.severity, 'FATAL');
      return true;
    });
    // the refused session left no slot taken; a closed one frees its slot
    await open.pop()!.end();
    await new Promise((r) => setTimeout(r, 100));
    open.push(await client());
    assert.equal((await open[2].query('SELECT 1 AS one')).rows[0].one, 1);
    // the others were never disturbed
    for (const c of open) assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  } finally {
    for (const c of open) await c.end();
  }
});
