/**
 * now(), clock_timestamp() and the other clocks carry microseconds, as PostgreSQL's
 * GetCurrentTimestamp (types/datetime.ts nowMicros): taken from Date.now() they were
 * whole milliseconds, `…:44.013+00` where PostgreSQL prints `…:44.013482+00`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
let c: pg.Client;

before(async () => {
  server = await startQuiver();
  c = await connectClient(server);
});

after(async () => {
  await c?.end();
  await server?.stop();
});

test('clock_timestamp() and now() have microseconds below the millisecond', async () => {
  // a whole-millisecond clock gives 0 every time; a microsecond one 0 one time in a thousand
  const sub = async (sql: string) => {
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push((await c.query(sql)).rows[0].us as number);
    return seen;
  };
  const clock = await sub('SELECT (extract(microseconds FROM clock_timestamp()) % 1000)::int AS us');
  assert.ok(clock.some((us) => us !== 0), `clock_timestamp() sub-millisecond parts: ${clock}`);
  const now = await sub('SELECT (extract(microseconds FROM now()) % 1000)::int AS us');
  assert.ok(now.some((us) => us !== 0), `now() sub-millisecond parts: ${now}`);
});
