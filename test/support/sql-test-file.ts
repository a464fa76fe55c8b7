/**
 * One sql-tests/<name>.sql file run as pg_regress runs it (test/sql-tests.test.ts): a fresh
 * database regress_<name> with the vector extension, then the file fed to psql with
 * pg_regress's flags. Returns the output (also written to dist/sql-tests-results/<name>.out)
 * and, when it differs from PostgreSQL's sql-tests/expected/<name>.out, a unified diff.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';
import { runPsql, REGRESS_PSQL_FLAGS } from './psql.js';

export const SQL_DIR = join(REPO_ROOT, 'sql-tests');
export const EXPECTED_DIR = join(SQL_DIR, 'expected');
const RESULTS_DIR = join(REPO_ROOT, 'dist', 'sql-tests-results');

/** The file's output on the server at host:port, and a diff against PostgreSQL's (undefined: equal). */
export async function runSqlTestFile(host: string, port: number, name: string): Promise<{ output: string; diff: string | undefined; status: number | null }> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const setup = await runPsql({
    host, port, database: 'postgres', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1'],
    input: `DROP DATABASE IF EXISTS regress_${name};\nCREATE DATABASE regress_${name};\n`, appName: 'pg_regress', mergeOutput: true, timeoutMs: 30000,
  });
  assert.equal(setup.status, 0, `creating database regress_${name} failed: ${setup.combined}`);
  const ext = await runPsql({
    host, port, database: `regress_${name}`, args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1'],
    input: 'CREATE EXTENSION vector;\n', appName: 'pg_regress', mergeOutput: true, timeoutMs: 30000,
  });
  assert.equal(ext.status, 0, `CREATE EXTENSION vector failed: ${ext.combined}`);
  const expectedFile = join(EXPECTED_DIR, `${name}.out`);
  const result = await runPsql({
    host, port, database: `regress_${name}`, args: REGRESS_PSQL_FLAGS,
    input: readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8'), appName: `pg_regress/${name}`, mergeOutput: true, timeoutMs: 120000,
  });
  const actualFile = join(RESULTS_DIR, `${name}.out`);
  writeFileSync(actualFile, result.combined);
  const same = result.combined === readFileSync(expectedFile, 'utf8');
  return { output: result.combined, status: result.status, diff: same ? undefined : unifiedDiff(expectedFile, actualFile) };
}

/** `diff -u expected actual`, capped so one broken file cannot flood the report. */
function unifiedDiff(expectedFile: string, actualFile: string): string {
  const r = spawnSync('diff', ['-u', expectedFile, actualFile], { encoding: 'utf8' });
  const text = r.stdout || r.stderr || `(diff unavailable: ${r.error?.message ?? 'unknown error'})`;
  const lines = text.split('\n');
  const max = 200;
  return lines.length > max ? `${lines.slice(0, max).join('\n')}\n… (${lines.length - max} more diff lines; see ${actualFile})` : text;
}
