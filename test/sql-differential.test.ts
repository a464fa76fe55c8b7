/**
 * Differential test: seeded random window / CTE / set-operation queries
 * (test/support/query-generator.ts) run on Quiver and on a PostgreSQL 15 this test starts
 * itself; results (as text) or SQLSTATEs must be identical. Skipped, saying why, where no
 * PostgreSQL 15 binaries are installed. SQL_DIFF_QUERIES (default 300) and SQL_DIFF_SEED
 * tune it; a failure prints the query, so it can be replayed by hand.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, type QuiverServer } from './support/server.js';
import { startPostgres, type PostgresServer } from './support/postgres.js';
import { DIFF_TABLE_SQL, randomQuery, tableInserts } from './support/query-generator.js';

const QUERIES = Number(process.env.SQL_DIFF_QUERIES ?? 300);
const SEED = Number(process.env.SQL_DIFF_SEED ?? 20261204);

let quiver: QuiverServer | undefined;
let postgres: PostgresServer | string = 'not started';
let q: pg.Client;
let p: pg.Client;

/** Every value as the server's text, no client-side parsing. */
const rawText = { getTypeParser: () => (v: string) => v };

async function connect(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', types: rawText });
  await c.connect();
  await c.query("SET TimeZone = 'UTC'");
  return c;
}

type Outcome = { rows: unknown[][] } | { error: string };

async function run(c: pg.Client, sql: string): Promise<Outcome> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    return { rows: r.rows as unknown[][] };
  } catch (e) {
    return { error: String((e as { code?: string }).code ?? e) };
  }
}

before(async () => {
  postgres = await startPostgres();
  if (typeof postgres === 'string') return;
  quiver = await startQuiver();
  [q, p] = await Promise.all([connect(quiver.port), connect(postgres.port)]);
  const rand = seededRandom(SEED);
  for (const sql of [DIFF_TABLE_SQL, ...tableInserts(rand)]) {
    await q.query(sql);
    await p.query(sql);
  }
});

after(async () => {
  await q?.end().catch(() => undefined);
  await p?.end().catch(() => undefined);
  await quiver?.stop();
  if (typeof postgres !== 'string') await postgres.stop();
});

test('random window, CTE and set-operation queries answer as PostgreSQL 15 does', async (t) => {
  if (typeof postgres === 'string') {
    t.skip(postgres);
    return;
  }
  const rand = seededRandom(SEED + 1);
  const failures: string[] = [];
  let errors = 0;
  for (let i = 0; i < QUERIES; i++) {
    const sql = randomQuery(rand);
    const [want, got] = await Promise.all([run(p, sql), run(q, sql)]);
    if ('error' in want) errors++;
    try {
      assert.deepStrictEqual(got, want);
    } catch {
      failures.push(`${sql}\n  PostgreSQL: ${JSON.stringify(want).slice(0, 600)}\n  Quiver:     ${JSON.stringify(got).slice(0, 600)}`);
    }
  }
  // the generator is meant to produce valid queries: mostly answers, not errors
  assert.ok(errors < QUERIES / 10, `${errors} of ${QUERIES} queries failed on PostgreSQL: fix the generator`);
  assert.deepEqual(failures, [], `${failures.length} of ${QUERIES} queries differ:\n${failures.slice(0, 12).join('\n')}`);
});
