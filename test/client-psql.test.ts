/**
 * psql as a client of Quiver: one-shot `-c` commands (DDL, DML, the README's KNN query),
 * `-f` of a small script, unaligned output, and error exit codes. Expected text was checked
 * against PostgreSQL 15 + pgvector with the same psql.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQuiver, TEST_DATABASE } from './support/server.js';
import type { QuiverServer } from './support/server.js';
import { psqlAvailable, PSQL_MISSING, runPsql } from './support/psql.js';
import type { PsqlResult } from './support/psql.js';

let server: QuiverServer;
let scratch: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'quiver-psql-test-'));
  if (!psqlAvailable()) return;
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function psql(args: string[], input?: string): Promise<PsqlResult> {
  if (!psqlAvailable()) assert.fail(PSQL_MISSING);
  return runPsql({ host: server.host, port: server.port, database: TEST_DATABASE, args: ['-X', ...args], input });
}

async function psqlOk(args: string[]): Promise<string> {
  const r = await psql(args);
  assert.equal(r.status, 0, `psql ${args.join(' ')} failed:\n${r.combined}`);
  assert.equal(r.stderr, '', 'unexpected stderr');
  return r.stdout;
}

test('psql -c: CREATE TABLE, INSERT, the README KNN query, DROP TABLE', async () => {
  await psql(['-q', '-c', 'DROP TABLE IF EXISTS psql_items']);
  assert.equal(await psqlOk(['-c', 'CREATE TABLE psql_items (id bigserial PRIMARY KEY, embedding vector(3))']), 'CREATE TABLE\n');
  assert.equal(await psqlOk(['-c', "INSERT INTO psql_items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]')"]), 'INSERT 0 2\n');
  const knn = await psqlOk(['-c', "SELECT id, embedding <-> '[3,1,2]' AS d FROM psql_items ORDER BY embedding <-> '[3,1,2]' LIMIT 5"]);
  assert.equal(
    knn,
    [
      ' id |         d         ',
      '----+-------------------',
      '  1 | 2.449489742783178',
      '  2 | 5.744562646538029',
      '(2 rows)',
      '',
      '',
    ].join('\n'),
  );
  // unaligned, tuples only
  assert.equal(await psqlOk(['-At', '-c', 'SELECT id, embedding FROM psql_items ORDER BY id']), '1|[1,2,3]\n2|[4,5,6]\n');
  assert.equal(await psqlOk(['-c', 'DROP TABLE psql_items']), 'DROP TABLE\n');
});

test('psql -c: several -c options run in order in one session', async () => {
  const out = await psqlOk(['-At', '-c', 'SET application_name = \'psql-test\'', '-c', 'SHOW application_name', '-c', 'SELECT 1 + 1']);
  assert.equal(out, 'SET\npsql-test\n2\n');
});

test('psql -c: an error goes to stderr with LINE/caret and exit status 1', async () => {
  const r = await psql(['-c', 'SELECT * FROM no_such_table']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    ['ERROR:  relation "no_such_table" does not exist', 'LINE 1: SELECT * FROM no_such_table', '                      ^', ''].join('\n'),
  );
});

test('psql -f: a small script with a transaction, expanded output and an error', async () => {
  const file = join(scratch, 'script.sql');
  await writeFile(
    file,
    [
      'SET client_min_messages = warning;',
      'DROP TABLE IF EXISTS psql_f;',
      'CREATE TABLE psql_f (id int PRIMARY KEY, label text, v vector(2));',
      'BEGIN;',
      "INSERT INTO psql_f VALUES (1, 'one', '[1,0]'), (2, 'two', '[0,1]');",
      'COMMIT;',
      "SELECT id, label, v <=> '[1,1]' AS d FROM psql_f ORDER BY id;",
      '\\x on',
      'SELECT * FROM psql_f WHERE id = 2;',
      '\\x off',
      "INSERT INTO psql_f VALUES (1, 'dup', '[1,1]');",
      'SELECT count(*) FROM psql_f;',
      'DROP TABLE psql_f;',
      '',
    ].join('\n'),
  );
  const r = await psql(['-q', '-f', file]);
  assert.equal(r.status, 0, r.combined);
  assert.equal(
    r.stdout,
    [
      ' id | label |          d          ',
      '----+-------+---------------------',
      '  1 | one   | 0.29289321881345254',
      '  2 | two   | 0.29289321881345254',
      '(2 rows)',
      '',
      '-[ RECORD 1 ]',
      'id    | 2',
      'label | two',
      'v     | [0,1]',
      '',
      ' count ',
      '-------',
      '     2',
      '(1 row)',
      '',
      '',
    ].join('\n'),
  );
  assert.equal(
    r.stderr,
    [
      `psql:${file}:11: ERROR:  duplicate key value violates unique constraint "psql_f_pkey"`,
      'DETAIL:  Key (id)=(1) already exists.',
      '',
    ].join('\n'),
  );
});

test('psql -f with ON_ERROR_STOP stops at the first error with exit status 3', async () => {
  const file = join(scratch, 'stop.sql');
  await writeFile(file, 'SELECT 1 AS a;\nSELECT 1 / 0;\nSELECT 2 AS b;\n');
  const r = await psql(['-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', file]);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '1\n');
  assert.equal(r.stderr, `psql:${file}:2: ERROR:  division by zero\n`);
});

test('psql reads a script from stdin', async () => {
  const r = await psql(['-q', '-At'], "SELECT 'from stdin';\nSELECT '[1,2]'::vector + '[3,4]';\n");
  assert.equal(r.status, 0, r.combined);
  assert.equal(r.stdout, 'from stdin\n[4,6]\n');
});
