/**
 * The SQL regression suite, pg_regress style: every sql-tests/<name>.sql is fed to psql
 * (same flags and environment as PostgreSQL's pg_regress, see test/support/psql.ts) against
 * ONE Quiver server, and the output must equal sql-tests/expected/<name>.out, which was
 * produced by real PostgreSQL 15 + pgvector (scripts/sql-tests-expected.sh). Actual output is
 * written to dist/sql-tests-results/<name>.out; a mismatch fails with a unified diff.
 *
 * Run one file: SQL_TESTS=vector_type node --test dist/test/sql-tests.test.js
 * Run against an already-running server instead (e.g. to check the harness against real
 * PostgreSQL, whose regress_<name> databases must then exist with the vector extension):
 * QUIVER_TEST_PORT=55432 node --test dist/test/sql-tests.test.js
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startQuiver, REPO_ROOT } from './support/server.js';
import type { QuiverServer } from './support/server.js';
import { psqlAvailable, PSQL_MISSING, runPsql, REGRESS_PSQL_FLAGS } from './support/psql.js';

const SQL_DIR = join(REPO_ROOT, 'sql-tests');
const EXPECTED_DIR = join(SQL_DIR, 'expected');
const RESULTS_DIR = join(REPO_ROOT, 'dist', 'sql-tests-results');

const only = process.env.SQL_TESTS?.split(',').map((s) => s.trim()).filter(Boolean);
const names = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .filter((n) => !only || only.includes(n))
  .sort();

let server: QuiverServer | undefined;
let startError: unknown;

before(async () => {
  if (!psqlAvailable()) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  try {
    // two_phase_commit.sql needs prepared transactions (PostgreSQL's default 0 turns them off)
    server = await startQuiver({ args: ['--max-prepared-transactions', '10'] });
  } catch (err) {
    startError = err;
  }
});

after(async () => {
  await server?.stop();
});

test('sql-tests: every .sql file has an expected output', () => {
  assert.ok(names.length > 0 || only, 'no sql-tests/*.sql files found');
  const missing = names.filter((n) => !existsSync(join(EXPECTED_DIR, `${n}.out`)));
  assert.deepEqual(missing, [], 'run scripts/sql-tests-expected.sh to generate them from PostgreSQL');
});

for (const name of names) {
  test(`sql-tests: ${name}`, async () => {
    if (!psqlAvailable()) assert.fail(PSQL_MISSING);
    if (startError) throw startError;
    assert.ok(server, 'Quiver server did not start');
    // Like pg_regress (and scripts/sql-tests-expected.sh): a fresh database per file, with
    // the vector extension already created in it.
    const setup = await runPsql({
      host: server.host, port: server.port, database: 'postgres', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1'],
      input: `DROP DATABASE IF EXISTS regress_${name};\nCREATE DATABASE regress_${name};\n`, appName: 'pg_regress', mergeOutput: true, timeoutMs: 30000,
    });
    assert.equal(setup.status, 0, `creating database regress_${name} failed: ${setup.combined}`);
    const ext = await runPsql({
      host: server.host, port: server.port, database: `regress_${name}`, args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1'],
      input: 'CREATE EXTENSION vector;\n', appName: 'pg_regress', mergeOutput: true, timeoutMs: 30000,
    });
    assert.equal(ext.status, 0, `CREATE EXTENSION vector failed: ${ext.combined}`);
    const input = readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8');
    const expectedFile = join(EXPECTED_DIR, `${name}.out`);
    const expected = readFileSync(expectedFile, 'utf8');
    const result = await runPsql({
      host: server.host,
      port: server.port,
      database: `regress_${name}`,
      args: REGRESS_PSQL_FLAGS,
      input,
      appName: `pg_regress/${name}`,
      mergeOutput: true,
      timeoutMs: 120000,
    });
    const actualFile = join(RESULTS_DIR, `${name}.out`);
    writeFileSync(actualFile, result.combined);
    if (result.combined !== expected) {
      assert.fail(`${name}: output differs from PostgreSQL's (psql exit ${result.status})\n${unifiedDiff(expectedFile, actualFile)}`);
    }
  });
}

/** `diff -u expected actual`, capped so one broken file cannot flood the report. */
function unifiedDiff(expectedFile: string, actualFile: string): string {
  const r = spawnSync('diff', ['-u', expectedFile, actualFile], { encoding: 'utf8' });
  const text = r.stdout || r.stderr || `(diff unavailable: ${r.error?.message ?? 'unknown error'})`;
  const lines = text.split('\n');
  const max = 200;
  return lines.length > max ? `${lines.slice(0, max).join('\n')}\n… (${lines.length - max} more diff lines; see ${actualFile})` : text;
}
