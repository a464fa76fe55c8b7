/**
 * Streamed results through the shard router (src/cluster/router/stream.ts): two standalone
 * Quiver servers as shards with a static directory, the real fan-out planner, and one
 * standalone server holding every row for the expected answers. Rows pass from the shards'
 * open portals to the client as it reads them: a row-limited Execute pulls pages (a late
 * row's error does not reach an early page), a client gone mid-stream frees the shards'
 * sessions, and an error midway arrives after the rows before it, as PostgreSQL sends it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { idsOn as idsOnShard, loopbackClient as client } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { RawClient, errorFields, summarize, type RawFrame } from './wire-fake-backend.js';
import type { ShardRouter } from '../src/cluster/router/server.js';

const SHARDS = 2;
const PER_SHARD = 2500;
const TABLE = 'CREATE TABLE big (id int PRIMARY KEY, n int, v vector(3))';
/** rows of ids `$1` (n = id % 100: never 999) */
const FILL = "INSERT INTO big SELECT x, x % 100, ('[' || x || ',1,2]')::vector FROM unnest($1::int[]) AS u(x)";

/** a raw protocol session on `port` (startup done) */
async function session(port: number, params: Record<string, string> = {}): Promise<RawClient> {
  const c = await RawClient.connect(port);
  c.write(serialize.startup({ user: 'postgres', database: 'postgres', ...params }));
  await c.untilReady();
  return c;
}

/** DataRow bodies as text columns */
function dataRows(frames: readonly RawFrame[]): string[][] {
  return frames.filter((f) => f.code === 'D').map((f) => {
    const out: string[] = [];
    let at = 2;
    for (let i = 0; i < f.body.readInt16BE(0); i++) {
      const len = f.body.readInt32BE(at);
      out.push(len < 0 ? 'NULL' : f.body.toString('utf8', at + 4, at + 4 + len));
      at += 4 + Math.max(len, 0);
    }
    return out;
  });
}

/** frames up to and including the first of `codes` */
async function until(c: RawClient, ...codes: string[]): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  for (;;) {
    const f = await c.readFrame();
    frames.push(f);
    if (codes.includes(f.code)) return frames;
  }
}

/** Execute `rows` of portal `p` and Flush: the page's rows and how it ended ('s' suspended, 'C' complete, 'E' error) */
async function page(c: RawClient, rows: number): Promise<{ rows: string[][]; end: string }> {
  c.write([serialize.execute({ portal: 'p', rows }), serialize.flush()]);
  const frames = await until(c, 's', 'C', 'E');
  return { rows: dataRows(frames), end: frames[frames.length - 1]!.code };
}

/** Parse + Bind portal `p` + Flush */
async function open(c: RawClient, sql: string): Promise<void> {
  c.write([serialize.parse({ text: sql }), serialize.bind({ portal: 'p' }), serialize.flush()]);
  await until(c, '2');
}

