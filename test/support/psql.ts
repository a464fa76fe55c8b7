/**
 * Running psql the way PostgreSQL's pg_regress does, so output is byte-for-byte comparable
 * with expected files produced by real PostgreSQL (scripts/sql-tests-expected.sh uses the
 * same flags and environment).
 */
import { spawn, spawnSync } from 'node:child_process';

/** pg_regress_main.c: psql -X -a -q -d DB -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on < in > out 2>&1 */
export const REGRESS_PSQL_FLAGS = ['-X', '-a', '-q', '-v', 'HIDE_TABLEAM=on', '-v', 'HIDE_TOAST_COMPRESSION=on'];

/**
 * Environment for psql: fixed time zone and date style (libpq sends PGTZ / PGDATESTYLE as
 * startup parameters), C messages, no user PGOPTIONS or psqlrc influence.
 */
export function regressEnv(appName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('PG') || k.startsWith('LC_') || k === 'LANG' || k === 'LANGUAGE') delete env[k];
  }
  return {
    ...env,
    PGTZ: 'UTC',
    PGDATESTYLE: 'ISO, MDY',
    PGAPPNAME: appName,
    PGCLIENTENCODING: 'UTF8',
    PGCONNECT_TIMEOUT: '10',
    LANG: 'C',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    PAGER: '',
    PSQL_PAGER: '',
  };
}

export function psqlAvailable(): boolean {
  const r = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export const PSQL_MISSING =
  'psql (PostgreSQL client) is not installed or not on PATH; install it (Debian: apt-get install -y postgresql-client; .ci/run does this)';

export interface PsqlResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order (as `> out 2>&1` would give). */
  combined: string;
}

/**
 * Runs psql against host:port as user postgres with the given extra arguments and stdin.
 * stdout and stderr are read through ONE pipe when `mergeOutput` is set, so the order of
 * ERROR lines relative to echoed statements matches `> out 2>&1`.
 */
export function runPsql(opts: {
  host: string;
  port: number;
  database: string;
  args: string[];
  input?: string;
  appName?: string;
  timeoutMs?: number;
  mergeOutput?: boolean;
}): Promise<PsqlResult> {
  const baseArgs = ['-h', opts.host, '-p', String(opts.port), '-U', 'postgres', '-d', opts.database];
  const env = regressEnv(opts.appName ?? 'quiver-test');
  return new Promise((resolveRun, reject) => {
    let child;
    if (opts.mergeOutput) {
      // A shell gives psql the same fd for stdout and stderr, exactly like pg_regress.
      const quoted = ['psql', ...baseArgs, ...opts.args].map(shellQuote).join(' ');
      child = spawn('/bin/sh', ['-c', `exec ${quoted} 2>&1`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } else {
      child = spawn('psql', [...baseArgs, ...opts.args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    }
    let stdout = '';
    let stderr = '';
    let combined = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => { stdout += s; combined += s; });
    child.stderr.on('data', (s: string) => { stderr += s; combined += s; });
    const timeoutMs = opts.timeoutMs ?? 60000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`psql timed out after ${timeoutMs} ms; output so far:\n${combined}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr, combined });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
