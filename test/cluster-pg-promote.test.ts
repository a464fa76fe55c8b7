/**
 * pg_promote() on a hot standby while its leader still runs (cluster mode in one process: a
 * leader and standbys on one in-memory shared log; the etcd side is
 * cluster-etcd-coordinator.test.ts's takeover test). As PostgreSQL 15's: superuser only
 * (42501; GRANT EXECUTE gives it), 55000 with PG's HINT off recovery, 22023 for
 * wait_seconds <= 0, true once promoted, false with a WARNING when not within wait_seconds,
 * true at once with wait => false. The promoted standby claims the log, so the old leader's
 * next append is fenced; every write the old leader acknowledged is on the new one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';
import type { SharedSeams } from '../src/storage/log-replica.js';

const logger = pino({ level: 'silent' });
let dir: string;
let seams: SharedSeams;
const servers: RunningServer[] = [];
const clients: pg.Client[] = [];

async function connect(port: number, user = 'postgres'): Promise<pg.Client & { notices: string[] }> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres' }) as pg.Client & { notices: string[] };
  c.notices = [];
  c.on('error', () => {});
  c.on('notice', (n) => c.notices.push(`${n.severity}: ${n.message}`));
  await c.connect();
  clients.push(c);
  return c;
}

async function failure(c: pg.Client, sql: string): Promise<string> {
  try {
    await c.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string; hint?: string };
    return `${err.code}: ${err.message}${err.hint ? ` (HINT: ${err.hint})` : ''}`;
  }
  return 'no error';
}

const one = async (c: pg.Client, sql: string) => Object.values((await c.query(sql)).rows[0])[0];

/** A hot standby following the log; `onRequest` is what its pg_promote asks the node to do. */
async function standby(name: string, onRequest: (s: RunningServer, stopFollowing: () => Promise<void>) => Promise<void>): Promise<RunningServer> {
  const following = new AbortController();
  let follow: Promise<void> = Promise.resolve();
  const stopFollowing = async () => {
    following.abort();
    await follow;
  };
  let server: RunningServer | undefined;
  server = await startServer({
    host: '127.0.0.1', port: 0, dataDir: join(dir, name), logger, queryWorkers: 0, shared: seams, standby: true,
    requestPromotion: () => onRequest(server!, stopFollowing),
  });
  servers.push(server);
  follow = server.standby!.follow(following.signal);
  return server;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-pg-promote-'));
  seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
});

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  for (const s of servers.reverse()) await s.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

