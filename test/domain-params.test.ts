/**
 * A parameter declared as a domain in Parse (its type OID) is read as the base type and
 * checked against the domain's constraints at Bind, as PostgreSQL's domain_in does: 23514 /
 * 23502 with the parameter's CONTEXT, before BindComplete; ParameterDescription names the
 * domain; pg_typeof($1) is the domain. Every expected frame list was recorded from
 * PostgreSQL 15 with the same messages (QUIVER_TEST_PORT=55432 runs it there).
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { RawClient, errorFields, summarize, type RawFrame } from './wire-fake-backend.js';

let server: QuiverServer;
let c: RawClient;
let admin: pg.Client;
const oids: Record<string, number> = {};

before(async () => {
  server = await startQuiver({ args: ['--query-workers', '0'] });
  admin = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await admin.connect();
  await admin.query('CREATE DOMAIN dp_pos AS int CHECK (VALUE > 0)');
  await admin.query('CREATE DOMAIN dp_nn AS text NOT NULL');
  await admin.query('CREATE DOMAIN dp_pos2 AS dp_pos CHECK (VALUE < 100)');
  for (const r of (await admin.query("SELECT typname, oid::int AS oid FROM pg_type WHERE typname IN ('dp_pos', 'dp_nn', 'dp_pos2', '_dp_pos')")).rows) oids[r.typname] = r.oid;
  c = await RawClient.connect(server.port);
  c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
  await c.untilReady();
});

after(async () => {
  c?.socket.destroy();
  await admin?.query('DROP DOMAIN dp_pos2, dp_pos, dp_nn').catch(() => {});
  await admin?.end();
  await server?.stop();
});

/** Parse (typed), Bind (text values), Execute, Sync: the frames up to ReadyForQuery */
async function run(text: string, types: number[], values: (string | null)[]): Promise<RawFrame[]> {
  c.write(Buffer.concat([serialize.parse({ text, types }), serialize.bind({ values }), serialize.execute({}), serialize.sync()]));
  return c.untilReady();
}

it('a valid value passes and $1 is the domain', async () => {
  const frames = await run('SELECT $1 + 1 AS v, pg_typeof($1)::text AS t', [oids.dp_pos2!], ['5']);
  assert.deepEqual(summarize(frames), ['1', '2', 'D:6,dp_pos2', 'C:SELECT 1', 'Z:I']);
});

it("a value the domain's CHECK refuses fails the Bind (base domain's first)", async () => {
  for (const [value, constraint] of [['-5', 'dp_pos_check'], ['500', 'dp_pos2_check']] as const) {
    const frames = await run('SELECT $1 AS v', [oids.dp_pos2!], [value]);
    assert.deepEqual(summarize(frames), ['1', 'E:23514', 'Z:I']);
    const e = errorFields(frames.find((f) => f.code === 'E')!.body);
    assert.equal(e.M, `value for domain dp_pos2 violates check constraint "${constraint}"`);
    assert.equal(e.W, "unnamed portal parameter $1 = '...'");
  }
});

it('NULL for a NOT NULL domain is 23502; NULL passes a CHECK', async () => {
  let frames = await run('SELECT $1 AS v', [oids.dp_nn!], [null]);
  assert.deepEqual(summarize(frames), ['1', 'E:23502', 'Z:I']);
  assert.equal(errorFields(frames.find((f) => f.code === 'E')!.body).M, 'domain dp_nn does not allow null values');
  frames = await run('SELECT $1 AS v', [oids.dp_pos!], [null]);
  assert.deepEqual(summarize(frames), ['1', '2', 'D:NULL', 'C:SELECT 1', 'Z:I']);
});

it("an array of a domain checks each element", async () => {
  const frames = await run('SELECT $1 AS v', [oids._dp_pos!], ['{1,-2}']);
  assert.deepEqual(summarize(frames), ['1', 'E:23514', 'Z:I']);
  assert.equal(errorFields(frames.find((f) => f.code === 'E')!.body).M, 'value for domain dp_pos violates check constraint "dp_pos_check"');
});

it('ParameterDescription names the domain', async () => {
  c.write(Buffer.concat([serialize.parse({ name: 'dp_s', text: 'SELECT $1 AS v', types: [oids.dp_pos!] }), serialize.describe({ type: 'S', name: 'dp_s' }), serialize.sync()]));
  const frames = await c.untilReady();
  const t = frames.find((f) => f.code === 't')!;
  assert.equal(t.body.readInt16BE(0), 1);
  assert.equal(t.body.readInt32BE(2), oids.dp_pos);
});