describe('shard router: streamed results', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let standalone: QuiverServer;
  let router: ShardRouter;
  let viaRouter: pg.Client;
  let alone: pg.Client;
  /** the last id on shard 1: its row divides by zero in POISON */
  let poisonId = 0;
  const POISON = 'SELECT id, 10 / (n - 999) AS q FROM big';

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: [TABLE], standalone: true });
    ({ shards, router, client: viaRouter } = cluster);
    standalone = cluster.standalone!;
    alone = cluster.alone!;
    // each shard's rows filled there directly (the last one on shard 1 poisoned), the same rows on the standalone server
    const ids = Array.from({ length: SHARDS }, (_, s) => idsOnShard(s, PER_SHARD, SHARDS));
    poisonId = ids[1]!.pop()!;
    for (const [s, shard] of shards.entries()) {
      const d = await client(shard.port);
      await d.query(FILL, [ids[s]]);
      if (s === 1) await d.query("INSERT INTO big VALUES ($1, 999, '[0,0,0]')", [poisonId]);
      await d.end();
      await alone.query(FILL, [ids[s]]);
    }
    await alone.query("INSERT INTO big VALUES ($1, 999, '[0,0,0]')", [poisonId]);
  });

  after(async () => {
    await cluster?.close();
  });

  it('answers pinned, shard-0, concatenated and sorted fan-out SELECTs as one server does', async () => {
    const byId = (rows: { id: number }[]) => [...rows].sort((a, b) => a.id - b.id);
    const sorted = [
      'SELECT id, n, v FROM big WHERE n <> 999 ORDER BY id LIMIT 3000',
      'SELECT id, v FROM big WHERE n <> 999 ORDER BY n DESC, id LIMIT 1234 OFFSET 17',
      'SELECT id FROM big WHERE n <> 999 ORDER BY v <-> \'[100,1,2]\', id LIMIT 20',
      'SELECT x, x * 2 AS y FROM generate_series(1, 2500) AS g(x)',
    ];
    for (const sql of sorted) assert.deepEqual((await viaRouter.query(sql)).rows, (await alone.query(sql)).rows, sql);
    const whole = 'SELECT id, n, v FROM big';
    const got = (await viaRouter.query(whole)).rows;
    assert.equal(got.length, SHARDS * PER_SHARD);
    assert.deepEqual(byId(got), byId((await alone.query(whole)).rows));
    const limit = { text: 'SELECT id FROM big WHERE n <> 999 ORDER BY id LIMIT $1 OFFSET $2', values: [25, 5] };
    assert.deepEqual((await viaRouter.query(limit)).rows, (await alone.query(limit)).rows);
    const pinned = { text: 'SELECT id, n, v FROM big WHERE id = $1', values: [poisonId] };
    assert.deepEqual((await viaRouter.query(pinned)).rows, (await alone.query(pinned)).rows);
  });

  it('passes the shards\' text output on unchanged, and encodes it in binary for a client that asks', async () => {
    // every result format in binary (node-pg's `binary`), and text, the router against one server
    const binaryRouter = new pg.Client({ host: '127.0.0.1', port: router.port, user: 'postgres', database: 'postgres', binary: true } as pg.ClientConfig);
    await binaryRouter.connect();
    const binaryAlone = new pg.Client({ host: '127.0.0.1', port: standalone.port, user: 'postgres', database: 'postgres', binary: true } as pg.ClientConfig);
    await binaryAlone.connect();
    try {
      const statements = [
        // pinned, concatenated (compared in id order), sorted and limited, on shard 0, pulled up
        `SELECT id, n, v, n::float8 / 3 AS f, now() - now() AS i FROM big WHERE id = ${poisonId}`,
        'SELECT id, v::text AS t, n::numeric / 7 AS q FROM big WHERE n < 3',
        'SELECT id, n, v FROM big WHERE n <> 999 ORDER BY n DESC, id LIMIT 50 OFFSET 3',
        "SELECT x, x::float4 / 3 AS y, '2024-02-29 12:00'::timestamptz + x * interval '1 hour' AS t FROM generate_series(1, 30) AS g(x)",
        'SELECT id, rank() OVER (ORDER BY n, id) AS r, v FROM big WHERE id < 200',
      ];
      const byFirst = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }));
      for (const sql of statements) {
        // the values as they came (bytes in binary, text), not parsed by node-pg
        const q = { text: sql, rowMode: 'array' as const, queryMode: 'extended' as const, types: { getTypeParser: () => (v: unknown) => v } };
        const binary = (await binaryRouter.query(q)).rows;
        const text = (await viaRouter.query(q)).rows;
        assert.notDeepEqual(binary, text, 'the rows came in binary');
        assert.deepEqual(byFirst(binary), byFirst((await binaryAlone.query(q)).rows), `binary: ${sql}`);
        assert.deepEqual(byFirst(text), byFirst((await alone.query(q)).rows), `text: ${sql}`);
      }
      // the session's settings reach the shards' text output: extra_float_digits, DateStyle
      for (const c of [viaRouter, alone]) await c.query("SET extra_float_digits = 0; SET DateStyle = 'German, DMY'");
      const q = { text: "SELECT id, n::float8 / 3 AS f, '2024-02-29'::date + n AS d FROM big WHERE n < 2 ORDER BY id", rowMode: 'array' as const, types: { getTypeParser: () => (v: unknown) => v } };
      assert.deepEqual((await viaRouter.query(q)).rows, (await alone.query(q)).rows);
      for (const c of [viaRouter, alone]) await c.query('RESET extra_float_digits; RESET DateStyle');
    } finally {
      await binaryRouter.end();
      await binaryAlone.end();
    }
  });

  it('pulls pages with row-limited Execute: a late row\'s error does not reach the early pages', async () => {
    const c = await session(router.port);
    try {
      // shard 0's rows come first: the poison row is the last of shard 1
      await open(c, POISON);
      let seen = 0;
      for (let i = 0; i < 5; i++) {
        const p = await page(c, 10);
        assert.deepEqual([p.rows.length, p.end], [10, 's']);
        seen += p.rows.length;
      }
      // the rest in big pages: every row, then the division by zero, as PostgreSQL sends it
      let last: { rows: string[][]; end: string };
      do {
        last = await page(c, 700);
        seen += last.rows.length;
      } while (last.end === 's');
      assert.equal(last.end, 'E');
      // shard 0's rows, then shard 1's as shard 1 sends them before its error (its engine works in batches)
      const direct = await session(shards[1]!.port);
      direct.write(serialize.query(POISON));
      const beforeError = dataRows(await direct.untilReady()).length;
      direct.end();
      assert.equal(seen, PER_SHARD + beforeError);
      c.write(serialize.sync());
      await c.untilReady();
      // a statement on shard 0 only, paged the same way
      await open(c, 'SELECT x, 10 / (x - 3000) FROM generate_series(1, 3000) AS g(x)');
      assert.deepEqual((await page(c, 3)).rows, [['1', '0'], ['2', '0'], ['3', '0']]);
      assert.equal((await page(c, 3)).end, 's');
      c.write(serialize.sync());
      await c.untilReady();
      // the session goes on
      c.write(serialize.query('SELECT count(*) FROM big'));
      assert.deepEqual(dataRows(await c.untilReady()), [[String(SHARDS * PER_SHARD)]]);
    } finally {
      c.end();
    }
  });

  it('pages a sorted fan-out (a cursor over ORDER BY) like one server', async () => {
    const sql = 'SELECT id, n FROM big WHERE n <> 999 ORDER BY n, id DESC LIMIT 900';
    const pages = async (port: number): Promise<string[]> => {
      const c = await session(port);
      try {
        await open(c, sql);
        const out: string[] = [];
        for (const n of [1, 7, 100, 500, 400]) {
          const p = await page(c, n);
          out.push(`${p.end}:${p.rows.map((r) => r.join('/')).join(',')}`);
        }
        return out;
      } finally {
        c.end();
      }
    };
    const got = await pages(router.port);
    const expected = await pages(standalone.port);
    assert.deepEqual(got.map((p) => p.split(',').length), [1, 7, 100, 500, 292]);
    assert.deepEqual(got, expected);
  });

  it('in a block, another statement while a portal is suspended reads it to the end first', async () => {
    const c = await session(router.port);
    try {
      c.write(serialize.query('BEGIN'));
      await c.untilReady();
      await open(c, 'SELECT id FROM big WHERE n <> 999 ORDER BY id');
      const first = await page(c, 10);
      c.write(serialize.sync());
      await c.untilReady();
      c.write(serialize.query('SELECT count(*) FROM big WHERE n = 1'));
      assert.deepEqual(dataRows(await c.untilReady()), [[String((await alone.query('SELECT count(*) FROM big WHERE n = 1')).rows[0].count)]]);
      const rest: string[][] = [];
      for (let p = await page(c, 1000); ; p = await page(c, 1000)) {
        rest.push(...p.rows);
        if (p.end !== 's') break;
      }
      c.write(serialize.sync());
      await c.untilReady();
      const expected = (await alone.query('SELECT id FROM big WHERE n <> 999 ORDER BY id')).rows.map((r) => [String(r.id)]);
      assert.deepEqual([...first.rows, ...rest], expected);
      c.write(serialize.query('COMMIT'));
      assert.deepEqual(summarize(await c.untilReady()).slice(-1), ['Z:I']);
    } finally {
      c.end();
    }
  });

  it('frees the shards\' sessions when the client goes mid-stream', async () => {
    const activity = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gone_midway'";
    const c = await session(router.port, { application_name: 'gone_midway' });
    await open(c, 'SELECT id, v FROM big');
    assert.equal((await page(c, 10)).end, 's');
    const during = await Promise.all(shards.map(async (s) => {
      const d = await client(s.port);
      try {
        return Number((await d.query(activity)).rows[0].count);
      } finally {
        await d.end();
      }
    }));
    assert.deepEqual(during, [1, 1]);
    c.socket.destroy();
    const deadline = Date.now() + 5000;
    for (;;) {
      const left = await Promise.all(shards.map(async (s) => {
        const d = await client(s.port);
        try {
          return Number((await d.query(activity)).rows[0].count);
        } finally {
          await d.end();
        }
      }));
      if (left.every((n) => n === 0)) break;
      assert.ok(Date.now() < deadline, `shard sessions left: ${left}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // and the router serves the next client
    assert.equal((await viaRouter.query('SELECT count(*) FROM big')).rows[0].count, String(SHARDS * PER_SHARD));
  });

  it('sends the rows before an error midway, then the ErrorResponse, and the session stays usable', async () => {
    for (const port of [router.port, standalone.port]) {
      const c = await session(port);
      try {
        c.write(serialize.query(POISON));
        const frames = await c.untilReady();
        const codes = summarize(frames).map((m) => m[0]);
        assert.equal(codes[0], 'T');
        assert.ok(dataRows(frames).length > 0, 'rows before the error');
        const error = frames.find((f) => f.code === 'E')!;
        assert.deepEqual([errorFields(error.body).C, errorFields(error.body).M], ['22012', 'division by zero']);
        assert.equal(frames[frames.length - 1]!.code, 'Z');
        c.write(serialize.query('SELECT count(*) FROM big'));
        assert.deepEqual(dataRows(await c.untilReady()), [[String(SHARDS * PER_SHARD)]]);
      } finally {
        c.end();
      }
    }
    // in a block the error fails the block, as in PostgreSQL
    const c = await session(router.port);
    try {
      c.write(serialize.query('BEGIN'));
      await c.untilReady();
      c.write(serialize.query(POISON));
      assert.deepEqual(summarize(await c.untilReady()).slice(-1), ['Z:E']);
      c.write(serialize.query('SELECT 1'));
      assert.equal(errorFields((await c.untilReady()).find((f) => f.code === 'E')!.body).C, '25P02');
      c.write(serialize.query('ROLLBACK'));
      assert.deepEqual(summarize(await c.untilReady()).slice(-1), ['Z:I']);
    } finally {
      c.end();
    }
  });
});