test('pg_promote() on a hot standby takes over from a live leader: it is fenced, no acknowledged write is lost', async () => {
  const fenced: Error[] = [];
  const leader = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: { ...seams, onAppendFailed: (e) => fenced.push(e) } });
  servers.push(leader);
  const lw = await connect(leader.port);
  await lw.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
  await lw.query(`INSERT INTO items SELECT i, 'first' FROM generate_series(1, 100) i`);
  await lw.query('CREATE ROLE alice LOGIN');
  await lw.query('CREATE ROLE bob LOGIN');
  // (as PostgreSQL 15 answers both)
  assert.equal(await one(lw, `SELECT has_function_privilege('alice', 'pg_promote(boolean,integer)', 'EXECUTE')`), false);
  assert.equal(await one(lw, `SELECT string_agg(grantee || ':' || privilege_type || ':' || is_grantable, ',') FROM information_schema.routine_privileges WHERE routine_name = 'pg_promote'`), 'postgres:EXECUTE:YES');
  await lw.query('GRANT EXECUTE ON FUNCTION pg_promote TO bob');

  // off recovery, as on a PostgreSQL primary
  assert.equal(await failure(lw, 'SELECT pg_promote()'), '55000: recovery is not in progress (HINT: Recovery control functions can only be executed during recovery.)');
  const alice = await connect(leader.port, 'alice');
  assert.equal(await failure(alice, 'SELECT pg_promote()'), '42501: permission denied for function pg_promote');
  assert.equal(await failure(await connect(leader.port, 'bob'), 'SELECT pg_promote(false)'), '55000: recovery is not in progress (HINT: Recovery control functions can only be executed during recovery.)');
  // PUBLIC has no EXECUTE on it: PostgreSQL's ACL, then bob's grant
  assert.equal(await one(lw, `SELECT proacl::text FROM pg_proc WHERE proname = 'pg_promote'`), '{postgres=X/postgres,bob=X/postgres}');
  assert.equal(await one(lw, `SELECT pg_get_function_arguments('pg_promote'::regproc)`), 'wait boolean DEFAULT true, wait_seconds integer DEFAULT 60');

  let requests = 0;
  const s = await standby('standby', async (server, stopFollowing) => {
    requests++;
    // as data-role.ts once the takeover in etcd is done: the follow loop ends, then the promotion
    setTimeout(() => void stopFollowing().then(() => server.standby!.promote(seams)), 50);
  });
  const sw = await connect(s.port);
  assert.equal(await one(sw, 'SELECT count(*)::int FROM items'), 100);
  assert.equal(await failure(await connect(s.port, 'alice'), 'SELECT pg_promote()'), '42501: permission denied for function pg_promote');
  assert.equal(await failure(sw, 'SELECT pg_promote(true, 0)'), '22023: "wait_seconds" must not be negative or zero');
  assert.equal(requests, 0);

  // the leader keeps writing while the standby is promoted
  const acked: number[] = [];
  let writing = true;
  let refused = '';
  const writer = (async () => {
    for (let id = 1000; writing; id++) {
      try {
        await Promise.race([lw.query('INSERT INTO items VALUES ($1, $2)', [id, 'during']), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 2000))]);
        acked.push(id);
      } catch (e) {
        refused = (e as Error).message;
        return;
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  assert.equal(await one(sw, 'SELECT pg_promote()'), true);
  const ms = performance.now() - t0;
  assert.equal(requests, 1);
  assert.deepEqual(sw.notices, []);
  assert.equal(await one(sw, 'SELECT pg_is_in_recovery()'), false);
  // the old leader's next write is refused by the log: it must stop
  for (let i = 0; i < 50 && fenced.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  writing = false;
  await writer;
  assert.match(fenced[0]?.message ?? '', /another node writes it now/);
  assert.ok(acked.length > 0, 'the leader wrote during the promotion');
  // every write it acknowledged is on the new leader, which writes now
  const ids = (await sw.query(`SELECT id FROM items WHERE note = 'during' ORDER BY id`)).rows.map((r) => r.id);
  assert.deepEqual(ids.slice(0, acked.length), acked);
  await sw.query(`INSERT INTO items VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET note = 'after'`);
  assert.equal(await one(sw, 'SELECT note FROM items WHERE id = 1'), 'after');
  // promoted: off recovery now
  assert.match(await failure(sw, 'SELECT pg_promote()'), /^55000: recovery is not in progress/);
  await lw.end().catch(() => {});
  await leader.close().catch(() => {});
  servers.splice(servers.indexOf(leader), 1);
  console.log(`# promoted in ${Math.round(ms)} ms; the old leader acknowledged ${acked.length} writes meanwhile, then: ${refused || 'stopped'}`);
});

test('pg_promote: false with a WARNING when not promoted within wait_seconds or when the request fails; wait => false returns at once', async () => {
  let asked = 0;
  const stuck = await standby('stuck', async () => { asked++; });
  const c = await connect(stuck.port);
  const t0 = performance.now();
  assert.equal(await one(c, 'SELECT pg_promote(true, 1)'), false);
  assert.ok(performance.now() - t0 >= 900);
  assert.deepEqual(c.notices, ['WARNING: server did not promote within 1 second']);
  assert.equal(await one(c, 'SELECT pg_promote(wait => false)'), true);
  assert.equal(await one(c, 'SELECT pg_promote(NULL)'), null);
  // in a VALUES list it waits too (and takes named arguments); where no operator can wait, a clear refusal
  assert.equal(await one(c, 'SELECT x FROM (VALUES (pg_promote(wait_seconds => 1))) v(x)'), false);
  assert.equal(await failure(c, 'SELECT 1 WHERE pg_promote(true, 1)'), '0A000: pg_promote() can wait only in a SELECT list (HINT: Call pg_promote() with wait => false, or as SELECT pg_promote().)');
  c.notices.length = 0;
  assert.equal(asked, 4);
  assert.equal(await one(c, 'SELECT pg_is_in_recovery()'), true);
  // a cancel ends the wait (57014)
  const cancelled = failure(c, 'SELECT pg_promote(true, 30)');
  await new Promise((r) => setTimeout(r, 200));
  const killer = await connect(stuck.port);
  await killer.query('SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE $1', ['SELECT pg_promote(true, 30)']);
  assert.equal(await cancelled, '57014: canceling statement due to user request');

  const failing = await standby('failing', async () => { throw new Error('etcd is unreachable'); });
  const f = await connect(failing.port);
  assert.equal(await one(f, 'SELECT pg_promote()'), false);
  assert.deepEqual(f.notices, ['WARNING: failed to request the promotion: etcd is unreachable']);
});
