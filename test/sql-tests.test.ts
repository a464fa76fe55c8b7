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
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startQuiver } from './support/server.js';
import type { QuiverServer } from './support/server.js';
import { psqlAvailable, PSQL_MISSING } from './support/psql.js';
import { runSqlTestFile, SQL_DIR, EXPECTED_DIR } from './support/sql-test-file.js';

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
    const { diff, status } = await runSqlTestFile(server.host, server.port, name);
    if (diff !== undefined) assert.fail(`${name}: output differs from PostgreSQL's (psql exit ${status})\n${diff}`);
  });
}
