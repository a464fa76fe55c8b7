/**
 * UNIQUE NULLS NOT DISTINCT survives a kill -9 and restart (storage's key keeps the flag in its
 * manifest, the catalog in its index), with rows in sealed segments and in the replayed log;
 * and a pg_dump of it restores into a fresh Quiver with the same keys. The SQL behaviour
 * itself is sql-tests/unique_nulls_not_distinct.sql (expected output from PostgreSQL).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlError } from './support/shard-keys.js';
import { connectClient as client, startQuiver, type QuiverServer } from './support/server.js';
import { regressEnv } from './support/psql.js';

const PG_BIN = ['/usr/lib/postgresql/15/bin'].find((d) => existsSync(join(d, 'pg_dump')));
const tool = (name: string) => (PG_BIN ? join(PG_BIN, name) : name);
const TOOLS_MISSING = ['pg_dump', 'psql'].filter((t) => spawnSync(tool(t), ['--version']).status !== 0);

const started: QuiverServer[] = [];
let dataDir: string | undefined;
after(async () => {
  for (const s of started) await s.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const SCHEMA = [
  // as pg-dump.test: without it pg_dump sees pgvector's built-in types as the database's own
  'CREATE EXTENSION IF NOT EXISTS vector',
  'CREATE TABLE nr (id int PRIMARY KEY, a int UNIQUE NULLS NOT DISTINCT, b int, c int, d int)',
  'ALTER TABLE nr ADD CONSTRAINT nr_bc UNIQUE NULLS NOT DISTINCT (b, c)',
  'CREATE UNIQUE INDEX nr_d ON nr (d) NULLS NOT DISTINCT WHERE id > 0',
  'CREATE UNIQUE INDEX nr_d_plain ON nr (d, id) NULLS DISTINCT',
];

/** the keys' definitions as PostgreSQL prints them */
async function definitions(c: Awaited<ReturnType<typeof client>>): Promise<string[]> {
  const r = await c.query(`SELECT pg_get_indexdef(indexrelid) AS def, indnullsnotdistinct FROM pg_index WHERE indrelid = 'nr'::regclass ORDER BY 1`);
  const k = await c.query(`SELECT conname || ': ' || pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'nr'::regclass AND contype = 'u' ORDER BY 1`);
  return [...r.rows.map((x: { def: string; indnullsnotdistinct: boolean }) => `${x.def} ${x.indnullsnotdistinct}`), ...k.rows.map((x: { def: string }) => x.def)];
}

const EXPECTED_DEFINITIONS = [
  'CREATE UNIQUE INDEX nr_a_key ON public.nr USING btree (a) NULLS NOT DISTINCT true',
  'CREATE UNIQUE INDEX nr_bc ON public.nr USING btree (b, c) NULLS NOT DISTINCT true',
  'CREATE UNIQUE INDEX nr_d ON public.nr USING btree (d) NULLS NOT DISTINCT WHERE (id > 0) true',
  'CREATE UNIQUE INDEX nr_d_plain ON public.nr USING btree (d, id) false',
  'CREATE UNIQUE INDEX nr_pkey ON public.nr USING btree (id) false',
  'nr_a_key: UNIQUE NULLS NOT DISTINCT (a)',
  'nr_bc: UNIQUE NULLS NOT DISTINCT (b, c)',
];

/** each NULLS NOT DISTINCT key refuses a second NULL; a plain key and NULLS DISTINCT take them */
async function checkKeys(c: Awaited<ReturnType<typeof client>>): Promise<void> {
  for (const [sql, key, detail] of [
    ['INSERT INTO nr VALUES (9001, NULL, 1, 1, 1)', 'nr_a_key', 'Key (a)=(null) already exists.'],
    ['INSERT INTO nr VALUES (9002, 9002, 7, NULL, 9002)', 'nr_bc', 'Key (b, c)=(7, null) already exists.'],
    ['INSERT INTO nr VALUES (9003, 9003, 9003, 9003, NULL)', 'nr_d', 'Key (d)=(null) already exists.'],
  ] as const) {
    const e = await sqlError(c.query(sql));
    assert.equal(e.code, '23505', sql);
    assert.equal(e.constraint, key, sql);
    assert.equal(e.detail, detail, sql);
  }
  // outside the partial key (id <= 0) a NULL d is no conflict
  await c.query('INSERT INTO nr VALUES (-1, -1, -1, -1, NULL)');
  const upsert = await c.query('INSERT INTO nr VALUES (9004, NULL, 9004, 9004, 9004) ON CONFLICT (a) DO UPDATE SET c = 4242 RETURNING id, c');
  assert.deepEqual(upsert.rows, [{ id: 1, c: 4242 }]);
  assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM nr WHERE a IS NULL')).rows, [{ n: 1 }]);
  assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM nr WHERE a = NULL')).rows, [{ n: 0 }]);
}

test('UNIQUE NULLS NOT DISTINCT keys hold after a kill -9 and restart, and after a pg_dump round trip', { timeout: 120_000 }, async (t) => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-nnd-'));
  // a small seal threshold: most rows are in sealed segments
  const env = { QUIVER_SEAL_THRESHOLD_BYTES: '16384' };
  const first = await startQuiver({ dataDir, env });
  started.push(first);
  let c = await client(first);
  for (const sql of SCHEMA) await c.query(sql);
  // the NULLs: a in row 1, (7, NULL) in row 7, d in row 3; every other key value distinct
  await c.query(`INSERT INTO nr SELECT g, CASE WHEN g = 1 THEN NULL ELSE g END, g, CASE WHEN g = 7 THEN NULL ELSE g END,
    CASE WHEN g = 3 THEN NULL ELSE g END FROM generate_series(1, 2000) g`);
  await c.end();
  await first.crash();

  const second = await startQuiver({ dataDir, env });
  started.push(second);
  c = await client(second);
  try {
    assert.deepEqual(await definitions(c), EXPECTED_DEFINITIONS);
    await checkKeys(c);
  } finally {
    await c.end();
  }

  if (TOOLS_MISSING.length) {
    t.diagnostic(`pg_dump round trip skipped: ${TOOLS_MISSING.join(', ')} missing`);
    return;
  }
  const conn = (port: number) => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'];
  const run = (cmd: string, args: string[], input = ''): Promise<{ code: number; out: string; err: string }> => new Promise((resolve) => {
    const child = execFile(cmd, args, { env: regressEnv('quiver-nnd-test'), timeout: 60_000, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, out: stdout, err: stderr });
    });
    child.stdin?.end(input);
  });
  // undo checkKeys' writes so the restored copy starts from the same rows
  c = await client(second);
  await c.query('DELETE FROM nr WHERE id = -1');
  await c.query('UPDATE nr SET c = 1 WHERE id = 1');
  await c.end();
  const dump = await run(tool('pg_dump'), conn(second.port));
  assert.equal(dump.code, 0, dump.err);
  assert.match(dump.out, /^ {4}ADD CONSTRAINT nr_a_key UNIQUE NULLS NOT DISTINCT \(a\);$/m);
  assert.match(dump.out, /^CREATE UNIQUE INDEX nr_d ON public\.nr USING btree \(d\) NULLS NOT DISTINCT WHERE \(id > 0\);$/m);
  const target = await startQuiver();
  started.push(target);
  const restore = await run(tool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...conn(target.port)], dump.out);
  assert.equal(restore.code, 0, restore.err);
  c = await client(target);
  try {
    assert.deepEqual(await definitions(c), EXPECTED_DEFINITIONS);
    await checkKeys(c);
  } finally {
    await c.end();
  }
});
